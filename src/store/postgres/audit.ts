import type pg from 'pg';
import { linkEvent, type AuditCheckpoint, type AuditRecord } from '../../protocol/audit-chain.js';
import type { AuditAppend, AuditKeyRecord, AuditStore } from '../port.js';
import { legacyToAppend, type LegacyAuditRow } from '../sqlite/audit-migration.js';
import {
  AUDIT_COLUMNS, AUDIT_HEAD_SQL, auditListSql, auditParams, INSERT_AUDIT_SQL, INSERT_AUDIT_TENANT_SQL, PRUNE_SQL, toAuditRecord, type AuditLogRow,
} from '../sqlite/audit-store.js';
import { checkLimit, decodeCursor, toPage } from '../sqlite/cursor.js';
import { run, transaction } from './pg-db.js';

/*
 * The audit section of the PostgreSQL adapter. Several gateway processes append to one chain: each append takes a
 * transaction-scoped advisory lock (one per schema) before reading the head, so appends are serialised and the
 * chain never forks; seq is the primary key, so a fork could not commit even if the lock were bypassed.
 */

/** Serialises appends to this schema's chain until the transaction ends. */
const LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.audit_log'))";

/** Links and inserts an event inside the caller's transaction (the change it records commits with it). */
export async function appendPgAudit(client: pg.PoolClient, e: AuditAppend): Promise<AuditRecord> {
  await client.query(LOCK_SQL);
  const head = (await client.query<{ seq: number; hash: string }>(AUDIT_HEAD_SQL)).rows[0] ?? null;
  const r = linkEvent(head, e);
  await run(client, INSERT_AUDIT_SQL, auditParams(r));
  for (const tenant of new Set(r.tenants)) await run(client, INSERT_AUDIT_TENANT_SQL, { tenant, seq: r.seq });
  return r;
}

/**
 * Runs a change with its audit event in one transaction when one is given (a change resolving false appends
 * nothing); without an event, on the pool as before.
 */
export function audited<T>(pool: pg.Pool, audit: AuditAppend | undefined, change: (db: pg.Pool | pg.PoolClient) => Promise<T>): Promise<T> {
  if (!audit) return change(pool);
  return transaction(pool, async (c) => {
    const result = await change(c);
    if (result !== false) await appendPgAudit(c, audit);
    return result;
  });
}

/** Imports version-1 audit_events rows into the chain and drops that table (see sqlite/audit-migration.ts). */
export async function importPgLegacyAudit(pool: pg.Pool): Promise<number> {
  return transaction(pool, async (c) => {
    const exists = (await c.query("SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'audit_events'")).rowCount;
    if (!exists) return 0;
    const rows = (await c.query<LegacyAuditRow>('SELECT seq, at, actor, action, subject_id, details FROM audit_events ORDER BY seq')).rows;
    for (const r of rows) await appendPgAudit(c, legacyToAppend(r));
    await c.query('DROP TABLE audit_events');
    return rows.length;
  });
}

interface CheckpointRow { seq: number; head_hash: string; at: string; environment: string; kid: string; jws: string }
interface KeyRow { kid: string; public_jwk: string; private_key_ciphertext: Buffer; created_at: string }
const toKey = (r: KeyRow): AuditKeyRecord => ({ kid: r.kid, publicJwk: r.public_jwk, createdAt: r.created_at, privateKeyCiphertext: new Uint8Array(r.private_key_ciphertext) });
const KEY_COLS = 'kid, public_jwk, private_key_ciphertext, created_at';

export function pgAudit(pool: pg.Pool): AuditStore {
  return {
    appendAudit: (e) => transaction(pool, (c) => appendPgAudit(c, e)),
    async listAudit(q) {
      const limit = checkLimit(q.limit);
      const { sql, params } = auditListSql(q);
      const rows = (await run<AuditLogRow>(pool, sql, { ...params, after: decodeCursor(q.cursor), limit: limit + 1 })).rows;
      return toPage(rows, limit, toAuditRecord);
    },
    async readAuditChain(afterSeq, limit) {
      const rows = (await run<AuditLogRow>(pool, `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE seq > @after ORDER BY seq LIMIT @limit`, { after: afterSeq, limit: checkLimit(limit) })).rows;
      return rows.map(toAuditRecord);
    },
    async auditHead() {
      return (await pool.query<{ seq: number; hash: string }>(AUDIT_HEAD_SQL)).rows[0] ?? null;
    },
    async addAuditCheckpoint(cp: AuditCheckpoint) {
      await run(pool, 'INSERT INTO audit_checkpoints (seq, head_hash, at, environment, kid, jws) VALUES (@seq, @headHash, @at, @environment, @kid, @jws)', { ...cp });
    },
    async listAuditCheckpoints() {
      const rows = (await pool.query<CheckpointRow>('SELECT seq, head_hash, at, environment, kid, jws FROM audit_checkpoints ORDER BY id')).rows;
      return rows.map((r) => ({ seq: r.seq, headHash: r.head_hash, at: r.at, environment: r.environment, kid: r.kid, jws: r.jws }));
    },
    ensureAuditKey: (candidate) => transaction(pool, async (c) => {
      await c.query(LOCK_SQL);
      const existing = (await c.query<KeyRow>(`SELECT ${KEY_COLS} FROM audit_keys ORDER BY seq DESC LIMIT 1`)).rows[0];
      if (existing) return toKey(existing);
      await run(c, 'INSERT INTO audit_keys (kid, public_jwk, private_key_ciphertext, created_at) VALUES (@kid, @publicJwk, @key, @createdAt)',
        { kid: candidate.kid, publicJwk: candidate.publicJwk, key: Buffer.from(candidate.privateKeyCiphertext), createdAt: candidate.createdAt });
      return candidate;
    }),
    pruneAudit: (throughSeq) => transaction(pool, async (c) => {
      await run(c, PRUNE_SQL.tenants, { seq: throughSeq });
      await run(c, PRUNE_SQL.checkpoints, { seq: throughSeq });
      return (await run(c, PRUNE_SQL.events, { seq: throughSeq })).rowCount ?? 0;
    }),
    async listAuditKeys() {
      return (await pool.query<KeyRow>(`SELECT ${KEY_COLS} FROM audit_keys ORDER BY seq`)).rows.map(toKey);
    },
  };
}
