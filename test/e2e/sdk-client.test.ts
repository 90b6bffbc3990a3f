import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultgateApiError, VaultgateClient, VaultgateIncompleteExportError, VaultgateNetworkError, type MacCredentials } from '../../src/sdk/index.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { createTenant, startTestServer, type Tenant, type TestServer } from '../helpers/servers.js';

// The SDK against the real server, through a TCP proxy that can drop replies or answer 503/429 (the server's public
// URL is the proxy's, as behind a load balancer).
let server: TestServer;
let proxy: FaultProxy;
let tenant: Tenant;
const clients: VaultgateClient[] = [];

const client = (credentials: MacCredentials, retry = { baseDelayMs: 10 }): VaultgateClient => {
  const c = new VaultgateClient({ baseUrl: proxy.url, credentials, retry });
  clients.push(c);
  return c;
};
const json = { messageType: 'TransportOrder', mediaType: 'application/json' };

beforeAll(async () => {
  let target = '';
  proxy = await startFaultProxy(() => target);
  server = await startTestServer({ VAULTGATE_PUBLIC_URL: proxy.url });
  target = server.url;
  tenant = await createTenant(server.admin);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await proxy.close();
  await server.stop();
});

async function stored(transactionId: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const m of client(tenant.reader).listMessages()) if (m.transactionId === transactionId) ids.push(m.messageId);
  return ids;
}

describe('SDK send', () => {
  it('sends and returns the typed receipt; the bytes read back are the bytes sent', async () => {
    const body = '{"order":"A-1","city":"Jyväskylä"}';
    const r = await client(tenant.sender).send(tenant.channelId, body, { ...json, transactionId: 'sdk-send-1' });
    expect(r.alreadyStored).toBe(false);
    if (r.alreadyStored) return;
    expect(r).toMatchObject({ channelId: tenant.channelId, environment: 'test', messageType: 'TransportOrder', mediaType: 'application/json', transactionId: 'sdk-send-1' });
    expect(r.sha256).toBe(createHash('sha256').update(body).digest('hex'));
    const m = await client(tenant.reader).getMessage(r.messageId);
    expect(m.body.toString('utf8')).toBe(body);
    expect(m).toMatchObject({ messageId: r.messageId, messageType: 'TransportOrder', channelId: tenant.channelId, transactionId: 'sdk-send-1' });
    expect(m.contentType).toMatch(/^application\/json/);
  });

  it('signs with HMACSHA256 too', async () => {
    const r = await client({ ...tenant.sender, algorithm: 'HMACSHA256' }).send(tenant.channelId, '<a/>', { messageType: 'TransportOrder', mediaType: 'application/xml' });
    expect(r.alreadyStored).toBe(false);
  });

  it('retries after the reply was lost with the same transaction id: exactly one message, reported as already stored', async () => {
    const before = proxy.connections();
    proxy.inject('drop-response');
    const r = await client(tenant.sender).send(tenant.channelId, '{"n":"dropped"}', { ...json, transactionId: 'sdk-drop-1' });
    expect(proxy.connections() - before).toBeGreaterThanOrEqual(2);
    expect(r.alreadyStored).toBe(true);
    const ids = await stored('sdk-drop-1');
    expect(ids).toHaveLength(1);
    expect(r.messageId).toBe(ids[0]);
  });

  it('retries 503 and 429, honouring Retry-After, and the message is stored once', async () => {
    proxy.inject({ status: 503, retryAfter: '1' }, { status: 429, retryAfter: '0' });
    const started = Date.now();
    const r = await client(tenant.sender).send(tenant.channelId, '{"n":"busy"}', { ...json, transactionId: 'sdk-busy-1' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900); // the 1 s Retry-After was waited out
    expect(r.alreadyStored).toBe(false);
    expect(await stored('sdk-busy-1')).toHaveLength(1);
  });

  it('a header value undici cannot send fails at once, without retries', async () => {
    const before = proxy.connections();
    const err = await client(tenant.sender).send(tenant.channelId, '{}', { messageType: 'Order\nX', mediaType: 'application/json' }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('UND_ERR_INVALID_ARG');
    expect(proxy.connections()).toBe(before);
  });

  it('gives up after maxAttempts with the last server error', async () => {
    proxy.inject({ status: 503 }, { status: 503 });
    const err = await client(tenant.sender, { baseDelayMs: 1, maxAttempts: 2 } as never).send(tenant.channelId, '{}', json).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaultgateApiError);
    expect((err as VaultgateApiError).status).toBe(503);
  });

  it('a network failure on every attempt is a VaultgateNetworkError', async () => {
    const c = new VaultgateClient({ baseUrl: 'http://127.0.0.1:9', credentials: tenant.sender, retry: { maxAttempts: 2, baseDelayMs: 1 } });
    const err = await c.send(tenant.channelId, '{}', json).catch((e: unknown) => e);
    await c.close();
    expect(err).toBeInstanceOf(VaultgateNetworkError);
    expect((err as VaultgateNetworkError).attempts).toBe(2);
  });
});

describe('SDK typed errors carry the server code', () => {
  const refusal = async (p: Promise<unknown>): Promise<VaultgateApiError> => {
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaultgateApiError);
    return err as VaultgateApiError;
  };

  it('a wrong key is AUTHENTICATION_FAILED (401), not retried', async () => {
    const before = proxy.connections();
    const e = await refusal(client({ ...tenant.sender, customerKey: 'wrong' }).send(tenant.channelId, '{}', json));
    expect(e).toMatchObject({ status: 401, code: 'AUTHENTICATION_FAILED' });
    expect(e.requestId).toBeTruthy();
    expect(proxy.connections() - before).toBeLessThanOrEqual(1);
  });

  it('an unagreed message type is refused with its code', async () => {
    const e = await refusal(client(tenant.sender).send(tenant.channelId, '{}', { messageType: 'Invoice', mediaType: 'application/json' }));
    expect(e.code).toBe('MESSAGE_TYPE_NOT_AGREED');
  });

  it('reusing a transaction id on a first attempt is REQUEST_NOT_UNIQUE naming the stored message', async () => {
    const c = client(tenant.sender);
    const first = await c.send(tenant.channelId, '{"a":1}', { ...json, transactionId: 'sdk-reuse-1' });
    const e = await refusal(c.send(tenant.channelId, '{"a":2}', { ...json, transactionId: 'sdk-reuse-1' }));
    expect(e.code).toBe('REQUEST_NOT_UNIQUE');
    expect(e.messageId).toBe(first.messageId);
  });

  it('a sender credential cannot read the vault; an unknown message is NOT_FOUND', async () => {
    expect((await refusal(client(tenant.sender).getMessage('msg_test_x'))).code).toBe('SCOPE_MISSING');
    const e = await refusal(client(tenant.reader).getMessage(`msg_test_${'0'.repeat(26)}`));
    expect(e.code).toBe('NOT_FOUND'); // the MAC scheme answers with its family's status (mac-auth.md)
  });
});

