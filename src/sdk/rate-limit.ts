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

  /** `maxWaitMs`: the longest one pause (the retry policy's maxDelayMs). */
  constructor(private readonly maxWaitMs: number) {}

  /** Notes an answer's RateLimit field. */
  observe(value: string | string[] | undefined, nowMs: number): void {
    for (const item of parseRateLimit(value)) {
      if (item.remaining === 0 && item.resetS > 0) this.#until = Math.max(this.#until, nowMs + Math.min(item.resetS * 1000, this.maxWaitMs));
    }
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
