import type Database from 'better-sqlite3';
import type {
  AuditAppend, ClaimedDelivery, ListQuery, Page, PositionedMessage, WebhookAdvance, WebhookAttemptRecord, WebhookDeliveryRecord, WebhookEndpointRecord,
  WebhookOutcome, WebhookStore,
} from '../port.js';
import { checkLimit, decodeCursor, toPage } from './cursor.js';
import { leanMessageListSql, messageListSql } from './list-queries.js';
import { toMessageMeta, type MessageMetaRow } from './rows.js';

/*
 * The webhook section of the SQLite adapter (issue 15): endpoints (with their dispatch cursor over message positions),
 * durable deliveries and their attempts. SQL text, rows and mappers are shared with the PostgreSQL adapter
 * (postgres/webhooks.ts): `@name` parameters, the same column names. Nothing here is written on the ingest path:
 * dispatch reads messages by position and writes only its own rows.
 */

/** The SQLite schema version of this step (issue 15 assigns webhooks version 10; grants take 9). */
export const WEBHOOK_SCHEMA_VERSION = 10;

/**
 * webhook_endpoints: message_cursor is the seq dispatch has looked at; moved only by compare-and-set, so two
 * processes never both dispatch a range. webhook_deliveries: one row per thing to send, claimed per attempt by a
 * lease (lease_owner, lease_until); webhook_attempts: the log. No foreign keys to organisations so that deleting an
 * endpoint deletes its rows in the same transaction without ordering concerns.
 */
export const WEBHOOK_SQL_SCHEMA = (blob: string, seq: string, ts: string) => `
CREATE TABLE webhook_endpoints (
  seq ${seq},
  id TEXT NOT NULL UNIQUE,
  organisation_id TEXT NOT NULL,
  url TEXT NOT NULL,
  description TEXT NOT NULL,
  event_types TEXT NOT NULL,
  filters TEXT NOT NULL,
  secret_ciphertext ${blob} NOT NULL,
  previous_secret_ciphertext ${blob},
  previous_valid_until ${ts},
  status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
  disabled_reason TEXT CHECK (disabled_reason IN ('manual', 'failing')),
  created_at ${ts} NOT NULL,
  updated_at ${ts} NOT NULL,
  failing_since ${ts},
  message_cursor BIGINT NOT NULL DEFAULT 0,
  grant_event_cursor BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX webhook_endpoints_organisation ON webhook_endpoints (organisation_id, seq);
CREATE TABLE webhook_deliveries (
  seq ${seq},
  id TEXT NOT NULL UNIQUE,
  endpoint_id TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  message_id TEXT,
  payload TEXT NOT NULL,
  origin TEXT NOT NULL CHECK (origin IN ('dispatch', 'replay', 'test')),
  status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'cancelled')),
  attempts INTEGER NOT NULL,
  next_attempt_at ${ts},
  lease_owner TEXT,
  lease_until ${ts},
  created_at ${ts} NOT NULL,
  updated_at ${ts} NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (endpoint_id, next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, seq);
CREATE TABLE webhook_attempts (
  seq ${seq},
  delivery_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  at ${ts} NOT NULL,
  status_code INTEGER,
  duration_ms INTEGER NOT NULL,
  error TEXT,
  outcome TEXT NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'cancelled')),
  next_attempt_at ${ts}
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, seq);
`;
export const WEBHOOK_SCHEMA_SQL = WEBHOOK_SQL_SCHEMA('BLOB', 'INTEGER PRIMARY KEY', 'TEXT');

export interface EndpointRow {
  seq: number; id: string; organisation_id: string; url: string; description: string; event_types: string; filters: string;
  secret_ciphertext: Buffer; previous_secret_ciphertext: Buffer | null; previous_valid_until: string | null; status: 'active' | 'disabled';
  disabled_reason: 'manual' | 'failing' | null; created_at: string; updated_at: string; failing_since: string | null; message_cursor: number;
  grant_event_cursor: number;
}
export interface DeliveryRow {
  seq: number; id: string; endpoint_id: string; webhook_id: string; event_type: string; message_id: string | null; payload: string;
  origin: WebhookDeliveryRecord['origin']; status: WebhookDeliveryRecord['status']; attempts: number; next_attempt_at: string | null;
  created_at: string; updated_at: string;
}
export interface AttemptRow {
  delivery_id: string; attempt: number; at: string; status_code: number | null; duration_ms: number; error: string | null;
  outcome: WebhookAttemptRecord['outcome']; next_attempt_at: string | null;
}

const bytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
export const toEndpoint = (r: EndpointRow): WebhookEndpointRecord => ({
  id: r.id, organisationId: r.organisation_id, url: r.url, description: r.description, eventTypes: JSON.parse(r.event_types) as WebhookEndpointRecord['eventTypes'],
  filters: JSON.parse(r.filters) as WebhookEndpointRecord['filters'], secretCiphertext: bytes(r.secret_ciphertext),
  previousSecretCiphertext: r.previous_secret_ciphertext ? bytes(r.previous_secret_ciphertext) : null, previousValidUntil: r.previous_valid_until,
  status: r.status, disabledReason: r.disabled_reason, createdAt: r.created_at, updatedAt: r.updated_at, failingSince: r.failing_since,
  messageCursor: Number(r.message_cursor), grantEventCursor: Number(r.grant_event_cursor),
});
export const toDelivery = (r: DeliveryRow): WebhookDeliveryRecord => ({
  id: r.id, endpointId: r.endpoint_id, webhookId: r.webhook_id, eventType: r.event_type, messageId: r.message_id, payload: r.payload, origin: r.origin,
  status: r.status, attempts: r.attempts, nextAttemptAt: r.next_attempt_at, createdAt: r.created_at, updatedAt: r.updated_at,
});
export const toAttempt = (r: AttemptRow): WebhookAttemptRecord => ({
  deliveryId: r.delivery_id, attempt: r.attempt, at: r.at, statusCode: r.status_code, durationMs: r.duration_ms, error: r.error, outcome: r.outcome,
  nextAttemptAt: r.next_attempt_at,
});
export const endpointParams = (e: WebhookEndpointRecord): Record<string, unknown> => ({
  ...e, eventTypes: JSON.stringify(e.eventTypes), filters: JSON.stringify(e.filters), secretCiphertext: Buffer.from(e.secretCiphertext),
  previousSecretCiphertext: e.previousSecretCiphertext ? Buffer.from(e.previousSecretCiphertext) : null,
});
export const deliveryParams = (d: WebhookDeliveryRecord): Record<string, unknown> => ({ ...d });
export const attemptParams = (a: WebhookAttemptRecord): Record<string, unknown> => ({ ...a });

const EP_COLS = `seq, id, organisation_id, url, description, event_types, filters, secret_ciphertext, previous_secret_ciphertext, previous_valid_until,
  status, disabled_reason, created_at, updated_at, failing_since, message_cursor, grant_event_cursor`;
export const DELIVERY_COLS = 'seq, id, endpoint_id, webhook_id, event_type, message_id, payload, origin, status, attempts, next_attempt_at, created_at, updated_at';
const ATTEMPT_COLS = 'delivery_id, attempt, at, status_code, duration_ms, error, outcome, next_attempt_at';

/** Positioned messages of one vault on SQLite's lean schema (walks messages_list) and on PostgreSQL's (messages_company). */
export const SQLITE_POSITIONED_SQL = `SELECT ${leanMessageListSql({ channelId: false, messageType: false, from: false, to: false }).replace(' ORDER BY', ' AND m.seq <= @through AND (CAST(@receivedFrom AS TEXT) IS NULL OR m.received_at >= @receivedFrom) ORDER BY').slice('SELECT '.length)}`;
export const PG_POSITIONED_SQL = messageListSql({ channelId: false, messageType: false, from: false, to: false })
  .replace(' ORDER BY', ' AND seq <= @through AND (CAST(@receivedFrom AS TEXT) IS NULL OR received_at >= @receivedFrom) ORDER BY');

