import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { VaultgateClient } from '../../src/sdk/index.js';
import { ProcessPool } from '../helpers/processes.js';
import { describePostgres, dropSchemas, PG_URL, pgQuery, uniqueSchema } from '../helpers/postgres.js';
import { adminCall, createTenant, type ServerProcess, type Tenant } from '../helpers/servers.js';
import { selfSignedCert, startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

/*
 * Webhook delivery is durable (issue 15): `vaultgate serve` as real processes. A server killed with SIGKILL while
 * deliveries are in flight and started again loses nothing: every message arrives at least once (receivers dedupe
 * by webhook-id). Three gateway processes on one PostgreSQL database deliver each message to an endpoint once per
 * attempt: the receiver fails every first attempt and takes the second; each webhook-id arrives exactly twice.
 */

const TOKEN = randomBytes(24).toString('base64url');
const pool = new ProcessPool();
let receiver: WebhookReceiver;
let certFile = '';

const hooks = () => ({
  VAULTGATE_ADMIN_TOKEN: TOKEN, VAULTGATE_WEBHOOK_ALLOW_CIDRS: '127.0.0.1', VAULTGATE_WEBHOOK_CA: certFile, VAULTGATE_WEBHOOK_DISPATCH_MS: '50',
  // Generous for a loaded test machine: a lease lives the timeout plus 6 s, and an attempt must end within it.
  VAULTGATE_WEBHOOK_TIMEOUT_S: '10',
});
const api = async (gw: ServerProcess, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${gw.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() as any };
};
const sendAll = async (gws: ServerProcess[], t: Tenant, n: number): Promise<string[]> => {
  const clients = gws.map((gw) => new VaultgateClient({ baseUrl: gw.url, credentials: t.sender, retry: { maxAttempts: 1 } }));
  const ids = await Promise.all(Array.from({ length: n }, (_, i) =>
    clients[i % clients.length]!.send(t.channelId, JSON.stringify({ i }), { messageType: 'TransportOrder', mediaType: 'application/json' }).then((r) => r.messageId)));
  await Promise.all(clients.map((c) => c.close()));
  return ids;
};
const messageIdsAt = (path: string, secret: string) => receiver.receipts.filter((r) => r.path === path)
  .map((r) => (new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as { data: { messageId: string } }).data.messageId);

beforeAll(async () => {
  const tls = selfSignedCert(pool.dir('vg-whcert-'));
  certFile = tls.certFile;
  receiver = await startWebhookReceiver(tls);
});
afterAll(async () => {
  await pool.cleanup();
  await receiver.close();
});

describe('webhook delivery across a crash', () => {
  it('a server killed (SIGKILL) mid-delivery and started again delivers every message at least once', async () => {
    const dataDir = pool.dir('vg-whcrash-');
    let gw = await pool.spawn({ ...hooks(), VAULTGATE_DATA_DIR: dataDir });
    const t = await createTenant((m, p, b) => adminCall(gw.url, TOKEN, m, p, b));
    const ep = (await api(gw, 'POST', `/organisations/${t.companyId}/webhook-endpoints`, { url: `${receiver.url}/crash` })).body;
    expect(ep.secret).toMatch(/^whsec_/);
    // Slow answers: deliveries are in flight when the process dies.
    receiver.answer = (r) => (r.path === '/crash' ? { status: 204, delayMs: 800 } : { status: 204 });
    const ids = await sendAll([gw], t, 40);
    await receiver.waitFor((rs) => rs.some((r) => r.path === '/crash'));
    gw.child.kill('SIGKILL');
    await gw.exited;
    const before = new Set(messageIdsAt('/crash', ep.secret));
    expect(before.size).toBeLessThan(ids.length);
    gw = await pool.spawn({ ...hooks(), VAULTGATE_DATA_DIR: dataDir });
    receiver.answer = () => ({ status: 204 });
    await receiver.waitFor(() => ids.every((id) => messageIdsAt('/crash', ep.secret).includes(id)), 60_000);
    const log = (await api(gw, 'GET', `/organisations/${t.companyId}/webhook-endpoints/${ep.id}/deliveries?limit=1000`)).body.items as any[];
    expect(log).toHaveLength(ids.length);
    // Nothing lost, nothing doubled in the log: one delivery per message, however many attempts the crash cost.
    expect(new Set(log.map((d) => d.messageId))).toEqual(new Set(ids));
    gw.child.kill('SIGKILL');
  }, 90_000);
});

describePostgres('webhook delivery by three gateway processes on PostgreSQL', () => {
  const schema = uniqueSchema('whgw');
  afterAll(() => dropSchemas([schema, `${schema}_keys`]));

  it('delivers each message to the endpoint once per attempt (receipts counted per webhook-id)', async () => {
    const env = {
      ...hooks(), VAULTGATE_DATABASE_URL: PG_URL, VAULTGATE_DATABASE_SCHEMA: schema, VAULTGATE_DATABASE_POOL_SIZE: '4',
      VAULTGATE_KEYSTORE_URL: PG_URL, VAULTGATE_KEYSTORE_SCHEMA: `${schema}_keys`, VAULTGATE_MASTER_KEY: randomBytes(32).toString('base64'),
    };
    const gws = await Promise.all([0, 1, 2].map(() => pool.spawn({ ...env, VAULTGATE_DATA_DIR: pool.dir('vg-whgw-') })));
    const t = await createTenant((m, p, b) => adminCall(gws[0]!.url, TOKEN, m, p, b), { businessId: '0737546-2' });
    const ep = (await api(gws[1]!, 'POST', `/organisations/${t.companyId}/webhook-endpoints`, { url: `${receiver.url}/three` })).body;
    const seen = new Map<string, number>();
    receiver.answer = (r) => {
      if (r.path !== '/three') return { status: 204 };
      const id = String(r.headers['webhook-id']);
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      return { status: n === 1 ? 503 : 204 };
    };
    const ids = await sendAll(gws, t, 60);
    await receiver.waitFor(() => seen.size === ids.length && [...seen.values()].every((n) => n >= 2), 60_000);
    await new Promise((r) => setTimeout(r, 1500)); // anything sent twice for one attempt would arrive by now
    expect([...seen.values()].every((n) => n === 2), JSON.stringify([...seen.values()])).toBe(true);
    expect(new Set(messageIdsAt('/three', ep.secret))).toEqual(new Set(ids));
    const log = (await api(gws[2]!, 'GET', `/organisations/${t.companyId}/webhook-endpoints/${ep.id}/deliveries?limit=1000`)).body.items as any[];
    expect(log).toHaveLength(ids.length);
    expect(log.every((d) => d.status === 'succeeded' && d.attempts === 2 && d.attemptLog.map((a: any) => a.statusCode).join() === '503,204')).toBe(true);
    // The per-endpoint delivery rate is counted in the shared table, not per process (issue 17 §3).
    const counted = await pgQuery<{ key: string }>(`SELECT key FROM ${schema}.rate_limits WHERE key = $1`, [`webhook-endpoint:${ep.id}`]);
    expect(counted).toHaveLength(1);
    receiver.answer = () => ({ status: 204 });
  }, 120_000);
});
