import Database from 'better-sqlite3';
import type { AuditCheckpoint, AuditRecord } from '../protocol/audit-chain.js';
import { createPool, SCHEMA_NAME } from './postgres/pg-db.js';
import { AUDIT_COLUMNS, toAuditRecord, type AuditLogRow } from './sqlite/audit-store.js';

/** Read-only access to an audit chain, for offline verification (`vaultgate audit verify`). */
export interface AuditReader {
  /** Events in seq order after `afterSeq`, at most `limit`. */
  chain(afterSeq: number, limit: number): Promise<AuditRecord[]>;
  checkpoints(): Promise<AuditCheckpoint[]>;
  /** The public JWKs stored with the chain (to compare with the published ones, never to trust blindly). */
  publicKeys(): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

interface CheckpointRow { seq: number; head_hash: string; at: string; environment: string; kid: string; jws: string }
const toCheckpoint = (r: CheckpointRow): AuditCheckpoint => ({ seq: r.seq, headHash: r.head_hash, at: r.at, environment: r.environment, kid: r.kid, jws: r.jws });
const CHAIN_SQL = `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`;
const CHECKPOINTS_SQL = 'SELECT seq, head_hash, at, environment, kid, jws FROM audit_checkpoints ORDER BY id';
const KEYS_SQL = 'SELECT public_jwk FROM audit_keys ORDER BY seq';

/**
 * Opens a database's audit chain read-only: a SQLite file (opened with `readonly`, nothing migrated or written)
 * or a PostgreSQL URL and schema (only SELECTs). The tables are those of the audit schema step.
 */
export async function openAuditReader(source: { file: string } | { url: string; schema: string }): Promise<AuditReader> {
  if ('file' in source) {
    const db = new Database(source.file, { readonly: true, fileMustExist: true });
    const sqlite = (sql: string): string => sql.replace(/\$(\d)/g, '?');
    return {
      chain: async (after, limit) => (db.prepare(sqlite(CHAIN_SQL)).all(after, limit) as AuditLogRow[]).map(toAuditRecord),
      checkpoints: async () => (db.prepare(CHECKPOINTS_SQL).all() as CheckpointRow[]).map(toCheckpoint),
      publicKeys: async () => (db.prepare(KEYS_SQL).all() as { public_jwk: string }[]).map((r) => JSON.parse(r.public_jwk) as Record<string, unknown>),
      close: async () => {
        db.close();
      },
    };
  }
  if (!SCHEMA_NAME.test(source.schema)) throw new Error(`schema name ${JSON.stringify(source.schema)} is not a plain lower-case identifier`);
  const pool = createPool({ url: source.url, schema: source.schema, poolSize: 1, applicationName: 'vaultgate audit verify' });
  return {
    chain: async (after, limit) => (await pool.query<AuditLogRow>(CHAIN_SQL, [after, limit])).rows.map(toAuditRecord),
    checkpoints: async () => (await pool.query<CheckpointRow>(CHECKPOINTS_SQL)).rows.map(toCheckpoint),
    publicKeys: async () => (await pool.query<{ public_jwk: string }>(KEYS_SQL)).rows.map((r) => JSON.parse(r.public_jwk) as Record<string, unknown>),
    close: () => pool.end(),
  };
}
