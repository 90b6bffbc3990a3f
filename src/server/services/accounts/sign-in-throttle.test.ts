import { describe, expect, it } from 'vitest';
import { VaultgateError } from '../../../protocol/index.js';
import { BACKOFF_AFTER, SIGN_IN_FAILURES_PER_HOUR, SignInThrottle } from './sign-in-throttle.js';

const refusal = (p: Promise<void>) => p.then(() => undefined, (e: VaultgateError) => ({ code: e.code, retryAfterS: e.retryAfterS }));

describe('sign-in throttle', () => {
  it('lets the first failures through, then backs off doubling from the 5th; a success ends the backoff', async () => {
    const t = new SignInThrottle();
    for (let i = 1; i < BACKOFF_AFTER; i++) {
      expect(await refusal(t.check('a@example.com'))).toBeUndefined();
      expect(await t.failed('a@example.com')).toBe(i);
    }
    await t.failed('a@example.com');
    const first = await refusal(t.check('a@example.com'));
    expect(first).toMatchObject({ code: 'SIGN_IN_THROTTLED' });
    expect(first!.retryAfterS).toBeGreaterThan(1);
    await t.failed('a@example.com');
    expect((await refusal(t.check('a@example.com')))!.retryAfterS).toBeGreaterThan(first!.retryAfterS!);
    expect(await refusal(t.check('b@example.com'))).toBeUndefined();
    await t.succeeded('a@example.com');
    expect(await refusal(t.check('a@example.com'))).toBeUndefined();
  });

  it('records one throttled refusal per account a minute, not one per attempt', async () => {
    const t = new SignInThrottle();
    expect(await t.shouldRecordRefusal('d@example.com')).toBe(true);
    expect(await t.shouldRecordRefusal('d@example.com')).toBe(false);
    expect(await t.shouldRecordRefusal('e@example.com')).toBe(true);
  });

  it(`refuses an account for the rest of the hour after ${SIGN_IN_FAILURES_PER_HOUR} failures, success or not`, async () => {
    const t = new SignInThrottle();
    for (let i = 0; i < SIGN_IN_FAILURES_PER_HOUR; i++) await t.failed('c@example.com');
    await t.succeeded('c@example.com');
    const r = await refusal(t.check('c@example.com'));
    expect(r).toMatchObject({ code: 'SIGN_IN_THROTTLED' });
    expect(r!.retryAfterS).toBeGreaterThan(3000);
  });
});
