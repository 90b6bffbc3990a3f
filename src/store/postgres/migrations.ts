import type pg from 'pg';
import { checkOrder, type Migration } from '../sqlite/migrations.js';
import { sqlState } from './pg-db.js';
import { PG_AUDIT_SCHEMA_VERSION, PG_AUDIT_V4 } from './audit-migration.js';
import { PG_ACCOUNTS_SCHEMA_VERSION, PG_ACCOUNTS_V4 } from './accounts-migration.js';
import { PG_SELFSERV_SCHEMA_VERSION, PG_SELFSERV_SQL } from './selfserv.js';
import { PG_SESSION_METHOD_SCHEMA_VERSION, PG_SESSION_METHOD_SQL } from './session-method-migration.js';
import { PG_SHARING_SCHEMA_VERSION, PG_SHARING_SQL } from './sharing.js';
import { PG_API_TOKEN_METHOD_SCHEMA_VERSION, PG_API_TOKEN_METHOD_SQL } from './api-token-method-migration.js';
import { PG_RECOVERY_SCHEMA_VERSION, PG_RECOVERY_SQL } from './recovery-migration.js';
import { PG_DIRECTORY_SCHEMA_VERSION, PG_DIRECTORY_SQL } from './directory-migration.js';
import { PG_INTEGRITY_SCHEMA_VERSION, PG_INTEGRITY_SQL } from './integrity-migration.js';
import { PG_PEOPLE_SCHEMA_VERSION, PG_PEOPLE_SQL } from './people-migration.js';
import { PG_WEBHOOK_SCHEMA_VERSION, PG_WEBHOOK_SQL } from './webhooks.js';
import { PG_INSIGHTS_SCHEMA_VERSION, PG_INSIGHTS_SQL } from './insights-migration.js';
import { PG_RATE_LIMITS_SCHEMA_VERSION, PG_RATE_LIMITS_SQL } from './rate-limits.js';

/** One schema step (the same shape as SQLite's): versions only grow; a released one is never edited. */
export type PgMigration = Migration;

/*
 * The same tables, columns and indexes as SQLite schema v1, in PostgreSQL types:
 * - `seq` is a bigint identity: it orders lists and backs the cursors exactly as SQLite's rowid alias does.
 * - Timestamps stay ISO-8601 text (the port's format), compared as bytes (COLLATE "C") so that time ranges and
 *   the ledger's expiry order never depend on the database's locale.
 * - Ciphertexts are bytea, stored EXTERNAL (out of line, uncompressed: ciphertext does not compress).
 * - The transaction-id ledger's primary key (party_id, transaction_id) is the one arbiter of uniqueness for every
 *   gateway process sharing the database.
 */
