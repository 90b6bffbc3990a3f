import type { Store } from '../port.js';
import { pgLedger } from './ledger.js';
import { applyPgMigrations, PG_STORE_MIGRATIONS, requirePgSchemaVersion, type MigrationResult } from './migrations.js';
import { pgOAuth } from './oauth.js';
import { closer, openSchema, type PgConnectionOptions } from './pg-db.js';
import { pgRegistry } from './registry.js';
import { pgVault } from './vault.js';

export interface PgStoreOptions extends PgConnectionOptions {
  /** Apply pending migrations while opening; when false, a schema not at this build's version is refused. */
  migrate: boolean;
}

export interface PgStore extends Store {
  readonly kind: 'postgres';
  /** What opening did to the schema. */
  readonly migration: MigrationResult;
  /** The session settings the pool's connections run with, for health checks and tests. */
  connectionSettings(): Promise<{ synchronousCommit: string; searchPath: string; poolSize: number }>;
}

/**
 * The PostgreSQL adapter of the storage port: a connection pool over one schema, migrated (or checked) before it
 * is returned. Each area of the port is its own module (registry, vault, ledger, OAuth); this joins them.
 */
export async function openPgStore(o: PgStoreOptions): Promise<PgStore> {
  const { pool, prepared: migration } = await openSchema(o, 'database', (p) =>
    o.migrate ? applyPgMigrations(p, o.schema, PG_STORE_MIGRATIONS) : requirePgSchemaVersion(p, o.schema, PG_STORE_MIGRATIONS));
  return {
    kind: 'postgres',
    migration,
    ...pgRegistry(pool),
    ...pgVault(pool),
    ...pgLedger(pool),
    ...pgOAuth(pool),
    async connectionSettings() {
      const r = await pool.query<{ sc: string; sp: string }>("SELECT current_setting('synchronous_commit') AS sc, current_setting('search_path') AS sp");
      return { synchronousCommit: r.rows[0]!.sc, searchPath: r.rows[0]!.sp, poolSize: o.poolSize };
    },
    close: closer(pool),
  };
}
