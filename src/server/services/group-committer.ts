import type { IngestItem, IngestOutcome, VaultStore } from '../../store/index.js';

/**
 * Group commit: ingestions are committed together in one durable transaction. One batch is in flight at a time;
 * whatever arrives while it commits forms the next batch (so batches grow with the load instead of queueing up
 * behind each other). Each caller's promise resolves only after its commit, so nothing is acknowledged before it
 * is stored.
 */
export class GroupCommitter {
  private queue: { item: IngestItem; resolve: (o: IngestOutcome) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;
  private committing = false;
  private inFlight: Promise<void> = Promise.resolve();
  private readonly onBatch: ((size: number) => void) | undefined;
  private readonly onCommitted: (() => void) | undefined;
  private readonly maxBatch: number;

  /** `onCommitted`: after each batch that stored something is durable (wakes feed long-polls; one call per batch). */
  constructor(private readonly store: VaultStore, options: { maxBatch?: number; onBatch?: (size: number) => void; onCommitted?: () => void } = {}) {
    this.maxBatch = options.maxBatch ?? 256;
    this.onBatch = options.onBatch;
    this.onCommitted = options.onCommitted;
  }

  submit(item: IngestItem): Promise<IngestOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  // The next batch starts on the next turn of the event loop, so requests parsed in this turn join it.
  private schedule(): void {
    if (this.scheduled || this.committing || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    if (this.committing || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.committing = true;
    this.onBatch?.(batch.length);
    this.inFlight = (async () => {
      try {
        const outcomes = await this.store.ingest(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(outcomes[i]!));
        if (outcomes.some((o) => o.ok)) this.onCommitted?.();
      } catch (err) {
        for (const b of batch) b.reject(err);
      } finally {
        this.committing = false;
        this.schedule();
      }
    })();
  }

  /** Resolves when everything submitted so far is committed (or failed). */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.scheduled || this.committing) {
      await (this.committing ? this.inFlight : new Promise((r) => setImmediate(r)));
    }
  }
}
