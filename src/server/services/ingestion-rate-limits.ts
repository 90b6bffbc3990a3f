import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { VaultgateError } from '../../protocol/index.js';
import { CoalescingLimiter, type Consumed } from './coalescing-limiter.js';

/*
 * Fair use (issue 17 §3): per-party and per-channel limits on ingestion, in fixed windows, free of Fastify.
 *
 * - What is counted: messages. A single-message request costs 1, a batch its item count (`consume(…, n)`), so a
 *   client's budget means the same whichever way it sends. Charged after the caller is authenticated and authorised
 *   for the channel, before the body is read: an unauthenticated request never uses up a party's budget (anyone could
 *   otherwise lock a party out by sending junk to its channel), and a refused one costs no body transfer.
 * - Where: rate-limiter-flexible. One process (SQLite): RateLimiterMemory. PostgreSQL: the store's shared limiter
 *   (RateLimiterPostgres over the `rate_limits` table), so every gateway process counts against one budget.
 * - When the database fails: each shared limiter has an in-memory insurance limiter with the same budget, so a
 *   database hiccup degrades to per-process counting (with N processes at most N times the budget) instead of
 *   refusing everything (fail-closed) or counting nothing (fail-open). Any other error lets the request through and
 *   is reported (`onError`): a fair-use limit is not a security boundary, and refusing ingestion because the counter
 *   is unreachable would turn a counter fault into an outage.
 * - Answers: the IETF RateLimit-Policy and RateLimit fields, draft-ietf-httpapi-ratelimit-headers-11 (May 2026), as
 *   structured-field lists, on every answer to a counted request, and 429 RATE_LIMITED with Retry-After over a limit.
 */

/** One limit: its policy name (the RateLimit-Policy item), messages per window, window in seconds. */
export interface RateLimitPolicy {
  name: 'party' | 'channel';
  quota: number;
  windowS: number;
}

export interface IngestionRateLimitsOptions {
  /** Messages per party per window; 0 = off. */
  partyMessages: number;
  /** Messages per channel per window; 0 = off. */
  channelMessages: number;
  windowS: number;
  /**
   * A limiter shared across gateway processes (the PostgreSQL store's); per-process memory when absent. Called once
   * per policy with the budget and the in-memory insurance limiter to fall back on.
   */
  shared?: ((o: { keyPrefix: string; points: number; durationS: number; insurance: RateLimiterMemory }) => RateLimiterAbstract) | undefined;
  /**
   * With a shared limiter: how often each process adds its admissions to the shared count (CoalescingLimiter);
   * 0 = every request asks the shared limiter (exact, one database round trip per limit and request).
   */
  syncMs?: number;
  /** A limiter failed in a way the insurance did not cover; the request was let through. */
  onError?: (err: unknown) => void;
}

/** The outcome of a counted request: its RateLimit-Policy and RateLimit header fields (lowercase names). */
export interface RateLimitState {
  headers: Record<string, string>;
}

interface Limit {
  policy: RateLimitPolicy;
  consume: (id: string, n: number) => Promise<Consumed>;
}

/** A rate-limiter-flexible limiter's consume, over the budget or not. */
const direct = (limiter: RateLimiterAbstract) => async (id: string, n: number): Promise<Consumed> => {
  try {
    const r = await limiter.consume(id, n);
    return { over: false, remainingPoints: r.remainingPoints, msBeforeNext: r.msBeforeNext };
  } catch (err) {
    if (err instanceof RateLimiterRes) return { over: true, remainingPoints: 0, msBeforeNext: err.msBeforeNext };
    throw err;
  }
};

export class IngestionRateLimits {
  readonly #limits: Limit[] = [];
  readonly #coalescing: CoalescingLimiter[] = [];
  readonly #policyHeader: string;

