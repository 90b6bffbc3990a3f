/*
 * A bearer token for the portal's "send test message" form, from the built-in token endpoint (docs/oauth.md:
 * `POST /oauth2/token`, client credentials, client_secret_post), in the browser: fetch only, no node:.
 */

/** The token endpoint's answer (RFC 6749 §5.1). `accessToken` is a secret: show it masked, never log it. */
export interface BearerToken {
  accessToken: string;
  tokenType: string;
  /** Seconds from issue. */
  expiresIn: number;
  /** The roles granted, space-separated (`ingest`). */
  scope: string | undefined;
}

/**
 * The endpoint refused (RFC 6749 §5.2, with the Vaultgate code beside): `error` is `invalid_client`,
 * `invalid_scope`, …, `code` the catalogue code (`OAUTH_INVALID_CLIENT`), `status` the HTTP status.
 */
export class TokenRequestError extends Error {
  constructor(readonly status: number, readonly error: string, readonly code: string | undefined, description: string) {
    super(description);
    this.name = 'TokenRequestError';
  }
}

export interface GetBearerTokenInput {
  clientId: string;
  clientSecret: string;
  /** Roles (`ingest`) or a `.default` scope; none means every role granted to the client. */
  scope?: string;
  /** Where the server is; default '' (the portal's own origin, as the portal is served by the server). */
  baseUrl?: string;
  /** The fetch to use; default globalThis.fetch. */
  fetch?: typeof fetch;
}

/**
 * A token by client credentials. Throws TokenRequestError when the endpoint refuses, TypeError when it cannot be
 * reached.
 *
 * @example
 * const t = await getBearerToken({ clientId: 'oc_test_…', clientSecret, scope: 'ingest' });
 * await fetch(url, { method: 'POST', headers: { ...bearerHeaders(t.accessToken), 'content-type': 'application/json' }, body });
 */
export async function getBearerToken(input: GetBearerTokenInput): Promise<BearerToken> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: input.clientId, client_secret: input.clientSecret });
  if (input.scope) form.set('scope', input.scope);
  const res = await (input.fetch ?? globalThis.fetch)(`${input.baseUrl ?? ''}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form.toString(),
    cache: 'no-store',
    credentials: 'omit',
  });
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    // An answer that is not JSON (a proxy's error page): reported by status below.
  }
  if (!res.ok || typeof body.access_token !== 'string') {
    const error = typeof body.error === 'string' ? body.error : 'invalid_response';
    const description = typeof body.error_description === 'string' ? body.error_description : `the token endpoint answered HTTP ${res.status}`;
    throw new TokenRequestError(res.status, error, typeof body.code === 'string' ? body.code : undefined, description);
  }
  return {
    accessToken: body.access_token,
    tokenType: typeof body.token_type === 'string' ? body.token_type : 'Bearer',
    expiresIn: Number(body.expires_in),
    scope: typeof body.scope === 'string' ? body.scope : undefined,
  };
}

/**
 * The header that sends a token. Bearer requests are answered as problem+json (docs/oauth.md).
 *
 * @example bearerHeaders('eyJ…') // { Authorization: 'Bearer eyJ…' }
 */
export function bearerHeaders(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

/**
 * bearerHeaders for display: the token cut to its first 8 characters (a JWT's start is its public header).
 *
 * @example bearerHeadersMasked('eyJhbGciOiJFUzI1NiJ9.eyJ…') // { Authorization: 'Bearer eyJhbGci…' }
 */
export function bearerHeadersMasked(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token.slice(0, 8)}…` };
}
