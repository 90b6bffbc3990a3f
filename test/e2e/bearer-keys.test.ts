/*
 * Issue 11 §4: keys an issuer publishes in any shape (x5c-only certificates, malformed JWKs) and token times
 * (iat in the future, lifetimes), through a real server process, a real JWKS server and real signed tokens. The
 * x5c keys are real self-signed certificates made with openssl.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importPKCS8, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../helpers/mac-request.js';
import { startJwksServer, tokenRequest, type JwksServer } from '../helpers/oauth.js';
import { logLines, waitFor } from '../helpers/processes.js';
import { adminCall, createTenant, spawnServer, tempDir, type ServerProcess, type Tenant } from '../helpers/servers.js';

const AUD = 'api://vaultgate-keys';
const APP = 'c0ffee00-0000-4000-8000-000000000001';
const X5C_ISS = 'https://certs.idp.example/';
const BAD_ISS = 'https://bad-keys.idp.example/';
const SHORT_ISS = 'https://short.idp.example/';
const ADMIN_TOKEN = 'bearer-keys-admin-token-0123456789abcdef';

/** A self-signed certificate and its private key, made by openssl (Node has no X.509 generator). */
function selfSigned(dir: string, name: string, newkey: string[]): { der: string; keyPem: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  execFileSync('openssl', ['req', '-x509', ...newkey, '-nodes', '-subj', `/CN=${name}`, '-days', '2', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  const pem = readFileSync(cert, 'utf8');
  return { der: pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), keyPem: readFileSync(key, 'utf8') };
}

describe('bearer tokens: issuer keys of any shape, iat and lifetime', () => {
  let dir: string;
  let srv: ServerProcess;
  let j: JwksServer;
  let t: Tenant;
  let rsaCert: { der: string; keyPem: string };
  let rsaCertKey: CryptoKey;
  let ecCert: { der: string; keyPem: string };
  let ecCertKey: CryptoKey;
  const admin = (method: 'GET' | 'POST', path: string, body?: unknown) => adminCall(srv.url, ADMIN_TOKEN, method, path, body);
  const send = (token: string) => rawRequest({
    method: 'POST', url: `${srv.url}/ingestion/${t.channelId}`, body: '{"order":"K-1"}',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  });
  const sign = (key: CryptoKey, alg: string, kid: string, claims: Record<string, unknown>) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ aud: AUD, azp: APP, roles: ['ingest'], iat: now, nbf: now, exp: now + 3600, ...claims })
      .setProtectedHeader({ alg, kid, typ: 'JWT' }).sign(key);
  };

  beforeAll(async () => {
    dir = tempDir('vg-keys-');
    rsaCert = selfSigned(dir, 'rsa-issuer', ['-newkey', 'rsa:2048']);
    rsaCertKey = await importPKCS8(rsaCert.keyPem, 'RS256');
    ecCert = selfSigned(dir, 'ec-issuer', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    ecCertKey = await importPKCS8(ecCert.keyPem, 'ES256');
    j = await startJwksServer();
    // Only the certificate chain: no n/e, no x/y.
    j.keys.set('certs', [
      { kty: 'RSA', kid: 'cert-rsa', use: 'sig', x5c: [rsaCert.der] },
      { kty: 'EC', crv: 'P-256', kid: 'cert-ec', use: 'sig', x5c: [ecCert.der] },
    ]);
    const good = await generateKeyPair('ES256', { extractable: true });
    j.keys.set('bad', [
      { kty: 'RSA', kid: 'bad-n', n: '%%% not base64url %%%', e: 'AQAB' },
      { kty: 'RSA', kid: 'short-n', n: 'AQAB', e: 'AQAB' },
      { kty: 'RSA', kid: 'garbage-x5c', x5c: ['Z2FyYmFnZQ=='] },
      { kty: 'RSA', kid: 'not-a-chain', x5c: 'MIIB' } as unknown as JWK,
      // Says EC, holds an RSA certificate.
      { kty: 'EC', crv: 'P-256', kid: 'liar', x5c: [rsaCert.der] },
      { ...(await exportJWK(good.publicKey)), kid: 'k256', crv: 'secp256k1' },
      { kty: 'OKP', crv: 'X25519', kid: 'x25519', x: 'hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo' },
    ]);
    j.keys.set('short', [{ ...(await exportJWK(good.publicKey)), kid: 'short-1', alg: 'ES256', use: 'sig' }]);
    (j as unknown as { good: CryptoKey }).good = good.privateKey;
    const issuers = [
      { issuer: X5C_ISS, jwksUri: `${j.url}/certs/jwks.json`, audiences: [AUD], algorithms: ['RS256', 'ES256'], clientIdClaims: ['azp'] },
      { issuer: BAD_ISS, jwksUri: `${j.url}/bad/jwks.json`, audiences: [AUD], algorithms: ['RS256', 'ES256', 'EdDSA'], clientIdClaims: ['azp'], jwksMinRefetchIntervalS: 0 },
      { issuer: SHORT_ISS, jwksUri: `${j.url}/short/jwks.json`, audiences: [AUD], algorithms: ['ES256'], clientIdClaims: ['azp'], maxTokenLifetimeS: 3600 },
    ];
    srv = await spawnServer({ VAULTGATE_DATA_DIR: dir, VAULTGATE_ADMIN_TOKEN: ADMIN_TOKEN, VAULTGATE_OIDC_ISSUERS: JSON.stringify(issuers), VAULTGATE_LOG_LEVEL: 'info' });
    t = await createTenant(admin);
    for (const issuer of [X5C_ISS, BAD_ISS, SHORT_ISS]) {
      expect((await admin('POST', `/parties/${t.partyId}/external-clients`, { issuer, clientId: APP })).status).toBe(201);
    }
  });
  afterAll(async () => {
    srv.child.kill('SIGTERM');
    expect(await srv.exited).toBe(0);
    await j.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies tokens against x5c-only keys (RSA and EC certificates)', async () => {
    const rsa = await send(await sign(rsaCertKey, 'RS256', 'cert-rsa', { iss: X5C_ISS }));
    expect(rsa.status, rsa.text).toBe(200);
    const ec = await send(await sign(ecCertKey, 'ES256', 'cert-ec', { iss: X5C_ISS }));
    expect(ec.status, ec.text).toBe(200);
    // The certificate's key, not any key: a token signed by another key still fails its signature.
    const other = await generateKeyPair('RS256');
    expect((await send(await sign(other.privateKey, 'RS256', 'cert-rsa', { iss: X5C_ISS }))).json().code).toBe('TOKEN_SIGNATURE_INVALID');
  });

  it.each([
    ['bad-n', 'RS256'], ['short-n', 'RS256'], ['garbage-x5c', 'RS256'], ['not-a-chain', 'RS256'], ['liar', 'ES256'], ['k256', 'ES256'], ['x25519', 'EdDSA'],
  ])('a published key that cannot be used (%s, %s) is 401 TOKEN_KEY_UNUSABLE, never a 5xx, its kid logged at warn', async (kid, alg) => {
    const { privateKey } = await generateKeyPair(alg === 'EdDSA' ? 'Ed25519' : alg);
    const res = await send(await sign(privateKey, alg, kid, { iss: BAD_ISS }));
    expect(res.status, res.text).toBe(401);
    expect(res.json()).toMatchObject({ code: 'TOKEN_KEY_UNUSABLE', status: 401 });
    expect(String(res.headers['www-authenticate'])).toContain('error="invalid_token"');
    expect(res.headers['retry-after']).toBeUndefined();
    await waitFor(() => logLines(srv).some((l) => l.code === 'TOKEN_KEY_UNUSABLE' && l.kid === kid && l.level === 40), `a warning naming ${kid}`);
  });

  it('refuses iat beyond the leeway (a year, and two minutes, ahead); accepts iat within it', async () => {
    const good = (j as unknown as { good: CryptoKey }).good;
    const now = Math.floor(Date.now() / 1000);
    const year = 365 * 86400;
    const ahead = await send(await sign(good, 'ES256', 'short-1', { iss: SHORT_ISS, iat: now + year, nbf: now, exp: now + year + 600 }));
    expect(ahead.status).toBe(401);
    expect(ahead.json()).toMatchObject({ code: 'TOKEN_NOT_YET_VALID' });
    expect(ahead.json().detail).toMatch(/iat is \d+ s ahead/);
    const twoMinutes = await send(await sign(good, 'ES256', 'short-1', { iss: SHORT_ISS, iat: now + 120, nbf: now, exp: now + 600 }));
    expect(twoMinutes.json().code).toBe('TOKEN_NOT_YET_VALID');
    const skewed = await send(await sign(good, 'ES256', 'short-1', { iss: SHORT_ISS, iat: now + 30, nbf: now, exp: now + 600 }));
    expect(skewed.status, skewed.text).toBe(200);
  });

  it('refuses a lifetime over the issuer maximum (exp - iat, or exp - now without iat), and over the 24 h default', async () => {
    const good = (j as unknown as { good: CryptoKey }).good;
    const now = Math.floor(Date.now() / 1000);
    const long = await send(await sign(good, 'ES256', 'short-1', { iss: SHORT_ISS, iat: now - 60, exp: now + 3600 }));
    expect(long.status).toBe(401);
    expect(long.json()).toMatchObject({ code: 'TOKEN_LIFETIME_TOO_LONG' });
    expect(long.json().detail).toMatch(/lives 3660 s \(exp - iat\); at most 3600 s/);
    const noIat = await send(await sign(good, 'ES256', 'short-1', { iss: SHORT_ISS, iat: undefined, exp: now + 7200 }));
    expect(noIat.json()).toMatchObject({ code: 'TOKEN_LIFETIME_TOO_LONG' });
    expect(noIat.json().detail).toMatch(/exp - now, no iat/);
    const fits = await send(await sign(good, 'ES256', 'short-1', { iss: SHORT_ISS, iat: undefined, exp: now + 3000 }));
    expect(fits.status, fits.text).toBe(200);
    const decade = await send(await sign(rsaCertKey, 'RS256', 'cert-rsa', { iss: X5C_ISS, exp: now + 10 * 365 * 86400 }));
    expect(decade.json()).toMatchObject({ code: 'TOKEN_LIFETIME_TOO_LONG' });
    expect((await send(await sign(rsaCertKey, 'RS256', 'cert-rsa', { iss: X5C_ISS, exp: now + 86400 }))).status).toBe(200);
  });

  describe('client keys for private_key_jwt', () => {
    const endpoint = () => `${srv.url}/oauth2/token`;
    const assertion = (key: CryptoKey, alg: string, clientId: string, o: { iat?: number; exp: number; jti: string }) =>
      new SignJWT({ jti: o.jti, ...(o.iat === undefined ? {} : { iat: o.iat }) }).setProtectedHeader({ alg })
        .setIssuer(clientId).setSubject(clientId).setAudience(endpoint()).setExpirationTime(o.exp).sign(key);
    const form = (a: string) => ({
      grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: a,
    });

    it('registers an x5c-only key and authenticates with its certificate; refuses malformed keys at registration', async () => {
      const c = await admin('POST', `/parties/${t.partyId}/clients`, { name: 'cert client', jwk: { kty: 'RSA', x5c: [rsaCert.der] } });
      expect(c.status, JSON.stringify(c.body)).toBe(201);
      const now = Math.floor(Date.now() / 1000);
      const ok = await tokenRequest(srv.url, form(await assertion(rsaCertKey, 'RS256', c.body.clientId, { iat: now, exp: now + 120, jti: 'x5c-1' })));
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      for (const jwk of [{ kty: 'RSA', n: '%%%', e: 'AQAB' }, { kty: 'RSA', x5c: ['Z2FyYmFnZQ=='] }, { kty: 'EC', crv: 'P-256', x5c: [rsaCert.der] }, { kty: 'EC', crv: 'secp256k1', x: 'AA', y: 'AA' }]) {
        const bad = await admin('POST', `/parties/${t.partyId}/clients`, { name: 'bad', jwk });
        expect(bad.status, JSON.stringify(jwk)).toBe(400);
        expect(bad.body).toMatchObject({ code: 'INVALID_REQUEST', detail: expect.stringMatching(/jwk/) });
      }
    });

    it('refuses assertions with iat ahead of the leeway or living longer than 10 minutes (invalid_client)', async () => {
      const { publicKey, privateKey } = await generateKeyPair('ES256');
      const c = (await admin('POST', `/parties/${t.partyId}/clients`, { name: 'times', jwk: await exportJWK(publicKey) })).body;
      const now = Math.floor(Date.now() / 1000);
      const ahead = await tokenRequest(srv.url, form(await assertion(privateKey, 'ES256', c.clientId, { iat: now + 365 * 86400, exp: now + 300, jti: 't-1' })));
      expect(ahead.status).toBe(401);
      expect(ahead.body).toMatchObject({ error: 'invalid_client', code: 'OAUTH_INVALID_CLIENT', error_description: expect.stringMatching(/iat is \d+ s ahead/) });
      const long = await tokenRequest(srv.url, form(await assertion(privateKey, 'ES256', c.clientId, { iat: now - 3000, exp: now + 300, jti: 't-2' })));
      expect(long.body).toMatchObject({ error: 'invalid_client', error_description: expect.stringMatching(/lives 3300 s .*at most 600 s/) });
      const fine = await tokenRequest(srv.url, form(await assertion(privateKey, 'ES256', c.clientId, { iat: now, exp: now + 300, jti: 't-3' })));
      expect(fine.status, JSON.stringify(fine.body)).toBe(200);
    });
  });
});
