import type { JWK } from 'jose';
import { clientCredentialsTokenProvider } from './client-credentials.js';
import { signRequest, type MacCredentials } from './mac-signer.js';

/** What an authentication scheme needs to know about one attempt of one request. */
export interface RequestToAuthorize {
  method: string;
  /** The full URL as sent (percent-encoded). */
  url: string;
  /** The transaction id (MAC) / idempotency key (bearer); the same on every retry of a send. */
  transactionId: string;
}

/**
 * Gives the client access tokens for bearer authentication. A client-credentials provider (token endpoint of
 * oauth.md, cached and refreshed before expiry) implements this; so can any function the integrator writes.
 *
 * @example
 * const provider: TokenProvider = { getToken: async () => myTokenCache.current() };
 */
export interface TokenProvider {
  /** A currently valid access token. Called before every attempt: cache inside, refresh before expiry. */
  getToken(): Promise<string>;
  /** Called after a 401 so that the next `getToken` fetches a new token instead of the cached one. */
  invalidate?(): void;
}

/** Bearer credentials: any token provider (see TokenProvider). */
export interface BearerCredentials {
  tokenProvider: TokenProvider;
}

/**
 * OAuth 2.0 client credentials (a client of `POST /admin/v1/parties|companies/{id}/clients`): the client fetches its
 * tokens from the token endpoint, caches them and refreshes them before they expire.
 */
export interface OAuthClientCredentials {
  clientId: string;
  /** client_secret_post; or `privateKeyJwk` for private_key_jwt. */
  clientSecret?: string | undefined;
  privateKeyJwk?: JWK | undefined;
  /** Default `${baseUrl}/oauth2/token`. */
  tokenUrl?: string | undefined;
  /** Default `<clientId>/.default` (every role the client was granted). */
  scope?: string | undefined;
}

/** What a client authenticates with: the signed-header MAC scheme, or bearer tokens (a provider, or client credentials). */
export type VaultgateCredentials = MacCredentials | BearerCredentials | OAuthClientCredentials;

/** One authentication scheme: the headers of one attempt. */
export interface RequestAuthorizer {
  scheme: 'mac' | 'bearer';
  headers(req: RequestToAuthorize): Promise<Record<string, string>>;
  /** The server answered 401: drop anything cached. */
  rejected(): void;
}

/**
 * The authorizer for a set of credentials: MAC credentials sign every attempt afresh (new timestamp, the same
 * transaction id); bearer credentials send `Authorization: Bearer` and `Idempotency-Key`; client credentials get
 * their tokens from `tokenUrl` (default `${baseUrl}/oauth2/token`).
 *
 * @example
 * const auth = authorizerFor({ tokenProvider: { getToken: async () => 'eyJ…' } });
 * await auth.headers({ method: 'POST', url, transactionId: 'order-17' });
 * // { authorization: 'Bearer eyJ…', 'idempotency-key': 'order-17' }
 */
export function authorizerFor(c: VaultgateCredentials, o: { baseUrl?: string; acceptLanguage?: string | undefined } = {}): RequestAuthorizer {
  if ('clientId' in c) {
    const tokenUrl = c.tokenUrl ?? (o.baseUrl ? `${o.baseUrl.replace(/\/+$/, '')}/oauth2/token` : undefined);
    if (!tokenUrl) throw new Error('client credentials need tokenUrl (or a baseUrl to derive it from)');
    if (c.clientSecret === undefined && c.privateKeyJwk === undefined) throw new Error('client credentials need clientSecret or privateKeyJwk');
    return authorizerFor({ tokenProvider: clientCredentialsTokenProvider({ ...c, tokenUrl, acceptLanguage: o.acceptLanguage }) });
  }
  if ('tokenProvider' in c) {
    const provider = c.tokenProvider;
    return {
      scheme: 'bearer',
      headers: async (req) => ({ authorization: `Bearer ${await provider.getToken()}`, 'idempotency-key': req.transactionId }),
      rejected: () => provider.invalidate?.(),
    };
  }
  return {
    scheme: 'mac',
    headers: async (req) => signRequest(c, req.url, { transactionId: req.transactionId }),
    rejected: () => undefined,
  };
}
