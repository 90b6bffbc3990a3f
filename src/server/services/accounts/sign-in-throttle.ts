import { RateLimiterMemory } from 'rate-limiter-flexible';
import { VaultgateError } from '../../../protocol/index.js';

/*
 * Failed sign-ins per account (issue 14; OWASP Authentication Cheat Sheet, "Account lockout" and "Login
 * throttling"): at most 100 failures an hour are checked, and from the 5th failure on the account waits before it may
 * try again, twice as long after each further failure (15 s, 30 s, 60 s … at most 15 min). A throttled attempt is refused with 429
 * SIGN_IN_THROTTLED and Retry-After before the password is checked (no argon2 work). A success clears the backoff but
 * not the hourly count, so the owner's own sign-ins never wipe out an attacker's failures against the account.
 * Counted per process in memory, like the credential throttle (auth-throttle.ts says why).
 */

export const SIGN_IN_FAILURES_PER_HOUR = 100;
export const BACKOFF_AFTER = 5;
const FIRST_BACKOFF_S = 15;
const MAX_BACKOFF_S = 900;

export class SignInThrottle {
  readonly #hourly = new RateLimiterMemory({ points: SIGN_IN_FAILURES_PER_HOUR, duration: 3600 });
  readonly #backoff = new RateLimiterMemory({ points: 1, duration: 1 });
  /** Refusals recorded in the audit trail: one per account a minute, so a flood of attempts cannot flood the trail. */
  readonly #recorded = new RateLimiterMemory({ points: 1, duration: 60 });

  /** Throws SIGN_IN_THROTTLED (with Retry-After seconds) when the account may not try now. */
  async check(account: string): Promise<void> {
    const [hourly, backoff] = await Promise.all([this.#hourly.get(account), this.#backoff.get(account)]);
    let waitMs = 0;
    if (hourly && hourly.consumedPoints >= SIGN_IN_FAILURES_PER_HOUR) waitMs = hourly.msBeforeNext;
    if (backoff && backoff.consumedPoints > 1) waitMs = Math.max(waitMs, backoff.msBeforeNext);
    if (waitMs > 0) throw new VaultgateError('SIGN_IN_THROTTLED', { retryAfterS: Math.max(1, Math.ceil(waitMs / 1000)) });
  }

  /** Whether a throttled refusal of this account is the first of its minute (the one to record). */
  async shouldRecordRefusal(account: string): Promise<boolean> {
    return this.#recorded.consume(account).then(() => true, () => false);
  }

  /** Counts a failure; returns the failures this hour, and blocks the account for the backoff once it applies. */
  async failed(account: string): Promise<number> {
    const r = await this.#hourly.penalty(account, 1);
    const n = r.consumedPoints;
    if (n >= BACKOFF_AFTER) await this.#backoff.block(account, Math.min(MAX_BACKOFF_S, FIRST_BACKOFF_S * 2 ** (n - BACKOFF_AFTER)));
    return n;
  }

  /** A success ends the backoff (the hourly count stays). */
  async succeeded(account: string): Promise<void> {
    await this.#backoff.delete(account);
  }
}
