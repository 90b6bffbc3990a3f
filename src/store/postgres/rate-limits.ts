import type pg from 'pg';
import { RateLimiterPostgres, type RateLimiterAbstract, type RateLimiterMemory } from 'rate-limiter-flexible';

/** The fair-use counters' step on PostgreSQL (issue 17 §3; SQLite keeps its counters in process memory). */
export const PG_RATE_LIMITS_SCHEMA_VERSION = 15;

/**
 * The table rate-limiter-flexible's RateLimiterPostgres reads and writes (its own layout: key, points consumed in
 * the current window, the window's end in epoch ms). Created here rather than by the library, so that the gateway
 * never needs CREATE rights at run time. One row per party and per channel, reused window after window.
 *
 * UNLOGGED: a count is worth less than the WAL flush each upsert would otherwise wait for (the bench measured the
 * logged table at about 600 µs of database CPU per request, and the hot party/channel rows held locked through
 * each flush). What that gives up: after a database crash, or on a promoted standby (unlogged tables are not
 * replicated), the counts start from zero — a window's worth of extra messages at most, never a lost message.
 */
export const PG_RATE_LIMITS_SQL = `
CREATE UNLOGGED TABLE rate_limits (
  key VARCHAR(255) PRIMARY KEY,
  points INTEGER NOT NULL DEFAULT 0,
  expire BIGINT
);
`;

/** Options of one shared limiter: its key prefix, budget per window, and the in-memory limiter it falls back on. */
export interface SharedRateLimiterOptions {
  keyPrefix: string;
  points: number;
  durationS: number;
  /** Counts in this process while the database fails (rate-limiter-flexible's insuranceLimiter). */
  insurance: RateLimiterMemory;
}

/**
 * A limiter whose counts every gateway process on this database shares (one upsert per consume). Once a key is over
 * its budget it is blocked in this process's memory for the rest of the window, so a client that keeps sending
 * after its 429 costs the database nothing more.
 */
export function pgSharedRateLimiter(pool: pg.Pool, o: SharedRateLimiterOptions): RateLimiterAbstract {
  return new RateLimiterPostgres({
    storeClient: pool, storeType: 'pool', tableName: 'rate_limits', tableCreated: true, clearExpiredByTimeout: false,
    keyPrefix: o.keyPrefix, points: o.points, duration: o.durationS,
    inMemoryBlockOnConsumed: o.points + 1, insuranceLimiter: o.insurance,
  });
}
