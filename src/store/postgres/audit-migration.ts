/**
 * The PostgreSQL schema version of the audit step: 3 (PostgreSQL has no lean step; versions have no gaps). SQLite's
 * is AUDIT_SCHEMA_VERSION (4).
 */
export const PG_AUDIT_SCHEMA_VERSION = 3;

/**
 * The audit schema step on PostgreSQL (issue 13): the same tables as SQLite's (sqlite/audit-migration.ts) in PostgreSQL
 * types. seq is assigned by the appending transaction (head + 1 under an advisory lock), not an identity, so a gap
 * is a deletion. Text compared as bytes (COLLATE "C") so action prefixes and time ranges never depend on a locale.
 */
export const PG_AUDIT_V4 = `
CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  at TEXT COLLATE "C" NOT NULL,
  environment TEXT NOT NULL,
  actor_kind TEXT NOT NULL,
  actor_id TEXT COLLATE "C" NOT NULL,
  action TEXT COLLATE "C" NOT NULL,
  subject TEXT NOT NULL,
  tenants TEXT NOT NULL,
  client_address TEXT,
  request_id TEXT,
  outcome TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE audit_tenants (
  tenant TEXT COLLATE "C" NOT NULL,
  seq BIGINT NOT NULL,
  PRIMARY KEY (tenant, seq)
);

CREATE TABLE audit_checkpoints (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  seq BIGINT NOT NULL,
  head_hash TEXT NOT NULL,
  at TEXT COLLATE "C" NOT NULL,
  environment TEXT NOT NULL,
  kid TEXT NOT NULL,
  jws TEXT NOT NULL
);
CREATE INDEX audit_checkpoints_seq ON audit_checkpoints (seq);

CREATE TABLE audit_keys (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kid TEXT NOT NULL UNIQUE,
  public_jwk TEXT NOT NULL,
  private_key_ciphertext BYTEA NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL
);
`;
