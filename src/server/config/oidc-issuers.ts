/**
 * External OpenID Connect issuers the operator trusts (VAULTGATE_OIDC_ISSUERS as a JSON array, or `oidcIssuers` in
 * the config file). Parsed and checked once at startup; every problem is reported with its path.
 */

/** Asymmetric JWS algorithms only: `none` and HMAC are never acceptable for an external issuer. */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

export interface OidcIssuerConfig {
  /** `iss` exactly as the issuer writes it (Entra v1 `https://sts.windows.net/{tid}/`, v2 `…/{tid}/v2.0`). */
  issuer: string;
  /** OpenID discovery document; default `<issuer>/.well-known/openid-configuration` when jwksUri is not set. */
  discoveryUrl?: string | undefined;
  /** JWKS URI used directly (no discovery). */
  jwksUri?: string | undefined;
  /** Accepted `aud` values (at least one). */
  audiences: string[];
  /** Allowed algorithms, default ["RS256"]. */
  algorithms: string[];
  /** Claims naming the client, first present wins; default ["azp", "appid", "client_id"]. */
  clientIdClaims: string[];
  /** Claim carrying roles (array or space-separated), e.g. `roles` or `scp`; null: roles come from the link only. */
  rolesClaim: string | null;
  /** Maps the issuer's role names to Vaultgate roles (`ingest`, `vault.read`, `shared.read`), e.g. {"Data.Write": "ingest"}. */
  roleMap: Record<string, string>;
  /** Claims that must have exactly these values, e.g. {"tfp": "B2C_1_clientcredentials"} for an Azure AD B2C policy. */
  requiredClaims: Record<string, string>;
  /** Least seconds between two JWKS fetches caused by unknown key ids (default 30). */
  jwksMinRefetchIntervalS: number;
  /** Longest token lifetime accepted, `exp - iat` (or `exp - now` without iat), in seconds (default 86400). */
  maxTokenLifetimeS: number;
}

/** Default of maxTokenLifetimeS: 24 h (Entra app tokens live 60-90 min; CAE-enabled ones up to 28 h need more). */
export const DEFAULT_MAX_TOKEN_LIFETIME_S = 86_400;

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

const KNOWN = new Set(['issuer', 'discoveryUrl', 'jwksUri', 'audiences', 'audience', 'algorithms', 'clientIdClaims', 'clientIdClaim', 'rolesClaim', 'roleMap', 'requiredClaims', 'jwksMinRefetchIntervalS', 'maxTokenLifetimeS']);
const ROLES = new Set(['ingest', 'vault.read', 'shared.read']);

function httpUrl(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

const strings = (v: unknown): string[] | undefined =>
  typeof v === 'string' ? [v] : Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x.length > 0) ? (v as string[]) : undefined;

const stringMap = (v: unknown): Record<string, string> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string')
    ? (v as Record<string, string>)
    : undefined;

