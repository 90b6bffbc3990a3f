import type { TokenProvider } from './auth.js';

/** A token as a token endpoint answers it (RFC 6749 §5.1: `access_token`, `expires_in`). */
export interface IssuedToken {
  accessToken: string;
  /** Lifetime in seconds from when it was issued. */
  expiresInS: number;
}

export interface TokenCacheOptions {
  /** Fetch a new token this many seconds before the cached one expires (default 60; at most half its lifetime). */
  refreshBeforeS?: number;
  /** Milliseconds since the epoch (tests pass their own clock). */
  now?: () => number;
}

/**
 * A TokenProvider around any way of getting a token (for example, a client-credentials request to a token
 * endpoint): the token is cached, refreshed `refreshBeforeS` before it expires, fetched once however many requests
 * ask at the same time, and dropped when the server answers 401.
 *
 * @example
 * const tokenProvider = cachedTokenProvider(async () => {
 *   const r = await fetch(tokenUrl, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id, client_secret }) });
 *   const j = await r.json();
 *   return { accessToken: j.access_token, expiresInS: j.expires_in };
 * });
 * const vg = new VaultgateClient({ baseUrl, credentials: { tokenProvider } });
 */
export function cachedTokenProvider(fetchToken: () => Promise<IssuedToken>, o: TokenCacheOptions = {}): TokenProvider {
  const now = o.now ?? Date.now;
  const refreshBeforeMs = (o.refreshBeforeS ?? 60) * 1000;
  let cached: { token: string; refreshAt: number } | undefined;
  let inFlight: Promise<string> | undefined;
  return {
    async getToken() {
      if (cached && now() < cached.refreshAt) return cached.token;
      inFlight ??= (async () => {
        try {
          const t = await fetchToken();
          if (!t.accessToken || !(t.expiresInS > 0)) throw new Error('the token source gave no access token or no positive lifetime');
          const lifetimeMs = t.expiresInS * 1000;
          cached = { token: t.accessToken, refreshAt: now() + lifetimeMs - Math.min(refreshBeforeMs, lifetimeMs / 2) };
          return t.accessToken;
        } finally {
          inFlight = undefined;
        }
      })();
      return inFlight;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
