import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { CONFIG_SCHEMA, type Config, type ConfigKey, type ConfigName } from './schema.js';

/** Startup stops with this error; `problems` lists every problem, each with its path. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface ConfigSources {
  /** The process environment (only the CLI entry point passes it). */
  env?: Record<string, string | undefined>;
  /** Values from command-line flags, keyed by config name. */
  flags?: Partial<Record<ConfigName, unknown>>;
  /** A JSON config file; also taken from VAULTGATE_CONFIG. */
  file?: string | undefined;
}

const LOOPBACK = (host: string): boolean =>
  host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));

/**
 * Builds the configuration from defaults, file, environment and flags; validates everything once and freezes it.
 * Throws ConfigError naming every problem.
 */
export function loadConfig(sources: ConfigSources = {}): Readonly<Config> {
  const env = sources.env ?? {};
  const problems: string[] = [];
  const knownEnv = new Set(Object.values(CONFIG_SCHEMA).map((k) => k.env));
  for (const name of Object.keys(env)) {
    if (name.startsWith('VAULTGATE_') && !knownEnv.has(name) && name !== 'VAULTGATE_CONFIG') {
      problems.push(`${name}: unknown setting (known: ${[...knownEnv].join(', ')})`);
    }
  }

  let fileValues: Record<string, unknown> = {};
  const file = sources.file ?? env.VAULTGATE_CONFIG;
  if (file) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
      fileValues = parsed as Record<string, unknown>;
      for (const k of Object.keys(fileValues)) {
        if (!(k in CONFIG_SCHEMA)) problems.push(`${file}: ${k}: unknown setting`);
      }
    } catch (err) {
      problems.push(`${file}: cannot be read as a JSON object (${(err as Error).message})`);
    }
  }

  const out: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(CONFIG_SCHEMA) as [ConfigName, ConfigKey<unknown>][]) {
    let raw: unknown;
    let from: string;
    const flag = sources.flags?.[name];
    if (flag !== undefined) {
      raw = flag;
      from = key.flag ?? name;
    } else if (env[key.env] !== undefined && env[key.env] !== '') {
      raw = env[key.env];
      from = key.env;
    } else if (fileValues[name] !== undefined) {
      raw = fileValues[name];
      from = `${file}: ${name}`;
    } else {
      out[name] = key.default;
      continue;
    }
    const r = key.parse(raw);
    if (r.ok) out[name] = r.value;
    else problems.push(`${from}: ${r.problem}`);
  }

  const c = out as unknown as Config;
  if ((c.tlsCert === undefined) !== (c.tlsKey === undefined)) {
    problems.push('VAULTGATE_TLS_CERT and VAULTGATE_TLS_KEY: set both or neither');
  }
  for (const k of ['tlsCert', 'tlsKey'] as const) {
    const f = c[k];
    if (f !== undefined) {
      try {
        readFileSync(f);
      } catch (err) {
        problems.push(`${CONFIG_SCHEMA[k].env}: cannot read ${f} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
  }
  const tls = c.tlsCert !== undefined;
  const live = c.environment === 'live';
  if (live && !tls && typeof c.host === 'string' && !LOOPBACK(c.host) && c.trustProxy === undefined) {
    problems.push(
      `VAULTGATE_HOST: plain HTTP on the non-loopback address ${c.host} is refused in live; set VAULTGATE_TLS_CERT/VAULTGATE_TLS_KEY, or VAULTGATE_TRUST_PROXY to the TLS-terminating proxy in front`,
    );
  } else if (live && !tls && c.trustProxy === undefined) {
    // live answers only requests that arrived over TLS (HTTPS_REQUIRED), so without either it could serve nothing.
    problems.push(
      'VAULTGATE_ENVIRONMENT: live serves only HTTPS; set VAULTGATE_TLS_CERT/VAULTGATE_TLS_KEY, or VAULTGATE_TRUST_PROXY to the TLS-terminating proxy in front (127.0.0.1 for one on this host)',
    );
  }
  if (live && c.registrationAutoApprove === true) {
    problems.push('VAULTGATE_REGISTRATION_AUTO_APPROVE: only in test and uat; in live an operator approves every registration');
  }
  if (live && c.smtpHost !== undefined && c.smtpTls === 'none') problems.push('VAULTGATE_SMTP_TLS: none (plain-text SMTP) is refused in live');
  if (typeof c.sessionIdleS === 'number' && typeof c.sessionAbsoluteS === 'number' && c.sessionIdleS > c.sessionAbsoluteS) {
    problems.push('VAULTGATE_SESSION_IDLE_S: must not be longer than VAULTGATE_SESSION_ABSOLUTE_S');
  }
  if (live && out.publicUrl === undefined) {
    problems.push('VAULTGATE_PUBLIC_URL: required in live (the URL clients address, e.g. https://vaultgate.example.com)');
  }
  if (live && typeof out.publicUrl === 'string' && out.publicUrl.startsWith('http:')) {
    problems.push('VAULTGATE_PUBLIC_URL: must be https:// in live');
  }
  if (
    typeof c.transactionIdRetentionH === 'number' &&
    typeof c.macTimestampWindowS === 'number' &&
    c.transactionIdRetentionH * 3600 < 2 * c.macTimestampWindowS
  ) {
    problems.push('VAULTGATE_TRANSACTION_ID_RETENTION_H: must cover at least twice the MAC timestamp window');
  }
  if (live && Array.isArray(c.oidcIssuers)) {
    c.oidcIssuers.forEach((i, n) => {
      for (const u of [i.discoveryUrl, i.jwksUri]) {
        if (u !== undefined && !u.startsWith('https:')) problems.push(`VAULTGATE_OIDC_ISSUERS: [${n}]: ${u} must be https:// in live (keys fetched over plain HTTP could be replaced in transit)`);
      }
    });
  }
  if (live && Array.isArray(c.oidcSignInProviders)) {
    c.oidcSignInProviders.forEach((p, n) => {
      if (!p.issuer.startsWith('https:')) problems.push(`VAULTGATE_OIDC_SIGNIN_PROVIDERS: [${n}].issuer: ${p.issuer} must be https:// in live`);
    });
  }
  if (c.previousMasterKeys !== undefined && c.masterKey === undefined) {
    problems.push('VAULTGATE_MASTER_KEY_PREVIOUS: needs VAULTGATE_MASTER_KEY (the new current key)');
  }
  problems.push(...postgresProblems(c));
  if (problems.length > 0) throw new ConfigError(problems);

  c.publicUrlDerived = out.publicUrl === undefined;
  if (c.publicUrlDerived) {
    const host = c.host.includes(':') ? `[${c.host}]` : c.host === '0.0.0.0' ? '127.0.0.1' : c.host;
    c.publicUrl = `${tls ? 'https' : 'http'}://${host}:${c.port}`;
  }
  return Object.freeze(c);
}

