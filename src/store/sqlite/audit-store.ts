import type Database from 'better-sqlite3';
import { linkEvent, type AuditCheckpoint, type AuditRecord } from '../../protocol/audit-chain.js';
import type { AuditAppend, AuditKeyRecord, AuditQuery, AuditStore, Page } from '../port.js';
import { legacyToAppend, type LegacyAuditRow } from './audit-migration.js';
import { checkLimit, decodeCursor, toPage } from './cursor.js';

/** An audit_log row as both adapters read it. */
export interface AuditLogRow {
  seq: number;
  id: string;
  at: string;
  environment: string;
  actor_kind: string;
  actor_id: string;
  action: string;
  subject: string;
  tenants: string;
  client_address: string | null;
  request_id: string | null;
  outcome: string;
  details: string;
  prev_hash: string;
  hash: string;
}

export const AUDIT_COLUMNS = 'seq, id, at, environment, actor_kind, actor_id, action, subject, tenants, client_address, request_id, outcome, details, prev_hash, hash';
export const INSERT_AUDIT_SQL = `INSERT INTO audit_log (${AUDIT_COLUMNS}) VALUES (@seq, @id, @at, @environment, @actorKind, @actorId,
  @action, @subject, @tenants, @clientAddress, @requestId, @outcome, @details, @prevHash, @hash)`;
export const INSERT_AUDIT_TENANT_SQL = 'INSERT INTO audit_tenants (tenant, seq) VALUES (@tenant, @seq)';
/** Audit retention: events through a checkpoint's seq, their tenant rows, and the checkpoints before it. */
export const PRUNE_SQL = {
  tenants: 'DELETE FROM audit_tenants WHERE seq <= @seq',
  checkpoints: 'DELETE FROM audit_checkpoints WHERE seq < @seq',
  events: 'DELETE FROM audit_log WHERE seq <= @seq',
} as const;
export const AUDIT_HEAD_SQL = 'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1';

export function toAuditRecord(r: AuditLogRow): AuditRecord {
  return {
    seq: r.seq, id: r.id, at: r.at, environment: r.environment,
    actor: { kind: r.actor_kind as AuditRecord['actor']['kind'], id: r.actor_id }, action: r.action, subject: r.subject,
    tenants: JSON.parse(r.tenants) as string[], clientAddress: r.client_address, requestId: r.request_id,
    outcome: r.outcome as AuditRecord['outcome'], details: JSON.parse(r.details) as Record<string, unknown>,
    prevHash: r.prev_hash, hash: r.hash,
  };
}

/** The named parameters of INSERT_AUDIT_SQL for a linked record. */
export function auditParams(r: AuditRecord): Record<string, unknown> {
  return {
    seq: r.seq, id: r.id, at: r.at, environment: r.environment, actorKind: r.actor.kind, actorId: r.actor.id, action: r.action,
    subject: r.subject, tenants: JSON.stringify(r.tenants), clientAddress: r.clientAddress, requestId: r.requestId,
    outcome: r.outcome, details: JSON.stringify(r.details), prevHash: r.prevHash, hash: r.hash,
  };
}

/**
 * The WHERE clause and parameters of an audit listing (shared with PostgreSQL: the same SQL runs on both). The
 * tenant filter goes through audit_tenants' primary key.
 */
export function auditListSql(q: AuditQuery): { sql: string; params: Record<string, unknown> } {
  // A tenant's listing is driven by audit_tenants' primary key (tenant, seq): it reads that company's events in seq
  // order and stops at the limit, however long the rest of the chain is.
  const byTenant = q.tenant !== undefined;
  const key = byTenant ? 't.seq' : 'l.seq';
  const where = [`${key} > @after`];
  if (byTenant) where.push('t.tenant = @tenant');
  if (q.actor !== undefined) where.push('l.actor_id = @actor');
  // A prefix `area.` is the range [area., area/) ('/' follows '.'), byte-ordered on both databases.
  if (q.action !== undefined) where.push(q.action.endsWith('.') ? 'l.action >= @action AND l.action < @actionEnd' : 'l.action = @action');
  if (q.from !== undefined) where.push('l.at >= @from');
  if (q.to !== undefined) where.push('l.at < @to');
  const cols = AUDIT_COLUMNS.split(', ').map((c) => `l.${c}`).join(', ');
  const from = byTenant ? 'audit_tenants t JOIN audit_log l ON l.seq = t.seq' : 'audit_log l';
  return {
    sql: `SELECT ${cols} FROM ${from} WHERE ${where.join(' AND ')} ORDER BY ${key} LIMIT @limit`,
    params: { tenant: q.tenant, actor: q.actor, action: q.action, actionEnd: q.action?.endsWith('.') ? `${q.action.slice(0, -1)}/` : undefined, from: q.from, to: q.to },
  };
}