/** One endpoint's due deliveries a claim takes (walks webhook_deliveries_due); PostgreSQL appends `FOR UPDATE SKIP LOCKED`. */
export const claimSql = (lock: string) => `UPDATE webhook_deliveries SET attempts = attempts + 1, lease_owner = @owner, lease_until = @leaseUntil, updated_at = @now
  WHERE seq IN (SELECT seq FROM webhook_deliveries
    WHERE endpoint_id = @endpointId AND status = 'pending' AND next_attempt_at <= @now AND (lease_until IS NULL OR lease_until < @now)
    ORDER BY next_attempt_at, seq LIMIT @limit ${lock})
  RETURNING ${DELIVERY_COLS}`;
/** The endpoints a claim walks. */
export const ACTIVE_ENDPOINT_IDS_SQL = "SELECT id FROM webhook_endpoints WHERE status = 'active' ORDER BY seq";

/** Every statement of the section (both adapters). */
export const WEBHOOK_SQL = {
  insertEndpoint: `INSERT INTO webhook_endpoints (id, organisation_id, url, description, event_types, filters, secret_ciphertext, previous_secret_ciphertext,
    previous_valid_until, status, disabled_reason, created_at, updated_at, failing_since, message_cursor, grant_event_cursor)
    VALUES (@id, @organisationId, @url, @description, @eventTypes, @filters, @secretCiphertext, @previousSecretCiphertext, @previousValidUntil, @status,
    @disabledReason, @createdAt, @updatedAt, @failingSince, @messageCursor, @grantEventCursor)`,
  getEndpoint: `SELECT ${EP_COLS} FROM webhook_endpoints WHERE id = @id`,
  listEndpoints: `SELECT ${EP_COLS} FROM webhook_endpoints WHERE organisation_id = @organisationId AND seq > @after ORDER BY seq LIMIT @limit`,
  listActiveEndpoints: `SELECT ${EP_COLS} FROM webhook_endpoints WHERE status = 'active' AND seq > @after ORDER BY seq LIMIT @limit`,
  updateEndpoint: `UPDATE webhook_endpoints SET url = @url, description = @description, event_types = @eventTypes, filters = @filters,
    secret_ciphertext = @secretCiphertext, previous_secret_ciphertext = @previousSecretCiphertext, previous_valid_until = @previousValidUntil,
    status = @status, disabled_reason = @disabledReason, updated_at = @updatedAt, failing_since = @failingSince WHERE id = @id`,
  deleteEndpoint: 'DELETE FROM webhook_endpoints WHERE id = @id',
  deleteEndpointAttempts: 'DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE endpoint_id = @id)',
  deleteEndpointDeliveries: 'DELETE FROM webhook_deliveries WHERE endpoint_id = @id',
  advanceCursor: 'UPDATE webhook_endpoints SET message_cursor = @to WHERE id = @id AND message_cursor = @from',
  advanceEventCursor: 'UPDATE webhook_endpoints SET grant_event_cursor = @to WHERE id = @id AND grant_event_cursor = @from',
  insertDelivery: `INSERT INTO webhook_deliveries (id, endpoint_id, webhook_id, event_type, message_id, payload, origin, status, attempts, next_attempt_at,
    created_at, updated_at) VALUES (@id, @endpointId, @webhookId, @eventType, @messageId, @payload, @origin, @status, @attempts, @nextAttemptAt, @createdAt, @updatedAt)`,
  maxSeq: 'SELECT COALESCE(MAX(seq), 0) AS seq FROM messages',
  finishDelivery: `UPDATE webhook_deliveries SET status = @status, next_attempt_at = @nextAttemptAt, lease_owner = NULL, lease_until = NULL, updated_at = @at
    WHERE id = @deliveryId AND lease_owner = @owner AND attempts = @attempt`,
  insertAttempt: `INSERT INTO webhook_attempts (delivery_id, attempt, at, status_code, duration_ms, error, outcome, next_attempt_at)
    VALUES (@deliveryId, @attempt, @at, @statusCode, @durationMs, @error, @outcome, @nextAttemptAt)`,
  clearFailing: 'UPDATE webhook_endpoints SET failing_since = NULL WHERE id = @id',
  setFailing: 'UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, @at) WHERE id = @id',
  getDelivery: `SELECT ${DELIVERY_COLS} FROM webhook_deliveries WHERE id = @id`,
  listDeliveries: `SELECT ${DELIVERY_COLS} FROM webhook_deliveries WHERE endpoint_id = @endpointId AND (@before = 0 OR seq < @before) ORDER BY seq DESC LIMIT @limit`,
  listAttempts: `SELECT ${ATTEMPT_COLS} FROM webhook_attempts WHERE delivery_id = @id ORDER BY seq`,
} as const;