const STORE_V1 = `
CREATE TABLE companies (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  business_id TEXT NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  deleted_at TEXT COLLATE "C"
);
CREATE UNIQUE INDEX companies_business_id ON companies (business_id) WHERE deleted_at IS NULL;

CREATE TABLE audit_events (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at TEXT COLLATE "C" NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  details TEXT NOT NULL
);
CREATE INDEX audit_events_subject ON audit_events (subject_id, seq);

CREATE TABLE parties (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
  created_at TEXT COLLATE "C" NOT NULL,
  disabled_at TEXT COLLATE "C"
);

CREATE TABLE partner_credentials (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  partner_id TEXT NOT NULL UNIQUE,
  party_id TEXT NOT NULL REFERENCES parties(id),
  status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
  created_at TEXT COLLATE "C" NOT NULL,
  disabled_at TEXT COLLATE "C",
  key_ciphertext BYTEA NOT NULL
);
CREATE INDEX partner_credentials_party ON partner_credentials (party_id, seq);

CREATE TABLE customer_credentials (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id TEXT NOT NULL UNIQUE,
  company_id TEXT NOT NULL REFERENCES companies(id),
  name TEXT NOT NULL,
  scopes TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
  created_at TEXT COLLATE "C" NOT NULL,
  disabled_at TEXT COLLATE "C",
  key_ciphertext BYTEA NOT NULL
);
CREATE INDEX customer_credentials_company ON customer_credentials (company_id, seq);

CREATE TABLE channels (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  company_id TEXT NOT NULL REFERENCES companies(id),
  party_id TEXT NOT NULL REFERENCES parties(id),
  message_types TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
  created_at TEXT COLLATE "C" NOT NULL,
  disabled_at TEXT COLLATE "C"
);
CREATE INDEX channels_company ON channels (company_id, seq);
CREATE INDEX channels_party ON channels (party_id, seq);

CREATE TABLE messages (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  company_id TEXT NOT NULL REFERENCES companies(id),
  channel_id TEXT NOT NULL REFERENCES channels(id),
  party_id TEXT NOT NULL REFERENCES parties(id),
  message_type TEXT NOT NULL,
  media_type TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  received_at TEXT COLLATE "C" NOT NULL,
  transaction_id TEXT,
  body_ciphertext BYTEA NOT NULL,
  key_version INTEGER NOT NULL
);
ALTER TABLE messages ALTER COLUMN body_ciphertext SET STORAGE EXTERNAL;
CREATE INDEX messages_company ON messages (company_id, seq);
CREATE INDEX messages_company_channel ON messages (company_id, channel_id, seq);
CREATE INDEX messages_company_type ON messages (company_id, message_type, seq);
CREATE INDEX messages_channel_type ON messages (channel_id, message_type, seq);

CREATE TABLE transaction_ledger (
  party_id TEXT NOT NULL,
  transaction_id TEXT NOT NULL,
  message_id TEXT,
  created_at TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (party_id, transaction_id)
);
CREATE INDEX transaction_ledger_created ON transaction_ledger (created_at);
`;

/** Step 2 (issue 4), as SQLite's oauth-migration.ts: OAuth clients, external client links, token signing keys. */
const STORE_V2 = `
CREATE TABLE oauth_clients (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  client_id TEXT NOT NULL UNIQUE,
  owner_kind TEXT NOT NULL CHECK (owner_kind IN ('party', 'company')),
  owner_id TEXT NOT NULL,
  name TEXT NOT NULL,
  roles TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
  created_at TEXT COLLATE "C" NOT NULL,
  disabled_at TEXT COLLATE "C",
  secret_hash TEXT,
  public_jwk TEXT,
  CHECK ((secret_hash IS NULL) <> (public_jwk IS NULL))
);
CREATE INDEX oauth_clients_owner ON oauth_clients (owner_kind, owner_id, seq);

CREATE TABLE external_client_links (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  issuer TEXT NOT NULL,
  client_id TEXT NOT NULL,
  owner_kind TEXT NOT NULL CHECK (owner_kind IN ('party', 'company')),
  owner_id TEXT NOT NULL,
  roles TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
  created_at TEXT COLLATE "C" NOT NULL,
  disabled_at TEXT COLLATE "C"
);
CREATE UNIQUE INDEX external_client_links_active ON external_client_links (issuer, client_id) WHERE status = 'active';
CREATE INDEX external_client_links_owner ON external_client_links (owner_kind, owner_id, seq);

CREATE TABLE token_signing_keys (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kid TEXT NOT NULL UNIQUE,
  alg TEXT NOT NULL,
  public_jwk TEXT NOT NULL,
  private_key_ciphertext BYTEA NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  retired_at TEXT COLLATE "C",
  publish_until TEXT COLLATE "C"
);
ALTER TABLE token_signing_keys ALTER COLUMN private_key_ciphertext SET STORAGE EXTERNAL;
`;

