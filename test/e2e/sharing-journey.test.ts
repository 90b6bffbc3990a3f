import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/protocol/index.js';
import { macRequest, type MacCredentials } from '../helpers/mac-request.js';
import { bearerRequest, fetchToken } from '../helpers/oauth.js';
import { apiCall, registerOrganisation, type Answer, type TestOrganisation } from '../helpers/organisations.js';
import { ProcessPool, runCli } from '../helpers/processes.js';
import { adminCall, businessIds, macCredentialEnv, type ServerProcess } from '../helpers/servers.js';
import { selfSignedCert, startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

/*
 * Issue 15's "Done when", end to end on `vaultgate serve` as a real process (SQLite): a vendor sends two message types
 * on two channels of an owner company; a consumer company requests a grant of both types, the owner offers one type on
 * one channel, the consumer accepts; the consumer reads exactly that scope with its own MAC credential and its own
 * shared.read client; it follows the change feed from a cursor and receives the same messages on a real local HTTPS
 * receiver (verified with the standardwebhooks library), reading each body through the payload's link; a kill -9 while
 * deliveries are pending loses none, and the feed cursor taken before it resumes; the owner revokes: the next read is
 * GRANT_REQUIRED, the next poll shows only grant.revoked, a pending delivery is cancelled and a later message never
 * delivered; a short grant expires at its notOnOrAfter and the sweep records it. The second `it` takes the grant
 * steps, the reads, the feed and the webhook endpoint through `vaultgate …` commands as processes.
 */

const TOKEN = randomBytes(24).toString('base64url');
const TYPES = [{ name: 'Invoice', mediaTypes: ['application/json'] }, { name: 'Order', mediaTypes: ['application/json'] }];
const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

interface Sent { messageId: string; channelId: string; messageType: string; body: string }

const pool = new ProcessPool();
let gw: ServerProcess;
let dataDir = '';
let certFile = '';
let receiver: WebhookReceiver;
/** Receiver paths whose first attempt of each webhook-id is answered 503. */
const failFirst = new Set<string>();

const serverEnv = () => ({
  VAULTGATE_DATA_DIR: dataDir, VAULTGATE_ADMIN_TOKEN: TOKEN,
  // The receiver's self-signed certificate and its loopback address, both allowed explicitly by the operator.
  VAULTGATE_WEBHOOK_CA: certFile, VAULTGATE_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32',
  VAULTGATE_WEBHOOK_DISPATCH_MS: '50', VAULTGATE_WEBHOOK_TIMEOUT_S: '3', VAULTGATE_GRANT_EXPIRY_SWEEP_S: '1',
});
const api = (method: string, path: string, bearer: string, body?: unknown): Promise<Answer> => apiCall(gw.url, method, path, bearer, body);
const admin = (method: 'GET' | 'POST', path: string, body?: unknown) => adminCall(gw.url, TOKEN, method, path, body);

/** The events the receiver got at `path`, in arrival order, each verified with the standardwebhooks library. */
const eventsAt = (path: string, secret: string) => receiver.receipts.filter((r) => r.path === path)
  .map((r) => new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as { type: string; data: any });
/** How many attempts to deliver message `id` reached the receiver at `path`. */
const attemptsAt = (path: string, id: string) => receiver.receipts.filter((r) => r.path === path && r.body.includes(id)).length;
const messagesAt = (path: string, secret: string) => [...new Set(eventsAt(path, secret).filter((e) => e.type === 'message.received').map((e) => e.data.messageId as string))];

beforeAll(async () => {
  dataDir = pool.dir('vg-journey-');
  const tls = selfSignedCert(pool.dir('vg-journey-tls-'));
  certFile = tls.certFile;
  receiver = await startWebhookReceiver(tls);
  const seen = new Set<string>();
  receiver.answer = (r) => {
    const key = `${r.path} ${String(r.headers['webhook-id'])}`;
    const first = !seen.has(key);
    seen.add(key);
    return failFirst.has(r.path) && first ? { status: 503 } : { status: 204 };
  };
  gw = await pool.spawn(serverEnv());
});
afterAll(async () => {
  await pool.cleanup();
  await receiver?.close();
});

/**
 * Step 1 of the journey: an owner company and a consumer company registered through the accounts API (the consumer is
 * also a vendor of its own software, so that it can hold a partner credential for MAC reads: docs/accounts.md), a
 * vendor with two channels to the owner, each for Invoice and Order, sending with the ingest credential the owner's
 * admin made for it.
 */
async function parties(businessIdsFrom: number, name: string) {
  const [ownerBid, consumerBid] = businessIds(businessIdsFrom, 2) as [string, string];
  const owner = await registerOrganisation(gw.url, TOKEN, { kind: 'company', email: `admin@omistaja-${name}.example`, businessId: ownerBid, name: `Omistaja ${name} Oy` });
  const consumer = await registerOrganisation(gw.url, TOKEN, { kind: 'both', email: `admin@kayttaja-${name}.example`, businessId: consumerBid, name: `Käyttäjä ${name} Oy` });
  const party = await admin('POST', '/parties', { name: `Toimittaja ${name} Oy` });
  const partner = await admin('POST', `/parties/${party.body.id}/partner-credentials`);
  const channel = async () => (await admin('POST', '/channels', { companyId: owner.orgId, partyId: party.body.id, messageTypes: TYPES })).body.id as string;
  const [ch1, ch2] = [await channel(), await channel()];
  const ingest = await api('POST', `/organisations/${owner.orgId}/customer-credentials`, owner.admin, { name: 'for the vendor', scopes: ['ingest'] });
  expect(ingest.status, JSON.stringify(ingest.body)).toBe(201);
  const sender: MacCredentials = { partnerId: partner.body.partnerId, partnerKey: partner.body.partnerKey, customerId: ingest.body.customerId, customerKey: ingest.body.customerKey, organisationId: ownerBid };
  const sent: Sent[] = [];
  const send = async (channelId: string, messageType: string): Promise<Sent> => {
    const body = JSON.stringify({ n: sent.length + 1, messageType, kaupunki: name });
    const r = await macRequest({ baseUrl: gw.url, target: `/ingestion/${channelId}`, creds: sender, body, headers: { 'content-type': 'application/json', 'x-message-type': messageType } });
    expect(r.status, r.text).toBe(200);
    const m = { messageId: r.json().messageId as string, channelId, messageType, body };
    sent.push(m);
    return m;
  };
  /** One message of each type on each channel, `rounds` times; the new ones. */
  const sendAll = async (rounds = 1): Promise<Sent[]> => {
    const out: Sent[] = [];
    for (let r = 0; r < rounds; r++) for (const channelId of [ch1, ch2]) for (const messageType of ['Invoice', 'Order']) out.push(await send(channelId, messageType));
    return out;
  };
  return { owner, consumer, ownerBid, consumerBid, ch1, ch2, sent, send, sendAll };
}
const ids = (ms: Sent[]) => ms.map((m) => m.messageId);

describe('sharing journey (issue 15, done when)', () => {
  it('over HTTP: request → narrowed offer → accept → exact reads → feed and signed webhooks → kill -9 → revoke → expiry', async () => {
    // 1. The owner company, its vendor's channels (two types each), the consumer company.
    const { owner, consumer, ownerBid, consumerBid, ch1, ch2, sent, send, sendAll } = await parties(7150000, 'kotka');
    const inScope = (m: Sent) => m.channelId === ch1 && m.messageType === 'Invoice';
    await sendAll(2);

    // 2. Request (two types, read and subscribe) → the owner offers one type on one channel → the consumer accepts.
    const req = await api('POST', `/organisations/${consumer.orgId}/grants/requests`, consumer.admin, {
      ownerBusinessId: ownerBid, messageTypes: ['Invoice', 'Order'], actions: ['read', 'subscribe'], purpose: 'Rahtilaskujen tarkastus', notOnOrAfter: inMs(86_400_000),
    });
    expect(req.status, JSON.stringify(req.body)).toBe(201);
    const grantId: string = req.body.id;
    const offer = await api('POST', `/organisations/${owner.orgId}/grants/${grantId}/offer`, owner.admin, { messageTypes: ['Invoice'], channelIds: [ch1] });
    expect(offer.body).toMatchObject({ state: 'offered', terms: { messageTypes: ['Invoice'], channelIds: [ch1], actions: ['read', 'subscribe'] } });
    expect((await api('POST', `/organisations/${consumer.orgId}/grants/${grantId}/accept`, consumer.admin)).body.state).toBe('active');
    const trail = async (o: TestOrganisation, subject: string) =>
      ((await api('GET', `/organisations/${o.orgId}/audit?limit=1000`, o.viewer)).body.items as AuditRecord[]).filter((e) => e.subject === subject).map((e) => e.action);
    for (const o of [owner, consumer]) expect(await trail(o, grantId)).toEqual(['grant.request', 'grant.offer', 'grant.accept']);

    // 3. The consumer's own credentials: a MAC customer credential with vault.read, and an OAuth client with shared.read.
    const cc = await api('POST', `/organisations/${consumer.orgId}/customer-credentials`, consumer.admin, { name: 'reader', scopes: ['vault.read'] });
    const cp = await api('POST', `/organisations/${consumer.orgId}/partner-credentials`, consumer.admin);
    expect([cc.status, cp.status], JSON.stringify([cc.body, cp.body])).toEqual([201, 201]);
    const reader: MacCredentials = { partnerId: cp.body.partnerId, partnerKey: cp.body.partnerKey, customerId: cc.body.customerId, customerKey: cc.body.customerKey, organisationId: consumerBid };
    const client = await api('POST', `/organisations/${consumer.orgId}/clients`, consumer.admin, { name: 'shared reader', owner: 'company', roles: ['shared.read'] });
    expect(client.status, JSON.stringify(client.body)).toBe(201);
    const bearer = await fetchToken(gw.url, client.body.clientId, client.body.clientSecret);
    const readMac = (path: string) => macRequest({ baseUrl: gw.url, target: path, creds: reader }).then((r) => ({ status: r.status, text: r.text, json: () => JSON.parse(r.text) }));
    const readBearer = (path: string) => bearerRequest(`${gw.url}${path}`, bearer).then((r) => ({ status: r.status, text: r.text, json: () => r.json }));
    const shared = `/vault/v1/shared/${owner.orgId}`;
    const exportOf = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l));
    for (const read of [readMac, readBearer]) {
      const list = await read(`${shared}/messages?limit=1000`);
      expect(list.status, list.text).toBe(200);
      expect(list.json().items.map((m: any) => m.messageId)).toEqual(ids(sent.filter(inScope)));
      for (const m of sent) {
        const got = await read(`${shared}/messages/${m.messageId}`);
        if (inScope(m)) expect([got.status, got.text]).toEqual([200, m.body]);
        else expect([got.status, got.json().code]).toEqual([read === readMac ? 400 : 404, 'NOT_FOUND']); // a MAC client: the Netvisor family's status
      }
      const exported = exportOf((await read(`${shared}/export`)).text);
      expect(exported.slice(0, -1).map((l) => [l.messageId, l.body])).toEqual(sent.filter(inScope).map((m) => [m.messageId, m.body]));
      expect(exported.at(-1)).toEqual({ complete: true, count: sent.filter(inScope).length });
    }
    const ownerReads = ((await api('GET', `/organisations/${owner.orgId}/audit?limit=1000`, owner.viewer)).body.items as AuditRecord[]).filter((e) => e.action.startsWith('shared.'));
    expect(new Set(ownerReads.map((e) => e.actor.id))).toEqual(new Set([reader.customerId, client.body.clientId]));

    // 4. Webhook endpoints (the consumer's: messages and grant events; the owner's: its own messages) and the feed.
    const endpoint = async (o: TestOrganisation, path: string, eventTypes: string[]) => {
      const r = await api('POST', `/organisations/${o.orgId}/webhook-endpoints`, o.admin, { url: `${receiver.url}${path}`, eventTypes });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.headers.get('cache-control')).toBe('no-store');
      return r.body as { id: string; secret: string };
    };
    const sub = await endpoint(consumer, '/consumer', ['message.received', 'grant.*']);
    const own = await endpoint(owner, '/owner', ['message.received']);
    const log = async (): Promise<any[]> => (await api('GET', `/organisations/${consumer.orgId}/webhook-endpoints/${sub.id}/deliveries?limit=1000`, consumer.viewer)).body.items;
    const logWhen = async (ready: (entries: any[]) => boolean, timeoutMs = 20_000): Promise<any[]> => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const entries = await log();
        if (ready(entries)) return entries;
        if (Date.now() > until) throw new Error(`delivery log not as expected: ${JSON.stringify(entries)}`);
        await sleep(50);
      }
    };
    const messageLog = (entries: any[]) => entries.filter((d) => d.eventType === 'message.received');
    /**
     * The dispatcher has scanned every message up to `m` for the consumer's endpoint once the owner's endpoint received
     * it: one scan reads one horizon for all endpoints and commits every endpoint's cursor together.
     */
    const scannedPast = (m: Sent) => receiver.waitFor(() => messagesAt('/owner', own.secret).includes(m.messageId), 20_000);

    const feed = async (cursor?: string): Promise<{ items: any[]; nextCursor: string; hasMore: boolean }> => {
      const r = await macRequest({ baseUrl: gw.url, target: `/vault/v1/feed?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, creds: reader });
      expect(r.status, r.text).toBe(200);
      const page = r.json();
      expect(page.hasMore).toBe(false);
      return page;
    };
    const feedMessages = (page: { items: any[] }) => page.items.filter((i) => i.type === 'message.received').map((i) => i.message.messageId);
    const first = await feed();
    expect(first.items.filter((i) => i.type !== 'message.received').map((i) => i.type)).toEqual(['grant.requested', 'grant.offered', 'grant.activated']);
    expect(feedMessages(first)).toEqual(ids(sent.filter(inScope)));

    const batch2 = await sendAll(2);
    const page2 = await feed(first.nextCursor);
    expect(page2.items.map((i) => [i.type, i.message.messageId, i.companyId, i.grantId])).toEqual(batch2.filter(inScope).map((m) => ['message.received', m.messageId, owner.orgId, grantId]));
    await scannedPast(batch2.at(-1)!);
    await receiver.waitFor(() => messagesAt('/consumer', sub.secret).length === 2);
    // Deliveries of different messages are sent concurrently: compare as sets.
    expect(messagesAt('/consumer', sub.secret).sort()).toEqual(ids(batch2.filter(inScope)).sort());
    for (const e of eventsAt('/consumer', sub.secret).filter((x) => x.type === 'message.received')) {
      expect(e.data).toMatchObject({ companyId: owner.orgId, grantId, channelId: ch1, messageType: 'Invoice' });
      // The body through the payload's link, with the consumer's own credential: the read is authorised now and audited.
      const body = await readMac(e.data.links.body);
      expect([body.status, body.text], e.data.links.body).toEqual([200, sent.find((m) => m.messageId === e.data.messageId)!.body]);
    }
    expect(messageLog(await logWhen((es) => messageLog(es).every((d) => d.status === 'succeeded')))).toHaveLength(2);

    // 7. kill -9 while deliveries are pending (the receiver answers 503 first); the same data directory again.
    failFirst.add('/consumer');
    const batch3 = await sendAll(2);
    const pending = ids(batch3.filter(inScope));
    await logWhen((es) => pending.every((id) => es.find((d) => d.messageId === id)?.attemptLog.length === 1));
    expect((await log()).filter((d) => pending.includes(d.messageId)).map((d) => d.status)).toEqual(['pending', 'pending']);
    gw.child.kill('SIGKILL');
    await gw.exited;
    // On the same port: the server's public URL is the issuer of the consumer's bearer token.
    gw = await pool.spawn({ ...serverEnv(), VAULTGATE_PORT: new URL(gw.url).port });
    await receiver.waitFor(() => pending.every((id) => attemptsAt('/consumer', id) >= 2), 30_000);
    const page3 = await feed(page2.nextCursor);
    expect(feedMessages(page3)).toEqual(pending);
    const afterCrash = await logWhen((es) => pending.every((id) => es.find((d) => d.messageId === id)?.status === 'succeeded'));
    expect(messageLog(afterCrash).map((d) => d.messageId).sort()).toEqual([...ids(batch2.filter(inScope)), ...pending].sort());

    // 5. Revocation, with a delivery pending (its first attempt answered 503) and a long-poll of the feed waiting.
    const m = await send(ch1, 'Invoice');
    await logWhen((es) => es.find((d) => d.messageId === m.messageId)?.attemptLog.length === 1);
    const waitFrom = (await feed(page3.nextCursor)).nextCursor;
    const waitStart = Date.now();
    const waiting = macRequest({ baseUrl: gw.url, target: `/vault/v1/feed?wait=30&cursor=${encodeURIComponent(waitFrom)}`, creds: reader });
    await sleep(200);
    expect((await api('POST', `/organisations/${owner.orgId}/grants/${grantId}/revoke`, owner.admin)).body.state).toBe('revoked');
    // The grant event wakes the waiting poll (it does not sit out its 30 s, nor SQLite's 5 s re-poll).
    const woken = await waiting;
    expect(woken.json().items.map((i: any) => [i.type, i.grantId])).toEqual([['grant.revoked', grantId]]);
    expect(Date.now() - waitStart).toBeLessThan(4_500);
    for (const read of [readMac, readBearer]) {
      for (const path of [`${shared}/messages`, `${shared}/messages/${m.messageId}`, `${shared}/export`]) {
        const r = await read(path);
        expect([r.status >= 400, r.json().code], path).toEqual([true, 'GRANT_REQUIRED']);
      }
    }
    const page4 = await feed(page3.nextCursor);
    expect(page4.items.map((i) => [i.type, i.grantId])).toEqual([['grant.revoked', grantId]]);
    const late = await send(ch1, 'Invoice');
    await scannedPast(late);
    const cancelled = await logWhen((es) => es.find((d) => d.messageId === m.messageId)?.status === 'cancelled');
    expect(cancelled.find((d) => d.messageId === m.messageId).attemptLog.map((a: any) => [a.statusCode, a.outcome])).toEqual([[503, 'failed'], [null, 'cancelled']]);
    expect(cancelled.some((d) => d.messageId === late.messageId)).toBe(false);
    expect(messagesAt('/consumer', sub.secret)).not.toContain(late.messageId);
    expect(attemptsAt('/consumer', m.messageId)).toBe(1);
    await receiver.waitFor(() => eventsAt('/consumer', sub.secret).some((e) => e.type === 'grant.revoked'));
    for (const o of [owner, consumer]) expect(await trail(o, grantId)).toEqual(['grant.request', 'grant.offer', 'grant.accept', 'grant.revoke']);
    failFirst.delete('/consumer');

    // 6. Expiry: a direct grant valid for a few seconds is refused from its notOnOrAfter on, and the sweep records it.
    const notOnOrAfter = inMs(4_000);
    const short = await api('POST', `/organisations/${owner.orgId}/grants`, owner.admin, {
      consumerOrganisationId: consumer.orgId, channelIds: [ch2], messageTypes: ['Order'], actions: ['read'], purpose: 'Lyhyt katsaus', notOnOrAfter,
    });
    expect(short.status, JSON.stringify(short.body)).toBe(201);
    const orders = sent.filter((x) => x.channelId === ch2 && x.messageType === 'Order');
    expect((await readBearer(`${shared}/messages?limit=1000`)).json().items.map((x: any) => x.messageId)).toEqual(ids(orders));
    await sleep(Date.parse(notOnOrAfter) - Date.now());
    const refused = await readBearer(`${shared}/messages/${orders[0]!.messageId}`);
    expect([refused.status, refused.json().code]).toEqual([403, 'GRANT_REQUIRED']);
    for (let i = 0; (await api('GET', `/organisations/${consumer.orgId}/grants/${short.body.id}`, consumer.viewer)).body.state !== 'expired'; i++) {
      expect(i, 'the sweep records expired').toBeLessThan(200);
      await sleep(50);
    }
    const page5 = await feed(page4.nextCursor);
    expect(page5.items.map((i) => [i.type, i.grantId])).toEqual([['grant.activated', short.body.id], ['grant.expired', short.body.id]]);
    expect(page5.items[1]).toMatchObject({ grant: { state: 'expired' } });
    await receiver.waitFor(() => eventsAt('/consumer', sub.secret).some((e) => e.type === 'grant.expired' && e.data.grantId === short.body.id));
    for (const o of [owner, consumer]) expect(await trail(o, short.body.id)).toEqual(['grant.grant', 'grant.expire']);
  }, 90_000);

  it('through the CLI as a process: grant steps, shared reads, the feed and a webhook endpoint with `vaultgate …`', async () => {
    const { owner, consumer, ownerBid, consumerBid, ch1, sent, send } = await parties(7160000, 'hamina');
    const work = pool.dir('vg-journey-cli-');
    const homes = { owner: pool.dir('vg-journey-owner-'), consumer: pool.dir('vg-journey-consumer-') };
    /** `vaultgate …` as the owner's or the consumer's admin (signed in below: the session in that home's profile). */
    const vg = (who: keyof typeof homes, args: string[], env: Record<string, string> = {}) =>
      runCli(args, { XDG_CONFIG_HOME: homes[who], VAULTGATE_URL: gw.url, VAULTGATE_PASSWORD: owner.password, ...env }, 30_000, '');
    const ok = async (who: keyof typeof homes, args: string[], env: Record<string, string> = {}) => {
      const r = await vg(who, args, env);
      expect(r.code, `${args.join(' ')}: ${r.stderr}${r.stdout}`).toBe(0);
      return r.stdout;
    };
    const json = async (who: keyof typeof homes, args: string[], env: Record<string, string> = {}) => JSON.parse(await ok(who, args, env));
    const ndjson = (out: string): any[] => out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    for (const [who, o] of [['owner', owner], ['consumer', consumer]] as const) await ok(who, ['account', 'signin', '--email', o.email]);

    // Two messages before the window the owner will offer, the rest in it.
    await send(ch1, 'Invoice');
    await send(ch1, 'Order');
    await sleep(5);
    const windowFrom = new Date().toISOString();
    await sleep(5);
    await send(ch1, 'Invoice');
    await send(ch1, 'Order');
    const inScope = (m: Sent) => m.messageType === 'Invoice' && sent.indexOf(m) >= 2;

    // 2. request (two types) → the owner lists it and offers one type from a received-at instant on → accept.
    const req = await json('consumer', ['grants', '--org', consumer.orgId, '--json', 'request', '--owner', ownerBid, '--type', 'Invoice', '--type', 'Order',
      '--action', 'read', '--action', 'subscribe', '--purpose', 'Rahtilaskujen tarkastus', '--days', '1']);
    expect(req).toMatchObject({ state: 'requested', ownerOrganisationId: owner.orgId });
    expect(await ok('owner', ['grants', '--org', owner.orgId, 'ls', '--role', 'owner', '--state', 'requested'])).toContain(req.id);
    const offered = await json('owner', ['grants', '--org', owner.orgId, '--json', 'offer', req.id, '--type', 'Invoice', '--received-from', windowFrom]);
    expect(offered).toMatchObject({ state: 'offered', terms: { messageTypes: ['Invoice'], receivedFrom: windowFrom, actions: ['read', 'subscribe'] } });
    expect((await json('consumer', ['grants', '--org', consumer.orgId, '--json', 'accept', req.id])).state).toBe('active');

    // 3. The consumer's own credentials, made by its admin; reads of exactly the scope with each.
    const org = (args: string[]) => json('consumer', ['org', '--org', consumer.orgId, '--json', ...args]);
    const cc = await org(['credentials', 'create', '--kind', 'customer', '--name', 'reader', '--scopes', 'vault.read']);
    const cp = await org(['credentials', 'create', '--kind', 'partner']);
    const client = await org(['credentials', 'create', '--kind', 'client', '--owner', 'company', '--name', 'shared reader', '--roles', 'shared.read']);
    const mac = macCredentialEnv({ partnerId: cp.partnerId, partnerKey: cp.partnerKey, customerId: cc.customerId, customerKey: cc.customerKey, organisationId: consumerBid });
    const bearer = { VAULTGATE_CLIENT_ID: client.clientId, VAULTGATE_CLIENT_SECRET: client.clientSecret };
    expect(await ok('consumer', ['vault', 'shared', 'ls'], mac)).toContain(req.id);
    for (const creds of [mac, bearer]) {
      expect((await json('consumer', ['vault', 'shared', 'ls', '--owner', owner.orgId, '--json'], creds)).map((m: any) => m.messageId)).toEqual(ids(sent.filter(inScope)));
      const out = join(work, `${creds === mac ? 'mac' : 'bearer'}.ndjson`);
      await ok('consumer', ['vault', 'shared', 'export', '--owner', owner.orgId, '--out', out], creds);
      expect(ndjson(readFileSync(out, 'utf8')).map((l) => l.body)).toEqual(sent.filter(inScope).map((m) => m.body));
    }
    const outside = await vg('consumer', ['vault', 'shared', 'get', sent[0]!.messageId, '--owner', owner.orgId], mac);
    expect([outside.code, outside.stderr]).toEqual([1, expect.stringContaining('NOT_FOUND')]);
    expect(await ok('consumer', ['vault', 'shared', 'get', sent[2]!.messageId, '--owner', owner.orgId], bearer)).toBe(sent[2]!.body);

    // 4. A webhook endpoint of each side (the owner's shows when the dispatcher has passed a message); the feed.
    const ep = await json('consumer', ['org', 'webhooks', 'add', `${receiver.url}/cli-consumer`, '--grant-events', '--org', consumer.orgId, '--json']);
    const own = await json('owner', ['org', '--org', owner.orgId, '--json', 'webhooks', 'add', `${receiver.url}/cli-owner`]);
    const cursorFile = join(work, 'feed.cursor');
    const feed = async () => ndjson(await ok('consumer', ['vault', 'feed', '--cursor-file', cursorFile], mac));
    const first = await feed();
    expect(first.map((i) => i.type)).toEqual(['grant.requested', 'grant.offered', 'grant.activated', 'message.received']);
    expect(first[3].message.messageId).toBe(sent[2]!.messageId);
    const invoice = await send(ch1, 'Invoice');
    const order = await send(ch1, 'Order');
    expect((await feed()).map((i) => [i.type, i.message.messageId, i.grantId, i.links.body]))
      .toEqual([['message.received', invoice.messageId, req.id, `/vault/v1/shared/${owner.orgId}/messages/${invoice.messageId}`]]);
    await receiver.waitFor(() => messagesAt('/cli-owner', own.secret).includes(order.messageId) && messagesAt('/cli-consumer', ep.secret).length > 0);
    expect(messagesAt('/cli-consumer', ep.secret)).toEqual([invoice.messageId]);
    const log = async () => (await json('consumer', ['org', '--org', consumer.orgId, '--json', 'webhooks', 'deliveries', ep.id])).items as any[];
    expect((await log()).filter((d) => d.eventType === 'message.received').map((d) => d.messageId)).toEqual([invoice.messageId]);

    // 5. The owner revokes: the next read is refused, the next poll holds grant.revoked only, a later message is never delivered.
    expect((await json('owner', ['grants', '--org', owner.orgId, '--json', 'revoke', req.id])).state).toBe('revoked');
    const refused = await vg('consumer', ['vault', 'shared', 'ls', '--owner', owner.orgId], mac);
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining('GRANT_REQUIRED')]);
    expect((await feed()).map((i) => [i.type, i.grantId])).toEqual([['grant.revoked', req.id]]);
    const late = await send(ch1, 'Invoice');
    await receiver.waitFor(() => messagesAt('/cli-owner', own.secret).includes(late.messageId));
    await receiver.waitFor(() => eventsAt('/cli-consumer', ep.secret).some((e) => e.type === 'grant.revoked'));
    expect((await log()).some((d) => d.messageId === late.messageId)).toBe(false);
    expect(messagesAt('/cli-consumer', ep.secret)).toEqual([invoice.messageId]);
  }, 90_000);
});
