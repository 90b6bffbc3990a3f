import { EventEmitter, once } from 'node:events';
import { VaultgateError } from '../../../protocol/index.js';

/**
 * What wakes feed long-polls and how many may wait (issue 15). New messages committed in this process are signalled
 * by the group committer (one event per committed batch, nothing written per message or per reader); messages
 * committed by other gateway processes (PostgreSQL) are found by polling every `pollMs`. Waits are counted per
 * reader and in total, both bounded: a long-poll over either bound is refused before it waits.
 */
export class FeedWaits {
  readonly #signal = new EventEmitter();
  readonly #perReader = new Map<string, number>();
  #total = 0;
  #closed = false;

  constructor(private readonly o: { maxWaits: number; maxWaitsPerReader: number; pollMs: number }) {
    // The waits are bounded by maxWaits: one listener each.
    this.#signal.setMaxListeners(0);
  }

  /** Messages were committed in this process: wakes every waiting poll. */
  notify(): void {
    this.#signal.emit('committed');
  }

  /** Wakes every waiting poll for good (server shutdown): they answer at once instead of holding the close up. */
  close(): void {
    this.#closed = true;
    this.#signal.emit('committed');
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Takes a waiting slot for `reader`; FEED_WAITS_EXHAUSTED (429) or FEED_BUSY (503), both with Retry-After, when
   * none is free. Returns its release.
   */
  acquire(reader: string): () => void {
    const mine = this.#perReader.get(reader) ?? 0;
    if (mine >= this.o.maxWaitsPerReader) throw new VaultgateError('FEED_WAITS_EXHAUSTED', { retryAfterS: 5 });
    if (this.#total >= this.o.maxWaits) throw new VaultgateError('FEED_BUSY', { retryAfterS: 5 });
    this.#perReader.set(reader, mine + 1);
    this.#total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total--;
      const left = (this.#perReader.get(reader) ?? 1) - 1;
      if (left === 0) this.#perReader.delete(reader);
      else this.#perReader.set(reader, left);
    };
  }

  /** Resolves at the next signal, after at most `ms` (and the poll interval), or when `abort` fires. */
  async wake(ms: number, abort: AbortSignal): Promise<void> {
    if (this.#closed || abort.aborted) return;
    const timeout = AbortSignal.timeout(Math.max(1, Math.min(ms, this.o.pollMs)));
    try {
      await once(this.#signal, 'committed', { signal: AbortSignal.any([abort, timeout]) });
    } catch {
      // Timed out or aborted: the caller polls (or gives up) either way.
    }
  }
}