export const listMessagesParams = (q: Parameters<WebhookStore['listPositionedMessages']>[0]): Record<string, unknown> => ({
  companyId: q.companyId, after: q.afterSeq, through: q.throughSeq, receivedFrom: q.receivedFrom ?? null, limit: checkLimit(q.limit),
});
export const toPositioned = (r: MessageMetaRow): PositionedMessage => ({ ...toMessageMeta(r), seq: Number(r.seq) });
export const finishParams = (owner: string, q: WebhookOutcome): Record<string, unknown> => ({ ...q.attempt, owner, status: q.status });

type P = Record<string, unknown>;
type Statements = { [K in keyof typeof WEBHOOK_SQL]: Database.Statement<[P], unknown> };

/** The statements dispatch writes with, prepared on the ingest connection (see the constructor). */
const DISPATCH_KEYS = ['advanceCursor', 'advanceEventCursor', 'insertDelivery', 'finishDelivery', 'insertAttempt', 'clearFailing', 'setFailing'] as const;

export class SqliteWebhookStore implements WebhookStore {
  readonly #s: Statements;
  /** The dispatch statements on the ingest connection. */
  readonly #w: Pick<Statements, (typeof DISPATCH_KEYS)[number]>;
  readonly #claim: Database.Statement<[P], unknown>;
  readonly #activeIds: Database.Statement<[], unknown>;
  readonly #positioned: Database.Statement<[P], unknown>;
  readonly #tx: <T>(fn: () => T) => T;

  /**
   * Endpoint changes (audited) go through the main connection. Dispatch's own writes (cursor moves with their
   * deliveries, claims, outcomes) go through the ingest connection (`writer`, synchronous NORMAL): in turn with the
   * group commits instead of competing with them for SQLite's one write lock while a FULL commit fsyncs, so dispatch
   * does not stall ingestion. Their durability is the WAL's next fdatasync (the ingest path's or a checkpoint's); a
   * power loss may undo the last ones, which only repeats work — a delivery sent again (at least once), never lost.
   */
  constructor(db: Database.Database, writer: Database.Database, private readonly audited: <T>(change: () => T, audit: AuditAppend) => T) {
    this.#s = Object.fromEntries(Object.entries(WEBHOOK_SQL).map(([k, sql]) => [k, db.prepare<[P]>(sql)])) as Statements;
    this.#w = Object.fromEntries(DISPATCH_KEYS.map((k) => [k, writer.prepare<[P]>(WEBHOOK_SQL[k])])) as Pick<Statements, (typeof DISPATCH_KEYS)[number]>;
    this.#claim = writer.prepare<[P]>(claimSql(''));
    this.#activeIds = writer.prepare<[]>(ACTIVE_ENDPOINT_IDS_SQL).pluck();
    this.#positioned = db.prepare<[P]>(SQLITE_POSITIONED_SQL);
    const tx = writer.transaction((fn: () => unknown) => fn());
    this.#tx = <T>(fn: () => T): T => tx.immediate(fn) as T;
  }

