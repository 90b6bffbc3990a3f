import type Database from 'better-sqlite3';
import { AUDIT_SCHEMA_VERSION, AUDIT_V4 } from './audit-migration.js';
import { LEAN_V3 } from './lean-migration.js';
import { OAUTH_V2 } from './oauth-migration.js';
import { ACCOUNTS_SCHEMA_VERSION, ACCOUNTS_V4 } from './accounts-migration.js';
import { SELFSERV_SCHEMA_VERSION, SELFSERV_SCHEMA_SQL } from './selfserv-store.js';
import { PEOPLE_SCHEMA_VERSION, PEOPLE_SQL } from './people-migration.js';
import { SESSION_METHOD_SCHEMA_VERSION, SESSION_METHOD_SQL } from './session-method-migration.js';
import { SHARING_SCHEMA_SQL, SHARING_SCHEMA_VERSION } from './sharing-store.js';
import { WEBHOOK_SCHEMA_SQL, WEBHOOK_SCHEMA_VERSION } from './webhook-store.js';
import { API_TOKEN_METHOD_SCHEMA_VERSION, API_TOKEN_METHOD_SQL } from './api-token-method-migration.js';
import { RECOVERY_SCHEMA_VERSION, RECOVERY_SQL } from './recovery-migration.js';
import { INSIGHTS_SCHEMA_VERSION, INSIGHTS_SQL } from './insights-migration.js';
import { DIRECTORY_SCHEMA_VERSION, DIRECTORY_SQL } from './directory-migration.js';
import { INTEGRITY_SCHEMA_VERSION, INTEGRITY_SQL } from './integrity-migration.js';

/** One schema step. Versions only grow; a released migration is never edited, only followed by a new one. */
export interface Migration {
  version: number;
  sql: string;
}

/*
 * Every table has `seq INTEGER PRIMARY KEY`, an alias of the rowid: it orders lists ("newest last") and backs the
 * cursors. An explicit alias matters because VACUUM may renumber an implicit rowid. Messages use AUTOINCREMENT so
 * a sequence number is never handed out twice. Ids are TEXT UNIQUE so foreign keys can point at them.
 *
 * The transaction-id ledger has no foreign keys on purpose: its party_id names whoever consumed the id (a
 * party, or a customer credential for vault reads), and message_id is written before the message row exists.
 */
const V1 = `
CREATE TABLE companies (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  business_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  deleted_at TEXT
);
-- A deleted company's business id may be registered again.
CREATE UNIQUE INDEX companies_business_id ON companies (business_id) WHERE deleted_at IS NULL;

CREATE TABLE audit_events (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  details TEXT NOT NULL
);
CREATE INDEX audit_events_subject ON audit_events (subject_id, seq);

CREATE TABLE parties (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
  created_at TEXT NOT NULL,
  disabled_at TEXT
);

CREATE TABLE partner_credentials (
  seq INTEGER PRIMARY KEY,
  partner_id TEXT NOT NULL UNIQUE,
  party_id TEXT NOT NULL REFERENCES parties(id),
  status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
  created_at TEXT NOT NULL,
  disabled_at TEXT,
  key_ciphertext BLOB NOT NULL
);
CREATE INDEX partner_credentials_party ON partner_credentials (party_id, seq);

CREATE TABLE customer_credentials (
  seq INTEGER PRIMARY KEY,
  customer_id TEXT NOT NULL UNIQUE,
  company_id TEXT NOT NULL REFERENCES companies(id),
  name TEXT NOT NULL,
  scopes TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
  created_at TEXT NOT NULL,
  disabled_at TEXT,
  key_ciphertext BLOB NOT NULL
);
CREATE INDEX customer_credentials_company ON customer_credentials (company_id, seq);

CREATE TABLE channels (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  company_id TEXT NOT NULL REFERENCES companies(id),
  party_id TEXT NOT NULL REFERENCES parties(id),
  message_types TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
  created_at TEXT NOT NULL,
  disabled_at TEXT
);
CREATE INDEX channels_company ON channels (company_id, seq);
CREATE INDEX channels_party ON channels (party_id, seq);

CREATE TABLE messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  company_id TEXT NOT NULL REFERENCES companies(id),
  channel_id TEXT NOT NULL REFERENCES channels(id),
  party_id TEXT NOT NULL REFERENCES parties(id),
  message_type TEXT NOT NULL,
  media_type TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  received_at TEXT NOT NULL,
  transaction_id TEXT,
  body_ciphertext BLOB NOT NULL,
  key_version INTEGER NOT NULL
);
CREATE INDEX messages_company ON messages (company_id, seq);
CREATE INDEX messages_company_channel ON messages (company_id, channel_id, seq);
CREATE INDEX messages_company_type ON messages (company_id, message_type, seq);
CREATE INDEX messages_channel_type ON messages (channel_id, message_type, seq);

CREATE TABLE transaction_ledger (
  party_id TEXT NOT NULL,
  transaction_id TEXT NOT NULL,
  message_id TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (party_id, transaction_id)
) WITHOUT ROWID;
CREATE INDEX transaction_ledger_created ON transaction_ledger (created_at);
`;

