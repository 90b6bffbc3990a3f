import { randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT, type JWK } from 'jose';
import { parseId, VaultgateError, type Clock, type Environment } from '../../protocol/index.js';
import type { OAuthClientRecord, Role, Store } from '../../store/index.js';
import { ASYMMETRIC_ALGORITHMS } from '../config/oidc-issuers.js';
import type { AuthThrottle } from './auth-throttle.js';
import type { RequestOrigin } from './authenticate-request.js';
import { verifyClientSecret } from './client-secret.js';
import { importPublicJwk } from './public-key.js';
import type { RegistryCache } from './registry-cache.js';
import { LEEWAY_S, type SigningKeys } from './signing-keys.js';
import { checkTokenTimes } from './token-times.js';
import { isSuspended, nameOf, suspendedDetail } from './accounts/people.js';

export interface IssueTokenDeps {
  store: Store;
  cache: RegistryCache;
  clock: Clock;
  environment: Environment;
  publicBaseUrl: () => string;
  signingKeys: SigningKeys;
  tokenLifetimeS: number;
  /** Throttles failed client authentication per client_id and client address (absent: no throttling). */
  throttle?: AuthThrottle | undefined;
}

export interface TokenResponse {
  token_type: 'Bearer';
  expires_in: number;
  access_token: string;
  scope: string;
}

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/**
 * A client assertion may live at most this long, exp - iat as well as exp - now (RFC 7523 §3 leaves it to the server;
 * 10 minutes is Entra's and most providers' bound). Its jti is remembered as used until the ledger forgets it (>= 24 h).
 */
const MAX_ASSERTION_LIFETIME_S = 600;

const invalidClient = (logReason: string, detail?: string): VaultgateError =>
  new VaultgateError('OAUTH_INVALID_CLIENT', { logReason, ...(detail ? { detail } : {}) });
const invalidRequest = (detail: string): VaultgateError => new VaultgateError('OAUTH_INVALID_REQUEST', { detail });

/** RFC 6749 §2.3.1: the Basic credentials are form-urlencoded before base64. */
function parseBasic(header: string): { id: string; secret: string } {
  const m = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon < 1) throw invalidRequest('Authorization: Basic must carry base64(client_id:client_secret).');
  const unform = (s: string): string => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      throw invalidRequest('The Basic credentials are not form-urlencoded.');
    }
  };
  return { id: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) };
}

/**
 * POST /oauth2/token, client credentials grant (RFC 6749 §4.4), with client_secret_basic, client_secret_post or
 * private_key_jwt (RFC 7523) client authentication. `tokenEndpoint` is the URL a client assertion must name as aud.
 */