/** Reads the head and inserts the next link with the given statements (of one connection). */
function linkAndInsert(
  s: { head: Database.Statement<[], { seq: number; hash: string }>; insert: Database.Statement<[Record<string, unknown>]>; tenant: Database.Statement<[Record<string, unknown>]> },
  e: AuditAppend,
): AuditRecord {
  const r = linkEvent(s.head.get() ?? null, e);
  s.insert.run(auditParams(r));
  for (const tenant of new Set(r.tenants)) s.tenant.run({ tenant, seq: r.seq });
  return r;
}

interface CheckpointRow { seq: number; head_hash: string; at: string; environment: string; kid: string; jws: string }
const toCheckpoint = (r: CheckpointRow): AuditCheckpoint => ({ seq: r.seq, headHash: r.head_hash, at: r.at, environment: r.environment, kid: r.kid, jws: r.jws });
interface KeyRow { kid: string; public_jwk: string; private_key_ciphertext: Buffer; created_at: string }
const toKey = (r: KeyRow): AuditKeyRecord => ({
  kid: r.kid, publicJwk: r.public_jwk, createdAt: r.created_at,
  privateKeyCiphertext: new Uint8Array(r.private_key_ciphertext.buffer, r.private_key_ciphertext.byteOffset, r.private_key_ciphertext.byteLength),
});

/**
 * The audit section of the SQLite adapter. Appends run inside an IMMEDIATE transaction (the database's one write
 * lock): reading the head and inserting the next link cannot interleave with another connection or process.
 * `appendInTransaction` is for the registry's own transactions (the change and its event commit together).
 */
export class SqliteAuditStore implements AuditStore {
  readonly #db: Database.Database;
  readonly #head: Database.Statement<[], { seq: number; hash: string }>;
  readonly #insert: Database.Statement<[Record<string, unknown>]>;
  readonly #insertTenant: Database.Statement<[Record<string, unknown>]>;
  readonly #append: Database.Transaction<(e: AuditAppend) => AuditRecord>;
  readonly #durable: (() => Promise<void>) | undefined;
  /** The sync in flight, and the one queued behind it that appends arriving meanwhile share (group commit). */
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;
  readonly #lists = new Map<string, Database.Statement<[Record<string, unknown>], AuditLogRow>>();

  /**
   * `db` is the registry's connection (appendInTransaction runs inside its transactions). Appends of their own go
   * through `append` when given: the ingest connection (synchronous=NORMAL), whose commit is then made durable by
   * `durable` (one asynchronous fdatasync of the WAL shared by every commit in flight, wal-sync.ts) before the append
   * resolves; so a read's event costs no fsync on the event loop, and concurrent reads share one.
   */
  constructor(db: Database.Database, append?: { db: Database.Database; durable: () => Promise<void> }) {
    this.#db = db;
    this.#head = db.prepare(AUDIT_HEAD_SQL);
    this.#insert = db.prepare(INSERT_AUDIT_SQL);
    this.#insertTenant = db.prepare(INSERT_AUDIT_TENANT_SQL);
    const on = append?.db ?? db;
    const link = { head: on.prepare<[], { seq: number; hash: string }>(AUDIT_HEAD_SQL), insert: on.prepare<[Record<string, unknown>]>(INSERT_AUDIT_SQL), tenant: on.prepare<[Record<string, unknown>]>(INSERT_AUDIT_TENANT_SQL) };
    this.#append = on.transaction((e: AuditAppend) => linkAndInsert(link, e));
    this.#durable = append?.durable;
  }

