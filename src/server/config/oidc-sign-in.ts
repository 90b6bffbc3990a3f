/**
 * Sign-in providers (issue 14): external OpenID Connect providers through which people sign in to /api/v1
 * (VAULTGATE_OIDC_SIGNIN_PROVIDERS as a JSON array, or `oidcSignInProviders` in the config file). Each says which
 * email domains and/or organisations it signs in; a domain or an organisation has at most one provider. Parsed and
 * checked once at startup; every problem is reported with its path.
 *
 * Why configuration and not a table behind an admin route: a provider is a trust decision of the operator (who may
 * sign in as whom), changed rarely and reviewed like the rest of the deployment; its client secret then lives where
 * the other secrets live (environment or the config file, never a flag, never logged), and no migration or route is
 * needed. The cost is a restart to add one; organisations cannot configure their own provider (yet).
 */

export interface OidcSignInProviderConfig {
  /** Short name used in `GET /api/v1/session/oidc?provider=…` and in the audit trail: [a-z0-9-], 1-40 characters. */
  id: string;
  /** The issuer URL (`iss`), e.g. Entra ID `https://login.microsoftonline.com/{tenant-id}/v2.0`; discovery is `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  /** The client (application) id registered at the provider. */
  clientId: string;
  /** The client secret (client_secret_basic); absent for a public client that relies on PKCE alone. */
  clientSecret: string | undefined;
  /** Email domains (lowercase) whose people sign in through this provider. */
  domains: string[];
  /** Organisation ids whose members sign in through this provider (whatever their email domain). */
  organisations: string[];
  /** Requested scopes, default `openid email profile`. */
  scopes: string;
  /** The ID token claim holding the email, default `email` (Entra ID: `email`, or `preferred_username` for the UPN). */
  emailClaim: string;
  /**
   * Treat the email claim as verified for addresses in `domains` although the token has no `email_verified: true`
   * (Entra ID sends none; its tenant owns the domain). Default false. Never applies to `organisations`.
   */
  trustEmailInDomains: boolean;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

const KNOWN = new Set(['id', 'issuer', 'clientId', 'clientSecret', 'domains', 'organisations', 'scopes', 'emailClaim', 'trustEmailInDomains']);
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

const stringList = (v: unknown): string[] | undefined =>
  v === undefined ? [] : Array.isArray(v) && v.every((x) => typeof x === 'string' && x.length > 0) ? (v as string[]) : undefined;

function parseOne(raw: unknown, at: string, problems: string[]): OidcSignInProviderConfig | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push(`${at}: must be an object with id, issuer, clientId and domains and/or organisations`);
    return undefined;
  }
  const o = raw as Record<string, unknown>;
  const before = problems.length;
  for (const k of Object.keys(o)) if (!KNOWN.has(k)) problems.push(`${at}.${k}: unknown setting`);
  if (typeof o.id !== 'string' || !/^[a-z0-9-]{1,40}$/.test(o.id)) problems.push(`${at}.id: must be 1-40 characters of a-z, 0-9 and -`);
  let issuerOk = false;
  try {
    issuerOk = typeof o.issuer === 'string' && ['https:', 'http:'].includes(new URL(o.issuer).protocol);
  } catch { /* reported below */ }
  if (!issuerOk) problems.push(`${at}.issuer: must be the provider's issuer URL`);
  if (typeof o.clientId !== 'string' || o.clientId === '') problems.push(`${at}.clientId: must be the client id registered at the provider`);
  if (o.clientSecret !== undefined && (typeof o.clientSecret !== 'string' || o.clientSecret === '')) problems.push(`${at}.clientSecret: must be a non-empty string when set`);
  const domains = stringList(o.domains)?.map((d) => d.toLowerCase());
  if (!domains || domains.some((d) => !DOMAIN.test(d))) problems.push(`${at}.domains: must be a list of email domains such as example.com`);
  const organisations = stringList(o.organisations);
  if (!organisations) problems.push(`${at}.organisations: must be a list of organisation ids`);
  if (domains && organisations && domains.length + organisations.length === 0) problems.push(`${at}: needs domains or organisations (whom it signs in)`);
  const scopes = o.scopes ?? 'openid email profile';
  if (typeof scopes !== 'string' || !scopes.split(' ').includes('openid')) problems.push(`${at}.scopes: must be a space-separated list including openid`);
  const emailClaim = o.emailClaim ?? 'email';
  if (typeof emailClaim !== 'string' || emailClaim === '') problems.push(`${at}.emailClaim: must be a claim name`);
  const trust = o.trustEmailInDomains ?? false;
  if (typeof trust !== 'boolean') problems.push(`${at}.trustEmailInDomains: must be true or false`);
  if (problems.length > before) return undefined;
  return {
    id: o.id as string, issuer: o.issuer as string, clientId: o.clientId as string, clientSecret: o.clientSecret as string | undefined,
    domains: domains!, organisations: organisations!, scopes: scopes as string, emailClaim: emailClaim as string, trustEmailInDomains: trust as boolean,
  };
}

/** Parses the provider list: a JSON string (environment) or an array (config file). */
export function parseOidcSignInProviders(raw: unknown): Parsed<OidcSignInProviderConfig[]> {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (err) {
      return { ok: false, problem: `must be a JSON array of providers (${(err as Error).message})` };
    }
  }
  if (!Array.isArray(value)) return { ok: false, problem: 'must be a JSON array of providers' };
  const problems: string[] = [];
  const out: OidcSignInProviderConfig[] = [];
  value.forEach((item, i) => {
    const p = parseOne(item, `[${i}]`, problems);
    if (!p) return;
    if (out.some((x) => x.id === p.id)) problems.push(`[${i}].id: ${p.id} appears twice`);
    for (const d of p.domains) if (out.some((x) => x.domains.includes(d))) problems.push(`[${i}].domains: ${d} has another provider already`);
    for (const g of p.organisations) if (out.some((x) => x.organisations.includes(g))) problems.push(`[${i}].organisations: ${g} has another provider already`);
    out.push(p);
  });
  return problems.length > 0 ? { ok: false, problem: problems.join('; ') } : { ok: true, value: out };
}
