import { createHash } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAccessToken, fetchClientCredentialsToken, VaultgateApiError } from '../../src/sdk/index.js';
import { bearerRequest, fetchToken, tokenRequest } from '../helpers/oauth.js';
import { createTenant, startTestServer, type Tenant, type TestServer } from '../helpers/servers.js';

const CC = { grant_type: 'client_credentials' };

describe('built-in issuer: clients, POST /oauth2/token, JWKS, bearer ingestion and vault reads', () => {
  let s: TestServer;
  let t: Tenant;
  let sender: { clientId: string; clientSecret: string };
  let reader: { clientId: string; clientSecret: string };
  beforeAll(async () => {
    s = await startTestServer();
    t = await createTenant(s.admin);
    sender = (await s.admin('POST', `/parties/${t.partyId}/clients`, { name: 'erp' })).body;
    reader = (await s.admin('POST', `/companies/${t.companyId}/clients`, { name: 'bi' })).body;
  });
  afterAll(() => s.stop());

  describe('clients in the registry', () => {
    it('shows the secret once, stores only a hash, and names roles, owner and environment', async () => {
      const created = await s.admin('POST', `/parties/${t.partyId}/clients`, { name: 'second' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ ownerKind: 'party', ownerId: t.partyId, roles: ['ingest'], authMethod: 'client_secret', environment: 'test', status: 'active' });
      expect(created.body.clientId).toMatch(/^oc_test_/);
      expect(created.body.clientSecret).toMatch(/^vgs_[A-Za-z0-9_-]{43}$/);
      const again = await s.admin('GET', `/clients/${created.body.clientId}`);
      expect(again.body.clientSecret).toBeUndefined();
      expect(JSON.stringify(again.body)).not.toContain('sha256$');
      const list = await s.admin('GET', `/parties/${t.partyId}/clients`);
      expect(list.body.items.map((c: any) => c.clientId)).toContain(created.body.clientId);
      expect(JSON.stringify(list.body)).not.toContain(created.body.clientSecret);
    });

    it('refuses roles the owner cannot hold, a private JWK, and unknown or other-environment owners', async () => {
      expect((await s.admin('POST', `/parties/${t.partyId}/clients`, { name: 'x', roles: ['vault.read'] })).body.code).toBe('INVALID_REQUEST');
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      const bad = await s.admin('POST', `/parties/${t.partyId}/clients`, { name: 'x', jwk: await exportJWK(privateKey) });
      expect(bad.status).toBe(400);
      expect(bad.body.detail).toMatch(/public/);
      expect((await s.admin('POST', '/parties/tp_test_0000000000000000000000000a/clients', { name: 'x' })).status).toBe(404);
      expect((await s.admin('POST', '/companies/co_live_0000000000000000000000000a/clients', { name: 'x' })).body.code).toBe('ENVIRONMENT_MISMATCH');
    });
  });

  describe('POST /oauth2/token', () => {
    it('issues an at+jwt by client_secret_post with the spec claims; JWKS and discovery describe the issuer', async () => {
      const r = await tokenRequest(s.url, { ...CC, client_id: sender.clientId, client_secret: sender.clientSecret, scope: `${sender.clientId}/.default` });
      expect(r.status).toBe(200);
      expect(r.headers.get('cache-control')).toBe('no-store');
      expect(r.body).toMatchObject({ token_type: 'Bearer', expires_in: 3599, scope: 'ingest' });
      const header = decodeProtectedHeader(r.body.access_token);
      const claims = decodeJwt(r.body.access_token);
      expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
      expect(header.kid).toMatch(/^sk_test_/);
      expect(claims).toMatchObject({ iss: s.publicUrl, aud: s.publicUrl, sub: sender.clientId, azp: sender.clientId, client_id: sender.clientId, roles: ['ingest'], env: 'test' });
      expect(claims.exp! - claims.iat!).toBe(3599);
      expect(claims.nbf).toBe(claims.iat);
      expect(claims.jti).toEqual(expect.any(String));

      const jwks = await (await fetch(`${s.url}/.well-known/jwks.json`)).json();
      expect(jwks.keys.map((k: any) => k.kid)).toContain(header.kid);
      expect(JSON.stringify(jwks)).not.toMatch(/"d":/);
      const meta = await (await fetch(`${s.url}/.well-known/openid-configuration`)).json();
      expect(meta).toMatchObject({ issuer: s.publicUrl, token_endpoint: `${s.publicUrl}/oauth2/token`, jwks_uri: `${s.publicUrl}/.well-known/jwks.json`, grant_types_supported: ['client_credentials'] });
      expect(meta.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'client_secret_post', 'private_key_jwt']);
      const doc = await (await fetch(`${s.url}/openapi.json`)).json();
      expect(doc.components.securitySchemes.bearerToken.flows.clientCredentials.tokenUrl).toBe('/oauth2/token');
      expect(doc.paths['/ingestion/{channelId}'].post.security).toEqual([{ netvisorMac: [] }, { bearerToken: ['ingest'] }, { httpSignature: [] }]);
      // Credentials (MAC, bearer) and, since issue 16, people (session cookie or token, personal API token).
      expect(doc.paths['/vault/v1/messages'].get.security.slice(0, 2)).toEqual([{ netvisorMac: [] }, { bearerToken: ['vault.read'] }]);
    });

    it('accepts client_secret_basic (form-urlencoded, RFC 6749 §2.3.1) and a space-separated role scope', async () => {
      const basic = Buffer.from(`${encodeURIComponent(reader.clientId)}:${encodeURIComponent(reader.clientSecret)}`).toString('base64');
      const r = await tokenRequest(s.url, { ...CC, scope: 'vault.read' }, { authorization: `Basic ${basic}` });
      expect(r.status).toBe(200);
      expect(decodeJwt(r.body.access_token).roles).toEqual(['vault.read']);
    });

    it('accepts private_key_jwt once per assertion', async () => {
      const { publicKey, privateKey } = await generateKeyPair('ES256');
      const c = (await s.admin('POST', `/parties/${t.partyId}/clients`, { name: 'pkjwt', jwk: await exportJWK(publicKey) })).body;
      expect(c).toMatchObject({ authMethod: 'private_key_jwt' });
      expect(c.clientSecret).toBeUndefined();
      const assertion = await new SignJWT({ jti: `a-${Date.now()}` }).setProtectedHeader({ alg: 'ES256' })
        .setIssuer(c.clientId).setSubject(c.clientId).setAudience(`${s.publicUrl}/oauth2/token`).setIssuedAt().setExpirationTime('2m').sign(privateKey);
      const form = { ...CC, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion };
      const ok = await tokenRequest(s.url, form);
      expect(ok.status).toBe(200);
      expect(decodeJwt(ok.body.access_token).client_id).toBe(c.clientId);
      const replay = await tokenRequest(s.url, form);
      expect(replay.status).toBe(401);
      expect(replay.body).toMatchObject({ error: 'invalid_client', code: 'OAUTH_INVALID_CLIENT' });
      const other = await generateKeyPair('ES256');
      const forged = await new SignJWT({ jti: 'forged' }).setProtectedHeader({ alg: 'ES256' })
        .setIssuer(c.clientId).setSubject(c.clientId).setAudience(`${s.publicUrl}/oauth2/token`).setIssuedAt().setExpirationTime('2m').sign(other.privateKey);
      expect((await tokenRequest(s.url, { ...form, client_assertion: forged })).body.error).toBe('invalid_client');
      const garbled = await tokenRequest(s.url, { ...form, client_assertion: `e30x.${forged.split('.')[1]}.sig` });
      expect(garbled).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    });

    it('the SDK fetches tokens by private_key_jwt and by secret, and reports refusals with their codes', async () => {
      const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
      const c = (await s.admin('POST', `/companies/${t.companyId}/clients`, { name: 'sdk', jwk: { ...(await exportJWK(publicKey)), alg: 'RS256' } })).body;
      const tokenUrl = `${s.url}/oauth2/token`;
      const byKey = await fetchClientCredentialsToken({ tokenUrl, clientId: c.clientId, privateJwk: { ...(await exportJWK(privateKey)), alg: 'RS256' } });
      expect(byKey).toMatchObject({ expiresIn: 3599, scope: 'vault.read' });
      expect(decodeAccessToken(byKey.accessToken).claims.client_id).toBe(c.clientId);
      const bySecret = await fetchClientCredentialsToken({ tokenUrl, clientId: reader.clientId, clientSecret: reader.clientSecret, scope: 'vault.read' });
      expect(decodeAccessToken(bySecret.accessToken).header.typ).toBe('at+jwt');
      const refused = await fetchClientCredentialsToken({ tokenUrl, clientId: reader.clientId, clientSecret: 'vgs_nope' }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(VaultgateApiError);
      expect(refused).toMatchObject({ status: 401, code: 'OAUTH_INVALID_CLIENT' });
    });

    it('answers RFC 6749 §5.2 errors with their codes', async () => {
      const cases: [Record<string, string>, Record<string, string>, number, string, string][] = [
        [{ grant_type: 'password', client_id: sender.clientId, client_secret: sender.clientSecret }, {}, 400, 'unsupported_grant_type', 'OAUTH_UNSUPPORTED_GRANT_TYPE'],
        [{ client_id: sender.clientId, client_secret: sender.clientSecret }, {}, 400, 'invalid_request', 'OAUTH_INVALID_REQUEST'],
        [{ ...CC, client_id: sender.clientId, client_secret: `${sender.clientSecret}x` }, {}, 401, 'invalid_client', 'OAUTH_INVALID_CLIENT'],
        [{ ...CC, client_id: 'oc_test_00000000000000000000000000', client_secret: sender.clientSecret }, {}, 401, 'invalid_client', 'OAUTH_INVALID_CLIENT'],
        [{ ...CC }, {}, 401, 'invalid_client', 'OAUTH_INVALID_CLIENT'],
        [{ ...CC, client_id: sender.clientId, client_secret: sender.clientSecret, scope: 'vault.read' }, {}, 400, 'invalid_scope', 'OAUTH_INVALID_SCOPE'],
        [{ ...CC, client_id: sender.clientId, client_secret: sender.clientSecret }, { authorization: `Basic ${Buffer.from(`${sender.clientId}:${sender.clientSecret}`).toString('base64')}` }, 400, 'invalid_request', 'OAUTH_INVALID_REQUEST'],
      ];
      for (const [form, headers, status, error, code] of cases) {
        const r = await tokenRequest(s.url, form, headers);
        expect(r.status, JSON.stringify(form)).toBe(status);
        expect(r.body).toMatchObject({ error, code });
        expect(r.body.error_description).toEqual(expect.any(String));
        expect(JSON.stringify(r.body)).not.toContain(sender.clientSecret);
        if (status === 401) expect(r.headers.get('www-authenticate')).toBe('Basic realm="vaultgate"');
      }
      const repeated = await fetch(`${s.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=client_credentials&grant_type=client_credentials&client_id=${sender.clientId}&client_secret=${sender.clientSecret}` });
      expect((await repeated.json()).error).toBe('invalid_request');
      const json = await fetch(`${s.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(json.status).toBe(400);
      expect((await json.json()).error).toBe('invalid_request');
    });
  });

  describe('bearer ingestion and vault reads', () => {
    it('sends with Idempotency-Key exactly once and reads the message back with a company token', async () => {
      const token = await fetchToken(s.url, sender.clientId, sender.clientSecret);
      const body = JSON.stringify({ order: 'B-1', city: 'Åbo' });
      const send = (key: string) => bearerRequest(`${s.url}/ingestion/${t.channelId}`, token, { body, headers: { 'content-type': 'application/json', 'idempotency-key': key } });
      const first = await send('order-B-1');
      expect(first.status, first.text).toBe(200);
      expect(first.json).toMatchObject({ channelId: t.channelId, environment: 'test', transactionId: 'order-B-1', sha256: createHash('sha256').update(body).digest('hex') });
      const again = await send('order-B-1');
      expect(again.status).toBe(409);
      expect(again.json).toMatchObject({ code: 'REQUEST_NOT_UNIQUE', messageId: first.json.messageId });

      const readToken = await fetchToken(s.url, reader.clientId, reader.clientSecret);
      const read = await bearerRequest(`${s.url}/vault/v1/messages/${first.json.messageId}`, readToken);
      expect(read.status).toBe(200);
      expect(read.text).toBe(body);
      expect(read.headers.get('x-transaction-id')).toBe('order-B-1');
      const list = await bearerRequest(`${s.url}/vault/v1/messages`, readToken, { headers: { 'idempotency-key': 'list-1' } });
      expect(list.json.items.map((m: any) => m.messageId)).toContain(first.json.messageId);
      expect((await bearerRequest(`${s.url}/vault/v1/messages`, readToken, { headers: { 'idempotency-key': 'list-1' } })).json.code).toBe('REQUEST_NOT_UNIQUE');
      expect((await bearerRequest(`${s.url}/vault/v1/messages`, readToken, { headers: { 'idempotency-key': 'x'.repeat(256) } })).json.code).toBe('INVALID_REQUEST');
    });

    it('refuses the wrong owner (403 SERVICE_ACCESS_ERROR) and a missing role (403 insufficient_scope)', async () => {
      const readToken = await fetchToken(s.url, reader.clientId, reader.clientSecret);
      const bySender = await bearerRequest(`${s.url}/vault/v1/messages`, await fetchToken(s.url, sender.clientId, sender.clientSecret));
      expect(bySender.status).toBe(403);
      expect(bySender.json.code).toBe('SERVICE_ACCESS_ERROR');
      const byReader = await bearerRequest(`${s.url}/ingestion/${t.channelId}`, readToken, { body: '{}', headers: { 'content-type': 'application/json' } });
      expect(byReader.json.code).toBe('SERVICE_ACCESS_ERROR');
      // Another party's client cannot send into this channel.
      const other = await createTenant(s.admin, { businessId: '0737546-2' });
      const stranger = (await s.admin('POST', `/parties/${other.partyId}/clients`, { name: 'stranger' })).body;
      const foreign = await bearerRequest(`${s.url}/ingestion/${t.channelId}`, await fetchToken(s.url, stranger.clientId, stranger.clientSecret), { body: '{}', headers: { 'content-type': 'application/json' } });
      expect(foreign.status).toBe(403);
      expect(foreign.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
    });

    it('refuses a token of a disabled client at once (TOKEN_CLIENT_DISABLED) with WWW-Authenticate', async () => {
      const c = (await s.admin('POST', `/parties/${t.partyId}/clients`, { name: 'soon gone' })).body;
      const token = await fetchToken(s.url, c.clientId, c.clientSecret);
      const send = () => bearerRequest(`${s.url}/ingestion/${t.channelId}`, token, { body: '{"a":1}', headers: { 'content-type': 'application/json' } });
      expect((await send()).status).toBe(200);
      expect((await s.admin('POST', `/clients/${c.clientId}/disable`)).body.status).toBe('disabled');
      const refused = await send();
      expect(refused.status).toBe(401);
      expect(refused.json.code).toBe('TOKEN_CLIENT_DISABLED');
      expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer realm="vaultgate", error="invalid_token", error_description="[^"]+"$/);
      expect((await tokenRequest(s.url, { ...CC, client_id: c.clientId, client_secret: c.clientSecret })).body.error).toBe('invalid_client');
    });

    it('rotates signing keys without downtime: old tokens stay valid, both keys are published', async () => {
      const before = await fetchToken(s.url, sender.clientId, sender.clientSecret);
      const rotated = await s.admin('POST', '/oauth/signing-keys/rotate');
      expect(rotated.body).toMatchObject({ current: true, alg: 'ES256' });
      const after = await fetchToken(s.url, sender.clientId, sender.clientSecret);
      expect(decodeProtectedHeader(after).kid).toBe(rotated.body.kid);
      expect(decodeProtectedHeader(before).kid).not.toBe(rotated.body.kid);
      const kids = (await (await fetch(`${s.url}/.well-known/jwks.json`)).json()).keys.map((k: any) => k.kid);
      expect(kids).toEqual(expect.arrayContaining([rotated.body.kid, decodeProtectedHeader(before).kid]));
      const keys = (await s.admin('GET', '/oauth/signing-keys')).body.items;
      expect(keys.find((k: any) => k.kid === decodeProtectedHeader(before).kid)).toMatchObject({ current: false, publishUntil: expect.any(String) });
      for (const token of [before, after]) {
        const r = await bearerRequest(`${s.url}/ingestion/${t.channelId}`, token, { body: '{"r":1}', headers: { 'content-type': 'application/json' } });
        expect(r.status, r.text).toBe(200);
      }
    });
  });
});

describe('signing keys shared by processes on one database', () => {
  it('a second process verifies the first one\'s tokens, also right after a rotation', async () => {
    const env = { VAULTGATE_PUBLIC_URL: 'https://vaultgate.example.com', VAULTGATE_ADMIN_TOKEN: 'x'.repeat(40) };
    const a = await startTestServer(env);
    const b = await startTestServer(env, a.dataDir);
    try {
      const t = await createTenant(a.admin);
      const c = (await a.admin('POST', `/parties/${t.partyId}/clients`, { name: 'erp' })).body;
      const kidsA = (await (await fetch(`${a.url}/.well-known/jwks.json`)).json()).keys.map((k: any) => k.kid);
      const kidsB = (await (await fetch(`${b.url}/.well-known/jwks.json`)).json()).keys.map((k: any) => k.kid);
      expect(kidsB).toEqual(kidsA);
      expect(kidsA).toHaveLength(1);
      const sendTo = async (url: string, token: string) =>
        (await bearerRequest(`${url}/ingestion/${t.channelId}`, token, { body: '{"p":2}', headers: { 'content-type': 'application/json' } })).status;
      expect(await sendTo(b.url, await fetchToken(a.url, c.clientId, c.clientSecret))).toBe(200);
      // B re-reads the key table (its JWKS) just before A rotates: the new kid then reaches B within the one-second
      // bound of re-reads caused by unknown kids, and B waits for the next allowed re-read rather than refusing it.
      await fetch(`${b.url}/.well-known/jwks.json`);
      const rotated = (await a.admin('POST', '/oauth/signing-keys/rotate')).body;
      const fresh = await fetchToken(a.url, c.clientId, c.clientSecret);
      expect(decodeProtectedHeader(fresh).kid).toBe(rotated.kid);
      expect(await sendTo(b.url, fresh)).toBe(200);
      // A kid this deployment could not have issued is refused without a re-read.
      const [, p, sig] = fresh.split('.');
      const header = Buffer.from(JSON.stringify({ ...decodeProtectedHeader(fresh), kid: 'someone-elses-key' })).toString('base64url');
      expect(await sendTo(b.url, `${header}.${p}.${sig}`)).toBe(401);
    } finally {
      await b.close();
      await a.stop();
    }
  });
});