export async function issueToken(
  d: IssueTokenDeps,
  r: { form: URLSearchParams; authorization: string | undefined; tokenEndpoint: string; origin?: RequestOrigin },
): Promise<TokenResponse> {
  const { form } = r;
  for (const name of new Set(form.keys())) if (form.getAll(name).length > 1) throw invalidRequest(`${name} is repeated.`);
  const grant = form.get('grant_type');
  if (!grant) throw invalidRequest('grant_type is missing.');
  if (grant !== 'client_credentials') throw new VaultgateError('OAUTH_UNSUPPORTED_GRANT_TYPE', { detail: `${grant.slice(0, 50)} is not supported.` });

  const basic = r.authorization !== undefined && /^basic\s/i.test(r.authorization);
  const methods = [basic, form.has('client_secret'), form.has('client_assertion')].filter(Boolean).length;
  if (methods === 0) throw invalidClient('no client authentication', 'Authenticate with client_secret (Basic or form) or client_assertion.');
  if (methods > 1) throw invalidRequest('Use exactly one client authentication method.');

  let clientId: string;
  let secret: string | undefined;
  let assertion: string | undefined;
  if (basic) {
    ({ id: clientId, secret } = parseBasic(r.authorization!));
  } else if (form.has('client_secret')) {
    clientId = form.get('client_id') ?? '';
    secret = form.get('client_secret')!;
    if (!clientId) throw invalidRequest('client_id is missing.');
  } else {
    if (form.get('client_assertion_type') !== ASSERTION_TYPE) throw invalidRequest(`client_assertion_type must be ${ASSERTION_TYPE}.`);
    assertion = form.get('client_assertion')!;
    let sub: unknown;
    try {
      decodeProtectedHeader(assertion);
      sub = decodeJwt(assertion).sub;
    } catch {
      throw invalidClient('client assertion is not a JWT');
    }
    if (typeof sub !== 'string') throw invalidClient('client assertion without sub');
    clientId = sub;
  }
  const formId = form.get('client_id');
  if (formId !== null && formId !== clientId) throw invalidRequest('client_id does not match the client authentication.');

  const authenticate = (): Promise<OAuthClientRecord> => authenticateClient(d, clientId, secret, assertion, r.tokenEndpoint);
  const client = d.throttle
    ? await d.throttle.guard({ scheme: 'client', credential: clientId, address: r.origin?.address, requestId: r.origin?.requestId }, authenticate)
    : await authenticate();
  const roles = grantedRoles(client, form.get('scope'), d.publicBaseUrl());
  const { kid, alg, key } = await d.signingKeys.signingKey();
  const now = Math.floor(d.clock.now() / 1000);
  const iss = d.publicBaseUrl();
  const token = await new SignJWT({ client_id: client.clientId, azp: client.clientId, roles, env: d.environment })
    .setProtectedHeader({ alg, kid, typ: 'at+jwt' })
    .setIssuer(iss).setAudience(iss).setSubject(client.clientId)
    .setIssuedAt(now).setNotBefore(now).setExpirationTime(now + d.tokenLifetimeS).setJti(randomUUID())
    .sign(key);
  return { token_type: 'Bearer', expires_in: d.tokenLifetimeS, access_token: token, scope: roles.join(' ') };
}

/**
 * The client, authenticated; then, issue 14, no new tokens for a suspended organisation's clients: RFC 6749's
 * invalid_client (§5.2) as for any refused client, but with an error_description naming the suspended organisation —
 * checked only once the secret or assertion proved the caller is the client, so it tells a stranger nothing.
 */
async function authenticateClient(
  d: IssueTokenDeps, clientId: string, secret: string | undefined, assertion: string | undefined, tokenEndpoint: string,
): Promise<OAuthClientRecord> {
  const client = await verifyClient(d, clientId, secret, assertion, tokenEndpoint);
  if (await isSuspended(d, client.ownerId)) {
    throw invalidClient('owner organisation suspended', `${suspendedDetail(client.ownerId, await nameOf(d.store, client.ownerId))} Its clients get no tokens until the platform operator reinstates it.`);
  }
  return client;
}

