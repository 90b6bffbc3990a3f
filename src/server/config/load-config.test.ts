import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, unsafeSettings, type ConfigSources } from './load-config.js';
import { CONFIG_SCHEMA } from './schema.js';

const dir = mkdtempSync(join(tmpdir(), 'vg-load-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function jsonFile(content: unknown): string {
  const f = join(dir, `config-${n++}.json`);
  writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
}

function configError(sources: ConfigSources): ConfigError {
  try {
    loadConfig(sources);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('loadConfig accepted the configuration');
}

describe('loadConfig defaults', () => {
  it('without any source: port 8080, host 127.0.0.1, ./data, test, window 300 s, 10 MiB bodies', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.host).toBe('127.0.0.1');
    expect(c.dataDir).toBe('./data');
    expect(c.environment).toBe('test');
    expect(c.macTimestampWindowS).toBe(300);
    expect(c.maxBodyBytes).toBe(10 * 1024 * 1024);
    expect(c.adminToken).toBeUndefined();
    expect(c.tlsCert).toBeUndefined();
    expect(c.trustProxy).toBeUndefined();
    expect(c.publicUrl).toBe('http://127.0.0.1:8080');
    expect(c.publicUrlDerived).toBe(true);
    expect(Object.isFrozen(c)).toBe(true);
    expect(unsafeSettings(c)).toEqual([]);
  });

  it('ignores environment variables that are not VAULTGATE_*, and treats an empty VAULTGATE_* value as unset', () => {
    const c = loadConfig({ env: { PORT: '1', HOME: '/root', VAULTGATE_PORT: '', VAULTGATE_ENVIRONMENT: '' } });
    expect(c.port).toBe(8080);
    expect(c.environment).toBe('test');
  });
});

describe('every VAULTGATE_* variable is honoured', () => {
  const cases: [string, string, keyof ReturnType<typeof loadConfig>, unknown][] = [
    ['VAULTGATE_PORT', '9443', 'port', 9443],
    ['VAULTGATE_HOST', '127.0.0.5', 'host', '127.0.0.5'],
    ['VAULTGATE_DATA_DIR', '/var/lib/vaultgate', 'dataDir', '/var/lib/vaultgate'],
    ['VAULTGATE_ENVIRONMENT', 'uat', 'environment', 'uat'],
    ['VAULTGATE_PUBLIC_URL', 'https://vaultgate.example.com/base', 'publicUrl', 'https://vaultgate.example.com/base'],
    ['VAULTGATE_ADMIN_TOKEN', 'k'.repeat(32), 'adminToken', 'k'.repeat(32)],
    ['VAULTGATE_MAC_TIMESTAMP_WINDOW_S', '45', 'macTimestampWindowS', 45],
    ['VAULTGATE_MAX_BODY_BYTES', '4096', 'maxBodyBytes', 4096],
  ];
  it.each(cases)('%s=%s', (name, value, key, expected) => {
    const c = loadConfig({ env: { [name]: value } });
    expect(c[key]).toEqual(expected);
    // Nothing else moved off its default.
    const defaults = loadConfig({});
    for (const k of Object.keys(defaults) as (keyof typeof defaults)[]) {
      if (k !== key && k !== 'publicUrl' && k !== 'publicUrlDerived') expect(c[k], k).toEqual(defaults[k]);
    }
  });

  it('derives the public URL from host and port unless VAULTGATE_PUBLIC_URL is set', () => {
    expect(loadConfig({ env: { VAULTGATE_PORT: '9443', VAULTGATE_HOST: '127.0.0.5' } }).publicUrl).toBe('http://127.0.0.5:9443');
    expect(loadConfig({ env: { VAULTGATE_HOST: '::1' } }).publicUrl).toBe('http://[::1]:8080');
    expect(loadConfig({ env: { VAULTGATE_HOST: '0.0.0.0' } }).publicUrl).toBe('http://127.0.0.1:8080');
    const set = loadConfig({ env: { VAULTGATE_PUBLIC_URL: 'https://vg.example.com', VAULTGATE_PORT: '1' } });
    expect(set).toMatchObject({ publicUrl: 'https://vg.example.com', publicUrlDerived: false });
  });

  it('VAULTGATE_MAC_TIMESTAMP_WINDOW_S=0 turns the check off and is reported as unsafe', () => {
    const c = loadConfig({ env: { VAULTGATE_MAC_TIMESTAMP_WINDOW_S: '0' } });
    expect(c.macTimestampWindowS).toBe(0);
    expect(unsafeSettings(c).map((w) => w.code)).toEqual(['UNSAFE_TIMESTAMP_CHECK_OFF']);
  });

  it('accepts the bounds of the numeric settings and refuses one past them', () => {
    expect(loadConfig({ env: { VAULTGATE_PORT: '0' } }).port).toBe(0);
    expect(loadConfig({ env: { VAULTGATE_PORT: '65535' } }).port).toBe(65535);
    expect(loadConfig({ env: { VAULTGATE_MAC_TIMESTAMP_WINDOW_S: '86400', VAULTGATE_TRANSACTION_ID_RETENTION_H: '48' } }).macTimestampWindowS).toBe(86400);
    expect(loadConfig({ env: { VAULTGATE_MAX_BODY_BYTES: '1' } }).maxBodyBytes).toBe(1);
    expect(configError({ env: { VAULTGATE_PORT: '65536' } }).problems).toEqual(['VAULTGATE_PORT: must be between 0 and 65535']);
    expect(configError({ env: { VAULTGATE_MAC_TIMESTAMP_WINDOW_S: '86401' } }).problems[0]).toBe('VAULTGATE_MAC_TIMESTAMP_WINDOW_S: must be between 0 and 86400');
    expect(configError({ env: { VAULTGATE_MAX_BODY_BYTES: String(1024 ** 3 + 1) } }).problems).toEqual([`VAULTGATE_MAX_BODY_BYTES: must be between 1 and ${1024 ** 3}`]);
    expect(configError({ env: { VAULTGATE_PORT: '80.5' } }).problems).toEqual(['VAULTGATE_PORT: must be a whole number']);
  });
});

