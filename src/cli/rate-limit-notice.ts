/** What the CLI says while the SDK waits for the rate limits (issue 17 §3): one line per wait, and the total waited. */
import { describeLimits, type RateLimitWait } from '../sdk/index.js';

/**
 * Turns the SDK's `onRateLimitWait` reports into one line per wait — `rate limited (channel: 5 per 30 s), waiting 27 s`
 * — however many concurrent requests report the same wait (a report ending within a second of the one announced is
 * the same wait), and adds up the time spent waiting (overlapping waits counted once), for the summary.
 *
 * @example
 * const notices = new RateLimitNotices((line) => process.stderr.write(`${line}\n`));
 * new VaultgateClient({ …, onRateLimitWait: (w) => notices.report(w) });
 * notices.waitedSeconds; // e.g. 27
 */
export class RateLimitNotices {
  #announcedUntil = 0;
  #coveredUntil = 0;
  #waitedMs = 0;

  constructor(private readonly say: (line: string) => void, private readonly now: () => number = Date.now) {}

  /** Notes a wait the SDK is about to make; says so when it is a new one. */
  report(w: RateLimitWait): void {
    const now = this.now();
    const start = Math.max(now, this.#coveredUntil);
    if (w.untilMs > start) this.#waitedMs += w.untilMs - start;
    this.#coveredUntil = Math.max(this.#coveredUntil, w.untilMs);
    if (w.untilMs <= this.#announcedUntil + 1000) return;
    this.#announcedUntil = w.untilMs;
    const which = describeLimits(w.limits);
    this.say(`rate limited${which ? ` (${which})` : ''}, waiting ${Math.max(1, Math.ceil(w.waitMs / 1000))} s`);
  }

  /** Seconds spent waiting for the rate limits so far (wall time: concurrent waits counted once). */
  get waitedSeconds(): number {
    return this.#waitedMs / 1000;
  }
}
