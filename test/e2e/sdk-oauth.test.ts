import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cachedTokenProvider, clientCredentialsTokenProvider, fetchClientCredentialsToken, VaultgateApiError, VaultgateClient, VaultgateNetworkError, VaultgateTokenError,
  type TokenProvider, type VaultgateCredentials,
} from '../../src/sdk/index.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { createTenant, startTestServer, type Tenant, type TestServer } from '../helpers/servers.js';

// The SDK with OAuth client credentials against the real server and its real token endpoint, through the fault
// proxy (the server's public URL is the proxy's: tokens are issued for it and the token URL is derived from it).
let server: TestServer;
let proxy: FaultProxy;
let tenant: Tenant;
let sender: { clientId: string; clientSecret: string };
let reader: { clientId: string; clientSecret: string };
const clients: VaultgateClient[] = [];
const json = { messageType: 'TransportOrder', mediaType: 'application/json' };

const client = (credentials: VaultgateCredentials): VaultgateClient => {
  const c = new VaultgateClient({ baseUrl: proxy.url, credentials, retry: { baseDelayMs: 10 } });
  clients.push(c);
  return c;
};

/** A client-credentials provider whose token requests are counted (by wrapping the fetch function) on a settable clock. */
function countedProvider(creds: { clientId: string; clientSecret: string }) {
  const counter = { calls: 0, clock: Date.now() };
  const provider = clientCredentialsTokenProvider({
    tokenUrl: `${proxy.url}/oauth2/token`, ...creds, now: () => counter.clock,
    fetch: (input, init) => {
      counter.calls++;
      return fetch(input, init);
    },
  });
  return { provider, counter };
}

beforeAll(async () => {
  let target = '';
  proxy = await startFaultProxy(() => target);
  // The shortest token lifetime the server accepts (60 s): the provider refreshes it 30 s before it expires.
  server = await startTestServer({ VAULTGATE_PUBLIC_URL: proxy.url, VAULTGATE_TOKEN_LIFETIME_S: '60' });
  target = server.url;
  tenant = await createTenant(server.admin);
  sender = (await server.admin('POST', `/parties/${tenant.partyId}/clients`, { name: 'erp' })).body;
  reader = (await server.admin('POST', `/companies/${tenant.companyId}/clients`, { name: 'bi' })).body;
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await proxy.close();
  await server.stop();
});

async function storedUnder(transactionId: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const m of client(reader).listMessages()) if (m.transactionId === transactionId) ids.push(m.messageId);
  return ids;
}