describe('precedence: defaults < file < environment < flags', () => {
  const file = (): string => jsonFile({ port: 1111, host: '127.0.0.11', dataDir: '/from/file', environment: 'uat', macTimestampWindowS: 11, maxBodyBytes: 111 });

  it('each level overrides the one below, key by key', () => {
    const f = file();
    const fromFile = loadConfig({ file: f });
    expect(fromFile).toMatchObject({ port: 1111, host: '127.0.0.11', dataDir: '/from/file', environment: 'uat', macTimestampWindowS: 11, maxBodyBytes: 111 });

    const env = { VAULTGATE_PORT: '2222', VAULTGATE_HOST: '127.0.0.22', VAULTGATE_MAC_TIMESTAMP_WINDOW_S: '22' };
    const fromEnv = loadConfig({ file: f, env });
    expect(fromEnv).toMatchObject({ port: 2222, host: '127.0.0.22', macTimestampWindowS: 22, dataDir: '/from/file', environment: 'uat', maxBodyBytes: 111 });

    const fromFlags = loadConfig({ file: f, env, flags: { port: '3333', dataDir: '/from/flag' } });
    expect(fromFlags).toMatchObject({ port: 3333, dataDir: '/from/flag', host: '127.0.0.22', macTimestampWindowS: 22, environment: 'uat', maxBodyBytes: 111 });
    expect(fromFlags.publicUrl).toBe('http://127.0.0.22:3333');
    // Anything no source sets keeps its default.
    expect(fromFlags.allowMd5).toBe(false);
  });

  it('reads the file named by VAULTGATE_CONFIG, and an explicit --config wins over it', () => {
    const a = jsonFile({ port: 4444 });
    const b = jsonFile({ port: 5555 });
    expect(loadConfig({ env: { VAULTGATE_CONFIG: a } }).port).toBe(4444);
    expect(loadConfig({ env: { VAULTGATE_CONFIG: a }, file: b }).port).toBe(5555);
  });

  it('an invalid flag is reported by its flag name even when the environment holds a valid value', () => {
    expect(configError({ env: { VAULTGATE_PORT: '2222' }, flags: { port: 'x' } }).problems).toEqual(['--port: must be a whole number']);
  });
});

