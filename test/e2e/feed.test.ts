import { get as httpGet } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultgateClient } from '../../src/sdk/index.js';
import { macRequest, type MacCredentials } from '../helpers/mac-request.js';
import { bearerRequest, fetchToken } from '../helpers/oauth.js';
import { businessIds, createTenant, startTestServer, tempDir, type Tenant, type TestServer } from '../helpers/servers.js';

/*
 * The change feed (issue 15, GET /vault/v1/feed) on a real socket: order, cursor across a restart of the server on
 * the same SQLite file, long-poll woken by a commit, body=inline, the audit of polls, and every refusal.
 */
const TYPES = [{ name: 'TransportOrder', mediaTypes: ['application/json', 'application/octet-stream'] }];

async function send(url: string, t: Tenant, body: string | Buffer, contentType = 'application/json'): Promise<string> {
  const r = await macRequest({ baseUrl: url, target: `/ingestion/${t.channelId}`, creds: t.sender, body, headers: { 'content-type': contentType, 'x-message-type': 'TransportOrder' } });
  expect(r.status, r.text).toBe(200);
  return r.json().messageId;
}

const feed = (url: string, creds: MacCredentials, query = '') =>
  macRequest({ baseUrl: url, target: `/vault/v1/feed${query ? `?${query}` : ''}`, creds, useHttpStatusCodes: true, json: true });

const ids = (body: any): string[] => body.items.map((i: any) => i.message.messageId);