export const MIGRATIONS: readonly Migration[] = Object.freeze([
  { version: 1, sql: V1 },
  { version: 2, sql: OAUTH_V2 },
  { version: 3, sql: LEAN_V3 },
  { version: AUDIT_SCHEMA_VERSION, sql: AUDIT_V4 },
  { version: ACCOUNTS_SCHEMA_VERSION, sql: ACCOUNTS_V4 },
  { version: PEOPLE_SCHEMA_VERSION, sql: PEOPLE_SQL },
  { version: SELFSERV_SCHEMA_VERSION, sql: SELFSERV_SCHEMA_SQL },
  { version: SESSION_METHOD_SCHEMA_VERSION, sql: SESSION_METHOD_SQL },
  { version: SHARING_SCHEMA_VERSION, sql: SHARING_SCHEMA_SQL },
  { version: WEBHOOK_SCHEMA_VERSION, sql: WEBHOOK_SCHEMA_SQL },
  { version: API_TOKEN_METHOD_SCHEMA_VERSION, sql: API_TOKEN_METHOD_SQL },
  { version: RECOVERY_SCHEMA_VERSION, sql: RECOVERY_SQL },
  { version: INSIGHTS_SCHEMA_VERSION, sql: INSIGHTS_SQL },
  { version: DIRECTORY_SCHEMA_VERSION, sql: DIRECTORY_SQL },
  { version: INTEGRITY_SCHEMA_VERSION, sql: INTEGRITY_SQL },
]);

/** The schema version this code writes and expects. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** Refuses a migration list whose versions do not strictly grow (a programming error). Shared by every adapter. */
export function checkOrder(migrations: readonly Migration[]): void {
  let previous = 0;
  for (const m of migrations) {
    if (!Number.isInteger(m.version) || m.version <= previous) {
      throw new Error(`migrations must have strictly increasing positive integer versions (at ${m.version})`);
    }
    previous = m.version;
  }
}

/**
 * Brings the database up to the newest migration in one immediate transaction (so two processes opening the same
 * file cannot both migrate) and returns the versions it applied; an up-to-date database yields `[]`. A database
 * newer than this code is refused rather than guessed at.
 */
export function applyMigrations(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  checkOrder(migrations);
  const run = db.transaction((): number[] => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      applied_at TEXT NOT NULL
    )`);
    const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as {
      version: number | null;
    };
    const current = row.version ?? 0;
    const latest = migrations[migrations.length - 1]?.version ?? 0;
    if (current > latest) {
      throw new Error(`database schema version ${current} is newer than this build supports (${latest})`);
    }
    const record = db.prepare(
      "INSERT INTO schema_migrations (version, applied_at) VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
    );
    const applied: number[] = [];
    for (const m of migrations) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      record.run(m.version);
      applied.push(m.version);
    }
    return applied;
  });
  return run.immediate();
}
