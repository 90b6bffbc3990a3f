/**
 * The one composition root: loads the configuration, opens the store and keys, builds the app, listens, and
 * handles signals. Only this file (and test harnesses) choose a storage adapter.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { normalizeBaseUrl, systemClock } from '../protocol/index.js';
import {
  LATEST_SCHEMA_VERSION,
  openPgKeyStore,
  openPgStore,
  openSqliteKeyStore,
  openSqliteStore,
  type SqliteStoreOptions,
  type KeyStore,
  type MigrationResult,
  type Store,
} from '../store/index.js';
import { buildApp, REDACTED_HEADERS } from './app.js';
import { loadConfig, unsafeSettings, type ConfigSources } from './config/load-config.js';
import type { Config } from './config/schema.js';
import { loadKeyring } from './crypto/keyring.js';
import { VaultCrypto } from './crypto/vault-crypto.js';

/** Read-only access to a database's audit chain, for `vaultgate audit verify` (the composition root opens adapters). */
export { openAuditReader, type AuditReader } from '../store/index.js';

export interface RunningServer {
  /** Where the server listens (the socket's address). */
  url: string;
  /** The base URL clients address (VAULTGATE_PUBLIC_URL, or derived from the listen address). */
  publicUrl: string;
  config: Readonly<Config>;
  close(): Promise<void>;
}

/** Reads the admin token from configuration, or from `<dataDir>/admin-token`, generating it on first start. */
function resolveAdminToken(config: Readonly<Config>, dataDir: string): { token: string; file?: string; created: boolean } {
  if (config.adminToken !== undefined) return { token: config.adminToken, created: false };
  const file = join(dataDir, 'admin-token');
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), file, created: false };
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { token, file, created: true };
}

interface Storage {
  store: Store;
  keyStore: KeyStore;
  migrations: { database: MigrationResult; keyStore?: MigrationResult };
}

/**
 * Chooses and opens the storage adapter: PostgreSQL (messages and key store in their own databases or schemas)
 * when VAULTGATE_DATABASE_URL is set, otherwise the embedded SQLite files in the data directory.
 */
