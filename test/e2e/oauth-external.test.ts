import { createPublicKey } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerRequest, signToken, startJwksServer, testKey, type JwksServer, type TestKey } from '../helpers/oauth.js';
import { createTenant, startTestServer, type Tenant, type TestServer } from '../helpers/servers.js';

const TID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const V1 = `https://sts.windows.net/${TID}/`;
const V2 = `https://login.microsoftonline.com/${TID}/v2.0`;
const B2C = `https://contoso.b2clogin.com/${TID}/v2.0/`;
const AUD = 'api://vaultgate-test';
const APP = '6e74172b-be56-4843-9ff4-e66a39bb12e3';
const B2C_APP = '0b1c5a2e-1a9f-4e65-8f55-7f1b8c4a9d10';
const B2C_POLICY = 'B2C_1A_ClientCredentials';
const ROLE_MAP = { 'Vaultgate.Ingest': 'ingest', 'Vaultgate.Read': 'vault.read' };

const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('external OpenID Connect issuers: Entra ID v1, v2, B2C shapes and the attack suite', () => {
  let j: JwksServer;
  let s: TestServer;
  let t: Tenant;
  let entra: TestKey;
  let b2c: TestKey;
  const v2Claims = () => ({ iss: V2, aud: AUD, azp: APP, azpacr: '1', roles: ['Vaultgate.Ingest'], tid: TID, oid: 'b0f0', sub: 'b0f0', ver: '2.0' });
  const send = (token: string, body = '{"order":"E-1"}') =>
    bearerRequest(`${s.url}/ingestion/${t.channelId}`, token, { body, headers: { 'content-type': 'application/json' } });

  beforeAll(async () => {
    j = await startJwksServer();
    entra = await testKey('RS256', 'entra-1');
    b2c = await testKey('RS256', 'b2c-1');
    j.keys.set('entra', [entra.publicJwk]);
    j.keys.set('b2c', [b2c.publicJwk]);
    j.discovery.set('entra-v2', { issuer: V2, jwks_uri: `${j.url}/entra/jwks.json`, token_endpoint: 'https://login.microsoftonline.com/token' });
    const issuers = [
      { issuer: V2, discoveryUrl: `${j.url}/entra-v2/.well-known/openid-configuration`, audiences: [AUD], algorithms: ['RS256'], clientIdClaims: ['azp'], roleMap: ROLE_MAP },
      { issuer: V1, jwksUri: `${j.url}/entra/jwks.json`, audiences: [AUD], clientIdClaims: ['appid'], roleMap: ROLE_MAP },
      { issuer: B2C, jwksUri: `${j.url}/b2c/jwks.json`, audiences: [B2C_APP], clientIdClaims: ['azp', 'sub'], rolesClaim: 'scp', roleMap: { 'Vault.Read': 'vault.read' }, requiredClaims: { tfp: B2C_POLICY } },
      { issuer: 'https://idp.down.example/', jwksUri: 'http://127.0.0.1:1/jwks.json', audiences: [AUD] },
    ];
    s = await startTestServer({ VAULTGATE_OIDC_ISSUERS: JSON.stringify(issuers) });
    t = await createTenant(s.admin);
    for (const issuer of [V1, V2]) {
      const l = await s.admin('POST', `/parties/${t.partyId}/external-clients`, { issuer, clientId: APP });
      expect(l.status, JSON.stringify(l.body)).toBe(201);
      expect(l.body.id).toMatch(/^xcl_test_/);
    }
    expect((await s.admin('POST', `/companies/${t.companyId}/external-clients`, { issuer: B2C, clientId: B2C_APP })).status).toBe(201);
  });
  afterAll(async () => {
    await s.stop();
    await j.close();
  });

  describe('accepted shapes', () => {
    it('Entra v2 (discovery, azp, roles) and v1 (sts.windows.net issuer, appid) send into the party channel', async () => {
      expect((await send(await signToken(entra, v2Claims()))).status).toBe(200);
      const v1 = await signToken(entra, { iss: V1, aud: AUD, appid: APP, appidacr: '1', roles: ['Vaultgate.Ingest'], tid: TID, ver: '1.0' });
      const r = await send(v1);
      expect(r.status, r.text).toBe(200);
      expect(j.fetches.get('/entra-v2/.well-known/openid-configuration')).toBe(1);
    });

    it('B2C (b2clogin issuer, tfp policy, scp) reads the company vault; another policy is TOKEN_CLAIM_MISMATCH', async () => {
      const claims = { iss: B2C, aud: B2C_APP, azp: B2C_APP, sub: B2C_APP, tfp: B2C_POLICY, scp: 'Vault.Read', ver: '1.0' };
      const ok = await bearerRequest(`${s.url}/vault/v1/messages`, await signToken(b2c, claims));
      expect(ok.status, ok.text).toBe(200);
      const other = await bearerRequest(`${s.url}/vault/v1/messages`, await signToken(b2c, { ...claims, tfp: 'B2C_1_signin' }));
      expect(other.json.code).toBe('TOKEN_CLAIM_MISMATCH');
    });

    it('a valid token of an unlinked client is TOKEN_CLIENT_UNKNOWN; after unlinking, the linked one is too', async () => {
      expect((await send(await signToken(entra, { ...v2Claims(), azp: 'not-linked' }))).json.code).toBe('TOKEN_CLIENT_UNKNOWN');
      const links = await s.admin('GET', `/parties/${t.partyId}/external-clients`);
      const v1Link = links.body.items.find((l: any) => l.issuer === V1);
      expect((await s.admin('POST', `/external-clients/${v1Link.id}/disable`)).body.status).toBe('disabled');
      const v1 = await signToken(entra, { iss: V1, aud: AUD, appid: APP, roles: ['Vaultgate.Ingest'] });
      expect((await send(v1)).json.code).toBe('TOKEN_CLIENT_UNKNOWN');
      expect((await s.admin('POST', `/parties/${t.partyId}/external-clients`, { issuer: V2, clientId: APP })).body.code).toBe('EXTERNAL_CLIENT_ALREADY_LINKED');
      expect((await s.admin('POST', `/parties/${t.partyId}/external-clients`, { issuer: 'https://evil.example/', clientId: APP })).body.code).toBe('INVALID_REQUEST');
    });

    it('an issuer whose keys cannot be fetched is TOKEN_ISSUER_UNAVAILABLE (503)', async () => {
      const down = await testKey('RS256', 'down');
      const r = await send(await signToken(down, { iss: 'https://idp.down.example/', aud: AUD, azp: APP }));
      expect(r.status).toBe(503);
      expect(r.json.code).toBe('TOKEN_ISSUER_UNAVAILABLE');
    });
  });

  describe('attack suite: each refused with its code and WWW-Authenticate: Bearer error="invalid_token"', () => {
    const refused = async (token: string, code: string) => {
      const r = await send(token);
      expect(r.status, `${code}: ${r.text}`).toBe(401);
      expect(r.json.code).toBe(code);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer realm="vaultgate", error="invalid_token", error_description="[^"]+"$/);
    };
    const now = () => Math.floor(Date.now() / 1000);

    it('alg none', async () => {
      await refused(`${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...v2Claims(), exp: now() + 600 })}.`, 'TOKEN_ALGORITHM_REJECTED');
    });

    it("HS256 signed with the issuer's public key", async () => {
      const pem = createPublicKey({ key: entra.publicJwk as any, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
      const forged = await new SignJWT({ ...v2Claims() }).setProtectedHeader({ alg: 'HS256', kid: entra.kid }).setExpirationTime('1h').sign(Buffer.from(pem));
      await refused(forged, 'TOKEN_ALGORITHM_REJECTED');
    });

    it('expired, and nbf in the future (beyond the 60 s leeway)', async () => {
      await refused(await signToken(entra, { ...v2Claims(), iat: now() - 7200, nbf: now() - 7200, exp: now() - 120 }), 'TOKEN_EXPIRED');
      await refused(await signToken(entra, { ...v2Claims(), nbf: now() + 600 }), 'TOKEN_NOT_YET_VALID');
      // Within the leeway both pass.
      expect((await send(await signToken(entra, { ...v2Claims(), iat: now() - 3600, exp: now() - 30 }))).status).toBe(200);
    });

    it('wrong iss, wrong aud', async () => {
      await refused(await signToken(entra, { ...v2Claims(), iss: `https://login.microsoftonline.com/${TID}/v2.0/` }), 'TOKEN_ISSUER_UNTRUSTED');
      await refused(await signToken(entra, { ...v2Claims(), aud: 'api://someone-else' }), 'TOKEN_AUDIENCE_MISMATCH');
    });

    it('jku, x5u and an embedded jwk pointing elsewhere', async () => {
      const attacker = await generateKeyPair('RS256');
      const mine = { ...(await exportJWK(attacker.publicKey)), kid: entra.kid };
      const sign = (header: Record<string, unknown>) =>
        new SignJWT(v2Claims()).setProtectedHeader({ alg: 'RS256', kid: entra.kid, ...header }).setExpirationTime('1h').sign(attacker.privateKey);
      await refused(await sign({ jku: 'https://attacker.example/jwks.json' }), 'TOKEN_HEADER_REJECTED');
      await refused(await sign({ x5u: 'https://attacker.example/cert.pem' }), 'TOKEN_HEADER_REJECTED');
      await refused(await sign({ jwk: mine }), 'TOKEN_HEADER_REJECTED');
      // The same kid signed by another key (nothing in the header): the signature fails.
      await refused(await sign({}), 'TOKEN_SIGNATURE_INVALID');
    });

    it('a payload altered after signing', async () => {
      const [h, , sig] = (await signToken(entra, { ...v2Claims(), roles: [] })).split('.');
      await refused(`${h}.${b64({ ...v2Claims(), exp: now() + 600 })}.${sig}`, 'TOKEN_SIGNATURE_INVALID');
    });

    it('a valid token without the needed role is 403 insufficient_scope', async () => {
      const r = await send(await signToken(entra, { ...v2Claims(), roles: ['Vaultgate.Read'] }));
      expect(r.status).toBe(403);
      expect(r.json.code).toBe('SCOPE_MISSING');
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer realm="vaultgate", error="insufficient_scope"/);
    });

    it('unknown kid: one refetch picks up a rotated key; further unknown kids cause no fetch within the interval', async () => {
      const path = '/entra/jwks.json';
      const next = await testKey('RS256', 'entra-2');
      j.keys.set('entra', [entra.publicJwk, next.publicJwk]);
      const before = j.fetches.get(path)!;
      expect((await send(await signToken(next, v2Claims()))).status).toBe(200);
      expect(j.fetches.get(path)).toBe(before + 1);
      const rogue = await testKey('RS256', 'rogue');
      for (let i = 0; i < 5; i++) await refused(await signToken(rogue, v2Claims(), { kid: `rogue-${i}` }), 'TOKEN_KEY_UNKNOWN');
      expect(j.fetches.get(path)).toBe(before + 1);
    });

    it('malformed tokens', async () => {
      await refused('not-a-jwt', 'TOKEN_MALFORMED');
      await refused(`${b64({ alg: 'RS256' })}.${Buffer.from('{not json').toString('base64url')}.c2ln`, 'TOKEN_MALFORMED');
    });
  });
});

describe('a built-in token from another environment', () => {
  it('is TOKEN_ENVIRONMENT_MISMATCH on a deployment of another environment sharing the database', async () => {
    const env = { VAULTGATE_PUBLIC_URL: 'https://vaultgate.example.com' };
    const a = await startTestServer(env);
    const t = await createTenant(a.admin);
    const c = (await a.admin('POST', `/parties/${t.partyId}/clients`, { name: 'erp' })).body;
    const res = await fetch(`${a.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret }) });
    const token = (await res.json()).access_token as string;
    await a.close();
    const b = await startTestServer({ ...env, VAULTGATE_ENVIRONMENT: 'uat', VAULTGATE_ADMIN_TOKEN: a.adminToken }, a.dataDir);
    try {
      const r = await bearerRequest(`${b.url}/vault/v1/messages`, token);
      expect(r.status).toBe(401);
      expect(r.json.code).toBe('TOKEN_ENVIRONMENT_MISMATCH');
    } finally {
      await b.stop();
    }
  });
});
