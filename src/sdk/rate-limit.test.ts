import { describe, expect, it } from 'vitest';
import { describeLimits, exhaustedLimits, parseRateLimit, parseRateLimitPolicy, RatePacer, rateLimitResetMs } from './rate-limit.js';

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

  it('names the used-up limits with quota and window from RateLimit-Policy', () => {
    expect(parseRateLimitPolicy('"party";q=8;w=30, "channel";q=5;w=30, bad;q=1')).toEqual([
      { policy: 'party', quota: 8, windowS: 30 }, { policy: 'channel', quota: 5, windowS: 30 },
    ]);
    const limits = exhaustedLimits('"party";r=0;t=27, "channel";r=0;t=27', '"party";q=8;w=30, "channel";q=5;w=30');
    expect(describeLimits(limits)).toBe('party: 8 per 30 s; channel: 5 per 30 s');
    expect(exhaustedLimits('"channel";r=0;t=3', undefined)).toEqual([{ policy: 'channel' }]);
    const pacer = new RatePacer(30_000);
    pacer.observe('"channel";r=0;t=27', 0, '"channel";q=5;w=30');
    expect(pacer.limits).toEqual([{ policy: 'channel', quota: 5, windowS: 30 }]);
  });
});
