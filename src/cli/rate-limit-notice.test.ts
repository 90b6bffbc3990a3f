import { describe, expect, it } from 'vitest';
import { RateLimitNotices } from './rate-limit-notice.js';

describe('RateLimitNotices', () => {
  it('says each wait once, naming each limit with its numbers, and adds up the time waited with overlaps counted once', () => {
    const lines: string[] = [];
    let now = 1_000;
    const n = new RateLimitNotices((l) => lines.push(l), () => now);
    const limits = [{ policy: 'channel', quota: 5, windowS: 30 }];
    n.report({ waitMs: 27_000, untilMs: 28_000, limits, refused: true });
    // Three more workers hit the same wait: nothing more said, nothing more counted.
    for (const until of [28_000, 28_200, 28_900]) n.report({ waitMs: until - now, untilMs: until, limits, refused: true });
    expect(lines).toEqual(['rate limited (channel: 5 per 30 s), waiting 27 s']);
    expect(n.waitedSeconds).toBeCloseTo(27.9);
    now = 40_000;
    n.report({ waitMs: 3_000, untilMs: 43_000, limits: [{ policy: 'party', quota: 8, windowS: 30 }, { policy: 'channel' }], refused: false });
    expect(lines[1]).toBe('rate limited (party: 8 per 30 s; channel), waiting 3 s');
    expect(n.waitedSeconds).toBeCloseTo(30.9);
  });
});
