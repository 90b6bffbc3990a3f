/**
 * How the client retries: network errors, 5xx and 429, with capped exponential backoff and full jitter.
 *
 * @example
 * new VaultgateClient({ baseUrl, credentials, retry: { maxAttempts: 8, maxDelayMs: 60_000 } });
 */
export interface RetryPolicy {
  /** Attempts in all, the first included (default 5; 1 turns retries off). */
  maxAttempts: number;
  /** Backoff before the second attempt; doubles each time (default 200 ms). */
  baseDelayMs: number;
  /** Upper bound of any one wait, Retry-After included (default 30 s). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 30_000 };

/**
 * The wait a `Retry-After` header asks for, in ms: delta-seconds or an HTTP date. Undefined when absent or unparsable.
 *
 * @example
 * parseRetryAfter('3', Date.now()); // 3000
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * The wait before attempt `attempt + 1` (attempt counts from 1): `Retry-After` when the server gave one, else full
 * jitter over `baseDelayMs * 2^(attempt-1)`; never above `maxDelayMs`.
 *
 * @example
 * retryDelay(2, DEFAULT_RETRY, undefined, Math.random); // somewhere in [0, 400) ms
 */
export function retryDelay(attempt: number, policy: RetryPolicy, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Whether an HTTP status is worth another attempt with the same transaction id.
 *
 * @example
 * isRetryableStatus(503); // true
 * isRetryableStatus(401); // false
 */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501 && status !== 505);
}
