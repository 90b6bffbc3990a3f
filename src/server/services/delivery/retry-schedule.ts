/*
 * When a failed webhook attempt is tried again: the schedule of Svix (docs.svix.com/retries), which Standard Webhooks
 * recommends: immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — 8 attempts over about 27 hours.
 */

/** Delay before attempt n+1 after attempt n failed (index n-1), in ms. */
export const RETRY_DELAYS_MS: readonly number[] = Object.freeze([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
/** Attempts in all (the first is immediate). */
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** The longest wait a receiver's Retry-After may impose (ms): a day. */
export const MAX_RETRY_AFTER_MS = 86_400_000;

/**
 * Milliseconds to wait after failed attempt `attempt` (1-based) before the next one, or null when it was the last.
 * A receiver's Retry-After (429, 503) lengthens the wait, never shortens it, and counts for at most a day.
 */
export function nextDelayMs(attempt: number, retryAfterMs: number | null): number | null {
  const scheduled = RETRY_DELAYS_MS[attempt - 1];
  if (scheduled === undefined) return null;
  return Math.max(scheduled, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
}

/** Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, as ms from `nowMs`; null when absent or unparsable. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return null;
  const t = v.trim();
  if (/^\d{1,10}$/.test(t)) return Number(t) * 1000;
  const date = Date.parse(t);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}