describe('SDK with OAuth client credentials', () => {
  it('sends with { clientId, clientSecret } (token URL derived from the base URL); a company client lists, gets and exports', async () => {
    const body = '{"order":"O-1","city":"Jyväskylä"}';
    const r = await client(sender).send(tenant.channelId, body, { ...json, transactionId: 'oauth-send-1' });
    expect(r.alreadyStored).toBe(false);
    if (r.alreadyStored) return;
    expect(r).toMatchObject({ channelId: tenant.channelId, transactionId: 'oauth-send-1', messageType: 'TransportOrder' });

    const vault = client({ ...reader, tokenUrl: `${proxy.url}/oauth2/token` });
    const listed = [];
    for await (const page of vault.listPages({ channelId: tenant.channelId }, { pageSize: 1 })) listed.push(...page.items);
    expect(listed.map((m) => m.messageId)).toContain(r.messageId);
    const got = await vault.getMessage(r.messageId);
    expect(got.body.toString('utf8')).toBe(body);
    expect(got.transactionId).toBe('oauth-send-1');
    const exported = [];
    for await (const m of vault.exportVault({ channelId: tenant.channelId })) exported.push(m);
    expect(exported.find((m) => m.messageId === r.messageId)?.body).toBe(body);

    // The Idempotency-Key is the transaction id: reusing it is refused with the stored message named.
    const again = await client(sender).send(tenant.channelId, '{"other":true}', { ...json, transactionId: 'oauth-send-1' }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(VaultgateApiError);
    expect(again).toMatchObject({ status: 409, code: 'REQUEST_NOT_UNIQUE', messageId: r.messageId });
  });

  it('retries after the reply was lost with the same Idempotency-Key: exactly one message, reported as already stored', async () => {
    const { provider, counter } = countedProvider(sender);
    await provider.getToken(); // fetched before the fault, so that the dropped connection is the send's
    const before = proxy.connections();
    proxy.inject('drop-response');
    const r = await client({ tokenProvider: provider }).send(tenant.channelId, '{"n":"dropped"}', { ...json, transactionId: 'oauth-drop-1' });
    expect(proxy.connections() - before).toBeGreaterThanOrEqual(2);
    expect(r.alreadyStored).toBe(true);
    const ids = await storedUnder('oauth-drop-1');
    expect(ids).toHaveLength(1);
    expect(r.messageId).toBe(ids[0]);
    expect(counter.calls).toBe(1);
  });

  it('fetches one token for many (concurrent) sends, and a new one shortly before it expires', async () => {
    const { provider, counter } = countedProvider(sender);
    const vg = client({ tokenProvider: provider });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => vg.send(tenant.channelId, `{"n":${i}}`, json)));
    expect(results.every((x) => !x.alreadyStored)).toBe(true);
    for (let i = 0; i < 5; i++) await vg.send(tenant.channelId, `{"later":${i}}`, json);
    expect(counter.calls).toBe(1);
    counter.clock += 29_000; // 31 s left of 60: still cached
    await vg.send(tenant.channelId, '{"at":29}', json);
    expect(counter.calls).toBe(1);
    counter.clock += 2_000; // 29 s left: refreshed before expiry
    await vg.send(tenant.channelId, '{"at":31}', json);
    expect(counter.calls).toBe(2);
  });

  it('a token the server refuses (401) is dropped and the request retried once with a fresh token', async () => {
    let fetched = 0;
    const provider: TokenProvider = cachedTokenProvider(async () => {
      fetched++;
      // The first "cached" token is one the server cannot verify (as a revoked or expired token would be).
      if (fetched === 1) return { accessToken: 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln', expiresInS: 3600 };
      const t = await fetchClientCredentialsToken({ tokenUrl: `${proxy.url}/oauth2/token`, ...sender });
      return { accessToken: t.accessToken, expiresInS: t.expiresIn };
    });
    const r = await client({ tokenProvider: provider }).send(tenant.channelId, '{"n":"fresh"}', { ...json, transactionId: 'oauth-401-1' });
    expect(r.alreadyStored).toBe(false);
    expect(fetched).toBe(2);
    expect(await storedUnder('oauth-401-1')).toHaveLength(1);
  });

  it('token refusals are typed errors carrying the RFC 6749 code and the Vaultgate code', async () => {
    const wrong = await client({ clientId: sender.clientId, clientSecret: `${sender.clientSecret}x` }).send(tenant.channelId, '{}', json).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(VaultgateTokenError);
    expect(wrong).toBeInstanceOf(VaultgateApiError);
    expect(wrong).toMatchObject({ status: 401, oauthError: 'invalid_client', code: 'OAUTH_INVALID_CLIENT' });
    const scope = await client({ ...sender, scope: 'vault.read' }).send(tenant.channelId, '{}', json).catch((e: unknown) => e);
    expect(scope).toMatchObject({ status: 400, oauthError: 'invalid_scope' });
    // An unreachable token endpoint is retried like the request, then a network error; nothing was sent.
    let tries = 0;
    const unreachable = clientCredentialsTokenProvider({
      tokenUrl: 'http://127.0.0.1:1/oauth2/token', ...sender,
      fetch: (input, init) => {
        tries++;
        return fetch(input, init);
      },
    });
    const down = await client({ tokenProvider: unreachable }).send(tenant.channelId, '{}', { ...json, transactionId: 'oauth-no-token' }).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(VaultgateNetworkError);
    expect((down as Error).message).toMatch(/no token: the token endpoint failed 5 times/);
    expect(tries).toBe(5);
    expect(await storedUnder('oauth-no-token')).toHaveLength(0);
    // A party client's token cannot read a vault: the read is refused by the server with its own code.
    const read = await client(sender).getMessage(`msg_test_${'0'.repeat(26)}`).catch((e: unknown) => e);
    expect(read).toBeInstanceOf(VaultgateApiError);
    expect((read as VaultgateApiError).status).toBe(403);
  });
});