export const PG_STORE_MIGRATIONS: readonly PgMigration[] = Object.freeze([{ version: 1, sql: STORE_V1 }, { version: 2, sql: STORE_V2 }, { version: PG_AUDIT_SCHEMA_VERSION, sql: PG_AUDIT_V4 }, { version: PG_ACCOUNTS_SCHEMA_VERSION, sql: PG_ACCOUNTS_V4 }, { version: PG_PEOPLE_SCHEMA_VERSION, sql: PG_PEOPLE_SQL }, { version: PG_SELFSERV_SCHEMA_VERSION, sql: PG_SELFSERV_SQL }, { version: PG_SESSION_METHOD_SCHEMA_VERSION, sql: PG_SESSION_METHOD_SQL }, { version: PG_SHARING_SCHEMA_VERSION, sql: PG_SHARING_SQL }, { version: PG_WEBHOOK_SCHEMA_VERSION, sql: PG_WEBHOOK_SQL }, { version: PG_API_TOKEN_METHOD_SCHEMA_VERSION, sql: PG_API_TOKEN_METHOD_SQL }, { version: PG_RECOVERY_SCHEMA_VERSION, sql: PG_RECOVERY_SQL }, { version: PG_INSIGHTS_SCHEMA_VERSION, sql: PG_INSIGHTS_SQL }, { version: PG_DIRECTORY_SCHEMA_VERSION, sql: PG_DIRECTORY_SQL }, { version: PG_INTEGRITY_SCHEMA_VERSION, sql: PG_INTEGRITY_SQL }, { version: PG_RATE_LIMITS_SCHEMA_VERSION, sql: PG_RATE_LIMITS_SQL }]);

/** The key store's schema: wrapped data keys only (see pg-key-store.ts for where it lives). */
const KEYS_V1 = `
CREATE TABLE data_keys (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  owner_id TEXT NOT NULL,
  kek_id TEXT NOT NULL,
  wrapped BYTEA NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX data_keys_owner ON data_keys (owner_id, seq);
CREATE INDEX data_keys_kek ON data_keys (kek_id, seq);
`;

export const PG_KEYSTORE_MIGRATIONS: readonly PgMigration[] = Object.freeze([{ version: 1, sql: KEYS_V1 }]);

export interface MigrationResult {
  /** Versions this call applied; [] when the schema was up to date. */
  applied: number[];
  /** The schema version after the call. */
  version: number;
}

const latestOf = (migrations: readonly PgMigration[]): number => migrations[migrations.length - 1]?.version ?? 0;

/**
 * Brings `schema` up to the newest migration in one transaction, holding an advisory lock named after the schema:
 * several processes starting at once migrate one after another, and each later one finds nothing left to do.
 * DDL is transactional in PostgreSQL, so a failed step leaves the schema as it was. A schema newer than this code
 * is refused rather than guessed at.
 */
export async function applyPgMigrations(pool: pg.Pool, schema: string, migrations: readonly PgMigration[]): Promise<MigrationResult> {
  checkOrder(migrations);
  const latest = latestOf(migrations);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended('vaultgate.migrate.' || $1, 0))", [schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`SET LOCAL search_path TO ${schema}`);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
    const current = (await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations')).rows[0]?.v ?? 0;
    if (current > latest) throw new Error(`database schema ${schema} is at version ${current}, newer than this build supports (${latest})`);
    const applied: number[] = [];
    for (const m of migrations) {
      if (m.version <= current) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [m.version]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
    return { applied, version: Math.max(current, latest) };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** The version `schema` is at (0 when it has no migrations table yet); changes nothing. */
export async function readPgSchemaVersion(pool: pg.Pool, schema: string): Promise<number> {
  try {
    const r = await pool.query<{ v: number | null }>(`SELECT MAX(version) AS v FROM ${schema}.schema_migrations`);
    return r.rows[0]?.v ?? 0;
  } catch (err) {
    if (sqlState(err) === '42P01' || sqlState(err) === '3F000') return 0; // no such table / schema
    throw err;
  }
}

/**
 * Opening without migrating (VAULTGATE_DATABASE_MIGRATE=false): the schema must already be at this build's
 * version; anything else is refused with what to do.
 */
export async function requirePgSchemaVersion(pool: pg.Pool, schema: string, migrations: readonly PgMigration[]): Promise<MigrationResult> {
  const latest = latestOf(migrations);
  const current = await readPgSchemaVersion(pool, schema);
  if (current > latest) throw new Error(`database schema ${schema} is at version ${current}, newer than this build supports (${latest})`);
  if (current < latest) {
    throw new Error(`database schema ${schema} is at version ${current}, this build needs ${latest}: run \`vaultgate migrate\` (or start with VAULTGATE_DATABASE_MIGRATE=true)`);
  }
  return { applied: [], version: current };
}