/** host:port/database of a postgres URL, to tell whether two URLs reach the same database. */
function databaseIdentity(url: string): string {
  const u = new URL(url);
  return `${u.hostname.toLowerCase()}:${u.port || '5432'}/${decodeURIComponent(u.pathname.slice(1)) || decodeURIComponent(u.username)}`;
}

/** Whether the key store URL reaches the same PostgreSQL database as the messages. */
export function keystoreInMessageDatabase(c: Readonly<Config>): boolean {
  return c.databaseUrl !== undefined && c.keystoreUrl !== undefined && databaseIdentity(c.databaseUrl) === databaseIdentity(c.keystoreUrl);
}

/*
 * Several gateway processes on one PostgreSQL database must agree on what is not in it: the master key (else one
 * cannot unwrap the data keys another wrapped) and the operator token. A generated one per data directory would
 * differ between processes, so both must be configured.
 */
function postgresProblems(c: Readonly<Config>): string[] {
  const p: string[] = [];
  if (c.databaseUrl === undefined) {
    if (c.keystoreUrl !== undefined) p.push('VAULTGATE_KEYSTORE_URL: only used with VAULTGATE_DATABASE_URL');
    return p;
  }
  if (c.keystoreUrl === undefined) {
    p.push('VAULTGATE_KEYSTORE_URL: required with VAULTGATE_DATABASE_URL (the wrapped data keys live apart from the messages; see docs/deploy.md)');
  }
  if (c.masterKey === undefined) p.push('VAULTGATE_MASTER_KEY: required with VAULTGATE_DATABASE_URL (every gateway process must use the same master key)');
  if (c.adminToken === undefined) p.push('VAULTGATE_ADMIN_TOKEN: required with VAULTGATE_DATABASE_URL (every gateway process must accept the same operator token)');
  if (typeof c.keystoreUrl === 'string' && keystoreInMessageDatabase(c) && c.keystoreSchema === c.databaseSchema) {
    p.push('VAULTGATE_KEYSTORE_SCHEMA: must differ from VAULTGATE_DATABASE_SCHEMA when the key store is in the message database');
  }
  return p;
}

/** Settings that are allowed but unsafe; main.ts logs each with its code at startup. */
export function unsafeSettings(c: Readonly<Config>): { code: string; message: string }[] {
  const w: { code: string; message: string }[] = [];
  if (c.allowMd5) w.push({ code: 'UNSAFE_MD5_ENABLED', message: 'MD5 MACs are accepted (VAULTGATE_ALLOW_MD5)' });
  if (c.macTimestampWindowS === 0) {
    w.push({ code: 'UNSAFE_TIMESTAMP_CHECK_OFF', message: 'MAC timestamps are not checked (VAULTGATE_MAC_TIMESTAMP_WINDOW_S=0)' });
  }
  if (c.environment === 'live' && c.masterKey === undefined) {
    w.push({ code: 'UNSAFE_MASTER_KEY_IN_DATA_DIR', message: 'the master key is kept in the data directory beside the data it protects; set VAULTGATE_MASTER_KEY from a secret store' });
  }
  if (c.tlsCert === undefined && !LOOPBACK(c.host) && c.trustProxy === undefined) {
    w.push({ code: 'UNSAFE_PLAIN_HTTP', message: `plain HTTP on the non-loopback address ${c.host}` });
  }
  if (keystoreInMessageDatabase(c)) {
    w.push({ code: 'UNSAFE_KEYSTORE_IN_MESSAGE_DATABASE', message: 'the key store is in the message database (VAULTGATE_KEYSTORE_URL): a backup of that database holds the wrapped data keys; put it in another database, best on another cluster' });
  }
  return w;
}
