/**
 * The one configuration schema: every key with its default, environment variable, flag, description and parser.
 * Sources, lowest to highest precedence: defaults, config file (JSON), `VAULTGATE_*` environment, flags.
 * docs/configuration.md is generated from this table (a test fails when it is stale).
 */
import { ENVIRONMENTS, type Environment } from '../../protocol/index.js';
import { parseOidcIssuers, type OidcIssuerConfig } from './oidc-issuers.js';
import { parseOidcSignInProviders, type OidcSignInProviderConfig } from './oidc-sign-in.js';

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

export interface ConfigKey<T> {
  env: string;
  /** Command-line flag of `vaultgate serve`; none for secrets (a flag would show in the process list). */
  flag?: string;
  description: string;
  /** Default, or undefined when the key is optional. A function computes it from other raw values. */
  default: T | undefined;
  parse(raw: unknown): Parsed<T>;
  /** Shown in docs instead of the default when the default is computed. */
  defaultDoc?: string;
}

const str = (opts: { min?: number } = {}) => (raw: unknown): Parsed<string> => {
  if (typeof raw !== 'string') return { ok: false, problem: 'must be a string' };
  if (opts.min !== undefined && raw.length < opts.min) return { ok: false, problem: `must be at least ${opts.min} characters` };
  return { ok: true, value: raw };
};

const int = (min: number, max: number) => (raw: unknown): Parsed<number> => {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isInteger(n)) return { ok: false, problem: 'must be a whole number' };
  if (n < min || n > max) return { ok: false, problem: `must be between ${min} and ${max}` };
  return { ok: true, value: n };
};

const bool = (raw: unknown): Parsed<boolean> => {
  if (typeof raw === 'boolean') return { ok: true, value: raw };
  if (typeof raw === 'string' && /^(1|true|yes|on)$/i.test(raw)) return { ok: true, value: true };
  if (typeof raw === 'string' && /^(0|false|no|off)$/i.test(raw)) return { ok: true, value: false };
  return { ok: false, problem: 'must be true or false' };
};

const url = (raw: unknown): Parsed<string> => {
  if (typeof raw !== 'string') return { ok: false, problem: 'must be a URL string' };
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return { ok: false, problem: 'must be an http:// or https:// URL' };
    if (u.search || u.hash) return { ok: false, problem: 'must not have a query or fragment' };
    return { ok: true, value: raw };
  } catch {
    return { ok: false, problem: 'must be an absolute URL such as https://vaultgate.example.com' };
  }
};

const environment = (raw: unknown): Parsed<Environment> =>
  typeof raw === 'string' && (ENVIRONMENTS as readonly string[]).includes(raw)
    ? { ok: true, value: raw as Environment }
    : { ok: false, problem: `must be one of ${ENVIRONMENTS.join(', ')}` };

const level = (raw: unknown): Parsed<string> =>
  typeof raw === 'string' && ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(raw)
    ? { ok: true, value: raw }
    : { ok: false, problem: 'must be one of fatal, error, warn, info, debug, trace, silent' };

/** Addresses or CIDR ranges of the TLS-terminating proxies whose X-Forwarded-* headers are trusted. */
const proxyList = (raw: unknown): Parsed<string[]> => {
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : undefined;
  if (!items) return { ok: false, problem: 'must be a comma-separated list of IP addresses or CIDR ranges' };
  const list = items.map((s) => String(s).trim()).filter((s) => s.length > 0);
  const bad = list.filter((s) => !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(s));
  if (list.length === 0 || bad.length > 0) {
    return { ok: false, problem: `must list IP addresses or CIDR ranges of the proxy (got ${bad.join(', ') || 'nothing'})` };
  }
  return { ok: true, value: list };
};

const BASE64_32 = /^[A-Za-z0-9+/]{43}=?$/;
const masterKey = (raw: unknown): Parsed<string> =>
  typeof raw === 'string' && BASE64_32.test(raw.trim()) && Buffer.from(raw.trim(), 'base64').length === 32
    ? { ok: true, value: raw.trim() }
    : { ok: false, problem: 'must be base64 of exactly 32 bytes (e.g. from `openssl rand -base64 32`)' };