async function verifyClient(
  d: IssueTokenDeps, clientId: string, secret: string | undefined, assertion: string | undefined, tokenEndpoint: string,
): Promise<OAuthClientRecord> {
  const id = parseId(clientId, 'oauthClient', d.environment);
  if (!id.ok) {
    throw invalidClient(`client id ${clientId.slice(0, 80)}: ${id.reason}`,
      id.reason === 'other-environment' ? `${clientId} belongs to the ${id.environment} environment; this deployment is ${d.environment}.` : undefined);
  }
  const client = await d.store.getOAuthClient(clientId);
  if (!client) throw invalidClient('unknown client');
  if (client.status !== 'active') throw invalidClient('client disabled');
  const owner = client.ownerKind === 'party' ? await d.store.getParty(client.ownerId) : await d.store.getCompany(client.ownerId);
  if (!owner || ('status' in owner && owner.status !== 'active') || ('deletedAt' in owner && owner.deletedAt)) throw invalidClient('owner disabled');

  if (secret !== undefined) {
    if (client.secretHash === null) throw invalidClient('wrong secret');
    if (verifyClientSecret(secret, client.secretHash)) return client;
    // Within a rotation's overlap window the previous secret also works (issue 14); after it, it is refused.
    const previous = await d.store.getPreviousSecret(client.clientId);
    if (previous?.secretHash && Date.parse(previous.validUntil) > d.clock.now() && verifyClientSecret(secret, previous.secretHash)) return client;
    throw invalidClient('wrong secret');
  }
  if (client.publicJwk === null) throw invalidClient('assertion for a secret client');
  const header = decodeProtectedHeader(assertion!);
  if (['jku', 'x5u', 'jwk', 'x5c'].some((h) => (header as Record<string, unknown>)[h] !== undefined)) throw invalidClient('assertion header names a key');
  const jwk = JSON.parse(client.publicJwk) as JWK;
  const alg = typeof header.alg === 'string' && (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(header.alg) ? header.alg : undefined;
  if (!alg || (jwk.alg !== undefined && jwk.alg !== alg)) throw invalidClient(`assertion alg ${String(header.alg)}`);
  let key;
  try {
    key = await importPublicJwk(jwk, alg);
  } catch (err) {
    // The registered key cannot verify this alg (wrong kty for it, or a key that no longer imports): the client's
    // authentication fails, as with a wrong secret; the key id goes to the log.
    throw invalidClient(`registered key ${String(jwk.kid ?? '(no kid)').slice(0, 100)} unusable for ${alg}: ${(err as Error).message}`);
  }
  let payload;
  try {
    ({ payload } = await jwtVerify(assertion!, key, {
      algorithms: [alg], issuer: clientId, subject: clientId, audience: [tokenEndpoint, d.publicBaseUrl()],
      clockTolerance: LEEWAY_S, requiredClaims: ['exp', 'jti'], currentDate: new Date(d.clock.now()),
    }));
  } catch (err) {
    throw invalidClient(`assertion: ${(err as Error).message}`, 'The client assertion does not verify (signature, iss/sub, aud, exp, jti).');
  }
  const now = Math.floor(d.clock.now() / 1000);
  if ((payload.exp as number) - now > MAX_ASSERTION_LIFETIME_S) throw invalidClient('assertion lives too long', `exp may be at most ${MAX_ASSERTION_LIFETIME_S} s ahead.`);
  const times = checkTokenTimes(payload, now, LEEWAY_S, MAX_ASSERTION_LIFETIME_S);
  if (times) throw invalidClient(`assertion ${times.kind}`, times.detail);
  // Each assertion once: its jti is consumed in the transaction-id ledger, in the client's own namespace.
  const fresh = await d.store.consumeTransactionId(`assertion:${clientId}`, String(payload.jti), new Date(d.clock.now()).toISOString());
  if (!fresh) throw invalidClient('assertion replayed', 'This client assertion (jti) was used before.');
  return client;
}

/**
 * The `.default` scopes that mean "every role granted to the client" (oauth.md): `<client_id>/.default` as Entra ID
 * writes it, and the App ID URI forms Entra-configured clients send, `api://<client_id>/.default` and
 * `<public base URL>/.default`.
 */
export function defaultScopes(clientId: string, publicBaseUrl: string): string[] {
  return [`${clientId}/.default`, `api://${clientId}/.default`, `${publicBaseUrl}/.default`];
}

/** A `.default` scope (or none): every granted role; else a space-separated list, each granted. */
function grantedRoles(client: OAuthClientRecord, scope: string | null, publicBaseUrl: string): Role[] {
  const asked = (scope ?? '').split(' ').filter(Boolean);
  if (asked.length === 0 || (asked.length === 1 && defaultScopes(client.clientId, publicBaseUrl).includes(asked[0]!))) return client.roles;
  const missing = asked.filter((s) => !(client.roles as string[]).includes(s));
  if (missing.length > 0) {
    throw new VaultgateError('OAUTH_INVALID_SCOPE', { detail: `Not granted: ${missing.join(' ').slice(0, 200)}; granted: ${client.roles.join(' ')}.` });
  }
  return [...new Set(asked)] as Role[];
}
