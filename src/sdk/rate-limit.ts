/**
 * The server's fair-use fields (draft-ietf-httpapi-ratelimit-headers-11): `RateLimit: "party";r=41;t=7, …` — for
 * each policy, the messages left (`r`) and the seconds until its window resets (`t`).
 */
export interface RateLimitItem {
  policy: string;
  remaining: number;
  resetS: number;
}

/**
 * Parses a RateLimit field value (a structured-field list of strings or tokens with `r` and `t` parameters). Items
 * without both are skipped; an absent or malformed field gives [].
 *
 * @example
 * parseRateLimit('"party";r=0;t=7, "channel";r=12;t=7'); // [{ policy: 'party', remaining: 0, resetS: 7 }, …]
 */
export function parseRateLimit(value: string | string[] | undefined): RateLimitItem[] {
  const v = Array.isArray(value) ? value.join(', ') : value;
  if (!v) return [];
  const out: RateLimitItem[] = [];
  for (const member of v.split(',')) {
    const [name, ...params] = member.trim().split(';');
    const policy = name?.trim().replace(/^"(.*)"$/, '$1');
    let r: number | undefined;
    let t: number | undefined;
    for (const p of params) {
      const m = /^\s*([rt])=(\d+)\s*$/.exec(p);
      if (m) (m[1] === 'r' ? (r = Number(m[2])) : (t = Number(m[2])));
    }
    if (policy && r !== undefined && t !== undefined) out.push({ policy, remaining: r, resetS: t });
  }
  return out;
}

/** One policy of a `RateLimit-Policy` field: its quota (`q`, messages) and window (`w`, seconds). */
export interface RateLimitPolicyItem {
  policy: string;
  quota: number;
  windowS: number;
}

/**
 * Parses a RateLimit-Policy field value (`"party";q=10000;w=10, "channel";q=5000;w=10`); members without both `q`
 * and `w` are skipped, an absent or malformed field gives [].
 *
 * @example
 * parseRateLimitPolicy('"channel";q=5;w=30'); // [{ policy: 'channel', quota: 5, windowS: 30 }]
 */
export function parseRateLimitPolicy(value: string | string[] | undefined): RateLimitPolicyItem[] {
  const v = Array.isArray(value) ? value.join(', ') : value;
  if (!v) return [];
  const out: RateLimitPolicyItem[] = [];
  for (const member of v.split(',')) {
    const [name, ...params] = member.trim().split(';');
    const policy = name?.trim().replace(/^"(.*)"$/, '$1');
    let q: number | undefined;
    let w: number | undefined;
    for (const p of params) {
      const m = /^\s*([qw])=(\d+)\s*$/.exec(p);
      if (m) (m[1] === 'q' ? (q = Number(m[2])) : (w = Number(m[2])));
    }
    if (policy && q !== undefined && w !== undefined) out.push({ policy, quota: q, windowS: w });
  }
  return out;
}

/**
 * A wait the client is about to make because of the rate limits (the `onRateLimitWait` option of VaultgateClient):
 * `waitMs` from now, until `untilMs` (epoch ms); `limits` the exhausted policies with their quota and window when
 * the server gave RateLimit-Policy; `refused` true after a 429, false when the client paces itself by RateLimit.
 * Concurrent requests of one client may report the same wait: `untilMs` tells them apart.
 */
export interface RateLimitWait {
  waitMs: number;
  untilMs: number;
  limits: { policy: string; quota?: number; windowS?: number }[];
  refused: boolean;
}

/** The policies an answer's RateLimit field says are used up (r=0), with quota and window from RateLimit-Policy. */
export function exhaustedLimits(rateLimit: string | string[] | undefined, policy: string | string[] | undefined): RateLimitWait['limits'] {
  const policies = parseRateLimitPolicy(policy);
  return parseRateLimit(rateLimit).filter((i) => i.remaining === 0).map((i) => {
    const p = policies.find((x) => x.policy === i.policy);
    return p ? { policy: i.policy, quota: p.quota, windowS: p.windowS } : { policy: i.policy };
  });
}

/**
 * "channel: 5 per 30 s; party: 8 per 30 s" — the exhausted limits of a wait, for a person to read.
 *
 * @example
 * describeLimits([{ policy: 'channel', quota: 5, windowS: 30 }]); // 'channel: 5 per 30 s'
 */
export function describeLimits(limits: RateLimitWait['limits']): string {
  return limits.map((l) => (l.quota !== undefined && l.windowS !== undefined ? `${l.policy}: ${l.quota} per ${l.windowS} s` : l.policy)).join('; ');
}

/**
 * Paces a client by the RateLimit fields of its answers: once a policy says no message is left (`r=0`), requests
 * wait until its window resets (`t`) instead of being refused with 429. Shared by every request of one client, so
 * concurrent sends (bulk send) slow down together.
 *
 * @example
 * const pacer = new RatePacer(30_000);
 * pacer.observe(res.headers.ratelimit, Date.now());
 * await sleep(pacer.delayMs(Date.now()));
 */
export class RatePacer {
  #until = 0;
  #limits: RateLimitWait['limits'] = [];

  /** `maxWaitMs`: the longest one pause (the retry policy's maxDelayMs). */
  constructor(private readonly maxWaitMs: number) {}

  /** Notes an answer's RateLimit field (and its RateLimit-Policy, to name the exhausted limits). */
  observe(value: string | string[] | undefined, nowMs: number, policy?: string | string[]): void {
    for (const item of parseRateLimit(value)) {
      if (item.remaining === 0 && item.resetS > 0) {
        const until = nowMs + Math.min(item.resetS * 1000, this.maxWaitMs);
        if (until > this.#until) this.#limits = exhaustedLimits(value, policy);
        this.#until = Math.max(this.#until, until);
      }
    }
  }

  /** The limits the current pause waits for (those used up in the answer that set it). */
  get limits(): RateLimitWait['limits'] {
    return this.#limits;
  }

  /** How long the next request should wait, in ms (0: go). */
  delayMs(nowMs: number): number {
    return Math.max(0, this.#until - nowMs);
  }
}

/**
 * The wait a 429 without Retry-After implies: the reset of the exhausted policy in the RateLimit field, in ms.
 *
 * @example
 * rateLimitResetMs('"channel";r=0;t=3'); // 3000
 */
export function rateLimitResetMs(value: string | string[] | undefined): number | undefined {
  const exhausted = parseRateLimit(value).filter((i) => i.remaining === 0);
  return exhausted.length === 0 ? undefined : Math.max(...exhausted.map((i) => i.resetS)) * 1000;
}