const masterKeyList = (raw: unknown): Parsed<string[]> => {
  const items = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter(Boolean) : Array.isArray(raw) ? raw : [];
  const bad = items.findIndex((k) => !masterKey(k).ok);
  return items.length > 0 && bad === -1 ? { ok: true, value: items as string[] } : { ok: false, problem: 'must be comma-separated base64 keys of 32 bytes each' };
};

const postgresUrl = (raw: unknown): Parsed<string> => {
  if (typeof raw !== 'string') return { ok: false, problem: 'must be a postgres:// URL string' };
  try {
    const u = new URL(raw);
    if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') return { ok: false, problem: 'must be a postgres:// (or postgresql://) URL' };
    if (!u.hostname) return { ok: false, problem: 'must name a host, e.g. postgres://vaultgate@db.internal:5432/vaultgate' };
    return { ok: true, value: raw };
  } catch {
    return { ok: false, problem: 'must be a URL such as postgres://vaultgate@db.internal:5432/vaultgate' };
  }
};

const schemaName = (raw: unknown): Parsed<string> =>
  typeof raw === 'string' && /^[a-z_][a-z0-9_]{0,62}$/.test(raw)
    ? { ok: true, value: raw }
    : { ok: false, problem: 'must be a lower-case SQL identifier (letters, digits, _; at most 63 characters)' };

