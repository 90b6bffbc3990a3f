import { describe, expect, it } from 'vitest';
import { parseRateLimit, RatePacer, rateLimitResetMs } from './rate-limit.js';

describe('RateLimit fields (draft-ietf-httpapi-ratelimit-headers-11)', () => {
  it('parses the list of policies with r and t, skipping malformed members', () => {
    expect(parseRateLimit('"party";r=41;t=7, "channel";r=0;t=9')).toEqual([
      { policy: 'party', remaining: 41, resetS: 7 }, { policy: 'channel', remaining: 0, resetS: 9 },
    ]);
    expect(parseRateLimit('default;t=3;r=2')).toEqual([{ policy: 'default', remaining: 2, resetS: 3 }]);
    expect(parseRateLimit('"x";r=1, garbage, "y";t=2')).toEqual([]);
    expect(parseRateLimit(undefined)).toEqual([]);
  });

  it('paces once a policy has nothing left, until its window resets, at most maxWaitMs', () => {
    const pacer = new RatePacer(5_000);
    pacer.observe('"party";r=3;t=9', 1_000);
    expect(pacer.delayMs(1_000)).toBe(0);
    pacer.observe('"party";r=0;t=2, "channel";r=5;t=2', 1_000);
    expect(pacer.delayMs(1_500)).toBe(1_500);
    pacer.observe('"channel";r=0;t=60', 1_000);
    expect(pacer.delayMs(1_000)).toBe(5_000);
    expect(pacer.delayMs(7_000)).toBe(0);
  });

  it('gives the reset of the exhausted policy for a 429 without Retry-After', () => {
    expect(rateLimitResetMs('"party";r=0;t=4, "channel";r=2;t=9')).toBe(4_000);
    expect(rateLimitResetMs('"party";r=1;t=4')).toBeUndefined();
  });
});
