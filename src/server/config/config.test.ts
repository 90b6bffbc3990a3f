import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, unsafeSettings } from './load-config.js';

const dir = mkdtempSync(join(tmpdir(), 'vg-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const KEY = Buffer.alloc(32, 7).toString('base64');

function problems(f: () => unknown): string[] {
  try {
    f();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('no ConfigError');
}

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({ env: {} });
    expect(c).toMatchObject({
      port: 8080, host: '127.0.0.1', dataDir: './data', environment: 'test', macTimestampWindowS: 300,
      maxBodyBytes: 10 * 1024 * 1024, allowMd5: false, transactionIdRetentionH: 24, publicUrl: 'http://127.0.0.1:8080', publicUrlDerived: true,
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('honours every public VAULTGATE_* name', () => {
    const c = loadConfig({
      env: {
        VAULTGATE_PORT: '9090', VAULTGATE_HOST: '::1', VAULTGATE_DATA_DIR: '/srv/vg', VAULTGATE_ENVIRONMENT: 'uat',
        VAULTGATE_PUBLIC_URL: 'https://vg.example.com', VAULTGATE_ADMIN_TOKEN: 'a'.repeat(40),
        VAULTGATE_MAC_TIMESTAMP_WINDOW_S: '0', VAULTGATE_MAX_BODY_BYTES: '2048', VAULTGATE_MASTER_KEY: KEY,
      },
    });
    expect(c).toMatchObject({
      port: 9090, host: '::1', dataDir: '/srv/vg', environment: 'uat', publicUrl: 'https://vg.example.com', publicUrlDerived: false,
      adminToken: 'a'.repeat(40), macTimestampWindowS: 0, maxBodyBytes: 2048, masterKey: KEY,
    });
    expect(unsafeSettings(c).map((w) => w.code)).toEqual(['UNSAFE_TIMESTAMP_CHECK_OFF']);
  });

  it('takes defaults < file < environment < flags', () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ port: 1111, host: '127.0.0.2', environment: 'uat', maxBodyBytes: 5 }));
    const c = loadConfig({ file, env: { VAULTGATE_PORT: '2222', VAULTGATE_HOST: '127.0.0.3' }, flags: { port: '3333' } });
    expect(c).toMatchObject({ port: 3333, host: '127.0.0.3', environment: 'uat', maxBodyBytes: 5, dataDir: './data' });
    expect(loadConfig({ env: { VAULTGATE_CONFIG: file } }).port).toBe(1111);
  });

  it('lists every problem at once, each with where it came from', () => {
    const found = problems(() => loadConfig({
      env: { VAULTGATE_PORT: 'eighty', VAULTGATE_ENVIRONMENT: 'prod', VAULTGATE_MAX_BODY_BYTES: '0', VAULTGATE_PUBLIC_URL: 'ftp://x', VAULTGATE_ADMIN_TOKEN: 'short', VAULTGATE_TYPO: '1', VAULTGATE_MASTER_KEY: 'abc' },
    }));
    for (const name of ['VAULTGATE_PORT', 'VAULTGATE_ENVIRONMENT', 'VAULTGATE_MAX_BODY_BYTES', 'VAULTGATE_PUBLIC_URL', 'VAULTGATE_ADMIN_TOKEN', 'VAULTGATE_TYPO', 'VAULTGATE_MASTER_KEY']) {
      expect(found.some((p) => p.startsWith(name)), name).toBe(true);
    }
    expect(found.length).toBe(7);
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ port: 'x', nope: 1 }));
    expect(problems(() => loadConfig({ file, env: {} }))).toEqual([`${file}: nope: unknown setting`, `${file}: port: must be a whole number`]);
  });

  it('refuses plain HTTP on a public address in live unless a TLS proxy is declared, and wants a public https URL', () => {
    const found = problems(() => loadConfig({ env: { VAULTGATE_ENVIRONMENT: 'live', VAULTGATE_HOST: '0.0.0.0' } }));
    expect(found.join('\n')).toMatch(/plain HTTP on the non-loopback address 0.0.0.0 is refused in live/);
    expect(found.join('\n')).toMatch(/VAULTGATE_PUBLIC_URL: required in live/);
    const ok = loadConfig({ env: { VAULTGATE_ENVIRONMENT: 'live', VAULTGATE_HOST: '0.0.0.0', VAULTGATE_TRUST_PROXY: '10.0.0.0/8', VAULTGATE_PUBLIC_URL: 'https://vg.example.com', VAULTGATE_MASTER_KEY: KEY } });
    expect(ok.trustProxy).toEqual(['10.0.0.0/8']);
    expect(unsafeSettings(ok)).toEqual([]);
    expect(problems(() => loadConfig({ env: { VAULTGATE_ENVIRONMENT: 'live', VAULTGATE_PUBLIC_URL: 'http://vg.example.com' } }))).toContain('VAULTGATE_PUBLIC_URL: must be https:// in live');
    expect(unsafeSettings(loadConfig({ env: { VAULTGATE_ENVIRONMENT: 'live', VAULTGATE_PUBLIC_URL: 'https://x.example' } })).map((w) => w.code)).toEqual(['UNSAFE_MASTER_KEY_IN_DATA_DIR']);
  });

  it('checks TLS files, proxies, MD5 and key pairs', () => {
    expect(problems(() => loadConfig({ env: { VAULTGATE_TLS_CERT: join(dir, 'missing.pem') } })).join('\n')).toMatch(/set both or neither[\s\S]*cannot read/);
    expect(problems(() => loadConfig({ env: { VAULTGATE_TRUST_PROXY: 'not-an-ip' } }))[0]).toMatch(/VAULTGATE_TRUST_PROXY/);
    expect(problems(() => loadConfig({ env: { VAULTGATE_MASTER_KEY_PREVIOUS: KEY } }))[0]).toMatch(/needs VAULTGATE_MASTER_KEY/);
    expect(problems(() => loadConfig({ env: { VAULTGATE_TRANSACTION_ID_RETENTION_H: '12' } }))[0]).toMatch(/between 24/);
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
    expect(problems(() => loadConfig({ env: { VAULTGATE_DATABASE_URL: 'postgres://vg@db/messages' } }))).toEqual([
      expect.stringMatching(/^VAULTGATE_KEYSTORE_URL: required with VAULTGATE_DATABASE_URL/),
      expect.stringMatching(/^VAULTGATE_MASTER_KEY: required with VAULTGATE_DATABASE_URL/),
      expect.stringMatching(/^VAULTGATE_ADMIN_TOKEN: required with VAULTGATE_DATABASE_URL/),
    ]);
    expect(problems(() => loadConfig({ env: { VAULTGATE_KEYSTORE_URL: 'postgres://vg@db/keys' } }))).toEqual([
      'VAULTGATE_KEYSTORE_URL: only used with VAULTGATE_DATABASE_URL',
    ]);
  });

  it('refuses URLs that are not postgres://, bad schema names and pool sizes', () => {
    expect(problems(() => loadConfig({
      env: { ...shared, VAULTGATE_DATABASE_URL: 'mysql://db/x', VAULTGATE_KEYSTORE_URL: 'not a url', VAULTGATE_DATABASE_SCHEMA: 'Bad-Name', VAULTGATE_DATABASE_POOL_SIZE: '0' },
    }))).toEqual(expect.arrayContaining([
      'VAULTGATE_DATABASE_URL: must be a postgres:// (or postgresql://) URL',
      expect.stringMatching(/^VAULTGATE_KEYSTORE_URL: must be a URL/),
      expect.stringMatching(/^VAULTGATE_DATABASE_SCHEMA: must be a lower-case SQL identifier/),
      'VAULTGATE_DATABASE_POOL_SIZE: must be between 1 and 500',
    ]));
  });

  it('warns when the key store shares the message database, and refuses the same schema there', () => {
    const env = { ...shared, VAULTGATE_DATABASE_URL: 'postgres://a@db:5432/vg', VAULTGATE_KEYSTORE_URL: 'postgres://b:secret@DB/vg' };
    expect(unsafeSettings(loadConfig({ env })).map((w) => w.code)).toEqual(['UNSAFE_KEYSTORE_IN_MESSAGE_DATABASE']);
    expect(problems(() => loadConfig({ env: { ...env, VAULTGATE_KEYSTORE_SCHEMA: 'vaultgate' } }))).toEqual([
      'VAULTGATE_KEYSTORE_SCHEMA: must differ from VAULTGATE_DATABASE_SCHEMA when the key store is in the message database',
    ]);
  });
});
