import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerRequest } from '../helpers/oauth.js';
import { createTenant, startTestServer, type Tenant, type TestServer } from '../helpers/servers.js';

const RESOURCE = 'api://vaultgate';
const CLIENT = { id: 'vendor-erp', secret: 'a-long-client-secret-of-the-test-provider' };

/** A real OpenID provider (panva/node-oidc-provider) on a random port, issuing JWT access tokens by client credentials. */
async function startProvider(): Promise<{ issuer: string; close: () => Promise<void> }> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const provider = new Provider(issuer, {
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'op-1', alg: 'ES256', use: 'sig' }] as any },
    clients: [{
      client_id: CLIENT.id, client_secret: CLIENT.secret, grant_types: ['client_credentials'], redirect_uris: [], response_types: [],
      token_endpoint_auth_method: 'client_secret_post', id_token_signed_response_alg: 'ES256',
    }],
    ttl: { ClientCredentials: 600 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ audience: RESOURCE, scope: 'ingest vault.read', accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } }),
      },
    },
  });
  server.on('request', provider.callback());
  return { issuer, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('oidc-provider as a real external issuer', () => {
  let op: { issuer: string; close: () => Promise<void> };
  let s: TestServer;
  let t: Tenant;
  beforeAll(async () => {
    op = await startProvider();
    s = await startTestServer({
      VAULTGATE_OIDC_ISSUERS: JSON.stringify([{ issuer: op.issuer, audiences: [RESOURCE], algorithms: ['ES256'], clientIdClaims: ['client_id'], rolesClaim: 'scope' }]),
    });
    t = await createTenant(s.admin);
    expect((await s.admin('POST', `/parties/${t.partyId}/external-clients`, { issuer: op.issuer, clientId: CLIENT.id })).status).toBe(201);
  });
  afterAll(async () => {
    await s.stop();
    await op.close();
  });

  const opToken = async (scope: string): Promise<string> => {
    const res = await fetch(`${op.issuer}/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT.id, client_secret: CLIENT.secret, scope, resource: RESOURCE }),
    });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body.access_token as string;
  };

  it('accepts its JWT access tokens (found by discovery) and refuses tokens it did not sign', async () => {
    const token = await opToken('ingest');
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', typ: 'at+jwt', kid: 'op-1' });
    expect(decodeJwt(token)).toMatchObject({ iss: op.issuer, aud: RESOURCE, client_id: CLIENT.id, scope: 'ingest' });
    const ok = await bearerRequest(`${s.url}/ingestion/${t.channelId}`, token, { body: '{"from":"oidc-provider"}', headers: { 'content-type': 'application/json' } });
    expect(ok.status, ok.text).toBe(200);

    // Same issuer, kid and claims, signed by a key the provider does not hold.
    const impostor = await generateKeyPair('ES256');
    const forged = await new SignJWT(decodeJwt(token)).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'op-1' }).sign(impostor.privateKey);
    const refused = await bearerRequest(`${s.url}/ingestion/${t.channelId}`, forged, { body: '{}', headers: { 'content-type': 'application/json' } });
    expect(refused.status).toBe(401);
    expect(refused.json.code).toBe('TOKEN_SIGNATURE_INVALID');
  });

  it('a token granted only vault.read cannot send (403)', async () => {
    const r = await bearerRequest(`${s.url}/ingestion/${t.channelId}`, await opToken('vault.read'), { body: '{}', headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(403);
    expect(r.json.code).toBe('SCOPE_MISSING');
  });
});