describe('every problem at once', () => {
  it('lists each invalid value with its path, from the environment, the file and the flags together', () => {
    const f = jsonFile({ maxBodyBytes: 'lots', host: 5, colour: 'blue' });
    const err = configError({
      file: f,
      env: {
        VAULTGATE_PORT: 'eighty',
        VAULTGATE_ENVIRONMENT: 'production',
        VAULTGATE_PUBLIC_URL: 'ftp://files.example.com',
        VAULTGATE_ADMIN_TOKEN: 'too-short',
        VAULTGATE_MAC_TIMESTAMP_WINDOW_S: '-1',
        VAULTGATE_PROT: '8080',
      },
      flags: { dataDir: '' },
    });
    expect(err.problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^VAULTGATE_PROT: unknown setting/),
      `${f}: colour: unknown setting`,
      'VAULTGATE_PORT: must be a whole number',
      `${f}: host: must be a string`,
      '--data-dir: must be at least 1 characters',
      'VAULTGATE_ENVIRONMENT: must be one of live, uat, test',
      'VAULTGATE_PUBLIC_URL: must be an http:// or https:// URL',
      'VAULTGATE_ADMIN_TOKEN: must be at least 32 characters',
      'VAULTGATE_MAC_TIMESTAMP_WINDOW_S: must be between 0 and 86400',
      `${f}: maxBodyBytes: must be a whole number`,
    ]));
    expect(err.problems).toHaveLength(10);
    // The message shows every problem, one per line.
    for (const p of err.problems) expect(err.message).toContain(`  - ${p}`);
    expect(err.name).toBe('ConfigError');
  });

  it('names every known variable when it reports an unknown VAULTGATE_* one', () => {
    const [p] = configError({ env: { VAULTGATE_DATADIR: '/x' } }).problems;
    expect(p).toMatch(/^VAULTGATE_DATADIR: unknown setting/);
    expect(p).toContain('VAULTGATE_DATA_DIR');
  });

  it('reports a config file that is missing or not a JSON object by its path', () => {
    const missing = join(dir, 'nope.json');
    expect(configError({ file: missing }).problems[0]).toMatch(new RegExp(`^${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot be read as a JSON object`));
    const arr = jsonFile([1, 2]);
    expect(configError({ file: arr }).problems[0]).toMatch(/cannot be read as a JSON object \(not a JSON object\)/);
    const broken = jsonFile('{"port": ');
    expect(configError({ file: broken, env: { VAULTGATE_PORT: 'x' } }).problems).toHaveLength(2);
  });
});