  /** Links and inserts an event; the caller holds the write lock (an immediate transaction on the registry connection). */
  appendInTransaction(e: AuditAppend): AuditRecord {
    return linkAndInsert({ head: this.#head, insert: this.#insert, tenant: this.#insertTenant }, e);
  }

  /** Imports version-1 audit_events rows into the chain and drops that table (see audit-migration.ts). */
  importLegacy(): number {
    return this.#db.transaction(() => {
      const exists = this.#db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_events'").get();
      if (!exists) return 0;
      const rows = this.#db.prepare('SELECT seq, at, actor, action, subject_id, details FROM audit_events ORDER BY seq').all() as LegacyAuditRow[];
      for (const r of rows) this.appendInTransaction(legacyToAppend(r));
      this.#db.exec('DROP TABLE audit_events');
      return rows.length;
    }).immediate();
  }

  async appendAudit(e: AuditAppend): Promise<AuditRecord> {
    const r = this.#append.immediate(e);
    if (this.#durable) await this.#sharedSync(this.#durable);
    return r;
  }

  /**
   * An fdatasync that covers this caller's commit: the one queued behind the sync in flight, shared by every append
   * committed before it starts (each fdatasync covers every WAL write made before it), so N concurrent reads cost
   * about two syncs, not N.
   */
  #sharedSync(durable: () => Promise<void>): Promise<void> {
    this.#queued ??= (this.#running ?? Promise.resolve()).catch(() => undefined).then(() => {
      this.#queued = undefined;
      const run = durable();
      this.#running = run;
      return run;
    });
    return this.#queued;
  }

  async listAudit(q: AuditQuery): Promise<Page<AuditRecord>> {
    const limit = checkLimit(q.limit);
    const { sql, params } = auditListSql(q);
    let stmt = this.#lists.get(sql);
    if (!stmt) {
      stmt = this.#db.prepare<[Record<string, unknown>], AuditLogRow>(sql);
      this.#lists.set(sql, stmt);
    }
    return toPage(stmt.all({ ...params, after: decodeCursor(q.cursor), limit: limit + 1 }), limit, toAuditRecord);
  }

  async readAuditChain(afterSeq: number, limit: number): Promise<AuditRecord[]> {
    const rows = this.#db.prepare<[Record<string, unknown>], AuditLogRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE seq > @after ORDER BY seq LIMIT @limit`)
      .all({ after: afterSeq, limit: checkLimit(limit) });
    return rows.map(toAuditRecord);
  }

  async auditHead(): Promise<{ seq: number; hash: string } | null> {
    return this.#head.get() ?? null;
  }

  async addAuditCheckpoint(cp: AuditCheckpoint): Promise<void> {
    this.#db.prepare('INSERT INTO audit_checkpoints (seq, head_hash, at, environment, kid, jws) VALUES (@seq, @headHash, @at, @environment, @kid, @jws)').run({ ...cp });
  }

  async listAuditCheckpoints(): Promise<AuditCheckpoint[]> {
    return (this.#db.prepare('SELECT seq, head_hash, at, environment, kid, jws FROM audit_checkpoints ORDER BY id').all() as CheckpointRow[]).map(toCheckpoint);
  }

  async ensureAuditKey(candidate: AuditKeyRecord): Promise<AuditKeyRecord> {
    return this.#db.transaction(() => {
      const existing = this.#db.prepare('SELECT kid, public_jwk, private_key_ciphertext, created_at FROM audit_keys ORDER BY seq DESC LIMIT 1').get() as KeyRow | undefined;
      if (existing) return toKey(existing);
      this.#db.prepare('INSERT INTO audit_keys (kid, public_jwk, private_key_ciphertext, created_at) VALUES (@kid, @publicJwk, @key, @createdAt)')
        .run({ kid: candidate.kid, publicJwk: candidate.publicJwk, key: Buffer.from(candidate.privateKeyCiphertext), createdAt: candidate.createdAt });
      return candidate;
    }).immediate();
  }

  async pruneAudit(throughSeq: number): Promise<number> {
    return this.#db.transaction(() => {
      this.#db.prepare(PRUNE_SQL.tenants).run({ seq: throughSeq });
      this.#db.prepare(PRUNE_SQL.checkpoints).run({ seq: throughSeq });
      return this.#db.prepare(PRUNE_SQL.events).run({ seq: throughSeq }).changes;
    }).immediate();
  }

  async listAuditKeys(): Promise<AuditKeyRecord[]> {
    return (this.#db.prepare('SELECT kid, public_jwk, private_key_ciphertext, created_at FROM audit_keys ORDER BY seq').all() as KeyRow[]).map(toKey);
  }
}
