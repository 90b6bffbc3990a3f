/*
 * Issue 11 §6: failed authentication is throttled per credential id and per client address, on every scheme that
 * authenticates (signed-header MAC on ingestion and vault reads, bearer tokens, client authentication at the token
 * endpoint, the operator token). A real server process on a real socket; distinct client addresses are distinct
 * loopback addresses (127.0.0.x) the test connects from.
 */
import { rmSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { macRequest, rawRequest, type RawResponse } from '../helpers/mac-request.js';
import { logLines, waitFor } from '../helpers/processes.js';
import { adminCall, createTenant, spawnServer, tempDir, type ServerProcess, type Tenant } from '../helpers/servers.js';

const ADMIN_TOKEN = 'throttle-test-admin-token-0123456789abcdef';
const CREDENTIAL_LIMIT = 3;
const ADDRESS_LIMIT = 6;
const WINDOW_S = 600;

/** Retry-After is whole seconds within the window. */
function expectRetryAfter(res: RawResponse): void {
  const v = String(res.headers['retry-after']);
  expect(v).toMatch(/^\d+$/);
  expect(Number(v)).toBeGreaterThanOrEqual(1);
  expect(Number(v)).toBeLessThanOrEqual(WINDOW_S);
}

describe('throttling of failed authentication (429 AUTHENTICATION_THROTTLED with Retry-After)', () => {
  let dir: string;
  let srv: ServerProcess;
  let t: Tenant;
  const wrongAdminTokens: string[] = [];
  let partyClient: { clientId: string; clientSecret: string };
  let otherClient: { clientId: string; clientSecret: string };
  const admin = (method: 'GET' | 'POST', path: string, body?: unknown) => adminCall(srv.url, ADMIN_TOKEN, method, path, body);
  const send = (from: string, creds = t.sender, o: { json?: boolean; useHttpStatusCodes?: boolean } = {}) =>
    macRequest({ baseUrl: srv.url, target: `/ingestion/${t.channelId}`, creds, body: '{"order":1}', headers: { 'content-type': 'application/json' }, localAddress: from, ...o });
  const read = (from: string, creds = t.reader) => macRequest({ baseUrl: srv.url, target: '/vault/v1/messages', creds, localAddress: from });
  const token = (from: string, form: Record<string, string>) => rawRequest({
    method: 'POST', url: `${srv.url}/oauth2/token`, localAddress: from,
    headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', ...form }).toString(),
  });

  beforeAll(async () => {
    dir = tempDir('vg-throttle-');
    srv = await spawnServer({
      VAULTGATE_DATA_DIR: dir, VAULTGATE_ADMIN_TOKEN: ADMIN_TOKEN, VAULTGATE_LOG_LEVEL: 'info',
      VAULTGATE_AUTH_THROTTLE_CREDENTIAL_FAILURES: String(CREDENTIAL_LIMIT), VAULTGATE_AUTH_THROTTLE_ADDRESS_FAILURES: String(ADDRESS_LIMIT),
      VAULTGATE_AUTH_THROTTLE_WINDOW_S: String(WINDOW_S),
    });
    t = await createTenant(admin);
    partyClient = (await admin('POST', `/parties/${t.partyId}/clients`, { name: 'throttled' })).body;
    otherClient = (await admin('POST', `/parties/${t.partyId}/clients`, { name: 'bystander' })).body;
  });
  afterAll(async () => {
    srv.child.kill('SIGTERM');
    expect(await srv.exited).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('MAC: after N wrong MACs for one PartnerId/CustomerId, even the right MAC is 429 (JSON and XML envelope), unverified', async () => {
    const wrong = { ...t.sender, customerKey: 'wrong-customer-key-for-the-throttle-test' };
    for (let i = 0; i < CREDENTIAL_LIMIT; i++) {
      const r = await send('127.0.0.11', wrong);
      expect(r.status).toBe(401);
      expect(r.json().code).toBe('AUTHENTICATION_FAILED');
    }
    const json = await send('127.0.0.11');
    expect(json.status).toBe(429);
    expectRetryAfter(json);
    expect(json.json()).toMatchObject({ code: 'AUTHENTICATION_THROTTLED', status: 429, family: 'AUTHENTICATION_FAILED', remedy: expect.stringMatching(/Retry-After/) });
    // The signed-header scheme's own format: the XML envelope, parsed by a real XML parser; 429 even without
    // UseHTTPResponseStatusCodes (a transport-level signal that clients and proxies back off by).
    for (const useHttpStatusCodes of [true, false]) {
      const xml = await send('127.0.0.11', t.sender, { json: false, useHttpStatusCodes });
      expect(xml.status).toBe(429);
      expectRetryAfter(xml);
      expect(String(xml.headers['content-type'])).toMatch(/^text\/xml/);
      const doc = new XMLParser().parse(xml.text);
      expect(JSON.stringify(doc)).toContain('AUTHENTICATION_THROTTLED');
      expect(JSON.stringify(doc)).toContain('FAILED');
    }
    // Per credential: another address naming the same credential is refused too.
    expect((await send('127.0.0.12')).status).toBe(429);
    // Another credential from the throttled credential's address is unaffected (vault read, the Fastify path).
    const other = await read('127.0.0.11');
    expect(other.status, other.text).toBe(200);
  });

  it('MAC: N failures from one address with different credentials throttle that address; another address is unaffected', async () => {
    for (let i = 0; i < ADDRESS_LIMIT; i++) {
      const r = await read('127.0.0.13', { ...t.reader, customerId: `${t.reader.customerId.slice(0, -4)}zz${i}z` });
      expect(r.status).toBe(401);
    }
    const blocked = await read('127.0.0.13');
    expect(blocked.status).toBe(429);
    expectRetryAfter(blocked);
    expect(blocked.json().code).toBe('AUTHENTICATION_THROTTLED');
    expect((await send('127.0.0.13', t.reader)).status).toBe(429);
    expect((await read('127.0.0.14')).status).toBe(200);
  });

  it('operator token: wrong tokens throttle the address (429, problem+json, no-store); other addresses keep working', async () => {
    for (let i = 0; i < ADDRESS_LIMIT; i++) {
      const wrongToken = `wrong-admin-token-${i}-${'x'.repeat(32)}`;
      wrongAdminTokens.push(wrongToken);
      const r = await rawRequest({ method: 'GET', url: `${srv.url}/admin/v1/companies`, headers: { authorization: `Bearer ${wrongToken}` }, localAddress: '127.0.0.15' });
      expect(r.status).toBe(401);
      expect(r.json().code).toBe('ADMIN_UNAUTHORIZED');
    }
    const blocked = await rawRequest({ method: 'GET', url: `${srv.url}/admin/v1/companies`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, localAddress: '127.0.0.15' });
    expect(blocked.status).toBe(429);
    expectRetryAfter(blocked);
    expect(String(blocked.headers['content-type'])).toMatch(/^application\/problem\+json/);
    expect(blocked.headers['cache-control']).toBe('no-store');
    expect(blocked.json()).toMatchObject({ code: 'AUTHENTICATION_THROTTLED' });
    const metrics = await rawRequest({ method: 'GET', url: `${srv.url}/metrics`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, localAddress: '127.0.0.15' });
    expect(metrics.status).toBe(429);
    expect((await admin('GET', '/companies')).status).toBe(200);
  });

  it('client secret: wrong secrets for one client_id make even the right one 429 (RFC 6749 JSON, Retry-After, no-store)', async () => {
    for (let i = 0; i < CREDENTIAL_LIMIT; i++) {
      const r = await token('127.0.0.16', { client_id: partyClient.clientId, client_secret: `vgs_wrong_${i}` });
      expect(r.status).toBe(401);
      expect(r.json()).toMatchObject({ error: 'invalid_client', code: 'OAUTH_INVALID_CLIENT' });
    }
    const blocked = await token('127.0.0.16', { client_id: partyClient.clientId, client_secret: partyClient.clientSecret });
    expect(blocked.status).toBe(429);
    expectRetryAfter(blocked);
    expect(blocked.headers['cache-control']).toBe('no-store');
    expect(blocked.json()).toMatchObject({ error: 'temporarily_unavailable', code: 'AUTHENTICATION_THROTTLED' });
    // Basic authentication names the same client: refused as well.
    const basic = await rawRequest({
      method: 'POST', url: `${srv.url}/oauth2/token`, localAddress: '127.0.0.18', body: 'grant_type=client_credentials',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${partyClient.clientId}:${partyClient.clientSecret}`).toString('base64')}` },
    });
    expect(basic.status).toBe(429);
    const bystander = await token('127.0.0.16', { client_id: otherClient.clientId, client_secret: otherClient.clientSecret });
    expect(bystander.status, bystander.text).toBe(200);
  });

  it('bearer: forged tokens throttle their address, not the client they name (a token has no secret to guess)', async () => {
    const genuine = (await token('127.0.0.1', { client_id: otherClient.clientId, client_secret: otherClient.clientSecret })).json().access_token as string;
    const jwks = (await rawRequest({ method: 'GET', url: `${srv.url}/.well-known/jwks.json` })).json();
    const { privateKey } = await generateKeyPair('ES256');
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ client_id: otherClient.clientId, roles: ['ingest'], env: 'test' })
      .setProtectedHeader({ alg: 'ES256', kid: jwks.keys[0].kid, typ: 'at+jwt' }).setIssuer(srv.url).setAudience(srv.url)
      .setSubject(otherClient.clientId).setIssuedAt(now).setExpirationTime(now + 600).sign(privateKey);
    const bearer = (tok: string, from: string) => rawRequest({
      method: 'POST', url: `${srv.url}/ingestion/${t.channelId}`, localAddress: from, body: '{}',
      headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json', 'idempotency-key': `k-${Math.random()}` },
    });
    for (let i = 0; i < ADDRESS_LIMIT; i++) {
      const r = await bearer(forged, '127.0.0.17');
      expect(r.status).toBe(401);
      expect(r.json().code).toBe('TOKEN_SIGNATURE_INVALID');
    }
    const blocked = await bearer(genuine, '127.0.0.17');
    expect(blocked.status).toBe(429);
    expectRetryAfter(blocked);
    expect(blocked.json().code).toBe('AUTHENTICATION_THROTTLED');
    // The client the junk named is not locked out: its genuine token works from its own address.
    const ok = await bearer(genuine, '127.0.0.19');
    expect(ok.status, ok.text).toBe(200);
  });

  it('person (issue 16): unknown session tokens and cookies on /vault/v1 throttle their address; another address is unaffected', async () => {
    const junk = (i: number) => `${'j'.repeat(40)}${String(i).padStart(3, '0')}`;
    const read = (from: string, headers: Record<string, string>) => rawRequest({ method: 'GET', url: `${srv.url}/vault/v1/messages`, localAddress: from, headers });
    for (let i = 0; i < ADDRESS_LIMIT; i++) {
      const r = await read('127.0.0.20', i % 2 ? { authorization: `Bearer ${junk(i)}` } : { cookie: `__Host-vaultgate-session=${junk(i)}` });
      expect(r.status).toBe(401);
      expect(r.json().code).toBe('SESSION_REQUIRED');
    }
    const blocked = await read('127.0.0.20', { authorization: 'Bearer vgp_whatever' });
    expect(blocked.status).toBe(429);
    expectRetryAfter(blocked);
    expect(blocked.json().code).toBe('AUTHENTICATION_THROTTLED');
    expect((await read('127.0.0.21', { authorization: `Bearer ${junk(99)}` })).json().code).toBe('SESSION_REQUIRED');
    // The signed-header reader from another address is not concerned.
    expect((await macRequest({ baseUrl: srv.url, target: '/vault/v1/messages', creds: t.reader, localAddress: '127.0.0.22' })).status).toBe(200);
  });

  it('logs each failure at warn with the credential id and no secret, and counts failures by scheme and reason', async () => {
    await waitFor(() => logLines(srv).filter((l) => l.code === 'AUTHENTICATION_FAILURE').length >= 2 * CREDENTIAL_LIMIT + 3 * ADDRESS_LIMIT, 'the failure lines');
    const lines = logLines(srv);
    const failures = lines.filter((l) => l.code === 'AUTHENTICATION_FAILURE');
    expect(failures.every((l) => l.level === 40)).toBe(true);
    expect(failures).toContainEqual(expect.objectContaining({ scheme: 'mac', reason: 'AUTHENTICATION_FAILED', credential: `${t.sender.partnerId}/${t.sender.customerId}`, remoteAddress: '127.0.0.11' }));
    expect(failures).toContainEqual(expect.objectContaining({ scheme: 'client', reason: 'OAUTH_INVALID_CLIENT', credential: partyClient.clientId, remoteAddress: '127.0.0.16' }));
    expect(failures).toContainEqual(expect.objectContaining({ scheme: 'admin', reason: 'ADMIN_UNAUTHORIZED', credential: 'operator token', remoteAddress: '127.0.0.15' }));
    expect(failures).toContainEqual(expect.objectContaining({ scheme: 'bearer', reason: 'TOKEN_SIGNATURE_INVALID', credential: `${srv.url}|${otherClient.clientId}`, remoteAddress: '127.0.0.17' }));
    expect(lines.filter((l) => l.code === 'AUTHENTICATION_THROTTLED' && l.level === 40).length).toBeGreaterThan(0);
    const all = srv.logs();
    for (const secret of [ADMIN_TOKEN, ...wrongAdminTokens, t.sender.customerKey, t.sender.partnerKey, 'wrong-customer-key-for-the-throttle-test', partyClient.clientSecret, 'vgs_wrong_0']) {
      expect(all.includes(secret), 'a secret in the log').toBe(false);
    }

    const metrics = (await rawRequest({ method: 'GET', url: `${srv.url}/metrics`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text;
    expect(metrics).toContain(`vaultgate_auth_failures_total{scheme="mac",reason="AUTHENTICATION_FAILED"} ${CREDENTIAL_LIMIT + ADDRESS_LIMIT}`);
    expect(metrics).toContain(`vaultgate_auth_failures_total{scheme="admin",reason="ADMIN_UNAUTHORIZED"} ${ADDRESS_LIMIT}`);
    expect(metrics).toContain(`vaultgate_auth_failures_total{scheme="client",reason="OAUTH_INVALID_CLIENT"} ${CREDENTIAL_LIMIT}`);
    expect(metrics).toContain(`vaultgate_auth_failures_total{scheme="bearer",reason="TOKEN_SIGNATURE_INVALID"} ${ADDRESS_LIMIT}`);
    expect(metrics).toMatch(/vaultgate_auth_throttled_total\{scheme="mac"\} [1-9]/);
    expect(metrics).toMatch(/vaultgate_auth_failures_total\{scheme="session",reason="SESSION_REQUIRED"\} [1-9]/);
    // Low cardinality: no credential id in any label.
    expect(metrics).not.toContain(t.sender.customerId);
    expect(metrics).not.toContain(partyClient.clientId);
    expect(metrics).not.toContain(otherClient.clientId);
  });
});