describe('change feed (GET /vault/v1/feed)', () => {
  const dataDir = tempDir('vg-feed-');
  const env = { VAULTGATE_ADMIN_TOKEN: 'feed-test-admin-token-0123456789abcdef' };
  let s: TestServer;
  let a: Tenant;
  let b: Tenant;
  const sentA: string[] = [];

  beforeAll(async () => {
    s = await startTestServer(env, dataDir);
    const [idA, idB] = businessIds(4100000, 2) as [string, string];
    a = await createTenant(s.admin, { businessId: idA, messageTypes: TYPES });
    b = await createTenant(s.admin, { businessId: idB, messageTypes: TYPES });
    for (let i = 0; i < 3; i++) {
      sentA.push(await send(s.url, a, JSON.stringify({ i })));
      await send(s.url, b, JSON.stringify({ other: i }));
    }
  });
  afterAll(() => s.stop());

  it('gives the owner its own messages in order, with metadata and body links, and a cursor that continues after them', async () => {
    const first = await feed(s.url, a.reader, 'limit=2');
    expect(first.status, first.text).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    const page = first.json();
    expect(ids(page)).toEqual(sentA.slice(0, 2));
    expect(page.hasMore).toBe(true);
    expect(page.items[0]).toMatchObject({
      type: 'message.received', companyId: a.companyId, grantId: null, position: expect.any(Number),
      message: { messageId: sentA[0], channelId: a.channelId, messageType: 'TransportOrder', mediaType: 'application/json', size: 7 },
      links: { body: `/vault/v1/messages/${sentA[0]}` },
    });
    expect(page.items[0].body).toBeUndefined();
    expect(page.items[1].position).toBeGreaterThan(page.items[0].position);
    const second = (await feed(s.url, a.reader, `cursor=${page.nextCursor}`)).json();
    expect(ids(second)).toEqual([sentA[2]]);
    expect(second.hasMore).toBe(false);
    // Caught up: an empty answer with a cursor that still continues from the same place.
    const third = (await feed(s.url, a.reader, `cursor=${second.nextCursor}`)).json();
    expect(third).toEqual({ items: [], nextCursor: expect.any(String), hasMore: false });
    const fresh = await send(s.url, a, '{"new":true}');
    sentA.push(fresh);
    expect(ids((await feed(s.url, a.reader, `cursor=${third.nextCursor}`)).json())).toEqual([fresh]);
  });

  it('carries the bodies with body=inline: text as body, other bytes as bodyBase64', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const all = (await feed(s.url, b.reader, 'body=inline')).json();
    expect(all.items.map((i: any) => i.body)).toEqual([0, 1, 2].map((i) => JSON.stringify({ other: i })));
    const binary = await send(s.url, b, bytes, 'application/octet-stream');
    const next = (await feed(s.url, b.reader, `body=inline&cursor=${all.nextCursor}`)).json();
    expect(next.items).toMatchObject([{ message: { messageId: binary }, bodyBase64: bytes.toString('base64') }]);
    expect(next.items[0].body).toBeUndefined();
  });

  it('audits each poll that returned items as feed.read (reader and owners, counts, first/last ids); an empty poll is not audited', async () => {
    const r = (await feed(s.url, a.reader, 'limit=2')).json();
    const empty = (await feed(s.url, a.reader, `cursor=${(await feed(s.url, a.reader, 'limit=1000')).json().nextCursor}`)).json();
    expect(empty.items).toEqual([]);
    const events = (await s.admin('GET', `/audit?limit=1000&tenant=${a.companyId}&action=feed.read`)).body.items;
    expect(events.length).toBe(5); // the first test's three polls with items, and this test's two
    expect(events.slice(-2)[0]).toMatchObject({
      action: 'feed.read', subject: a.companyId, tenants: [a.companyId], actor: { kind: 'customer', id: a.reader.customerId },
      details: { count: 2, messages: 2, grantEvents: 0, owners: { [a.companyId]: 2 }, firstMessageId: r.items[0].message.messageId, lastMessageId: r.items[1].message.messageId },
    });
  });

  it('long-polls: a wait returns as soon as a message is committed, and empty with the same position when none comes', async () => {
    const caughtUp = (await feed(s.url, a.reader, 'limit=1000')).json().nextCursor;
    const started = Date.now();
    const waiting = feed(s.url, a.reader, `wait=20&cursor=${caughtUp}`);
    await sleep(300);
    const arrived = await send(s.url, a, '{"late":1}');
    sentA.push(arrived);
    const r = await waiting;
    expect(r.status, r.text).toBe(200);
    expect(ids(r.json())).toEqual([arrived]);
    expect(Date.now() - started).toBeLessThan(5000);

    const t0 = Date.now();
    const none = await feed(s.url, a.reader, `wait=1&cursor=${r.json().nextCursor}`);
    expect(none.json()).toEqual({ items: [], nextCursor: r.json().nextCursor, hasMore: false });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
  });

  it('reads the same feed with a company client\'s bearer token', async () => {
    const client = await s.admin('POST', `/companies/${a.companyId}/clients`, { name: 'feed reader', roles: ['vault.read'] });
    const token = await fetchToken(s.url, client.body.clientId, client.body.clientSecret, 'vault.read');
    const r = await bearerRequest(`${s.url}/vault/v1/feed?limit=1000`, token);
    expect(r.status, r.text).toBe(200);
    expect(ids(r.json)).toEqual(sentA);
  });

  it('refuses a bad limit, wait or body (INVALID_REQUEST) and a cursor that is malformed or another reader\'s (FEED_CURSOR_INVALID), with a remedy', async () => {
    for (const q of ['limit=0', 'limit=1001', 'limit=x', 'wait=61', 'wait=-1', 'body=base64']) {
      const r = await feed(s.url, a.reader, q);
      expect(r.status, q).toBe(400);
      expect(r.json(), q).toMatchObject({ code: 'INVALID_REQUEST' });
    }
    const listCursor = (await macRequest({ baseUrl: s.url, target: '/vault/v1/messages?limit=1', creds: a.reader, json: true })).json().nextCursor;
    const bCursor = (await feed(s.url, b.reader)).json().nextCursor;
    for (const cursor of ['not-a-cursor!', 'abc', listCursor, bCursor, Buffer.from('{"v":1,"r":"x","m":{"co_test_1":-1},"g":0}').toString('base64url')]) {
      const r = await feed(s.url, a.reader, `cursor=${encodeURIComponent(cursor)}`);
      expect(r.status, cursor).toBe(400);
      expect(r.json()).toMatchObject({ code: 'FEED_CURSOR_INVALID', remedy: expect.stringContaining('nextCursor') });
    }
  });

  it('authorization matrix: no credentials, the operator token, an ingest-only credential, another company\'s Organisation-ID, company tokens with vault.read / shared.read / both, a reused transaction id', async () => {
    const anonymous = await fetch(`${s.url}/vault/v1/feed`);
    expect(anonymous.status).toBe(401);
    const operator = await fetch(`${s.url}/vault/v1/feed`, { headers: { authorization: `Bearer ${s.adminToken}`, accept: 'application/json' } });
    expect(operator.status).toBe(401);
    expect(JSON.stringify(await operator.json())).not.toContain('messageId');
    const refusals: [MacCredentials, string, string?][] = [
      [a.sender, 'SCOPE_MISSING'], [{ ...a.reader, organisationId: b.businessId }, 'SERVICE_ACCESS_ERROR'],
    ];
    for (const [creds, code] of refusals) {
      const r = await feed(s.url, creds);
      expect(r.status, code).toBeGreaterThanOrEqual(400);
      expect(r.json(), code).toMatchObject({ code });
      expect(r.text).not.toContain('messageId');
    }
    // Bearer tokens of a company's client: vault.read sees the company's vault; shared.read alone only what grants
    // cover (a has none: nothing, though its vault is full); both roles see the vault.
    const client = await s.admin('POST', `/companies/${a.companyId}/clients`, { name: 'feed matrix', roles: ['vault.read', 'shared.read'] });
    const bearerFeed = async (scope: string) => (await bearerRequest(`${s.url}/vault/v1/feed?limit=1000`, await fetchToken(s.url, client.body.clientId, client.body.clientSecret, scope))).json;
    expect(ids(await bearerFeed('vault.read'))).toEqual(expect.arrayContaining(sentA));
    expect(ids(await bearerFeed('vault.read shared.read'))).toEqual(expect.arrayContaining(sentA));
    expect((await bearerFeed('shared.read')).items).toEqual([]);
    const transactionId = `feed-${Date.now()}`;
    const once = await macRequest({ baseUrl: s.url, target: '/vault/v1/feed', creds: a.reader, transactionId, useHttpStatusCodes: true, json: true });
    expect(once.status).toBe(200);
    const twice = await macRequest({ baseUrl: s.url, target: '/vault/v1/feed', creds: a.reader, transactionId, useHttpStatusCodes: true, json: true });
    expect(twice.json()).toMatchObject({ code: 'REQUEST_NOT_UNIQUE' });
  });

  it('SDK: client.feed() polls, client.follow() yields batches as messages arrive and stops when its signal aborts', async () => {
    const client = new VaultgateClient({ baseUrl: s.url, credentials: a.reader });
    try {
      const all = await client.feed({ limit: 1000 });
      expect(all.items.map((i) => i.message!.messageId)).toEqual(sentA);
      const stop = new AbortController();
      const seen: string[] = [];
      const following = (async () => {
        for await (const batch of client.follow({ cursor: all.nextCursor, wait: 5, signal: stop.signal })) {
          seen.push(...batch.items.map((i) => i.message!.messageId));
          if (seen.length === 2) stop.abort();
        }
      })();
      const fresh = [await send(s.url, a, '{"sdk":1}')];
      await sleep(100);
      fresh.push(await send(s.url, a, '{"sdk":2}'));
      sentA.push(...fresh);
      await following;
      expect(seen).toEqual(fresh);
      await expect(client.feed({ cursor: 'garbage' })).rejects.toMatchObject({ code: 'FEED_CURSOR_INVALID', status: 400 });
    } finally {
      await client.close();
    }
  });

  it('resumes from a cursor after the server restarts on the same SQLite file (the cursor holds positions, no server state)', async () => {
    const before = (await feed(s.url, a.reader, 'limit=1000')).json();
    await s.close();
    s = await startTestServer(env, dataDir);
    const after = await send(s.url, a, '{"afterRestart":true}');
    const r = await feed(s.url, a.reader, `cursor=${before.nextCursor}`);
    expect(r.status, r.text).toBe(200);
    expect(ids(r.json())).toEqual([after]);
  });
});

