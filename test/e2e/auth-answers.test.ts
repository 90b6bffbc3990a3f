/*
 * Issue 11 §6 (answers that carry a secret are never stored by a cache) and §9 (what a misled client is told: a
 * JSON token request, a bearer 403). A real server on a real socket.
 */
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { macRequest, rawRequest } from '../helpers/mac-request.js';
import { bearerRequest, fetchToken, signToken, startJwksServer, testKey, tokenRequest, type JwksServer } from '../helpers/oauth.js';
import { createTenant, startTestServer, type Tenant, type TestServer } from '../helpers/servers.js';

const EXT_ISS = 'https://idp.answers.example/';
const AUD = 'api://vaultgate-answers';
const APP = 'a11ce000-0000-4000-8000-000000000009';

describe('answers that carry secrets, and remedies that fit the request', () => {
  let s: TestServer;
  let t: Tenant;
  let j: JwksServer;
  const adminRaw = (method: string, path: string, body?: unknown, token?: string) => rawRequest({
    method, url: `${s.url}/admin/v1${path}`,
    headers: { authorization: `Bearer ${token ?? s.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

  beforeAll(async () => {
    j = await startJwksServer();
    const key = await testKey('RS256', 'answers-1');
    j.keys.set('idp', [key.publicJwk]);
    (j as unknown as { key: typeof key }).key = key;
    s = await startTestServer({ VAULTGATE_OIDC_ISSUERS: JSON.stringify([{ issuer: EXT_ISS, jwksUri: `${j.url}/idp/jwks.json`, audiences: [AUD], clientIdClaims: ['azp'] }]) });
    t = await createTenant(s.admin);
  });
  afterAll(async () => {
    await s.stop();
    await j.close();
  });

  describe('Cache-Control: no-store', () => {
    it('on every admin answer that shows a secret: partner and customer credentials, secret and key clients', async () => {
      const created = [
        await adminRaw('POST', `/parties/${t.partyId}/partner-credentials`),
        await adminRaw('POST', `/companies/${t.companyId}/customer-credentials`, { name: 'cache test', scopes: ['ingest'] }),
        await adminRaw('POST', `/parties/${t.partyId}/clients`, { name: 'cache test' }),
        await adminRaw('POST', `/companies/${t.companyId}/clients`, { name: 'cache test' }),
      ];
      expect(created.map((r) => r.status)).toEqual([201, 201, 201, 201]);
      expect(created[0]!.json().partnerKey).toBeTruthy();
      expect(created[1]!.json().customerKey).toBeTruthy();
      expect(created[2]!.json().clientSecret).toBeTruthy();
      for (const r of created) expect(r.headers['cache-control']).toBe('no-store');
      const { publicKey } = await generateKeyPair('ES256');
      const keyClient = await adminRaw('POST', `/parties/${t.partyId}/clients`, { name: 'key client', jwk: await exportJWK(publicKey) });
      expect(keyClient.status).toBe(201);
      expect(keyClient.headers['cache-control']).toBe('no-store');
    });

    it('on key rotations, listings, metrics and the admin refusals too (the whole operator surface)', async () => {
      const answers = [
        await adminRaw('POST', '/oauth/signing-keys/rotate'),
        await adminRaw('POST', `/companies/${t.companyId}/rotate-key`),
        await adminRaw('GET', `/parties/${t.partyId}/clients`),
        await adminRaw('GET', '/companies', undefined, 'not-the-admin-token-but-long-enough-0123456789'),
        await rawRequest({ method: 'GET', url: `${s.url}/metrics`, headers: { authorization: `Bearer ${s.adminToken}` } }),
      ];
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 401, 200]);
      for (const r of answers) expect(r.headers['cache-control']).toBe('no-store');
    });

    it('on the token endpoint: the token and every RFC 6749 §5.2 error, with Pragma: no-cache (RFC 6749 §5.1)', async () => {
      const client = (await s.admin('POST', `/parties/${t.partyId}/clients`, { name: 'token cache' })).body;
      const answers = [
        await tokenRequest(s.url, { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }),
        await tokenRequest(s.url, { grant_type: 'client_credentials', client_id: client.clientId, client_secret: 'vgs_wrong' }),
        await tokenRequest(s.url, { grant_type: 'password', client_id: client.clientId, client_secret: client.clientSecret }),
        await tokenRequest(s.url, { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, scope: 'vault.read' }),
        await tokenRequest(s.url, { client_id: client.clientId }),
      ];
      expect(answers.map((r) => r.status)).toEqual([200, 401, 400, 400, 400]);
      expect(answers.map((r) => r.body.error)).toEqual([undefined, 'invalid_client', 'unsupported_grant_type', 'invalid_scope', 'invalid_request']);
      for (const r of answers) {
        expect(r.headers.get('cache-control')).toBe('no-store');
        expect(r.headers.get('pragma')).toBe('no-cache');
      }
    });
  });

  describe('the token endpoint takes a form (RFC 6749 §4.4.2)', () => {
    it.each([
      ['application/json', JSON.stringify({ grant_type: 'client_credentials', client_id: 'oc_test_x', client_secret: 'x' }), /application\/x-www-form-urlencoded .*got application\/json/],
      ['application/json', '{not json', /got application\/json/],
      ['text/plain', 'grant_type=client_credentials', /got text\/plain/],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nclient_credentials\r\n--x--\r\n', /got multipart\/form-data/],
    ])('a %s body is told to send application/x-www-form-urlencoded, as invalid_request', async (type, body, detail) => {
      const r = await rawRequest({ method: 'POST', url: `${s.url}/oauth2/token`, headers: { 'content-type': type }, body });
      expect(r.status).toBe(400);
      const answer = r.json();
      expect(answer).toMatchObject({ error: 'invalid_request', code: 'OAUTH_INVALID_REQUEST' });
      expect(answer.error_description).toMatch(detail);
      expect(answer.error_description).toMatch(/RFC 6749 §4\.4\.2/);
      expect(answer.error_description).not.toMatch(/grant_type is missing/);
      expect(r.headers['cache-control']).toBe('no-store');
    });

    it('a POST without a body or Content-Type is told the same', async () => {
      const r = await rawRequest({ method: 'POST', url: `${s.url}/oauth2/token` });
      expect(r.status).toBe(400);
      expect(r.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/x-www-form-urlencoded .*got none/) });
    });
  });

  describe('a bearer 403 is given bearer remedies; a MAC 403 keeps the MAC remedy', () => {
    it('SERVICE_ACCESS_ERROR: a company client sending, a party client reading', async () => {
      const companyClient = (await s.admin('POST', `/companies/${t.companyId}/clients`, { name: 'reader' })).body;
      const partyClient = (await s.admin('POST', `/parties/${t.partyId}/clients`, { name: 'sender' })).body;
      const sendAsCompany = await bearerRequest(`${s.url}/ingestion/${t.channelId}`, await fetchToken(s.url, companyClient.clientId, companyClient.clientSecret), {
        body: '{}', headers: { 'content-type': 'application/json' },
      });
      const readAsParty = await bearerRequest(`${s.url}/vault/v1/messages`, await fetchToken(s.url, partyClient.clientId, partyClient.clientSecret));
      for (const r of [sendAsCompany, readAsParty]) {
        expect(r.status).toBe(403);
        expect(r.json.code).toBe('SERVICE_ACCESS_ERROR');
        expect(r.json.remedy).toMatch(/OAuth client of the channel's party/);
        expect(r.json.remedy).not.toMatch(/Organisation-ID|customer credential/);
      }
      const mac = await macRequest({ baseUrl: s.url, target: `/ingestion/${t.channelId}`, creds: { ...t.sender, organisationId: '0000000-0' }, body: '{}', headers: { 'content-type': 'application/json' } });
      expect(mac.json()).toMatchObject({ code: 'SERVICE_ACCESS_ERROR', remedy: expect.stringMatching(/Organisation-ID/) });
    });

    it('SCOPE_MISSING: a token without the role is told about scope and audience, not MAC credentials', async () => {
      const key = (j as unknown as { key: Awaited<ReturnType<typeof testKey>> }).key;
      expect((await s.admin('POST', `/parties/${t.partyId}/external-clients`, { issuer: EXT_ISS, clientId: APP })).status).toBe(201);
      const token = await signToken(key, { iss: EXT_ISS, aud: AUD, azp: APP, roles: ['Something.Else'] });
      const r = await bearerRequest(`${s.url}/ingestion/${t.channelId}`, token, { body: '{}', headers: { 'content-type': 'application/json' } });
      expect(r.status).toBe(403);
      expect(r.json.code).toBe('SCOPE_MISSING');
      expect(r.json.remedy).toMatch(/scope=ingest/);
      expect(r.json.remedy).toMatch(/audience/);
      expect(r.headers.get('www-authenticate')).toMatch(/insufficient_scope/);
      const mac = await macRequest({ baseUrl: s.url, target: `/ingestion/${t.channelId}`, creds: t.reader, body: '{}', headers: { 'content-type': 'application/json' } });
      expect(mac.json()).toMatchObject({ code: 'SCOPE_MISSING', remedy: expect.stringMatching(/^Use a credential with the needed scope \(ingest or vault\.read\): the company admin creates one \(vaultgate org --org <company> credentials create --kind customer/) });
    });
  });
});
