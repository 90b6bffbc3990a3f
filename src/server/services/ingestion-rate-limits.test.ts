import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { VaultgateError } from '../../protocol/index.js';
import { pgSharedRateLimiter } from '../../store/postgres/rate-limits.js';
import { IngestionRateLimits } from './ingestion-rate-limits.js';

const key = { partyId: 'pty_test_a', channelId: 'ch_test_a' };

describe('IngestionRateLimits', () => {
  it('charges a batch by its items: n messages use n of the budget, and one over the rest is refused whole', async () => {
    const limits = new IngestionRateLimits({ partyMessages: 100, channelMessages: 10, windowS: 60 });
    expect((await limits.consume(key, 7))!.headers.ratelimit).toMatch(/"channel";r=3;t=60/);
    const err = await limits.consume(key, 4).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaultgateError);
    expect((err as VaultgateError).code).toBe('RATE_LIMITED');
    expect((err as VaultgateError).retryAfterS).toBeGreaterThan(0);
    expect((err as VaultgateError).detail).toMatch(/^The channel's limit \(10 per 60 s\) is used up for this window; retry after \d+ s\.$/);
  });

  it('names each exhausted limit with its own numbers', async () => {
    const limits = new IngestionRateLimits({ partyMessages: 8, channelMessages: 5, windowS: 30 });
    const k = { partyId: 'pty_both', channelId: 'ch_both' };
    await limits.consume(k, 5);
    const err = (await limits.consume(k, 4).catch((e: unknown) => e)) as VaultgateError;
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.detail).toMatch(/^The party's limit \(8 per 30 s\) and the channel's \(5 per 30 s\) are used up for this window; retry after \d+ s\.$/);
  });

  it('with both limits 0 charges nothing and names no policy', async () => {
    const limits = new IngestionRateLimits({ partyMessages: 0, channelMessages: 0, windowS: 60 });
    expect(limits.policies).toEqual([]);
    expect(await limits.consume(key, 1_000_000)).toBeUndefined();
  });

  it('falls back to counting in this process while the shared store is unreachable (neither refusing all nor counting none)', async () => {
    // A pool to a port where nothing listens: every query fails, as in a database outage.
    const pool = new pg.Pool({ host: '127.0.0.1', port: 1, connectionTimeoutMillis: 200 });
    const errors: unknown[] = [];
    const limits = new IngestionRateLimits({
      partyMessages: 0, channelMessages: 3, windowS: 60, onError: (e) => errors.push(e),
      shared: (o) => pgSharedRateLimiter(pool, o),
    });
    for (let i = 0; i < 3; i++) expect((await limits.consume(key))!.headers.ratelimit).toBe(`"channel";r=${2 - i};t=60`);
    await expect(limits.consume(key)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(errors).toEqual([]);
    await pool.end();
  });
});
