import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS, MAX_RETRY_AFTER_MS, nextDelayMs, parseRetryAfter } from './retry-schedule.js';

describe('webhook retry schedule', () => {
  it('is the Svix schedule: 8 attempts over about 27 hours', () => {
    const delays = Array.from({ length: MAX_ATTEMPTS }, (_, i) => nextDelayMs(i + 1, null));
    expect(delays).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000, null]);
    const total = delays.reduce<number>((a, d) => a + (d ?? 0), 0);
    expect(total / 3_600_000).toBeCloseTo(27.6, 1);
  });

  it('lets Retry-After lengthen a wait, bounded to a day, never shorten it', () => {
    expect(nextDelayMs(1, 60_000)).toBe(60_000);
    expect(nextDelayMs(3, 60_000)).toBe(1_800_000);
    expect(nextDelayMs(1, 10 * MAX_RETRY_AFTER_MS)).toBe(MAX_RETRY_AFTER_MS);
    expect(nextDelayMs(MAX_ATTEMPTS, 1000)).toBeNull();
  });

  it('reads Retry-After as seconds or an HTTP-date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});
