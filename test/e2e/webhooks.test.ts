import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import type { AuditRecord } from '../../src/protocol/index.js';
import { VaultgateClient } from '../../src/sdk/index.js';
import { buildApp, type BuiltApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config/load-config.js';
import { Keyring } from '../../src/server/crypto/keyring.js';
import { VaultCrypto } from '../../src/server/crypto/vault-crypto.js';
import { openSqliteKeyStore, openSqliteStore, type Store } from '../../src/store/index.js';
import { adminCall, createTenant, tempDir, type Tenant } from '../helpers/servers.js';
import { macRequest } from '../helpers/mac-request.js';
import { selfSignedCert, startWebhookReceiver, type Receipt, type WebhookReceiver } from '../helpers/webhook-receiver.js';

/*
 * Webhooks end to end (issue 15) over real sockets: the server in this process with its dispatcher running, a real
 * local HTTPS receiver (self-signed certificate trusted through VAULTGATE_WEBHOOK_CA; 127.0.0.1 allowed explicitly
 * through VAULTGATE_WEBHOOK_ALLOW_CIDRS), messages sent with the SDK, every delivery verified with the standardwebhooks
 * library. The server's clock is real time moved forward by `skewMs` to walk the retry schedule and the 5-day disable.
 */

const ADMIN = 'w'.repeat(40);
const verify = (secret: string, r: Receipt) => new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as { type: string; data: any };

describe('webhooks', () => {
  const dir = tempDir();
  let store: Store;
  let built: BuiltApp;
  let receiver: WebhookReceiver;
  let url = '';
  let tenant: Tenant;
  let skewMs = 0;
  const clock = { now: () => Date.now() + skewMs };
  let seq = 0;

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}/api/v1${path}`, {
      method, headers: { authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  const events = async (action: string): Promise<AuditRecord[]> => (await adminCall(url, ADMIN, 'GET', `/audit?limit=1000&action=${encodeURIComponent(action)}`)).body.items;
  const send = async (n = 1): Promise<string[]> => {
    const vg = new VaultgateClient({ baseUrl: url, credentials: tenant.sender, retry: { maxAttempts: 1 } });
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await vg.send(tenant.channelId, JSON.stringify({ n: ++seq }), { messageType: 'TransportOrder', mediaType: 'application/json' })).messageId);
    await vg.close();
    return ids;
  };
  const endpointsOf = () => `/organisations/${tenant.companyId}/webhook-endpoints`;
  const create = async (path: string, extra: object = {}) => {
    const r = await api('POST', endpointsOf(), { url: `${receiver.url}${path}`, description: path, ...extra });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as { id: string; secret: string };
  };
  const forPath = (path: string) => receiver.receipts.filter((r) => r.path === path);
  const log = async (id: string, org = endpointsOf()) => (await api('GET', `${org}/${id}/deliveries?limit=1000`)).body.items as any[];
  /** The log once `ready` holds of it (attempts are recorded after the receiver answered, a moment later). */
  const logWhen = async (id: string, ready: (entries: any[]) => boolean, org = endpointsOf()) => {
    for (let i = 0; i < 200; i++) {
      const entries = await log(id, org);
      if (ready(entries)) return entries;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`log of ${id} not as expected: ${JSON.stringify(await log(id, org))}`);
  };

  beforeAll(async () => {
    const tls = selfSignedCert(dir);
    receiver = await startWebhookReceiver(tls);
    store = openSqliteStore({ file: join(dir, 'db.sqlite') });
    built = await buildApp({
      config: loadConfig({
        env: {
          VAULTGATE_DATA_DIR: dir, VAULTGATE_PORT: '0', VAULTGATE_AUTH_THROTTLE_CREDENTIAL_FAILURES: '0', VAULTGATE_AUTH_THROTTLE_ADDRESS_FAILURES: '0',
          // The clock moves days ahead of the SDK's: the MAC timestamp check is off in this test.
          VAULTGATE_MAC_TIMESTAMP_WINDOW_S: '0',
          VAULTGATE_WEBHOOK_ALLOW_CIDRS: '127.0.0.1', VAULTGATE_WEBHOOK_CA: tls.certFile, VAULTGATE_WEBHOOK_DISPATCH_MS: '30', VAULTGATE_WEBHOOK_RATE_LIMIT_PER_S: '20',
          VAULTGATE_WEBHOOK_TIMEOUT_S: '2',
        },
      }),
      store, adminToken: ADMIN, clock, publicBaseUrl: () => url,
      crypto: new VaultCrypto(openSqliteKeyStore({ file: ':memory:' }), new Keyring({ id: 'kek_test', key: Buffer.alloc(32, 9) }, [], undefined), clock, 'test'),
    });
    await built.app.listen({ port: 0, host: '127.0.0.1' });
    const address = built.app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    tenant = await createTenant((m, p, b) => adminCall(url, ADMIN, m, p, b));
  });
  afterAll(async () => {
    await built.app.close();
    await store.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses URLs outside the SSRF rules when an endpoint is registered', async () => {
    for (const bad of ['https://10.0.0.1/in', 'https://169.254.169.254/latest/meta-data', 'https://[::1]/in', 'ftp://example.com/in', 'https://u:p@example.com/in']) {
      const r = await api('POST', endpointsOf(), { url: bad });
      expect(r.status, bad).toBe(400);
      expect(r.body).toMatchObject({ code: 'WEBHOOK_URL_REFUSED', remedy: expect.stringContaining('VAULTGATE_WEBHOOK_ALLOW_PRIVATE') });
    }
  });

  it('delivers each new message once, signed (standardwebhooks verifies), with a thin payload whose body link reads through the audited API', async () => {
    await send(); // before the endpoint: not delivered
    const ep = await create('/a');
    expect(ep.secret).toMatch(/^whsec_/);
    const listed = await api('GET', endpointsOf());
    expect(listed.headers.get('cache-control')).toBe('no-store');
    expect(JSON.stringify(listed.body)).not.toContain(ep.secret);
    const ids = await send(3);
    await receiver.waitFor(() => forPath('/a').length >= 3);
    const entries = await logWhen(ep.id, (es) => es.length === 3 && es.every((d) => d.status === 'succeeded'));
    const got = forPath('/a');
    // Each once; deliveries of different messages may arrive in any order (they are sent concurrently).
    expect(got.map((r) => verify(ep.secret, r).data.messageId).sort()).toEqual([...ids].sort());
    const first = verify(ep.secret, got.find((r) => verify(ep.secret, r).data.messageId === ids[0])!);
    expect(first).toEqual({
      type: 'message.received', timestamp: expect.any(String),
      data: {
        messageId: ids[0], companyId: tenant.companyId, grantId: null, channelId: tenant.channelId, messageType: 'TransportOrder', mediaType: 'application/json',
        size: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/), receivedAt: expect.any(String), links: { body: `/vault/v1/messages/${ids[0]}` },
      },
    });
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(3);
    const reader = new VaultgateClient({ baseUrl: url, credentials: tenant.reader, retry: { maxAttempts: 1 } });
    expect((await reader.getMessage(first.data.messageId)).body.toString()).toContain('"n":2');
    await reader.close();
    expect(entries.map((d) => [d.messageId, d.status, d.attempts, d.attemptLog[0].statusCode])).toEqual(ids.reverse().map((id) => [id, 'succeeded', 1, 204]));
    expect((await events('webhook-endpoint.create'))[0]).toMatchObject({ subject: ep.id, tenants: [tenant.companyId] });
  });

  it('rotates the secret: the new one is shown once, and during the overlap every delivery carries both signatures', async () => {
    const ep = await create('/rot');
    const rotated = await api('POST', `${endpointsOf()}/${ep.id}/rotate-secret`, { overlapHours: 1 });
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get('cache-control')).toBe('no-store');
    expect(rotated.body.secret).not.toBe(ep.secret);
    expect(rotated.body.previousSecretValidUntil).toEqual(expect.any(String));
    await send();
    const [r] = await receiver.waitFor(() => forPath('/rot').length === 1).then(() => forPath('/rot'));
    expect(String(r!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(ep.secret, r!).type).toBe('message.received');
    expect(verify(rotated.body.secret, r!).type).toBe('message.received');
    await api('POST', `${endpointsOf()}/${ep.id}/disable`);
  });

  it('sends a test delivery, replays one message and everything since an instant (same webhook-ids), and waits at the rate limit without dropping', async () => {
    const ep = await create('/replay');
    const test = await api('POST', `${endpointsOf()}/${ep.id}/test`);
    expect(test.status).toBe(202);
    await receiver.waitFor(() => forPath('/replay').some((r) => verify(ep.secret, r).type === 'webhook.test'));
    const since = new Date(clock.now()).toISOString();
    const ids = await send(40);
    await receiver.waitFor(() => forPath('/replay').length === 41);
    const times = forPath('/replay').slice(1).map((r) => r.at);
    // 20 per second: 40 take at least about a second, none dropped.
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(900);
    const one = await api('POST', `${endpointsOf()}/${ep.id}/replay`, { messageId: ids[0] });
    expect(one.body).toEqual({ queued: 1, truncated: false });
    await receiver.waitFor(() => forPath('/replay').length === 42);
    const again = forPath('/replay').at(-1)!;
    // Deliveries of different messages may arrive in any order: compare with the first delivery of the same message.
    const first = forPath('/replay').slice(0, 41).find((r) => verify(ep.secret, r).data?.messageId === ids[0])!;
    expect(verify(ep.secret, again).data.messageId).toBe(ids[0]);
    expect(again.headers['webhook-id']).toBe(first.headers['webhook-id']);
    const all = await api('POST', `${endpointsOf()}/${ep.id}/replay`, { since });
    expect(all.body).toEqual({ queued: 40, truncated: false });
    await receiver.waitFor(() => forPath('/replay').length === 82, 20_000);
    expect((await api('POST', `${endpointsOf()}/${ep.id}/replay`, { messageId: 'msg_test_nosuchmessage00000000' })).status).toBe(404);
    expect((await api('POST', `${endpointsOf()}/${ep.id}/replay`, { since: 'yesterday' })).status).toBe(400);
    expect((await log(ep.id)).filter((d) => d.origin === 'replay')).toHaveLength(41);
    expect((await events('webhook-endpoint.replay')).map((e) => e.details.queued)).toEqual([1, 40]);
    await api('POST', `${endpointsOf()}/${ep.id}/disable`);
  });

  it('retries on the schedule, honouring Retry-After, with the same webhook-id, until the receiver takes it', async () => {
    const ep = await create('/retry');
    let n = 0;
    receiver.answer = (r) => (r.path !== '/retry' ? { status: 204 } : ++n === 1 ? { status: 503, headers: { 'retry-after': '120' } } : n === 2 ? { status: 500 } : { status: 200 });
    const [id] = await send();
    await receiver.waitFor(() => forPath('/retry').length === 1);
    let [d] = await logWhen(ep.id, (es) => es[0]?.attemptLog.length === 1);
    expect(d).toMatchObject({ messageId: id, status: 'pending', attempts: 1 });
    expect(Date.parse(d.nextAttemptAt) - Date.parse(d.attemptLog[0].at)).toBeGreaterThanOrEqual(119_000);
    skewMs += 60_000;
    await new Promise((r) => setTimeout(r, 300));
    expect(forPath('/retry')).toHaveLength(1); // not before Retry-After
    skewMs += 61_000;
    await receiver.waitFor(() => forPath('/retry').length === 2);
    [d] = await logWhen(ep.id, (es) => es[0]?.attemptLog.length === 2);
    expect(Date.parse(d.nextAttemptAt) - Date.parse(d.attemptLog[1].at)).toBe(300_000); // attempt 3 after 5 min
    skewMs += 301_000;
    await receiver.waitFor(() => forPath('/retry').length === 3);
    [d] = await logWhen(ep.id, (es) => es[0]?.attemptLog.length === 3);
    expect(d).toMatchObject({ status: 'succeeded', attempts: 3, nextAttemptAt: null });
    expect(d.attemptLog.map((a: any) => [a.attempt, a.statusCode, a.outcome])).toEqual([[1, 503, 'failed'], [2, 500, 'failed'], [3, 200, 'succeeded']]);
    expect(new Set(forPath('/retry').map((r) => r.headers['webhook-id'])).size).toBe(1);
    receiver.answer = () => ({ status: 204 });
    await api('POST', `${endpointsOf()}/${ep.id}/disable`);
  });

  it("delivers granted messages to the consumer's endpoint and grant events to both sides; a revocation cancels pending deliveries, unsent, and stops new ones", async () => {
    const consumer = await createTenant((m, p, b) => adminCall(url, ADMIN, m, p, b), { businessId: '0737546-2' });
    const mk = async (org: string, path: string, eventTypes: string[]) => {
      const r = await api('POST', `/organisations/${org}/webhook-endpoints`, { url: `${receiver.url}${path}`, eventTypes });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body as { id: string };
    };
    const sub = await mk(consumer.companyId, '/consumer', ['message.received', 'grant.*']);
    await mk(tenant.companyId, '/owner-grants', ['grant.*']);
    // The owner grants the consumer directly (the grants API): active at once.
    const made = await api('POST', `/organisations/${tenant.companyId}/grants`, {
      consumerOrganisationId: consumer.companyId, messageTypes: ['TransportOrder'], actions: ['read', 'subscribe'], purpose: 'webhook test',
      notOnOrAfter: new Date(clock.now() + 86_400_000).toISOString(),
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const grant = made.body as { id: string };
    const typesAt = (path: string) => forPath(path).map((r) => JSON.parse(r.body) as { type: string; data: any });
    await receiver.waitFor(() => typesAt('/owner-grants').length === 1 && typesAt('/consumer').some((p) => p.type === 'grant.activated'));
    expect(typesAt('/owner-grants')[0]).toMatchObject({ type: 'grant.activated', data: { grantId: grant.id, state: 'active', consumerOrganisationId: consumer.companyId } });

    const [granted] = await send();
    await receiver.waitFor(() => typesAt('/consumer').some((p) => p.type === 'message.received'));
    const delivered = typesAt('/consumer').find((p) => p.type === 'message.received')!.data;
    expect(delivered).toMatchObject({ messageId: granted, companyId: tenant.companyId, grantId: grant.id, links: { body: `/vault/v1/shared/${tenant.companyId}/messages/${granted}` } });
    // The consumer follows the link with its own credential: the owner's bytes (the owner's own route would be 404 to it).
    const followed = await macRequest({ baseUrl: url, target: delivered.links.body, creds: consumer.reader });
    expect(followed.status, followed.text).toBe(200);
    expect(createHash('sha256').update(followed.body).digest('hex')).toBe(delivered.sha256);
    const ownerReader = new VaultgateClient({ baseUrl: url, credentials: tenant.reader, retry: { maxAttempts: 1 } });
    expect(followed.body.equals((await ownerReader.getMessage(granted!)).body)).toBe(true);
    await ownerReader.close();

    receiver.answer = (r) => (r.path === '/consumer' ? { status: 500 } : { status: 204 });
    const [pending] = await send();
    await receiver.waitFor(() => typesAt('/consumer').filter((p) => p.type === 'message.received').length === 2);
    const consumerOrg = `/organisations/${consumer.companyId}/webhook-endpoints`;
    await logWhen(sub.id, (es) => es.find((d) => d.messageId === pending)?.attemptLog.length === 1, consumerOrg);
    expect((await api('POST', `/organisations/${tenant.companyId}/grants/${grant.id}/revoke`)).body).toMatchObject({ state: 'revoked' });
    receiver.answer = () => ({ status: 204 });
    skewMs += 6_000; // attempt 2 of the pending delivery comes due
    await receiver.waitFor(() => typesAt('/owner-grants').length === 2 && typesAt('/consumer').some((p) => p.type === 'grant.revoked'));
    await logWhen(sub.id, (es) => es.find((d) => d.messageId === pending)?.status === 'cancelled', consumerOrg);
    const [after] = await send();
    await new Promise((r) => setTimeout(r, 500));
    const consumerMessages = typesAt('/consumer').filter((p) => p.type === 'message.received').map((p) => p.data.messageId);
    expect(consumerMessages).toEqual([granted, pending]); // the failed first attempt only; nothing after the revocation
    expect(consumerMessages).not.toContain(after);
    const cancelled = (await log(sub.id, consumerOrg)).find((d) => d.messageId === pending);
    expect(cancelled).toMatchObject({ status: 'cancelled', attempts: 2 });
    expect(cancelled.attemptLog[1]).toMatchObject({ outcome: 'cancelled', statusCode: null, error: expect.stringContaining('no longer in scope') });
    expect((await log(sub.id, consumerOrg)).some((d) => d.messageId === after)).toBe(false);
  });

  it('disables an endpoint failing continuously for 5 days (audited); its admin enables it and deliveries resume', async () => {
    const ep = await create('/down');
    receiver.answer = (r) => (r.path === '/down' ? { status: 500 } : { status: 204 });
    await send();
    await receiver.waitFor(() => forPath('/down').length === 1);
    await logWhen(ep.id, (es) => es[0]?.attemptLog.length === 1);
    skewMs += 5 * 86_400_000 + 60_000;
    await send();
    await receiver.waitFor(() => forPath('/down').length >= 2);
    let got = await api('GET', `${endpointsOf()}/${ep.id}`);
    for (let i = 0; i < 100 && got.body.status !== 'disabled'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      got = await api('GET', `${endpointsOf()}/${ep.id}`);
    }
    expect(got.body).toMatchObject({ status: 'disabled', disabledReason: 'failing', failingSince: expect.any(String) });
    expect((await events('webhook-endpoint.auto-disable')).map((e) => e.subject)).toEqual([ep.id]);
    const before = forPath('/down').length;
    await send();
    await new Promise((r) => setTimeout(r, 300));
    expect(forPath('/down')).toHaveLength(before);
    receiver.answer = () => ({ status: 204 });
    const enabled = await api('POST', `${endpointsOf()}/${ep.id}/enable`);
    expect(enabled.body).toMatchObject({ status: 'active', disabledReason: null, failingSince: null });
    skewMs += 11 * 3_600_000; // the pending retries come due
    await receiver.waitFor(() => forPath('/down').length >= before + 1);
  });

  it('answers NOT_FOUND for an endpoint of another organisation and deletes an endpoint with its log', async () => {
    const ep = await create('/gone');
    const other = await createTenant((m, p, b) => adminCall(url, ADMIN, m, p, b), { businessId: '2729069-3' });
    expect((await api('GET', `/organisations/${other.companyId}/webhook-endpoints/${ep.id}`)).body.code).toBe('NOT_FOUND');
    await api('POST', `${endpointsOf()}/${ep.id}/disable`);
    for (const [path, body] of [['test', undefined], ['replay', { since: '2026-01-01T00:00:00Z' }]] as const) {
      const refused = await api('POST', `${endpointsOf()}/${ep.id}/${path}`, body);
      expect(refused.status, path).toBe(409);
      expect(refused.body).toMatchObject({ code: 'STATE_CONFLICT', detail: expect.stringContaining('enable it first') });
    }
    expect((await api('POST', `${endpointsOf()}/${ep.id}/rotate-secret`, { overlapHours: 500 })).status).toBe(400);
    expect((await api('DELETE', `${endpointsOf()}/${ep.id}`)).status).toBe(204);
    expect((await api('GET', `${endpointsOf()}/${ep.id}`)).status).toBe(404);
    expect((await api('PATCH', `${endpointsOf()}/${ep.id}`, { url: 'https://10.1.1.1/' })).status).toBe(404);
  });
});
