import { RateLimiterMemory } from 'rate-limiter-flexible';
import { describe, expect, it } from 'vitest';
import { CoalescingLimiter } from './coalescing-limiter.js';

// Two CoalescingLimiters over one rate-limiter-flexible limiter: two gateway processes over one shared count.
describe('CoalescingLimiter', () => {
  it('decides locally between syncs, shares the counts at each sync, and overruns by at most what was admitted in between', async () => {
    const shared = new RateLimiterMemory({ points: 10, duration: 60 });
    const a = new CoalescingLimiter(shared, { points: 10, syncMs: 60_000 });
    const b = new CoalescingLimiter(shared, { points: 10, syncMs: 60_000 });
    expect(await a.consume('k', 1)).toMatchObject({ over: false, remainingPoints: 9 }); // first in window: asks the shared count
    expect(await b.consume('k', 1)).toMatchObject({ over: false, remainingPoints: 8 });
    for (let i = 0; i < 4; i++) expect((await a.consume('k', 1)).over).toBe(false); // local: a sees 1 + 4
    for (let i = 0; i < 3; i++) expect((await b.consume('k', 1)).over).toBe(false); // local: b sees 2 + 3
    expect((await shared.get('k'))!.consumedPoints).toBe(2); // nothing added yet
    await a.flush();
    await b.flush();
    expect((await shared.get('k'))!.consumedPoints).toBe(9);
    // b has seen 9: one more, then over; a saw 6 at its flush, so it may admit up to 4 before its next sync.
    expect((await b.consume('k', 1)).over).toBe(false);
    expect((await b.consume('k', 1)).over).toBe(true);
    const aAdmitted = [await a.consume('k', 1), await a.consume('k', 1)].filter((r) => !r.over).length;
    await a.flush();
    await b.flush();
    expect(9 + 1 + aAdmitted).toBeLessThanOrEqual(12);
    expect((await a.consume('k', 1)).over).toBe(true);
    expect((await b.consume('k', 1)).over).toBe(true);
  });

  it('counts a batch by its points and refuses it whole when it does not fit', async () => {
    const shared = new RateLimiterMemory({ points: 100, duration: 60 });
    const c = new CoalescingLimiter(shared, { points: 100, syncMs: 10 });
    expect(await c.consume('k', 60)).toMatchObject({ over: false, remainingPoints: 40 });
    expect(await c.consume('k', 30)).toMatchObject({ over: false, remainingPoints: 10 });
    expect((await c.consume('k', 30)).over).toBe(true);
    await new Promise((r) => setTimeout(r, 50)); // the timer syncs
    expect((await shared.get('k'))!.consumedPoints).toBe(120);
  });
});