describe('live', () => {
  it('refuses plain HTTP on a non-loopback address unless TLS or a trusted proxy is configured', () => {
    const base = { VAULTGATE_ENVIRONMENT: 'live', VAULTGATE_HOST: '0.0.0.0', VAULTGATE_PUBLIC_URL: 'https://vg.example.com' };
    expect(configError({ env: base }).problems).toEqual([expect.stringMatching(/^VAULTGATE_HOST: plain HTTP on the non-loopback address 0\.0\.0\.0 is refused in live/)]);
    expect(loadConfig({ env: { ...base, VAULTGATE_TRUST_PROXY: '127.0.0.1' } }).trustProxy).toEqual(['127.0.0.1']);
    const pem = jsonFile('not really a certificate');
    expect(loadConfig({ env: { ...base, VAULTGATE_TLS_CERT: pem, VAULTGATE_TLS_KEY: pem } }).tlsCert).toBe(pem);
    expect(loadConfig({ env: { ...base, VAULTGATE_HOST: '127.0.0.1', VAULTGATE_TRUST_PROXY: '127.0.0.1' } }).host).toBe('127.0.0.1');
    expect(loadConfig({ env: { ...base, VAULTGATE_HOST: 'localhost', VAULTGATE_TLS_CERT: pem, VAULTGATE_TLS_KEY: pem } }).host).toBe('localhost');
  });

  it('refuses plain HTTP without a trusted proxy even on loopback (live serves only requests that arrived over TLS)', () => {
    const base = { VAULTGATE_ENVIRONMENT: 'live', VAULTGATE_HOST: '127.0.0.1', VAULTGATE_PUBLIC_URL: 'https://vg.example.com' };
    expect(configError({ env: base }).problems).toEqual([expect.stringMatching(/^VAULTGATE_ENVIRONMENT: live serves only HTTPS; set VAULTGATE_TLS_CERT\/VAULTGATE_TLS_KEY, or VAULTGATE_TRUST_PROXY/)]);
  });

  it('refuses automatic approval of registrations, and an idle timeout longer than the absolute one (issue 14)', () => {
    const base = { VAULTGATE_ENVIRONMENT: 'live', VAULTGATE_TRUST_PROXY: '127.0.0.1', VAULTGATE_PUBLIC_URL: 'https://vg.example.com' };
    expect(configError({ env: { ...base, VAULTGATE_REGISTRATION_AUTO_APPROVE: 'true' } }).problems).toEqual([expect.stringMatching(/^VAULTGATE_REGISTRATION_AUTO_APPROVE: only in test and uat/)]);
    expect(loadConfig({ env: { VAULTGATE_ENVIRONMENT: 'uat', VAULTGATE_REGISTRATION_AUTO_APPROVE: 'true' } }).registrationAutoApprove).toBe(true);
    expect(loadConfig({ env: {} })).toMatchObject({ registrationAutoApprove: false, sessionIdleS: 1800, sessionAbsoluteS: 43200 });
    expect(configError({ env: { VAULTGATE_SESSION_IDLE_S: '7200', VAULTGATE_SESSION_ABSOLUTE_S: '3600' } }).problems).toEqual(['VAULTGATE_SESSION_IDLE_S: must not be longer than VAULTGATE_SESSION_ABSOLUTE_S']);
  });

  it('SMTP for invitations: STARTTLS by default, plain text refused in live, the password only from env or file (issue 14)', () => {
    const base = { VAULTGATE_ENVIRONMENT: 'live', VAULTGATE_TRUST_PROXY: '127.0.0.1', VAULTGATE_PUBLIC_URL: 'https://vg.example.com', VAULTGATE_SMTP_HOST: 'smtp.example.com' };
    expect(loadConfig({ env: base })).toMatchObject({ smtpHost: 'smtp.example.com', smtpPort: 587, smtpTls: 'starttls', smtpUser: undefined, invitationTtlH: 72 });
    expect(configError({ env: { ...base, VAULTGATE_SMTP_TLS: 'none' } }).problems).toEqual(['VAULTGATE_SMTP_TLS: none (plain-text SMTP) is refused in live']);
    expect(configError({ env: { VAULTGATE_SMTP_TLS: 'ssl' } }).problems).toEqual(['VAULTGATE_SMTP_TLS: must be starttls, implicit or none']);
    expect(loadConfig({ env: { VAULTGATE_SMTP_HOST: 'h', VAULTGATE_SMTP_TLS: 'none' } }).smtpTls).toBe('none');
    expect(CONFIG_SCHEMA.smtpPassword.flag).toBeUndefined();
  });

  it('needs an https public URL', () => {
    const proxied = { VAULTGATE_ENVIRONMENT: 'live', VAULTGATE_TRUST_PROXY: '127.0.0.1' };
    expect(configError({ env: proxied }).problems).toEqual([expect.stringMatching(/^VAULTGATE_PUBLIC_URL: required in live/)]);
    expect(configError({ env: { ...proxied, VAULTGATE_PUBLIC_URL: 'http://vg.example.com' } }).problems).toEqual(['VAULTGATE_PUBLIC_URL: must be https:// in live']);
  });

  it('a derived public URL is https when the server has its own TLS', () => {
    const pem = jsonFile('pem');
    expect(loadConfig({ env: { VAULTGATE_TLS_CERT: pem, VAULTGATE_TLS_KEY: pem, VAULTGATE_PORT: '8443' } }).publicUrl).toBe('https://127.0.0.1:8443');
  });
});

const KEY = Buffer.alloc(32, 7).toString('base64');
const problems = (sources: ConfigSources): string[] => configError(sources).problems;

describe('cross-checks', () => {
  it('checks TLS files, proxies, the previous master key, the ledger retention and reports MD5 as unsafe', () => {
    expect(problems({ env: { VAULTGATE_TLS_CERT: join(dir, 'missing.pem') } }).join('\n')).toMatch(/set both or neither[\s\S]*cannot read/);
    expect(problems({ env: { VAULTGATE_TRUST_PROXY: 'not-an-ip' } })[0]).toMatch(/VAULTGATE_TRUST_PROXY/);
    expect(problems({ env: { VAULTGATE_MASTER_KEY_PREVIOUS: KEY } })[0]).toMatch(/needs VAULTGATE_MASTER_KEY/);
    expect(problems({ env: { VAULTGATE_TRANSACTION_ID_RETENTION_H: '12' } })[0]).toMatch(/between 24/);
    const md5 = loadConfig({ env: { VAULTGATE_ALLOW_MD5: 'true', VAULTGATE_HOST: '0.0.0.0' } });
    expect(unsafeSettings(md5).map((w) => w.code)).toEqual(['UNSAFE_MD5_ENABLED', 'UNSAFE_PLAIN_HTTP']);
  });
});