describe('SDK bearer seam', () => {
  it('token-provider credentials reach the server as a bearer token; a 401 invalidates the token and is tried once more with a fresh one', async () => {
    let invalidated = 0;
    let issued = 0;
    const tokenProvider = { getToken: async () => `not-a-valid-token-${++issued}`, invalidate: () => void invalidated++ };
    const c = new VaultgateClient({ baseUrl: proxy.url, credentials: { tokenProvider } });
    clients.push(c);
    const err = await c.send(tenant.channelId, '{}', json).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaultgateApiError);
    expect((err as VaultgateApiError).status).toBe(401); // whatever the bearer code (no bearer support yet, or an invalid token)
    expect(invalidated).toBe(2);
    expect(issued).toBe(2);
  });
});

describe('SDK vault reading', () => {
  it('iterates pages and messages, and the export streams the same messages with their bodies', async () => {
    const other = await createTenant(server.admin, { businessId: '0737546-2' });
    const c = client(other.sender);
    const sent: string[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await c.send(other.channelId, `{"i":${i}}`, json);
      sent.push(r.messageId);
    }
    const reader = client(other.reader);
    const pages: number[] = [];
    for await (const page of reader.listPages({}, { pageSize: 3 })) pages.push(page.items.length);
    expect(pages).toEqual([3, 3, 1]);
    const listed: string[] = [];
    for await (const m of reader.listMessages({ channelId: other.channelId }, { pageSize: 2 })) listed.push(m.messageId);
    expect(listed).toEqual(sent);
    const exported: string[] = [];
    for await (const m of reader.exportVault()) exported.push(`${m.messageId}=${m.body}`);
    expect(exported).toEqual(sent.map((id, i) => `${id}={"i":${i}}`));
    // Resuming from a cursor gives exactly the rest.
    let cursor = '';
    for await (const m of reader.exportVault()) if (m.messageId === sent[3]) cursor = m.cursor;
    const rest: string[] = [];
    for await (const m of reader.exportVault({}, { cursor })) rest.push(m.messageId);
    expect(rest).toEqual(sent.slice(4));
  });

  it('an export cut short throws VaultgateIncompleteExportError; resuming from its cursor gives exactly the rest', async () => {
    const reader = client(tenant.reader);
    const all: string[] = [];
    for await (const m of reader.exportVault()) all.push(m.messageId);
    expect(all.length).toBeGreaterThan(3);
    proxy.inject({ cutAfterBytes: 1200 }); // the headers and a line or two of the NDJSON
    const first: string[] = [];
    const err = await (async () => {
      for await (const m of reader.exportVault()) first.push(m.messageId);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaultgateIncompleteExportError);
    const cut = err as VaultgateIncompleteExportError;
    expect(cut.received).toBe(first.length);
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(all.length);
    const rest: string[] = [];
    for await (const m of reader.exportVault({}, { cursor: cut.cursor! })) rest.push(m.messageId);
    expect([...first, ...rest]).toEqual(all);
  });

  it('a read whose answer is lost is retried (with a fresh transaction id) and succeeds', async () => {
    proxy.inject('drop-response', 'drop-response');
    const pages: number[] = [];
    for await (const page of client(tenant.reader).listPages()) pages.push(page.items.length);
    expect(pages[0]).toBeGreaterThan(0);
  });
});
