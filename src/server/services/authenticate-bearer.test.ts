import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteKeyStore, openSqliteStore, type SqliteStore } from '../../store/index.js';
import { signToken, startJwksServer, testKey, type JwksServer, type TestKey } from '../../../test/helpers/oauth.js';
import { parseOidcIssuers } from '../config/oidc-issuers.js';
import { loadKeyring } from '../crypto/keyring.js';
import { VaultCrypto } from '../crypto/vault-crypto.js';
import { BearerAuthenticator } from './authenticate-bearer.js';
import { RegistryCache } from './registry-cache.js';
import { SigningKeys } from './signing-keys.js';

/*
 * The verified-token cache, observed from outside: a cached token is not verified again (it stays accepted after its
 * key is withdrawn), but never beyond exp + leeway, and never more than `maxCachedTokens` are kept.
 */
describe('BearerAuthenticator: verified-token cache', () => {
  const ISS = 'https://idp.example/';
  let j: JwksServer;
  let key: TestKey;
  let store: SqliteStore;
  let t = Date.UTC(2026, 10, 25, 12);
  const clock = { now: () => t };
  let auth: BearerAuthenticator;
  let crypto: VaultCrypto;

  beforeAll(async () => {
    j = await startJwksServer();
    key = await testKey('ES256', 'k1');
    j.keys.set('idp', [key.publicJwk]);
    store = openSqliteStore({ file: ':memory:' });
    const keyStore = openSqliteKeyStore({ file: ':memory:' });
    crypto = new VaultCrypto(keyStore, loadKeyring({ masterKey: randomBytes(32).toString('base64'), file: '' }).keyring, clock, 'test');
    const issuers = parseOidcIssuers([{ issuer: ISS, jwksUri: `${j.url}/idp/jwks.json`, audiences: ['api'], algorithms: ['ES256'], jwksMinRefetchIntervalS: 0 }]);
    if (!issuers.ok) throw new Error(issuers.problem);
    const cache = new RegistryCache(clock.now, 0);
    const signingKeys = new SigningKeys({ store, crypto, clock, environment: 'test', alg: 'ES256', tokenLifetimeS: 3599 });
    auth = new BearerAuthenticator({ store, cache, clock, environment: 'test', publicBaseUrl: () => 'https://vg.example', signingKeys, issuers: issuers.value, maxCachedTokens: 3 });
    await store.createParty({ id: 'tp_test_cache', name: 'P', status: 'active', createdAt: new Date(t).toISOString(), disabledAt: null });
    await store.createExternalClientLink({ id: 'xcl_test_cache', issuer: ISS, clientId: 'app', ownerKind: 'party', ownerId: 'tp_test_cache', roles: ['ingest'], status: 'active', createdAt: new Date(t).toISOString(), disabledAt: null });
  });
  afterAll(async () => {
    await store.close();
    await j.close();
  });

  const token = (n: number) => {
    const now = Math.floor(t / 1000);
    return signToken(key, { iss: ISS, aud: 'api', azp: 'app', roles: ['ingest'], n, iat: now, nbf: now, exp: now + 3600 });
  };
  const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code);
  const use = (tok: string) => codeOf(auth.authenticate({ authorization: `Bearer ${tok}` }));
  /** Past the key set's 10-minute cache: the next verification fetches the JWKS again. */
  const staleKeys = () => (t += 11 * 60_000);

  it('keeps accepting a verified token after its key is withdrawn, until it is evicted or expires', async () => {
    const first = await token(1);
    expect((await auth.authenticate({ authorization: `Bearer ${first}` })).roles).toEqual(['ingest']);
    j.keys.set('idp', []);
    staleKeys();
    expect(await use(first)).toBe('ok');
    // A token never seen before is verified: the key set is fetched again and no longer has the key.
    expect(await use(await token(2))).toBe('TOKEN_KEY_UNKNOWN');

    j.keys.set('idp', [key.publicJwk]);
    staleKeys();
    const others = [await token(3), await token(4), await token(5)];
    for (const o of others) expect(await use(o)).toBe('ok');
    j.keys.set('idp', []);
    staleKeys();
    // The cache holds 3: `first` was evicted, so it is verified again and refused; the newest are still cached.
    expect(await use(first)).toBe('TOKEN_KEY_UNKNOWN');
    expect(await use(others[2]!)).toBe('ok');

    // Past exp + 60 s leeway the cached entry is dropped and the token checked again: expired.
    j.keys.set('idp', [key.publicJwk]);
    t += 51 * 60_000;
    expect(await use(others[2]!)).toBe('TOKEN_EXPIRED');
  });

  it('verifies built-in RS256 tokens (VAULTGATE_TOKEN_SIGNING_ALG=RS256) against the key kept in the database', async () => {
    const signingKeys = new SigningKeys({ store, crypto, clock, environment: 'test', alg: 'RS256', tokenLifetimeS: 3599 });
    const rs = new BearerAuthenticator({ store, cache: new RegistryCache(clock.now, 0), clock, environment: 'test', publicBaseUrl: () => 'https://vg.example', signingKeys, issuers: [] });
    const created = await signingKeys.rotate();
    expect(created).toMatchObject({ alg: 'RS256', current: true });
    await store.createOAuthClient({ clientId: 'oc_test_rs', ownerKind: 'party', ownerId: 'tp_test_cache', name: 'rs', roles: ['ingest'], status: 'active', createdAt: new Date(t).toISOString(), disabledAt: null, secretHash: 'sha256$a$b', publicJwk: null });
    const { kid, alg, key: privateKey } = await signingKeys.signingKey();
    const now = Math.floor(t / 1000);
    const sign = (claims: Record<string, unknown>, typ = 'at+jwt') => new SignJWT({ client_id: 'oc_test_rs', roles: ['ingest'], env: 'test', ...claims })
      .setProtectedHeader({ alg, kid, typ }).setIssuer('https://vg.example').setAudience('https://vg.example').setIssuedAt(now).setExpirationTime(now + 600).sign(privateKey);
    expect(await rs.authenticate({ authorization: `Bearer ${await sign({})}` })).toMatchObject({ builtIn: true, clientId: 'oc_test_rs', ownerId: 'tp_test_cache', roles: ['ingest'] });
    const refuse = async (token: string) => rs.authenticate({ authorization: `Bearer ${token}` }).then(() => 'ok', (e: { code?: string }) => e.code);
    expect(await refuse(await sign({}, 'JWT'))).toBe('TOKEN_MALFORMED');
    expect(await refuse(await sign({ env: 'live' }))).toBe('TOKEN_ENVIRONMENT_MISMATCH');
    expect(await refuse(await sign({ client_id: 'oc_test_nobody' }))).toBe('TOKEN_CLIENT_UNKNOWN');
    // Issue 11 §4: iat a year ahead (a clock gone wrong where tokens are minted) and lifetimes over a day are refused
    // for built-in tokens too, although the signature is ours.
    const timed = (claims: { iat?: number; exp?: number }) => new SignJWT({ client_id: 'oc_test_rs', roles: ['ingest'], env: 'test', iat: now, exp: now + 600, ...claims })
      .setProtectedHeader({ alg, kid, typ: 'at+jwt' }).setIssuer('https://vg.example').setAudience('https://vg.example').sign(privateKey);
    expect(await refuse(await timed({ iat: now + 365 * 86400, exp: now + 365 * 86400 + 600 }))).toBe('TOKEN_NOT_YET_VALID');
    expect(await refuse(await timed({ iat: now + 61 }))).toBe('TOKEN_NOT_YET_VALID');
    expect(await refuse(await timed({ iat: now + 30 }))).toBe('ok');
    expect(await refuse(await timed({ exp: now + 86400 + 1 }))).toBe('TOKEN_LIFETIME_TOO_LONG');
    expect(await refuse(await timed({ exp: now + 86400 }))).toBe('ok');
  });
});
