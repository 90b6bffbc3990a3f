import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/*
 * Counting against a shared limiter (PostgreSQL) without a database round trip per request. Why: the bench measured
 * two upserts per message (party and channel, on rows every request of a party touches) at a third of the
 * throughput of counting nothing on PostgreSQL (docs/performance.md). The same trade Kong's rate-limiting plugin
 * offers as `sync_rate`: each process decides from the last count it saw plus what it admitted since, and adds its
 * admissions to the shared count at most every `syncMs`.
 *
 * - The first request of a key in a window (as this process knows it) asks the shared limiter directly: it learns
 *   the shared count and when the window ends.
 * - Later requests in the window are decided locally: shared count as last seen + pending + this one, against the
 *   budget. Refused ones are counted too (as the direct path counts them).
 * - Every `syncMs`, the pending points of each key are added to the shared count in one consume, which also
 *   returns the count every process has reached: the next decisions use it.
 * So with P processes a budget may be overrun by what the processes admit in one `syncMs` before they see each
 * other's counts; never more.
 */

/** The outcome of one consume, as the direct limiter would give it. */
export interface Consumed {
  over: boolean;
  remainingPoints: number;
  msBeforeNext: number;
}

interface KeyState {
  /** The shared count as last seen. */
  seen: number;
  /** Points admitted (or refused) here since, not yet added to the shared count. */
  pending: number;
  /** When the window ends (epoch ms). */
  resetAt: number;
}

export class CoalescingLimiter {
  readonly #keys = new Map<string, KeyState>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly shared: RateLimiterAbstract,
    private readonly o: { points: number; syncMs: number; onError?: (err: unknown) => void },
  ) {}

  async consume(key: string, n: number): Promise<Consumed> {
    const now = Date.now();
    const s = this.#keys.get(key);
    if (!s || now >= s.resetAt) {
      const r = await this.#sharedConsume(key, n);
      if (r) this.#keys.set(key, { seen: r.consumedPoints, pending: 0, resetAt: now + r.msBeforeNext });
      else this.#keys.delete(key);
      const consumed = r?.consumedPoints ?? n;
      return { over: consumed > this.o.points, remainingPoints: Math.max(0, this.o.points - consumed), msBeforeNext: r?.msBeforeNext ?? 0 };
    }
    s.pending += n;
    this.#schedule();
    const consumed = s.seen + s.pending;
    return { over: consumed > this.o.points, remainingPoints: Math.max(0, this.o.points - consumed), msBeforeNext: s.resetAt - now };
  }

  /** Adds every pending count to the shared one now (tests; the timer does it every syncMs). */
  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const now = Date.now();
    await Promise.all([...this.#keys].map(async ([key, s]) => {
      if (now >= s.resetAt && s.pending === 0) {
        this.#keys.delete(key);
        return;
      }
      if (s.pending === 0) return;
      const p = s.pending;
      s.pending = 0;
      const r = await this.#sharedConsume(key, p);
      if (r) {
        s.seen = r.consumedPoints;
        s.resetAt = Date.now() + r.msBeforeNext;
      }
    }));
  }

  #schedule(): void {
    this.#timer ??= setTimeout(() => void this.flush(), this.o.syncMs).unref();
  }

  /** The shared count after adding `n`, and the window's rest; undefined when the limiter failed (reported). */
  async #sharedConsume(key: string, n: number): Promise<{ consumedPoints: number; msBeforeNext: number } | undefined> {
    try {
      const r = await this.shared.consume(key, n);
      return { consumedPoints: r.consumedPoints, msBeforeNext: r.msBeforeNext };
    } catch (err) {
      // Over the budget; a key blocked in memory (inMemoryBlockOnConsumed) answers without its count: over, then.
      if (err instanceof RateLimiterRes) return { consumedPoints: Math.max(err.consumedPoints, this.o.points + 1), msBeforeNext: err.msBeforeNext };
      this.o.onError?.(err);
      return undefined;
    }
  }
}
