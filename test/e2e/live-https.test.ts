/**
 * Issue 11 §8: in `live`, only requests that arrived over TLS are served: on a TLS socket of the server itself, or
 * from a proxy in VAULTGATE_TRUST_PROXY that says https (X-Forwarded-Proto, or RFC 7239 Forwarded proto). Every
 * other request is refused with HTTPS_REQUIRED on every route (both ingestion paths included), except the probes
 * (GET /healthz, /readyz), which orchestrators send over plain HTTP. Real servers in live on real sockets.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/protocol/index.js';
import { macRequest, rawRequest } from '../helpers/mac-request.js';
import { refusedInEveryMode } from '../helpers/refusals.js';
import { adminCall, createTenant, startTestServer, tempDir, type Tenant, type TestServer } from '../helpers/servers.js';

const ADMIN_TOKEN = 'live-https-test-admin-token-0123456789abcdef';
const LIVE = { VAULTGATE_ENVIRONMENT: 'live', VAULTGATE_PUBLIC_URL: 'https://vaultgate.example.com', VAULTGATE_ADMIN_TOKEN: ADMIN_TOKEN };
const FAKE_CREDS = {
  partnerId: newId('partnerCredential', 'live'), partnerKey: 'k'.repeat(32), customerId: newId('customerCredential', 'live'),
  customerKey: 'c'.repeat(32), organisationId: '1967543-8',
};

const get = (url: string, headers: Record<string, string> = {}) => rawRequest({ method: 'GET', url, headers });

describe('live behind a proxy that is not the peer (VAULTGATE_TRUST_PROXY=10.0.0.1, requests from 127.0.0.1)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ ...LIVE, VAULTGATE_TRUST_PROXY: '10.0.0.1' });
  });
  afterAll(async () => s?.stop());

  it('refuses admin requests over plain HTTP, even with the right token and X-Forwarded-Proto: https from an untrusted peer', async () => {
    for (const headers of [{}, { 'x-forwarded-proto': 'https' }, { forwarded: 'for=203.0.113.7;proto=https' }] as Record<string, string>[]) {
      const r = await adminCall(s.url, ADMIN_TOKEN, 'GET', '/companies', undefined, headers);
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ code: 'HTTPS_REQUIRED', status: 403, family: 'SERVICE_ACCESS_ERROR' });
      expect(r.body.remedy).toMatch(/VAULTGATE_TRUST_PROXY/);
    }
    // Nothing was created by a refused write either.
    expect((await adminCall(s.url, ADMIN_TOKEN, 'POST', '/parties', { name: 'X' })).body.code).toBe('HTTPS_REQUIRED');
  });

  it('refuses ingestion on the lean path in every MAC answer mode (the envelope and JSON alike)', async () => {
    const target = `/ingestion/${newId('channel', 'live')}`;
    await refusedInEveryMode((mode) => macRequest({
      baseUrl: s.url, target, signedUrl: `https://vaultgate.example.com${target}`, creds: FAKE_CREDS, body: '{"a":1}',
      useHttpStatusCodes: mode.useHttpStatusCodes, json: mode.json, headers: { 'content-type': 'application/json' },
    }), 'HTTPS_REQUIRED');
  });

  it('refuses vault reads, metrics, the OpenAPI document and the token endpoint (in its RFC 6749 format)', async () => {
    const vault = await get(`${s.url}/vault/v1/messages`, { authorization: 'Bearer x.y.z' });
    expect([vault.status, vault.json().code]).toEqual([403, 'HTTPS_REQUIRED']);
    const metrics = await get(`${s.url}/metrics`, { authorization: `Bearer ${ADMIN_TOKEN}` });
    expect([metrics.status, metrics.json().code]).toEqual([403, 'HTTPS_REQUIRED']);
    const openapi = await get(`${s.url}/openapi.json`);
    expect([openapi.status, openapi.json().code]).toEqual([403, 'HTTPS_REQUIRED']);
    const token = await rawRequest({
      method: 'POST', url: `${s.url}/oauth2/token`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials',
    });
    expect(token.status).toBe(403);
    expect(token.json()).toMatchObject({ error: 'invalid_request', code: 'HTTPS_REQUIRED', status: 403 });
  });

  it('serves the liveness probe over plain HTTP (orchestrators probe that way; it carries no secret)', async () => {
    const r = await get(`${s.url}/healthz`);
    expect(r.status).toBe(200);
    expect(r.json().environment).toBe('live');
  });
});

describe('live behind a trusted proxy on this host (VAULTGATE_TRUST_PROXY=127.0.0.1)', () => {
  let s: TestServer;
  let t: Tenant;
  const viaProxy = (headers: Record<string, string>) => (m: 'GET' | 'POST', p: string, b?: unknown) => adminCall(s.url, ADMIN_TOKEN, m, p, b, headers);
  beforeAll(async () => {
    s = await startTestServer({ ...LIVE, VAULTGATE_TRUST_PROXY: '127.0.0.1' });
    t = await createTenant(viaProxy({ 'x-forwarded-proto': 'https' }));
  });
  afterAll(async () => s?.stop());

  it.each([
    ['X-Forwarded-Proto: https', { 'x-forwarded-proto': 'https' }],
    ['X-Forwarded-Proto: HTTPS (case-insensitive)', { 'x-forwarded-proto': 'HTTPS' }],
    ['the nearest proxy\'s value is the last one', { 'x-forwarded-proto': 'http, https' }],
    ['Forwarded: proto=https (RFC 7239)', { forwarded: 'for=203.0.113.7;proto=https' }],
    ['Forwarded with a quoted value, last element', { forwarded: 'for="[2001:db8::1]:4711";proto=http, for=203.0.113.7;proto="https"' }],
    ['both headers, agreeing', { 'x-forwarded-proto': 'https', forwarded: 'proto=https' }],
  ])('serves what the proxy says came over TLS: %s', async (_name, headers) => {
    const r = await viaProxy(headers)('GET', `/companies/${t.companyId}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  });

  it.each([
    ['no forwarding header', {}],
    ['X-Forwarded-Proto: http', { 'x-forwarded-proto': 'http' }],
    ['the nearest proxy says http', { 'x-forwarded-proto': 'https, http' }],
    ['Forwarded proto=http', { forwarded: 'for=203.0.113.7;proto=http' }],
    ['Forwarded without proto', { forwarded: 'for=203.0.113.7' }],
    ['the two headers disagree', { 'x-forwarded-proto': 'https', forwarded: 'proto=http' }],
  ])('refuses what did not: %s', async (_name, headers) => {
    const r = await viaProxy(headers)('GET', `/companies/${t.companyId}`);
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('HTTPS_REQUIRED');
  });

  it('ingestion (lean path) and vault reads are served only when the proxy says https', async () => {
    const send = (headers: Record<string, string>) => macRequest({
      baseUrl: s.url, target: `/ingestion/${t.channelId}`, signedUrl: t.channelUrl, creds: t.sender, body: '{"live":2}',
      headers: { 'content-type': 'application/json', ...headers },
    });
    const refused = await send({ 'x-forwarded-proto': 'http' });
    expect([refused.status, refused.json().code]).toEqual([403, 'HTTPS_REQUIRED']);
    const sent = await send({ 'x-forwarded-proto': 'https' });
    expect(sent.status, sent.text).toBe(200);
    const read = (headers: Record<string, string>) => macRequest({
      baseUrl: s.url, target: `/vault/v1/messages/${sent.json().messageId}`, signedUrl: `https://vaultgate.example.com/vault/v1/messages/${sent.json().messageId}`, creds: t.reader, headers,
    });
    expect((await read({})).json().code).toBe('HTTPS_REQUIRED');
    const ok = await read({ forwarded: 'proto=https' });
    expect([ok.status, ok.text]).toEqual([200, '{"live":2}']);
  });
});

describe('live speaking TLS itself', () => {
  let s: TestServer;
  let ca: Buffer;
  beforeAll(async () => {
    const certs = tempDir('vg-certs-');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-days', '1', '-keyout', join(certs, 'key.pem'), '-out', join(certs, 'cert.pem'),
    ], { stdio: 'ignore' });
    ca = readFileSync(join(certs, 'cert.pem'));
    s = await startTestServer({ ...LIVE, VAULTGATE_TLS_CERT: join(certs, 'cert.pem'), VAULTGATE_TLS_KEY: join(certs, 'key.pem') });
  });
  afterAll(async () => s?.stop());

  it('serves requests that arrive on its TLS socket, forwarding headers or not', async () => {
    expect(s.url).toMatch(/^https:/);
    for (const headers of [{}, { 'x-forwarded-proto': 'http' }] as Record<string, string>[]) {
      const r = await rawRequest({ method: 'GET', url: `${s.url}/admin/v1/companies`, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...headers }, ca });
      expect(r.status, r.text).toBe(200);
    }
  });
});
