import { randomUUID } from 'node:crypto';
// jose is loaded only for private_key_jwt, so that importing the SDK (and starting the CLI) stays cheap.
import type { JWK, JWTPayload, ProtectedHeaderParameters } from 'jose';
import type { TokenProvider } from './auth.js';
import { VaultgateTokenError } from './errors.js';
import { cachedTokenProvider, type TokenCacheOptions } from './token-cache.js';

export interface ClientCredentialsOptions {
  /** Token endpoint, e.g. `https://vaultgate.example.com/oauth2/token`. */
  tokenUrl: string;
  clientId: string;
  /** client_secret_post; or give `privateJwk` for private_key_jwt. */
  clientSecret?: string | undefined;
  /** The client's private JWK (with `alg`, or RS256/ES256 inferred from kty): signs a one-time client assertion. */
  privateJwk?: JWK | undefined;
  /** `<client_id>/.default` (the default: every granted role) or space-separated roles. */
  scope?: string | undefined;
  timeoutMs?: number | undefined;
  /** The fetch function to call (default the global `fetch`), e.g. to go through a proxy or to count requests. */
  fetch?: typeof fetch | undefined;
  /** Sent as `Accept-Language` (RFC 9110 §12.5.4), e.g. `fi`: the language of `error_description` in a refusal. */
  acceptLanguage?: string | undefined;
}

export interface AccessToken {
  accessToken: string;
  expiresIn: number;
  scope: string;
}

const algOf = (jwk: JWK): string => jwk.alg ?? (jwk.kty === 'RSA' ? 'RS256' : jwk.kty === 'OKP' ? 'EdDSA' : ({ 'P-384': 'ES384', 'P-521': 'ES512' } as Record<string, string>)[jwk.crv ?? ''] ?? 'ES256');

/**
 * Fetches an access token by the OAuth 2.0 client credentials grant, authenticating with the client secret
 * (client_secret_post) or a private_key_jwt assertion. A refusal is a VaultgateTokenError (a VaultgateApiError) with the RFC 6749 error code
 * and the Vaultgate code: a `VaultgateTokenError` (`oauthError`, `code`, `status`).
 *
 * @example
 * const { accessToken } = await fetchClientCredentialsToken({
 *   tokenUrl: 'http://127.0.0.1:8080/oauth2/token', clientId: 'oc_test_…', clientSecret: 'vgs_…',
 * });
 * await fetch(channelUrl, { method: 'POST', headers: { authorization: `Bearer ${accessToken}` }, body });
 */
export async function fetchClientCredentialsToken(o: ClientCredentialsOptions): Promise<AccessToken> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: o.clientId, scope: o.scope ?? `${o.clientId}/.default` });
  if (o.privateJwk) {
    const { importJWK, SignJWT } = await import('jose');
    const alg = algOf(o.privateJwk);
    const assertion = await new SignJWT({}).setProtectedHeader({ alg, ...(o.privateJwk.kid ? { kid: o.privateJwk.kid } : {}) })
      .setIssuer(o.clientId).setSubject(o.clientId).setAudience(o.tokenUrl).setJti(randomUUID()).setIssuedAt().setExpirationTime('2m')
      .sign(await importJWK(o.privateJwk, alg));
    form.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    form.set('client_assertion', assertion);
  } else if (o.clientSecret !== undefined) {
    form.set('client_secret', o.clientSecret);
  } else {
    throw new Error('clientSecret or privateJwk is needed');
  }
  const res = await (o.fetch ?? fetch)(o.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...(o.acceptLanguage ? { 'accept-language': o.acceptLanguage } : {}) },
    body: form,
    signal: AbortSignal.timeout(o.timeoutMs ?? 30_000),
  });
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { error: 'invalid_response', error_description: text.slice(0, 200) };
  }
  if (res.status !== 200) throw new VaultgateTokenError(res.status, body);
  return { accessToken: String(body.access_token), expiresIn: Number(body.expires_in), scope: String(body.scope ?? '') };
}

export interface ClientCredentialsProviderOptions extends Omit<ClientCredentialsOptions, 'privateJwk'>, TokenCacheOptions {
  /** The client's private JWK for private_key_jwt (instead of `clientSecret`). */
  privateKeyJwk?: JWK | undefined;
}

/**
 * A TokenProvider for the client credentials grant: tokens from the token endpoint (client secret or private key
 * JWT), cached, refreshed before they expire, fetched once for concurrent callers, dropped after a 401. A refusal
 * of the token endpoint is thrown as `VaultgateTokenError`.
 *
 * @example
 * const tokenProvider = clientCredentialsTokenProvider({ tokenUrl: `${baseUrl}/oauth2/token`, clientId, clientSecret });
 * const vg = new VaultgateClient({ baseUrl, credentials: { tokenProvider } });
 */
export function clientCredentialsTokenProvider(o: ClientCredentialsProviderOptions): TokenProvider {
  const { privateKeyJwk, refreshBeforeS, now, ...rest } = o;
  return cachedTokenProvider(async () => {
    const t = await fetchClientCredentialsToken({ ...rest, privateJwk: privateKeyJwk });
    return { accessToken: t.accessToken, expiresInS: t.expiresIn };
  }, { ...(refreshBeforeS === undefined ? {} : { refreshBeforeS }), ...(now ? { now } : {}) });
}

/**
 * A token's header and claims, decoded WITHOUT verifying it (for display; the server verifies).
 *
 * @example
 * decodeAccessToken(accessToken).claims.roles; // ['ingest']
 */
export function decodeAccessToken(token: string): { header: ProtectedHeaderParameters; claims: JWTPayload } {
  const [header, claims] = token.split('.');
  const part = (p: string | undefined): Record<string, unknown> => {
    const value: unknown = JSON.parse(Buffer.from(p ?? '', 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JWT');
    return value as Record<string, unknown>;
  };
  try {
    return { header: part(header) as ProtectedHeaderParameters, claims: part(claims) as JWTPayload };
  } catch {
    throw new Error('The token is not a JWT (header.payload.signature, base64url JSON).');
  }
}
