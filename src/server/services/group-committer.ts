import type { IngestItem, IngestOutcome, VaultStore } from '../../store/index.js';

/**
 * Group commit: ingestions arriving in the same turn of the event loop, or while the previous commit is in flight,
 * are committed in one durable transaction.
 * Each caller's promise resolves only after that commit, so nothing is acknowledged before it is stored.
 */
export class GroupCommitter {
  private queue: { item: IngestItem; resolve: (o: IngestOutcome) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;
  private waiting = false;
  private inFlight: Promise<void> = Promise.resolve();
  private readonly onBatch: ((size: number) => void) | undefined;

  constructor(private readonly store: VaultStore, options: { maxBatch?: number; onBatch?: (size: number) => void } = {}) {
    this.maxBatch = options.maxBatch ?? 256;
    this.onBatch = options.onBatch;
  }

  private readonly maxBatch: number;

  submit(item: IngestItem): Promise<IngestOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /*
   * While a commit is in flight, what arrives waits for it and goes into the next batch together: the batch grows
   * with the commit's latency (a network database takes milliseconds per commit), instead of one small batch per
   * turn of the event loop queueing behind it.
   */
  private flush(): void {
    this.scheduled = false;
    if (this.waiting) return; // the step already queued behind the commit in flight takes these too
    this.waiting = true;
    this.inFlight = this.inFlight.then(() => this.commitQueued());
  }

  private async commitQueued(): Promise<void> {
    this.waiting = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.onBatch?.(batch.length);
      try {
        const outcomes = await this.store.ingest(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(outcomes[i]!));
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
  }

  /** Resolves when everything submitted so far is committed (or failed). */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.scheduled) {
      await new Promise((r) => setImmediate(r));
    }
    await this.inFlight;
  }
}