  constructor(private readonly o: IngestionRateLimitsOptions) {
    const make = (name: RateLimitPolicy['name'], quota: number): void => {
      if (quota <= 0) return;
      const keyPrefix = `ingest-${name}`;
      const memory = new RateLimiterMemory({ keyPrefix, points: quota, duration: o.windowS });
      let consume = direct(memory);
      if (o.shared) {
        const shared = o.shared({ keyPrefix, points: quota, durationS: o.windowS, insurance: memory });
        if (o.syncMs) {
          const coalescing = new CoalescingLimiter(shared, { points: quota, syncMs: o.syncMs, ...(o.onError ? { onError: o.onError } : {}) });
          this.#coalescing.push(coalescing);
          consume = (id, n) => coalescing.consume(id, n);
        } else {
          consume = direct(shared);
        }
      }
      this.#limits.push({ policy: { name, quota, windowS: o.windowS }, consume });
    };
    make('party', o.partyMessages);
    make('channel', o.channelMessages);
    this.#policyHeader = this.#limits.map((l) => `"${l.policy.name}";q=${l.policy.quota};w=${l.policy.windowS}`).join(', ');
  }

  /** The policies in force (none when both limits are off). */
  get policies(): RateLimitPolicy[] {
    return this.#limits.map((l) => l.policy);
  }

  /**
   * Charges `messages` (≥ 1) to the party and the channel. Resolves with the header fields for the answer (none when
   * every limit is off); throws RATE_LIMITED (429, Retry-After in whole seconds, the same header fields) when either
   * budget is exhausted for the current window. A refused request is counted too (fixed windows: the window still
   * ends when it would have), so a client that ignores 429 gains nothing by retrying at once.
   */
  async consume(key: { partyId: string; channelId: string }, messages = 1): Promise<RateLimitState | undefined> {
    if (this.#limits.length === 0) return undefined;
    const results = await Promise.all(this.#limits.map(async (l) => {
      const id = l.policy.name === 'party' ? key.partyId : key.channelId;
      try {
        const res = await l.consume(id, messages);
        return { l, res, over: res.over };
      } catch (err) {
        this.o.onError?.(err);
        return { l, res: undefined, over: false };
      }
    }));
    const items: string[] = [];
    let retryMs = 0;
    const refusedBy: string[] = [];
    for (const { l, res, over } of results) {
      if (!res) continue;
      const resetS = Math.max(0, Math.ceil(res.msBeforeNext / 1000));
      items.push(`"${l.policy.name}";r=${over ? 0 : res.remainingPoints};t=${resetS}`);
      if (over) {
        refusedBy.push(l.policy.name);
        retryMs = Math.max(retryMs, res.msBeforeNext);
      }
    }
    const headers: Record<string, string> = { 'ratelimit-policy': this.#policyHeader };
    if (items.length > 0) headers.ratelimit = items.join(', ');
    if (refusedBy.length > 0) {
      const retryAfterS = Math.max(1, Math.ceil(retryMs / 1000));
      throw new VaultgateError('RATE_LIMITED', {
        detail: `${this.#usedUp(refusedBy)} for this window; retry after ${retryAfterS} s.`,
        retryAfterS, headers, extra: { limit: refusedBy[0]! },
        logReason: `rate limited by ${refusedBy.join('+')} ${key.partyId} ${key.channelId}`,
      });
    }
    return { headers };
  }

  /** Adds the counts this process holds back to the shared ones now (tests; otherwise every syncMs). */
  async flush(): Promise<void> {
    await Promise.all(this.#coalescing.map((c) => c.flush()));
  }

  #describe(name: string): string {
    const p = this.#limits.find((l) => l.policy.name === name)!.policy;
    return `${p.quota} per ${p.windowS} s`;
  }

  /** Each exhausted limit by name with its numbers: "The party's limit (8 per 30 s) and the channel's (5 per 30 s) are used up". */
  #usedUp(names: string[]): string {
    const [first, ...rest] = names.map((n) => ({ n, d: this.#describe(n) }));
    if (rest.length === 0) return `The ${first!.n}'s limit (${first!.d}) is used up`;
    return `The ${first!.n}'s limit (${first!.d}) and ${rest.map((r) => `the ${r.n}'s (${r.d})`).join(' and ')} are used up`;
  }
}