export const CONFIG_SCHEMA = {
  port: {
    env: 'VAULTGATE_PORT', flag: '--port', default: 8080, parse: int(0, 65535),
    description: 'TCP port to listen on (0 picks a free port).',
  } as ConfigKey<number>,
  host: {
    env: 'VAULTGATE_HOST', flag: '--host', default: '127.0.0.1', parse: str({ min: 1 }),
    description: 'Address to listen on. `live` needs TLS or VAULTGATE_TRUST_PROXY on any address: it answers only requests that arrived over TLS.',
  } as ConfigKey<string>,
  dataDir: {
    env: 'VAULTGATE_DATA_DIR', flag: '--data-dir', default: './data', parse: str({ min: 1 }),
    description: 'Directory of the embedded database, the master key and the generated admin token.',
  } as ConfigKey<string>,
  environment: {
    env: 'VAULTGATE_ENVIRONMENT', flag: '--environment', default: 'test', parse: environment,
    description: 'Which environment this deployment is (`live`, `uat`, `test`); part of every id it issues.',
  } as ConfigKey<Environment>,
  publicUrl: {
    env: 'VAULTGATE_PUBLIC_URL', flag: '--public-url', default: undefined, parse: url,
    defaultDoc: 'http(s)://<host>:<port>',
    description: 'Base URL clients address; channel URLs and the MAC URL are built from it. Required in `live`.',
  } as ConfigKey<string>,
  adminToken: {
    env: 'VAULTGATE_ADMIN_TOKEN', default: undefined, parse: str({ min: 32 }),
    defaultDoc: 'generated into <dataDir>/admin-token',
    description: 'Operator bearer token for /admin (at least 32 characters). If unset, one is generated on first start and stored with mode 0600 in the data directory.',
  } as ConfigKey<string>,
  macTimestampWindowS: {
    env: 'VAULTGATE_MAC_TIMESTAMP_WINDOW_S', flag: '--mac-timestamp-window-s', default: 300, parse: int(0, 86400),
    description: 'Allowed distance in seconds between a MAC request timestamp and server time; 0 disables the check (logged as unsafe).',
  } as ConfigKey<number>,
  maxBodyBytes: {
    env: 'VAULTGATE_MAX_BODY_BYTES', flag: '--max-body-bytes', default: 10 * 1024 * 1024, parse: int(1, 1024 * 1024 * 1024),
    description: 'Largest accepted message body in bytes: the decoded message when it is sent with a Content-Encoding (decoding stops as soon as it is crossed), and the bytes as sent.',
  } as ConfigKey<number>,
  allowMd5: {
    env: 'VAULTGATE_ALLOW_MD5', flag: '--allow-md5', default: false, parse: bool,
    description: 'Accept the legacy MD5 MAC (and requests without an algorithm header). Weak; logged as unsafe.',
  } as ConfigKey<boolean>,
  transactionIdRetentionH: {
    env: 'VAULTGATE_TRANSACTION_ID_RETENTION_H', flag: '--transaction-id-retention-h', default: 24, parse: int(24, 24 * 3650),
    description: 'Hours a used transaction id stays refused (never less than 24, and at least twice the timestamp window).',
  } as ConfigKey<number>,
  tlsCert: {
    env: 'VAULTGATE_TLS_CERT', flag: '--tls-cert', default: undefined, parse: str({ min: 1 }),
    description: 'PEM certificate file; with VAULTGATE_TLS_KEY the server speaks HTTPS itself.',
  } as ConfigKey<string>,
  tlsKey: {
    env: 'VAULTGATE_TLS_KEY', flag: '--tls-key', default: undefined, parse: str({ min: 1 }),
    description: 'PEM private key file for VAULTGATE_TLS_CERT.',
  } as ConfigKey<string>,
  trustProxy: {
    env: 'VAULTGATE_TRUST_PROXY', flag: '--trust-proxy', default: undefined, parse: proxyList,
    description: 'Comma-separated addresses/CIDRs of TLS-terminating proxies in front; only their X-Forwarded-* and Forwarded headers are trusted. In `live`, a request from one is served only when it says https (X-Forwarded-Proto, or RFC 7239 Forwarded proto); anything else not on a TLS socket is 403 HTTPS_REQUIRED, except GET /healthz and /readyz.',
  } as ConfigKey<string[]>,
  masterKey: {
    env: 'VAULTGATE_MASTER_KEY', default: undefined, parse: masterKey,
    defaultDoc: 'generated into <dataDir>/master.key',
    description: 'Master key (KEK) wrapping every data key: base64 of 32 bytes (`openssl rand -base64 32`). If unset, one is generated on first start into the data directory with mode 0600 (an unsafe default in live: keep the master key apart from the data).',
  } as ConfigKey<string>,
  previousMasterKeys: {
    env: 'VAULTGATE_MASTER_KEY_PREVIOUS', default: undefined, parse: masterKeyList,
    description: 'Comma-separated previous master keys, needed only while `vaultgate admin keys rotate-master` re-wraps the data keys.',
  } as ConfigKey<string[]>,
  databaseUrl: {
    env: 'VAULTGATE_DATABASE_URL', default: undefined, parse: postgresUrl,
    defaultDoc: 'embedded SQLite in <dataDir>',
    description: 'PostgreSQL instead of the embedded SQLite: postgres://user:password@host:5432/database. Several gateway processes may share it (see docs/deploy.md); needs VAULTGATE_KEYSTORE_URL, VAULTGATE_MASTER_KEY and VAULTGATE_ADMIN_TOKEN.',
  } as ConfigKey<string>,
  databaseSchema: {
    env: 'VAULTGATE_DATABASE_SCHEMA', flag: '--database-schema', default: 'vaultgate', parse: schemaName,
    description: 'PostgreSQL schema holding the tables (created by the migrations).',
  } as ConfigKey<string>,
  databasePoolSize: {
    env: 'VAULTGATE_DATABASE_POOL_SIZE', flag: '--database-pool-size', default: 10, parse: int(1, 500),
    description: 'Most PostgreSQL connections one process opens (the key store has a pool of its own, a quarter of this, at least 2).',
  } as ConfigKey<number>,
  databaseMigrate: {
    env: 'VAULTGATE_DATABASE_MIGRATE', flag: '--database-migrate', default: true, parse: bool,
    description: 'Apply pending PostgreSQL migrations at startup (several processes starting together migrate once). When false, startup refuses a schema at another version: run `vaultgate migrate` first.',
  } as ConfigKey<boolean>,
  keystoreUrl: {
    env: 'VAULTGATE_KEYSTORE_URL', default: undefined, parse: postgresUrl,
    defaultDoc: 'required with VAULTGATE_DATABASE_URL',
    description: 'PostgreSQL database of the wrapped data keys, apart from the messages: another database, best on another cluster, so that a backup of the message database alone holds no usable key. The same database (another schema) is allowed and logged as unsafe.',
  } as ConfigKey<string>,
  keystoreSchema: {
    env: 'VAULTGATE_KEYSTORE_SCHEMA', flag: '--keystore-schema', default: 'vaultgate_keys', parse: schemaName,
    description: 'PostgreSQL schema of the key store in VAULTGATE_KEYSTORE_URL.',
  } as ConfigKey<string>,
  ingestionRefusalRetentionDays: {
    env: 'VAULTGATE_INGESTION_REFUSAL_RETENTION_DAYS', flag: '--ingestion-refusal-retention-days', default: 7, parse: int(1, 90),
    description: 'Days refused ingestion requests are kept for GET /api/v1/organisations/{id}/ingestion/refusals (docs/api.md); older ones are deleted every VAULTGATE_RETENTION_SWEEP_S.',
  } as ConfigKey<number>,
  retentionSweepS: {
    env: 'VAULTGATE_RETENTION_SWEEP_S', flag: '--retention-sweep-s', default: 60, parse: int(0, 86400),
    description: 'Seconds between retention sweeps (expired messages, deleted companies), in bounded batches; 0 turns the sweep off.',
  } as ConfigKey<number>,
  grantExpirySweepS: {
    env: 'VAULTGATE_GRANT_EXPIRY_SWEEP_S', flag: '--grant-expiry-sweep-s', default: 60, parse: int(0, 86400),
    description: 'Seconds between sweeps that record grants past their notOnOrAfter as expired (an event both sides see; docs/sharing.md); 0 turns the sweep off. Reads never wait for it: a grant past its window is not in force from that instant.',
  } as ConfigKey<number>,
  feedMaxWaits: {
    env: 'VAULTGATE_FEED_MAX_WAITS', flag: '--feed-max-waits', default: 1000, parse: int(1, 100000),
    description: 'Feed long-polls (GET /vault/v1/feed with wait > 0) one process holds waiting at once; more are answered 503 FEED_BUSY with Retry-After.',
  } as ConfigKey<number>,
  feedMaxWaitsPerReader: {
    env: 'VAULTGATE_FEED_MAX_WAITS_PER_READER', flag: '--feed-max-waits-per-reader', default: 4, parse: int(1, 1000),
    description: 'Feed long-polls one reader (organisation) may hold waiting at once in one process; more are answered 429 FEED_WAITS_EXHAUSTED with Retry-After.',
  } as ConfigKey<number>,
  auditCheckpointS: {
    env: 'VAULTGATE_AUDIT_CHECKPOINT_S', flag: '--audit-checkpoint-s', default: 3600, parse: int(0, 7 * 86400),
    description: 'Seconds between signed checkpoints of the audit chain (docs/audit.md), taken only when events were added since the last one; 0: only on demand (POST /admin/v1/audit/checkpoints).',
  } as ConfigKey<number>,
  auditRetentionDays: {
    env: 'VAULTGATE_AUDIT_RETENTION_DAYS', flag: '--audit-retention-days', default: 0, parse: int(0, 36500),
    description: 'Days audit events are kept; 0 keeps them forever. Refused at startup (and for new channels) when shorter than a message retention; pruned only at a signed checkpoint, so the rest still verifies (docs/audit.md).',
  } as ConfigKey<number>,
  logLevel: {
    env: 'VAULTGATE_LOG_LEVEL', flag: '--log-level', default: 'info', parse: level,
    description: 'Log level of the JSON-lines log on stdout.',
  } as ConfigKey<string>,
  shutdownTimeoutS: {
    env: 'VAULTGATE_SHUTDOWN_TIMEOUT_S', flag: '--shutdown-timeout-s', default: 30, parse: int(1, 3600),
    description: 'Seconds SIGTERM waits for in-flight requests before closing their connections.',
  } as ConfigKey<number>,
  requestTimeoutS: {
    env: 'VAULTGATE_REQUEST_TIMEOUT_S', flag: '--request-timeout-s', default: 60, parse: int(1, 3600),
    description: 'Seconds a client has to send a whole request (headers and body); then it is answered 408 REQUEST_TIMEOUT and its connection closed.',
  } as ConfigKey<number>,
  // --- bearer tokens (issue 4) ---
  tokenLifetimeS: {
    env: 'VAULTGATE_TOKEN_LIFETIME_S', flag: '--token-lifetime-s', default: 3599, parse: int(60, 86400),
    description: 'Lifetime in seconds of access tokens from the built-in token endpoint (POST /oauth2/token).',
  } as ConfigKey<number>,
  tokenSigningAlg: {
    env: 'VAULTGATE_TOKEN_SIGNING_ALG', flag: '--token-signing-alg', default: 'ES256',
    parse: (raw: unknown): Parsed<string> => (raw === 'ES256' || raw === 'RS256' ? { ok: true, value: raw } : { ok: false, problem: 'must be ES256 or RS256' }),
    description: 'Algorithm of the built-in issuer\'s signing keys (ES256 or RS256); applies to keys generated from then on.',
  } as ConfigKey<string>,
  oidcIssuers: {
    env: 'VAULTGATE_OIDC_ISSUERS', default: [], parse: parseOidcIssuers,
    defaultDoc: '[] (only the built-in issuer)',
    description: 'External OpenID Connect issuers whose access tokens are accepted, as a JSON array of {issuer, discoveryUrl | jwksUri, audiences, algorithms (asymmetric; default ["RS256"]), clientIdClaims (default ["azp","appid","client_id"]), rolesClaim (default "roles"; "scp"; null), roleMap, requiredClaims (e.g. {"tfp":"B2C_1_policy"}), jwksMinRefetchIntervalS (default 30), maxTokenLifetimeS (longest exp - iat accepted, default 86400)}. See docs/api.md.',
  } as ConfigKey<OidcIssuerConfig[]>,
  // --- authentication throttling (issue 11 §6) ---
  authThrottleCredentialFailures: {
    env: 'VAULTGATE_AUTH_THROTTLE_CREDENTIAL_FAILURES', flag: '--auth-throttle-credential-failures', default: 10, parse: int(0, 1_000_000),
    description: 'Failed authentications per credential id (MAC PartnerId/CustomerId, OAuth client_id at the token endpoint) in one window before requests naming it get 429 AUTHENTICATION_THROTTLED with Retry-After, unverified; 0 turns this count off. Counted per process.',
  } as ConfigKey<number>,
  authThrottleAddressFailures: {
    env: 'VAULTGATE_AUTH_THROTTLE_ADDRESS_FAILURES', flag: '--auth-throttle-address-failures', default: 100, parse: int(0, 1_000_000),
    description: 'Failed authentications per client address (behind VAULTGATE_TRUST_PROXY: the forwarded address) in one window, on every scheme and the operator token, before that address gets 429 AUTHENTICATION_THROTTLED; 0 turns this count off. Counted per process.',
  } as ConfigKey<number>,
  authThrottleWindowS: {
    env: 'VAULTGATE_AUTH_THROTTLE_WINDOW_S', flag: '--auth-throttle-window-s', default: 60, parse: int(1, 86400),
    description: 'Seconds of the window in which authentication failures are counted; a throttled credential or address is let through again when its window ends (Retry-After says when).',
  } as ConfigKey<number>,
  // --- fair use: ingestion rate limits (issue 17 §3; docs/api.md "Limits") ---
  rateLimitPartyMessages: {
    env: 'VAULTGATE_RATE_LIMIT_PARTY_MESSAGES', flag: '--rate-limit-party-messages', default: 10_000, parse: int(0, 100_000_000),
    description: 'Messages one party (integrator) may send in one window, over all its channels, before further requests get 429 RATE_LIMITED with Retry-After; a batch counts its items. Shared by every gateway process on PostgreSQL, per process on SQLite. 0 turns this limit off. Default 10,000 per 10 s: 1,000 messages/s, the figure Segment\'s HTTP tracking API allows a source.',
  } as ConfigKey<number>,
  rateLimitChannelMessages: {
    env: 'VAULTGATE_RATE_LIMIT_CHANNEL_MESSAGES', flag: '--rate-limit-channel-messages', default: 5_000, parse: int(0, 100_000_000),
    description: 'Messages one channel may receive in one window before further requests get 429 RATE_LIMITED; half the party limit by default, so one busy channel cannot use up its party\'s whole budget. 0 turns this limit off.',
  } as ConfigKey<number>,
  rateLimitWindowS: {
    env: 'VAULTGATE_RATE_LIMIT_WINDOW_S', flag: '--rate-limit-window-s', default: 10, parse: int(1, 86_400),
    description: 'Seconds of the fixed window the ingestion rate limits count in (the w of RateLimit-Policy); a refused client may send again when its window ends (Retry-After and the t of RateLimit say when).',
  } as ConfigKey<number>,
  rateLimitSyncMs: {
    env: 'VAULTGATE_RATE_LIMIT_SYNC_MS', flag: '--rate-limit-sync-ms', default: 100, parse: int(0, 10_000),
    description: 'On PostgreSQL: how often each gateway process adds the messages it admitted to the shared counts (and learns the others\'), instead of a database round trip per request and limit; a budget may be overrun by what the processes admit in this time. 0 = every request asks the database (exact). Kong\'s rate-limiting plugin calls this sync_rate.',
  } as ConfigKey<number>,
  // --- accounts (issue 14) ---
  registrationAutoApprove: {
    env: 'VAULTGATE_REGISTRATION_AUTO_APPROVE', flag: '--registration-auto-approve', default: false, parse: bool,
    description: 'Approve registrations of organisations (POST /api/v1/registrations) at once instead of waiting for an operator; only in the test and uat environments (refused at startup in live).',
  } as ConfigKey<boolean>,
  sessionIdleS: {
    env: 'VAULTGATE_SESSION_IDLE_S', flag: '--session-idle-s', default: 1800, parse: int(60, 86400),
    description: 'Seconds a signed-in session may go unused before it ends (idle timeout; OWASP suggests 15-30 min).',
  } as ConfigKey<number>,
  sessionAbsoluteS: {
    env: 'VAULTGATE_SESSION_ABSOLUTE_S', flag: '--session-absolute-s', default: 43200, parse: int(300, 7 * 86400),
    description: 'Seconds after sign-in when a session ends however it is used (absolute timeout).',
  } as ConfigKey<number>,
  // --- invitations by email (issue 14) ---
  smtpHost: {
    env: 'VAULTGATE_SMTP_HOST', flag: '--smtp-host', default: undefined, parse: str({ min: 1 }),
    description: 'SMTP server that sends invitation mail (nodemailer). Unset: no mail is sent, and the invitation link is returned to the inviter once (the CLI prints it).',
  } as ConfigKey<string>,
  smtpPort: {
    env: 'VAULTGATE_SMTP_PORT', flag: '--smtp-port', default: 587, parse: int(1, 65535),
    description: 'Port of the SMTP server (587 submission with STARTTLS, 465 implicit TLS).',
  } as ConfigKey<number>,
  smtpTls: {
    env: 'VAULTGATE_SMTP_TLS', flag: '--smtp-tls', default: 'starttls',
    parse: (raw: unknown): Parsed<string> => (raw === 'starttls' || raw === 'implicit' || raw === 'none' ? { ok: true, value: raw } : { ok: false, problem: 'must be starttls, implicit or none' }),
    description: 'starttls: the connection must be upgraded with STARTTLS (RFC 3207) before anything is sent; implicit: TLS from the first byte (RFC 8314, port 465); none: plain text (a local relay or a test server only; refused in live).',
  } as ConfigKey<string>,
  smtpCa: {
    env: 'VAULTGATE_SMTP_CA', flag: '--smtp-ca', default: undefined, parse: str({ min: 1 }),
    description: "PEM file of the certificate authorities to trust for the SMTP server's TLS certificate (a private CA), besides Node's built-in ones.",
  } as ConfigKey<string>,
  smtpUser: {
    env: 'VAULTGATE_SMTP_USER', flag: '--smtp-user', default: undefined, parse: str({ min: 1 }),
    description: 'SMTP AUTH user name; unset: no authentication.',
  } as ConfigKey<string>,
  smtpPassword: {
    env: 'VAULTGATE_SMTP_PASSWORD', default: undefined, parse: str({ min: 1 }),
    description: 'SMTP AUTH password (environment or file only, never a flag, never logged).',
  } as ConfigKey<string>,
  mailFrom: {
    env: 'VAULTGATE_MAIL_FROM', flag: '--mail-from', default: 'Vaultgate <no-reply@localhost>', parse: str({ min: 3 }),
    description: 'The From address of invitation mail, e.g. "Vaultgate <no-reply@vaultgate.example.com>".',
  } as ConfigKey<string>,
  invitationTtlH: {
    env: 'VAULTGATE_INVITATION_TTL_H', flag: '--invitation-ttl-h', default: 72, parse: int(1, 30 * 24),
    description: 'Hours an invitation link stays valid (it also works only once).',
  } as ConfigKey<number>,
  passwordResetTtlH: {
    env: 'VAULTGATE_PASSWORD_RESET_TTL_H', flag: '--password-reset-ttl-h', default: 24, parse: int(1, 7 * 24),
    description: 'Hours a password-reset link an operator issues stays valid (it also works only once, and a newer link replaces it).',
  } as ConfigKey<number>,
  oidcSignInProviders: {
    env: 'VAULTGATE_OIDC_SIGNIN_PROVIDERS', default: [], parse: parseOidcSignInProviders,
    defaultDoc: '[] (password sign-in only)',
    description: 'External OpenID Connect providers people sign in through (GET /api/v1/session/oidc), as a JSON array of {id, issuer, clientId, clientSecret (a secret: environment or file only), domains (email domains it signs in), organisations (organisation ids it signs in), scopes (default "openid email profile"), emailClaim (default "email"), trustEmailInDomains (default false; true for Entra ID, which sends no email_verified)}. A domain or organisation has at most one provider. The redirect URI to register at the provider is <VAULTGATE_PUBLIC_URL>/api/v1/session/oidc/callback. See docs/accounts.md.',
  } as ConfigKey<OidcSignInProviderConfig[]>,
  webhookAllowPrivate: {
    env: 'VAULTGATE_WEBHOOK_ALLOW_PRIVATE', flag: '--webhook-allow-private', default: false, parse: bool,
    description: 'Deliver webhooks to loopback, private, link-local, unique-local and other non-public addresses too (checked at endpoint creation and again after DNS resolution at every connection). Unsafe on a shared platform (SSRF): for a local test receiver or a platform whose receivers all live on a private network. Prefer VAULTGATE_WEBHOOK_ALLOW_CIDRS to allow only some.',
  } as ConfigKey<boolean>,
  webhookAllowCidrs: {
    env: 'VAULTGATE_WEBHOOK_ALLOW_CIDRS', flag: '--webhook-allow-cidrs', default: undefined, parse: proxyList,
    description: 'Comma-separated IP addresses or CIDR ranges that webhook deliveries may reach although they are not public (e.g. a receiver on 10.1.2.0/24). Cloud metadata addresses stay refused unless listed exactly.',
  } as ConfigKey<string[]>,
  webhookCa: {
    env: 'VAULTGATE_WEBHOOK_CA', flag: '--webhook-ca', default: undefined, parse: str({ min: 1 }),
    description: "PEM file of extra certificate authorities to trust for webhook receivers' TLS certificates (a private CA or a test receiver's self-signed certificate), besides Node's built-in ones.",
  } as ConfigKey<string>,
  webhookTimeoutS: {
    env: 'VAULTGATE_WEBHOOK_TIMEOUT_S', flag: '--webhook-timeout-s', default: 15, parse: int(1, 120),
    description: 'Seconds a webhook receiver has to answer (connect, headers and body); a slower answer is a failed attempt.',
  } as ConfigKey<number>,
  webhookRateLimitPerS: {
    env: 'VAULTGATE_WEBHOOK_RATE_LIMIT_PER_S', flag: '--webhook-rate-limit-per-s', default: 50, parse: int(1, 100_000),
    description: 'Deliveries per second to one endpoint; over it dispatch waits (it never drops a delivery). Counted across every gateway process on PostgreSQL, per process on SQLite.',
  } as ConfigKey<number>,
  webhookDisableAfterH: {
    env: 'VAULTGATE_WEBHOOK_DISABLE_AFTER_H', flag: '--webhook-disable-after-h', default: 120, parse: int(1, 24 * 365),
    description: 'An endpoint whose attempts have all failed for this many hours is disabled (an audit event; its admin re-enables it). Default 5 days.',
  } as ConfigKey<number>,
  webhookDispatchMs: {
    env: 'VAULTGATE_WEBHOOK_DISPATCH_MS', flag: '--webhook-dispatch-ms', default: 500, parse: int(0, 60_000),
    description: 'How often the webhook dispatcher looks for new messages and due attempts (milliseconds); 0 turns dispatch off in this process (another process delivers).',
  } as ConfigKey<number>,
  portal: {
    env: 'VAULTGATE_PORTAL', flag: '--portal', default: true, parse: bool,
    description: 'Serve the web portal (built into dist/portal by `npm run build`) under /portal/, and redirect / to it. Off: neither is served; the APIs are unchanged.',
  } as ConfigKey<boolean>,
} as const;

