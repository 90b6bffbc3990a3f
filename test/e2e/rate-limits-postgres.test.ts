import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { macRequest, type RawResponse } from '../helpers/mac-request.js';
import { describePostgres, dropSchemas, PG_URL, pgQuery, uniqueSchema } from '../helpers/postgres.js';
import { adminCall, createTenant, spawnServer, tempDir, type ServerProcess, type Tenant } from '../helpers/servers.js';

/*
 * Fair use (issue 17 §3) on PostgreSQL: two gateway processes behind one public URL count against one budget
 * (RateLimiterPostgres over the rate_limits table), whichever process a request reaches.
 */
const PUBLIC = 'http://gateway.vaultgate.test';
const TOKEN = randomBytes(24).toString('base64url');
const schema = uniqueSchema('rl');
const CHANNEL = 10;
const dirs: string[] = [];
let gateways: ServerProcess[] = [];
let t: Tenant;

function send(gw: ServerProcess, i: number, channelId = t.channelId): Promise<RawResponse> {
  const target = `/ingestion/${channelId}`;
  return macRequest({ baseUrl: gw.url, signedUrl: PUBLIC + target, target, creds: t.sender, body: JSON.stringify({ i }), headers: { 'content-type': 'application/json' } });
}

describePostgres('rate limits shared by two gateway processes on PostgreSQL', () => {
  beforeAll(async () => {
    const env = {
      VAULTGATE_DATABASE_URL: PG_URL, VAULTGATE_DATABASE_SCHEMA: schema, VAULTGATE_DATABASE_POOL_SIZE: '4',
      VAULTGATE_KEYSTORE_URL: PG_URL, VAULTGATE_KEYSTORE_SCHEMA: `${schema}_keys`,
      VAULTGATE_MASTER_KEY: randomBytes(32).toString('base64'), VAULTGATE_ADMIN_TOKEN: TOKEN, VAULTGATE_PUBLIC_URL: PUBLIC,
      VAULTGATE_RATE_LIMIT_CHANNEL_MESSAGES: String(CHANNEL), VAULTGATE_RATE_LIMIT_PARTY_MESSAGES: '0', VAULTGATE_RATE_LIMIT_WINDOW_S: '600',
    };
    // Gateways 0 and 1 count exactly (a database round trip per request); 2 and 3 sync every 100 ms (the default).
    for (const syncMs of ['0', '0', '100', '100']) {
      dirs.push(tempDir('vg-rl-pg-'));
      gateways.push(await spawnServer({ ...env, VAULTGATE_RATE_LIMIT_SYNC_MS: syncMs, VAULTGATE_DATA_DIR: dirs.at(-1)! }));
    }
    t = await createTenant((m, p, b) => adminCall(gateways[0]!.url, TOKEN, m, p, b));
  }, 60_000);

  afterAll(async () => {
    for (const gw of gateways) gw.child.kill('SIGKILL');
    await Promise.all(gateways.map((gw) => gw.exited));
    gateways = [];
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await dropSchemas([schema, `${schema}_keys`]);
  });

  it('counts one budget exactly across two processes (VAULTGATE_RATE_LIMIT_SYNC_MS=0): alternate requests see one falling count, then both refuse', async () => {
    const answers: RawResponse[] = [];
    for (let i = 0; i < CHANNEL + 4; i++) answers.push(await send(gateways[i % 2]!, i));
    answers.slice(0, CHANNEL).forEach((res, i) => {
      expect(res.status, res.text).toBe(200);
      expect(res.headers.ratelimit).toMatch(new RegExp(`^"channel";r=${CHANNEL - 1 - i};t=\\d+$`));
    });
    for (const res of answers.slice(CHANNEL)) {
      expect(res.status, res.text).toBe(429);
      expect(res.json()).toMatchObject({ code: 'RATE_LIMITED', limit: 'channel' });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    const rows = await pgQuery<{ key: string; points: number }>(`SELECT key, points FROM ${schema}.rate_limits WHERE key = $1`, [`ingest-channel:${t.channelId}`]);
    expect(rows).toHaveLength(1);
    // The first refusal of each process is counted in the table; after it, each blocks the key in memory.
    expect(rows[0]!.points).toBeGreaterThanOrEqual(CHANNEL + 1);
    expect(rows[0]!.points).toBeLessThanOrEqual(CHANNEL + 4);
  });

  it('shares the budget when each process syncs its counts every 100 ms: overrun by at most one request per process', async () => {
    const ch = await adminCall(gateways[0]!.url, TOKEN, 'POST', '/channels', { companyId: t.companyId, partyId: t.partyId, messageTypes: [{ name: 'TransportOrder', mediaTypes: ['application/json'] }] });
    expect(ch.status).toBe(201);
    const statuses: number[] = [];
    for (let i = 0; i < 2 * CHANNEL; i++) {
      const res = await send(gateways[2 + (i % 2)]!, i, ch.body.id);
      statuses.push(res.status);
      if (res.status === 429) expect(res.json().code).toBe('RATE_LIMITED');
      await new Promise((r) => setTimeout(r, 150)); // longer than a sync
    }
    const stored = statuses.filter((s) => s === 200).length;
    // Counted apart, the two processes would store 2 × CHANNEL.
    expect(stored).toBeGreaterThanOrEqual(CHANNEL);
    expect(stored).toBeLessThanOrEqual(CHANNEL + 2);
    expect(statuses.slice(-4)).toEqual([429, 429, 429, 429]);
  });
});