  async createWebhookEndpoint(e: WebhookEndpointRecord, audit: AuditAppend): Promise<void> {
    this.audited(() => this.#s.insertEndpoint.run(endpointParams(e)), audit);
  }

  async getWebhookEndpoint(id: string): Promise<WebhookEndpointRecord | undefined> {
    const row = this.#s.getEndpoint.get({ id }) as EndpointRow | undefined;
    return row && toEndpoint(row);
  }

  async listWebhookEndpoints(organisationId: string, q: ListQuery): Promise<Page<WebhookEndpointRecord>> {
    const limit = checkLimit(q.limit);
    return toPage(this.#s.listEndpoints.all({ organisationId, after: decodeCursor(q.cursor), limit: limit + 1 }) as EndpointRow[], limit, toEndpoint);
  }

  async listActiveWebhookEndpoints(q: ListQuery): Promise<Page<WebhookEndpointRecord>> {
    const limit = checkLimit(q.limit);
    return toPage(this.#s.listActiveEndpoints.all({ after: decodeCursor(q.cursor), limit: limit + 1 }) as EndpointRow[], limit, toEndpoint);
  }

  async updateWebhookEndpoint(e: WebhookEndpointRecord, audit: AuditAppend): Promise<boolean> {
    return this.audited(() => this.#s.updateEndpoint.run(endpointParams(e)).changes > 0, audit);
  }

  async deleteWebhookEndpoint(id: string, audit: AuditAppend): Promise<boolean> {
    return this.audited(() => {
      this.#s.deleteEndpointAttempts.run({ id });
      this.#s.deleteEndpointDeliveries.run({ id });
      return this.#s.deleteEndpoint.run({ id }).changes > 0;
    }, audit);
  }

  /** One writer: a committed seq means every smaller one is committed (or never will be), so the newest is safe. */
  async messageHorizon(): Promise<number> {
    return Number((this.#s.maxSeq.get({}) as { seq: number }).seq);
  }

  async listPositionedMessages(q: Parameters<WebhookStore['listPositionedMessages']>[0]): Promise<PositionedMessage[]> {
    return (this.#positioned.all(listMessagesParams(q)) as MessageMetaRow[]).map(toPositioned);
  }

  async advanceWebhookCursors(advances: WebhookAdvance[]): Promise<boolean[]> {
    return this.#tx(() => advances.map((a) => {
      if ((a.cursor === 'message' ? this.#w.advanceCursor : this.#w.advanceEventCursor).run({ id: a.endpointId, from: a.from, to: a.to }).changes === 0) return false;
      for (const d of a.deliveries) this.#w.insertDelivery.run(deliveryParams(d));
      return true;
    }));
  }

  async addWebhookDeliveries(deliveries: WebhookDeliveryRecord[], audit: AuditAppend | undefined): Promise<void> {
    if (audit) this.audited(() => { for (const d of deliveries) this.#s.insertDelivery.run(deliveryParams(d)); }, audit);
    else this.#tx(() => { for (const d of deliveries) this.#w.insertDelivery.run(deliveryParams(d)); });
  }

  async claimWebhookDeliveries(q: Parameters<WebhookStore['claimWebhookDeliveries']>[0]): Promise<ClaimedDelivery[]> {
    const limit = checkLimit(q.limit);
    // No write transaction at all while there is no active endpoint (dispatch runs in every process).
    if ((this.#activeIds.all() as string[]).length === 0) return [];
    const rows = this.#tx(() => (this.#activeIds.all() as string[]).flatMap((endpointId) => this.#claim.all({ ...q, endpointId, limit }) as DeliveryRow[]));
    return rows.map((r) => ({ ...toDelivery(r), attempt: r.attempts }));
  }

  async finishWebhookAttempts(owner: string, outcomes: WebhookOutcome[]): Promise<boolean[]> {
    return this.#tx(() => outcomes.map((q) => {
      if (this.#w.finishDelivery.run(finishParams(owner, q)).changes === 0) return false;
      this.#w.insertAttempt.run(attemptParams(q.attempt));
      if (q.failingSince === 'clear') this.#w.clearFailing.run({ id: q.endpointId });
      else if (q.failingSince === 'keep-or-set') this.#w.setFailing.run({ id: q.endpointId, at: q.attempt.at });
      return true;
    }));
  }

  async getWebhookDelivery(id: string): Promise<WebhookDeliveryRecord | undefined> {
    const row = this.#s.getDelivery.get({ id }) as DeliveryRow | undefined;
    return row && toDelivery(row);
  }

  async listWebhookDeliveries(endpointId: string, q: ListQuery): Promise<Page<WebhookDeliveryRecord & { attemptLog: WebhookAttemptRecord[] }>> {
    const limit = checkLimit(q.limit);
    const rows = this.#s.listDeliveries.all({ endpointId, before: decodeCursor(q.cursor), limit: limit + 1 }) as DeliveryRow[];
    return toPage(rows, limit, (r) => ({ ...toDelivery(r), attemptLog: (this.#s.listAttempts.all({ id: r.id }) as AttemptRow[]).map(toAttempt) }));
  }
}
