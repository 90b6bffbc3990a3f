import type { IngestItem, IngestOutcome, Store } from '../port.js';
import { pgSharedRateLimiter, type SharedRateLimiterOptions } from './rate-limits.js';
import { isStoreFull } from '../store-full.js';
import { PG_AUDIT_SCHEMA_VERSION } from './audit-migration.js';
import { importPgLegacyAudit, pgAudit } from './audit.js';
import { pgLedger } from './ledger.js';
import { applyPgMigrations, PG_STORE_MIGRATIONS, requirePgSchemaVersion, type MigrationResult } from './migrations.js';
import { pgOAuth } from './oauth.js';
import { pgAccounts } from './accounts.js';
import { pgPeople } from './people.js';
import { pgRecovery } from './recovery.js';
import { pgInsights } from './insights.js';
import { pgDirectory } from './directory.js';
import { pgIntegrity } from './integrity.js';
import { pgFeedCheckpoints } from './feed-checkpoints.js';
import { pgSelfService } from './selfserv.js';
import { pgFeed } from './feed.js';
import { pgSharing } from './sharing.js';
import { pgWebhooks } from './webhooks.js';
import { closer, openSchema, type PgConnectionOptions } from './pg-db.js';
import { pgRegistry } from './registry.js';
import { pgVault } from './vault.js';

/** How long a disk_full answer keeps the store reported full, unless a write succeeds first. */
const FULL_HOLD_MS = 10_000;

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
  if (migration.applied.includes(PG_AUDIT_SCHEMA_VERSION)) await importPgLegacyAudit(pool);
  const ledger = pgLedger(pool);
  // A client cannot see the server's free disk space: a write refused with 53100 (disk_full) marks the store full
  // until a write succeeds or FULL_HOLD_MS pass (so readiness comes back by itself once an operator made room).
  let fullUntil = 0;
  const ingest = async (items: IngestItem[]): Promise<IngestOutcome[]> => {
    try {
      const outcomes = await ledger.ingest(items);
      fullUntil = 0;
      return outcomes;
    } catch (err) {
      if (isStoreFull(err)) fullUntil = Date.now() + FULL_HOLD_MS;
      throw err;
    }
  };
  return {
    kind: 'postgres',
    migration,
    ...pgRegistry(pool),
    ...pgVault(pool),
    ...ledger,
    ingest,
    ...pgOAuth(pool),
    ...pgAudit(pool),
    ...pgAccounts(pool),
    ...pgPeople(pool),
    ...pgRecovery(pool),
    ...pgInsights(pool),
    ...pgSelfService(pool),
    ...pgFeed(pool),
    ...pgSharing(pool),
    ...pgWebhooks(pool),
    ...pgDirectory(pool),
    ...pgIntegrity(pool),
    ...pgFeedCheckpoints(pool),
    sharedRateLimiter: (r: SharedRateLimiterOptions) => pgSharedRateLimiter(pool, r),
    async connectionSettings() {
      const r = await pool.query<{ sc: string; sp: string }>("SELECT current_setting('synchronous_commit') AS sc, current_setting('search_path') AS sp");
      return { synchronousCommit: r.rows[0]!.sc, searchPath: r.rows[0]!.sp, poolSize: o.poolSize };
    },
    async checkReadiness() {
      let readable = true;
      try {
        await pool.query('SELECT 1 FROM companies LIMIT 1');
      } catch {
        readable = false;
      }
      return { readable, full: Date.now() < fullUntil };
    },
    close: closer(pool),
  };
}