describe('change feed long-poll limits', () => {
  let s: TestServer;
  const tokens: string[] = [];

  beforeAll(async () => {
    s = await startTestServer({ VAULTGATE_FEED_MAX_WAITS: '2', VAULTGATE_FEED_MAX_WAITS_PER_READER: '1' });
    for (const id of businessIds(4200000, 3)) {
      const t = await createTenant(s.admin, { businessId: id, messageTypes: TYPES });
      const client = await s.admin('POST', `/companies/${t.companyId}/clients`, { name: 'waiter', roles: ['vault.read'] });
      tokens.push(await fetchToken(s.url, client.body.clientId, client.body.clientSecret, 'vault.read'));
    }
  });
  afterAll(async () => {
    await s.stop().catch(() => undefined);
  });

  it('bounds waiting polls per reader (429 FEED_WAITS_EXHAUSTED) and in total (503 FEED_BUSY), both with Retry-After; a poll without wait is still served', async () => {
    const wait = (i: number) => bearerRequest(`${s.url}/vault/v1/feed?wait=3`, tokens[i]!);
    const first = wait(0);
    await sleep(300);
    const again = await wait(0);
    expect(again.status, again.text).toBe(429);
    expect(again.json).toMatchObject({ code: 'FEED_WAITS_EXHAUSTED' });
    expect(again.headers.get('retry-after')).toBe('5');
    const second = wait(1);
    await sleep(300);
    const third = await wait(2);
    expect(third.status, third.text).toBe(503);
    expect(third.json).toMatchObject({ code: 'FEED_BUSY' });
    expect(third.headers.get('retry-after')).toBe('5');
    expect((await bearerRequest(`${s.url}/vault/v1/feed`, tokens[2]!)).status).toBe(200);
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    expect((await wait(2)).status).toBe(200);
  });

  it('a client that goes away frees its slot at once, and a shutdown answers waiting polls instead of holding the close up', async () => {
    const abandoned = httpGet(`${s.url}/vault/v1/feed?wait=30`, { headers: { authorization: `Bearer ${tokens[0]}` }, agent: false });
    abandoned.on('error', () => undefined);
    await sleep(300);
    abandoned.destroy();
    await sleep(200);
    const next = bearerRequest(`${s.url}/vault/v1/feed?wait=30`, tokens[0]!);
    await sleep(300);
    const started = Date.now();
    await s.close();
    const answered = await next;
    expect(answered.status, answered.text).toBe(200);
    expect(answered.json.items).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