describe('PostgreSQL settings', () => {
  const shared = { VAULTGATE_MASTER_KEY: KEY, VAULTGATE_ADMIN_TOKEN: 'a'.repeat(40) };

  it('reads the database, key store, schema, pool and migrate settings', () => {
    const c = loadConfig({
      env: {
        ...shared, VAULTGATE_DATABASE_URL: 'postgres://vg@db1:5432/messages', VAULTGATE_KEYSTORE_URL: 'postgresql://vg@db2/keys',
        VAULTGATE_DATABASE_SCHEMA: 'gw', VAULTGATE_DATABASE_POOL_SIZE: '25', VAULTGATE_DATABASE_MIGRATE: 'false',
      },
    });
    expect(c).toMatchObject({
      databaseUrl: 'postgres://vg@db1:5432/messages', keystoreUrl: 'postgresql://vg@db2/keys', databaseSchema: 'gw',
      keystoreSchema: 'vaultgate_keys', databasePoolSize: 25, databaseMigrate: false,
    });
    expect(unsafeSettings(c)).toEqual([]);
    expect(loadConfig({ env: {} })).toMatchObject({ databaseUrl: undefined, databaseSchema: 'vaultgate', databasePoolSize: 10, databaseMigrate: true });
  });

  it('needs a key store, the master key and the admin token shared by every process', () => {
    expect(problems({ env: { VAULTGATE_DATABASE_URL: 'postgres://vg@db/messages' } })).toEqual([
      expect.stringMatching(/^VAULTGATE_KEYSTORE_URL: required with VAULTGATE_DATABASE_URL/),
      expect.stringMatching(/^VAULTGATE_MASTER_KEY: required with VAULTGATE_DATABASE_URL/),
      expect.stringMatching(/^VAULTGATE_ADMIN_TOKEN: required with VAULTGATE_DATABASE_URL/),
    ]);
    expect(problems({ env: { VAULTGATE_KEYSTORE_URL: 'postgres://vg@db/keys' } })).toEqual([
      'VAULTGATE_KEYSTORE_URL: only used with VAULTGATE_DATABASE_URL',
    ]);
  });

  it('refuses URLs that are not postgres://, bad schema names and pool sizes', () => {
    expect(problems({
      env: { ...shared, VAULTGATE_DATABASE_URL: 'mysql://db/x', VAULTGATE_KEYSTORE_URL: 'not a url', VAULTGATE_DATABASE_SCHEMA: 'Bad-Name', VAULTGATE_DATABASE_POOL_SIZE: '0' },
    })).toEqual(expect.arrayContaining([
      'VAULTGATE_DATABASE_URL: must be a postgres:// (or postgresql://) URL',
      expect.stringMatching(/^VAULTGATE_KEYSTORE_URL: must be a URL/),
      expect.stringMatching(/^VAULTGATE_DATABASE_SCHEMA: must be a lower-case SQL identifier/),
      'VAULTGATE_DATABASE_POOL_SIZE: must be between 1 and 500',
    ]));
  });

  it('warns when the key store shares the message database, and refuses the same schema there', () => {
    const env = { ...shared, VAULTGATE_DATABASE_URL: 'postgres://a@db:5432/vg', VAULTGATE_KEYSTORE_URL: 'postgres://b:secret@DB/vg' };
    expect(unsafeSettings(loadConfig({ env })).map((w) => w.code)).toEqual(['UNSAFE_KEYSTORE_IN_MESSAGE_DATABASE']);
    expect(problems({ env: { ...env, VAULTGATE_KEYSTORE_SCHEMA: 'vaultgate' } })).toEqual([
      'VAULTGATE_KEYSTORE_SCHEMA: must differ from VAULTGATE_DATABASE_SCHEMA when the key store is in the message database',
    ]);
  });
});