export type ConfigSchema = typeof CONFIG_SCHEMA;
export type ConfigName = keyof ConfigSchema;

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  environment: Environment;
  publicUrl: string;
  adminToken: string | undefined;
  macTimestampWindowS: number;
  maxBodyBytes: number;
  allowMd5: boolean;
  transactionIdRetentionH: number;
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  trustProxy: string[] | undefined;
  masterKey: string | undefined;
  previousMasterKeys: string[] | undefined;
  databaseUrl: string | undefined;
  databaseSchema: string;
  databasePoolSize: number;
  databaseMigrate: boolean;
  keystoreUrl: string | undefined;
  keystoreSchema: string;
  ingestionRefusalRetentionDays: number;
  retentionSweepS: number;
  grantExpirySweepS: number;
  auditCheckpointS: number;
  feedMaxWaits: number;
  feedMaxWaitsPerReader: number;
  auditRetentionDays: number;
  logLevel: string;
  shutdownTimeoutS: number;
  requestTimeoutS: number;
  tokenLifetimeS: number;
  tokenSigningAlg: string;
  oidcIssuers: OidcIssuerConfig[];
  authThrottleCredentialFailures: number;
  authThrottleAddressFailures: number;
  authThrottleWindowS: number;
  rateLimitPartyMessages: number;
  rateLimitChannelMessages: number;
  rateLimitWindowS: number;
  rateLimitSyncMs: number;
  registrationAutoApprove: boolean;
  sessionIdleS: number;
  sessionAbsoluteS: number;
  smtpHost: string | undefined;
  smtpPort: number;
  smtpTls: string;
  smtpCa: string | undefined;
  smtpUser: string | undefined;
  smtpPassword: string | undefined;
  mailFrom: string;
  invitationTtlH: number;
  passwordResetTtlH: number;
  oidcSignInProviders: OidcSignInProviderConfig[];
  webhookAllowPrivate: boolean;
  webhookAllowCidrs: string[] | undefined;
  webhookCa: string | undefined;
  webhookTimeoutS: number;
  webhookRateLimitPerS: number;
  webhookDisableAfterH: number;
  webhookDispatchMs: number;
  portal: boolean;
  /** Set by loadConfig when publicUrl was derived rather than configured. */
  publicUrlDerived: boolean;
}
