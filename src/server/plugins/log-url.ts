/**
 * The request target as the access log records it: bearer-equivalent secrets that travel in a URL are replaced by
 * `[redacted]`, so a log reader cannot replay them (README: keys, MACs and tokens are never logged).
 *
 * - Path segments with a Vaultgate secret prefix (`vg` + one letter + `_`: invitation links `vgi_…`, personal API
 *   tokens `vgp_…` should one ever be put in a URL) keep their prefix only.
 * - Query parameters that carry OAuth/OIDC secrets (RFC 6749 §4.1.2 `code`, `state`; `access_token`, `id_token`;
 *   the CLI sign-in's `handoff`, `cliChallenge`) keep their name only.
 *
 * @example logUrl('/api/v1/invitations/vgi_abc…/accept') // '/api/v1/invitations/vgi_[redacted]/accept'
 * @example logUrl('/api/v1/session/oidc/callback?code=x&state=y') // '/api/v1/session/oidc/callback?code=[redacted]&state=[redacted]'
 */
export function logUrl(url: string): string {
  if (!url.includes('vg') && !url.includes('?')) return url;
  return url
    .replace(/(^|[/?&=])(vg[a-z]_)[^/?&#]+/g, '$1$2[redacted]')
    .replace(/([?&](?:code|state|access_token|id_token|handoff|cliChallenge)=)[^&#]*/g, '$1[redacted]');
}