function parseOne(raw: unknown, at: string, problems: string[]): OidcIssuerConfig | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push(`${at}: must be an object with issuer, audiences and discoveryUrl or jwksUri`);
    return undefined;
  }
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KNOWN.has(k)) problems.push(`${at}.${k}: unknown setting`);
  if (!httpUrl(o.issuer)) problems.push(`${at}.issuer: must be the issuer URL exactly as in the tokens' iss`);
  for (const k of ['discoveryUrl', 'jwksUri'] as const) {
    if (o[k] !== undefined && !httpUrl(o[k])) problems.push(`${at}.${k}: must be an http(s) URL`);
  }
  if (o.discoveryUrl !== undefined && o.jwksUri !== undefined) problems.push(`${at}: set discoveryUrl or jwksUri, not both`);
  const audiences = strings(o.audiences ?? o.audience);
  if (!audiences) problems.push(`${at}.audiences: must list at least one accepted aud value`);
  const algorithms = o.algorithms === undefined ? ['RS256'] : strings(o.algorithms);
  const bad = (algorithms ?? []).filter((a) => !(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(a));
  if (!algorithms || bad.length > 0) {
    problems.push(`${at}.algorithms: only asymmetric algorithms are allowed (${ASYMMETRIC_ALGORITHMS.join(', ')})${bad.length ? `; refused: ${bad.join(', ')}` : ''}`);
  }
  const clientIdClaims = o.clientIdClaims ?? o.clientIdClaim;
  const claims = clientIdClaims === undefined ? ['azp', 'appid', 'client_id'] : strings(clientIdClaims);
  if (!claims) problems.push(`${at}.clientIdClaims: must name one or more claims (azp, appid, client_id, sub)`);
  const rolesClaim = o.rolesClaim === undefined ? 'roles' : o.rolesClaim;
  if (rolesClaim !== null && (typeof rolesClaim !== 'string' || rolesClaim === '')) problems.push(`${at}.rolesClaim: must be a claim name (roles, scp) or null`);
  const roleMap = o.roleMap === undefined ? {} : stringMap(o.roleMap);
  if (!roleMap || Object.values(roleMap).some((r) => !ROLES.has(r))) problems.push(`${at}.roleMap: must map claim values to ingest, vault.read or shared.read`);
  const requiredClaims = o.requiredClaims === undefined ? {} : stringMap(o.requiredClaims);
  if (!requiredClaims) problems.push(`${at}.requiredClaims: must map claim names to required string values`);
  const interval = o.jwksMinRefetchIntervalS === undefined ? 30 : o.jwksMinRefetchIntervalS;
  if (typeof interval !== 'number' || !Number.isInteger(interval) || interval < 0 || interval > 86400) {
    problems.push(`${at}.jwksMinRefetchIntervalS: must be a whole number of seconds, 0-86400`);
  }
  const maxLifetime = o.maxTokenLifetimeS === undefined ? DEFAULT_MAX_TOKEN_LIFETIME_S : o.maxTokenLifetimeS;
  if (typeof maxLifetime !== 'number' || !Number.isInteger(maxLifetime) || maxLifetime < 60 || maxLifetime > 7 * 86400) {
    problems.push(`${at}.maxTokenLifetimeS: must be a whole number of seconds, 60-604800`);
  }
  if (problems.length > 0) return undefined;
  return {
    issuer: o.issuer as string,
    discoveryUrl: o.jwksUri === undefined ? ((o.discoveryUrl as string | undefined) ?? `${(o.issuer as string).replace(/\/+$/, '')}/.well-known/openid-configuration`) : undefined,
    jwksUri: o.jwksUri as string | undefined,
    audiences: audiences!, algorithms: algorithms!, clientIdClaims: claims!, rolesClaim: rolesClaim as string | null,
    roleMap: roleMap!, requiredClaims: requiredClaims!, jwksMinRefetchIntervalS: interval as number,
    maxTokenLifetimeS: maxLifetime as number,
  };
}

/** Parses the issuer list: a JSON string (environment) or an array (config file). */
export function parseOidcIssuers(raw: unknown): Parsed<OidcIssuerConfig[]> {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (err) {
      return { ok: false, problem: `must be a JSON array of issuers (${(err as Error).message})` };
    }
  }
  if (!Array.isArray(value)) return { ok: false, problem: 'must be a JSON array of issuers' };
  const problems: string[] = [];
  const out: OidcIssuerConfig[] = [];
  value.forEach((item, i) => {
    const p: string[] = [];
    const parsed = parseOne(item, `[${i}]`, p);
    problems.push(...p);
    if (parsed) {
      if (out.some((x) => x.issuer === parsed.issuer)) problems.push(`[${i}].issuer: ${parsed.issuer} appears twice`);
      out.push(parsed);
    }
  });
  return problems.length > 0 ? { ok: false, problem: problems.join('; ') } : { ok: true, value: out };
}
