import type { AuditAppend } from '../port.js';

/** The SQLite schema version of the audit step (after the lean schema, 3). PostgreSQL's is PG_AUDIT_SCHEMA_VERSION. */
export const AUDIT_SCHEMA_VERSION = 4;

/**
 * Audit schema step (issue 13): the audit trail as a hash chain. `audit_log` holds one row per event with its place in
 * the chain (seq assigned as head + 1 inside the appending transaction, prev_hash, hash); `audit_tenants` indexes
 * the companies each event concerns (a company's view of the trail); `audit_checkpoints` the signed heads;
 * `audit_keys` the Ed25519 key pairs that sign them (private keys sealed with the system data key).
 *
 * The version-1 table `audit_events` (unchained, editable) is imported into the chain when this step is applied,
 * in order, as events whose details say `importedFrom: "audit_events"`, and then dropped (importLegacyAudit):
 * from then on they are as tamper-evident as the rest, although nothing proves what they were before the import.
 */
export const AUDIT_V4 = `
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  at TEXT NOT NULL,
  environment TEXT NOT NULL,
  actor_kind TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  action TEXT NOT NULL,
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
  tenant TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (tenant, seq)
) WITHOUT ROWID;

CREATE TABLE audit_checkpoints (
  id INTEGER PRIMARY KEY,
  seq INTEGER NOT NULL,
  head_hash TEXT NOT NULL,
  at TEXT NOT NULL,
  environment TEXT NOT NULL,
  kid TEXT NOT NULL,
  jws TEXT NOT NULL
);
CREATE INDEX audit_checkpoints_seq ON audit_checkpoints (seq);

CREATE TABLE audit_keys (
  seq INTEGER PRIMARY KEY,
  kid TEXT NOT NULL UNIQUE,
  public_jwk TEXT NOT NULL,
  private_key_ciphertext BLOB NOT NULL,
  created_at TEXT NOT NULL
);
`;

/** A version-1 audit row. */
export interface LegacyAuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject_id: string;
  details: string;
}

/** The chain input of an imported version-1 row (its company subject, if any, is its tenant). */
export function legacyToAppend(r: LegacyAuditRow): AuditAppend {
  // The environment is the one the subject id carries (ids are <prefix>_<environment>_…).
  const environment = /^[a-z]+_(live|uat|test)_/.exec(r.subject_id)?.[1] ?? 'unknown';
  return {
    id: `ae_${environment}_legacy${String(r.seq).padStart(10, '0')}`,
    at: r.at, environment, actor: { kind: 'operator', id: r.actor }, action: r.action, subject: r.subject_id,
    tenants: r.subject_id.startsWith('co_') ? [r.subject_id] : [], clientAddress: null, requestId: null, outcome: 'success',
    details: { ...(JSON.parse(r.details) as Record<string, unknown>), importedFrom: 'audit_events' },
  };
}