async function openStorage(config: Readonly<Config>, dataDir: string, log: pino.Logger, migrate: boolean, testOnly?: SqliteStoreOptions['testOnly']): Promise<Storage> {
  if (config.databaseUrl === undefined || config.keystoreUrl === undefined) {
    // A failed fdatasync of the WAL: acknowledged commits may be lost, and they cannot be rolled back. Stop.
    const onWalSyncFailure = (err: Error): void => {
      log.fatal({ err, code: 'WAL_SYNC_FAILED' }, 'fdatasync of the WAL failed; stopping (restart after checking the disk)');
      log.flush();
      process.exit(70);
    };
    const store = openSqliteStore({ file: join(dataDir, 'vaultgate.db'), onWalSyncFailure, ...(testOnly ? { testOnly } : {}) });
    const keyStore = openSqliteKeyStore({ file: join(dataDir, 'keystore.db') });
    return { store, keyStore, migrations: { database: { applied: [...store.appliedMigrations], version: LATEST_SCHEMA_VERSION } } };
  }
  const onError = (err: Error): void => log.error({ err, code: 'DATABASE_CONNECTION_LOST' }, 'an idle PostgreSQL connection failed; the pool opens a new one');
  const store = await openPgStore({ url: config.databaseUrl, schema: config.databaseSchema, poolSize: config.databasePoolSize, migrate, onError });
  try {
    const keyStore = await openPgKeyStore({
      url: config.keystoreUrl, schema: config.keystoreSchema, poolSize: Math.max(2, Math.ceil(config.databasePoolSize / 4)), migrate, onError,
    });
    return { store, keyStore, migrations: { database: store.migration, keyStore: keyStore.migration } };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/**
 * `vaultgate migrate`: brings the configured database (and key store) to this build's schema version and closes
 * them again. With SQLite, opening the files is what migrates them.
 */
export async function migrateStorage(sources: ConfigSources): Promise<{ store: string; database: MigrationResult; keyStore?: MigrationResult }> {
  const config = loadConfig(sources);
  const log = pino({ level: config.logLevel, base: { service: 'vaultgate' } });
  const dataDir = resolve(config.dataDir);
  if (config.databaseUrl === undefined) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const { store, keyStore, migrations } = await openStorage(config, dataDir, log, true);
  await store.close();
  await keyStore.close();
  return { store: store.kind, ...migrations };
}

/** Starts the platform. `installSignalHandlers` makes SIGTERM/SIGINT shut down gracefully and exit 0. */
export async function startServer(
  sources: ConfigSources,
  options: {
    installSignalHandlers?: boolean;
    /** Tests only (bench/power-loss.mjs), never from configuration: see SqliteStoreOptions.testOnly. */
    testOnlySqlite?: SqliteStoreOptions['testOnly'];
    /** Tests only: another built portal directory (default dist/portal beside the compiled server). */
    portalDir?: string;
  } = {},
): Promise<RunningServer> {
  const config = loadConfig(sources);
  // Asynchronous writes to stdout: under load, lines queued while one write is in flight go out in the next
  // write (a synchronous write per request line cost about 8 % of the server's time); pino flushes on exit.
  const log = pino(
    { level: config.logLevel, redact: { paths: REDACTED_HEADERS, censor: '[redacted]' }, base: { service: 'vaultgate', environment: config.environment } },
    pino.destination({ dest: 1, sync: false }),
  );
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });

  for (const w of unsafeSettings(config)) log.warn({ code: w.code }, `unsafe setting: ${w.message}`);
  const { keyring, created } = loadKeyring({ masterKey: config.masterKey, previousMasterKeys: config.previousMasterKeys, file: join(dataDir, 'master.key') });
  if (created) {
    log.warn({ code: 'MASTER_KEY_GENERATED', file: keyring.file }, 'generated a master key in the data directory; back it up apart from the database and the key store');
  }
  log.info({ code: 'MASTER_KEY', kekId: keyring.current.id, previous: keyring.previous.map((k) => k.id) }, 'master key loaded');
  const admin = resolveAdminToken(config, dataDir);
  if (admin.file) log.info({ code: admin.created ? 'ADMIN_TOKEN_GENERATED' : 'ADMIN_TOKEN_FILE', file: admin.file }, `admin token is in ${admin.file}`);

  let tls: { cert: Buffer; key: Buffer } | undefined;
  if (config.tlsCert && config.tlsKey) tls = { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) };

  const { store, keyStore, migrations } = await openStorage(config, dataDir, log, config.databaseMigrate, options.testOnlySqlite);
  if (options.testOnlySqlite?.acknowledgeBeforeWalSync) {
    log.warn({ code: 'TEST_ONLY_NOT_DURABLE' }, 'TEST ONLY: ingest is acknowledged before the WAL is synced; a power loss loses messages');
  }
  log.info({ code: 'STORE_OPENED', store: store.kind, ...migrations }, `store: ${store.kind}`);
  const crypto = new VaultCrypto(keyStore, keyring, systemClock, config.environment);
  let base = normalizeBaseUrl(config.publicUrl);
  let built: Awaited<ReturnType<typeof buildApp>>;
  try {
    built = await buildApp({
      config, store, crypto, adminToken: admin.token,
      logger: log, publicBaseUrl: () => base, ...(tls ? { https: tls } : {}), ...(options.portalDir ? { portalDir: options.portalDir } : {}),
    });
  } catch (err) {
    // A configuration the stored data refuses (e.g. VAULTGATE_AUDIT_RETENTION_DAYS): nothing stays open.
    await store.close();
    await keyStore.close();
    throw err;
  }
  const { app } = built;
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await store.close();
    await keyStore.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  if (config.publicUrlDerived && config.port === 0) base = normalizeBaseUrl(config.publicUrl.replace(/:0$/, `:${port}`));
  const listenHost = config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const listenUrl = `${tls ? 'https' : 'http'}://${listenHost}:${port}`;
  log.info({ code: 'LISTENING', url: listenUrl, publicUrl: base, store: store.kind }, `Vaultgate (${config.environment}) listening on ${listenUrl}; clients address ${base}`);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const timer = setTimeout(() => {
        log.warn({ code: 'SHUTDOWN_TIMEOUT' }, 'closing the connections still open');
        app.server.closeAllConnections?.();
      }, config.shutdownTimeoutS * 1000);
      timer.unref();
      await app.close();
      await store.close();
      await keyStore.close();
      clearTimeout(timer);
      log.info({ code: 'STOPPED' }, 'stopped');
    })();
    return closing;
  };
  if (options.installSignalHandlers) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        log.info({ code: 'SHUTDOWN', signal }, 'shutting down: finishing in-flight requests');
        close().then(
          () => process.exit(0),
          (err: unknown) => {
            log.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      });
    }
  }
  return { url: listenUrl, publicUrl: base, config, close };
}
