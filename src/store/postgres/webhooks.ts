import type pg from 'pg';
import type { WebhookStore } from '../port.js';
import { checkLimit, decodeCursor, toPage } from '../sqlite/cursor.js';
import type { MessageMetaRow } from '../sqlite/rows.js';
import {
  ACTIVE_ENDPOINT_IDS_SQL, attemptParams, claimSql, deliveryParams, endpointParams, finishParams, listMessagesParams, PG_POSITIONED_SQL, toAttempt, toDelivery, toEndpoint,
  toPositioned, WEBHOOK_SQL, WEBHOOK_SQL_SCHEMA, type AttemptRow, type DeliveryRow, type EndpointRow,
} from '../sqlite/webhook-store.js';
import { audited } from './audit.js';
import { run, transaction } from './pg-db.js';

/*
 * The webhook section on PostgreSQL (issue 15): the SQLite adapter's statements, run with `run`. Two things differ:
 *
 * Claims take due rows with FOR UPDATE SKIP LOCKED, so several gateway processes claiming at once each get other
 * rows (one attempt of a delivery is made by one process); the lease then keeps the row theirs until it expires.
 *
 * The message horizon. With several writers, seq order is not commit order: a transaction can commit seq 5 after
 * another committed seq 6, and a reader that moved its cursor to 6 would never see 5. A position s is safe once every
 * transaction that could still insert a seq ≤ s has ended. The sequence's last_value L (sequences are not
 * transactional: it counts handed-out values, committed or not) names every seq handed out so far. A little later
 * (the settle delay covers the instants between nextval and the row's heap insert, where a transaction may not have
 * its xid yet) the horizon takes a fresh xid X (pg_current_xact_id() in its own one-statement transaction): every
 * transaction holding one of those seqs has an xid below X. Once the oldest running xid (pg_snapshot_xmin of a new
 * snapshot) is at or past X, all of them have committed or rolled back, and L is safe. (A snapshot's xmax is not
 * enough: it is latestCompletedXid + 1, and a running transaction's xid can equal it.) The horizon trails the newest
 * commit by the settle delay and the longest ingest transaction in flight; it writes no row and takes no lock, and
 * costs one xid per settle period per process.
 */

/** PostgreSQL's version of this step (issue 15 assigns webhooks version 9; grants take 8). */
export const PG_WEBHOOK_SCHEMA_VERSION = 9;
export const PG_WEBHOOK_SQL = WEBHOOK_SQL_SCHEMA('BYTEA', 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY', 'TEXT COLLATE "C"');

/** How long after reading the sequence the fresh xid is taken (ms): longer than nextval→heap insert of one row. */
export const HORIZON_SETTLE_MS = 250;

/** An xid assigned now (the statement's own transaction commits at once): every xid assigned before is smaller. */
const FRESH_XID_SQL = 'SELECT pg_current_xact_id()::text AS xid';
const SNAPSHOT_SQL = `SELECT pg_snapshot_xmin(s)::text AS xmin,
  (SELECT COALESCE(last_value, 0) FROM pg_sequences WHERE schemaname = current_schema() AND sequencename = 'messages_seq_seq') AS last
  FROM (SELECT pg_current_snapshot() AS s) x`;

type Db = pg.Pool | pg.PoolClient;

/** The safe message horizon of this process (see above); `now` is the monotonic-enough wall clock in ms. */
export function pgMessageHorizon(pool: pg.Pool, settleMs = HORIZON_SETTLE_MS, now: () => number = Date.now): () => Promise<number> {
  let safe = 0;
  let candidate: { seq: number; at: number; xid: bigint | null } | null = null;
  const step = async (): Promise<boolean> => {
    const r = (await pool.query<{ xmin: string; last: number | null }>(SNAPSHOT_SQL)).rows[0]!;
    const last = Number(r.last ?? 0);
    if (!candidate) {
      candidate = { seq: last, at: now(), xid: null };
    } else if (candidate.xid === null) {
      if (now() - candidate.at >= settleMs) candidate.xid = BigInt((await pool.query<{ xid: string }>(FRESH_XID_SQL)).rows[0]!.xid);
    } else if (BigInt(r.xmin) >= candidate.xid) {
      safe = Math.max(safe, candidate.seq);
      candidate = { seq: last, at: now(), xid: null };
      return true;
    }
    return false;
  };
  let first = true;
  return async () => {
    if (first) {
      // The first call waits for one full cycle (about the settle delay), so a new process never answers 0.
      first = false;
      const until = now() + settleMs * 4 + 10_000;
      while (!(await step()) && now() < until) await new Promise((r) => setTimeout(r, Math.max(10, settleMs / 5)));
      return safe;
    }
    await step();
    return safe;
  };
}

const changed = async (db: Db, sql: string, params: Record<string, unknown>): Promise<boolean> => ((await run(db, sql, params)).rowCount ?? 0) > 0;
const numSeq = <R extends { seq: number }>(rows: R[]): R[] => rows.map((r) => ({ ...r, seq: Number(r.seq) }));

export function pgWebhooks(pool: pg.Pool): WebhookStore {
  const horizon = pgMessageHorizon(pool);
  const claim = claimSql('FOR UPDATE SKIP LOCKED');
  return {
    async createWebhookEndpoint(e, audit) {
      await audited(pool, audit, (db) => run(db, WEBHOOK_SQL.insertEndpoint, endpointParams(e)));
    },
    async getWebhookEndpoint(id) {
      const row = (await run<EndpointRow>(pool, WEBHOOK_SQL.getEndpoint, { id })).rows[0];
      return row && toEndpoint(row);
    },
    async listWebhookEndpoints(organisationId, q) {
      const limit = checkLimit(q.limit);
      return toPage(numSeq((await run<EndpointRow>(pool, WEBHOOK_SQL.listEndpoints, { organisationId, after: decodeCursor(q.cursor), limit: limit + 1 })).rows), limit, toEndpoint);
    },
    async listActiveWebhookEndpoints(q) {
      const limit = checkLimit(q.limit);
      return toPage(numSeq((await run<EndpointRow>(pool, WEBHOOK_SQL.listActiveEndpoints, { after: decodeCursor(q.cursor), limit: limit + 1 })).rows), limit, toEndpoint);
    },
    updateWebhookEndpoint: (e, audit) => audited(pool, audit, (db) => changed(db, WEBHOOK_SQL.updateEndpoint, endpointParams(e))),
    deleteWebhookEndpoint: (id, audit) => audited(pool, audit, async (db) => {
      await run(db, WEBHOOK_SQL.deleteEndpointAttempts, { id });
      await run(db, WEBHOOK_SQL.deleteEndpointDeliveries, { id });
      return changed(db, WEBHOOK_SQL.deleteEndpoint, { id });
    }),
    messageHorizon: horizon,
    async listPositionedMessages(q) {
      return (await run<MessageMetaRow>(pool, PG_POSITIONED_SQL, listMessagesParams(q))).rows.map(toPositioned);
    },
    advanceWebhookCursors: (advances) => transaction(pool, async (c) => {
      const moved: boolean[] = [];
      for (const a of advances) {
        const ok = await changed(c, a.cursor === 'message' ? WEBHOOK_SQL.advanceCursor : WEBHOOK_SQL.advanceEventCursor, { id: a.endpointId, from: a.from, to: a.to });
        if (ok) for (const d of a.deliveries) await run(c, WEBHOOK_SQL.insertDelivery, deliveryParams(d));
        moved.push(ok);
      }
      return moved;
    }),
    async addWebhookDeliveries(deliveries, audit) {
      const insert = async (db: Db) => { for (const d of deliveries) await run(db, WEBHOOK_SQL.insertDelivery, deliveryParams(d)); };
      if (audit) await audited(pool, audit, insert);
      else await transaction(pool, insert);
    },
    async claimWebhookDeliveries(q) {
      const limit = checkLimit(q.limit);
      const ids = (await pool.query<{ id: string }>(ACTIVE_ENDPOINT_IDS_SQL)).rows.map((r) => r.id);
      // No transaction at all while there is no active endpoint (dispatch runs in every process).
      if (ids.length === 0) return [];
      return transaction(pool, async (c) => {
        const rows: DeliveryRow[] = [];
        for (const id of ids) rows.push(...(await run<DeliveryRow>(c, claim, { ...q, endpointId: id, limit })).rows);
        return rows.map((r) => ({ ...toDelivery(r), attempt: r.attempts }));
      });
    },
    finishWebhookAttempts: (owner, outcomes) => transaction(pool, async (c) => {
      const done: boolean[] = [];
      for (const q of outcomes) {
        const ok = await changed(c, WEBHOOK_SQL.finishDelivery, finishParams(owner, q));
        if (ok) {
          await run(c, WEBHOOK_SQL.insertAttempt, attemptParams(q.attempt));
          if (q.failingSince === 'clear') await run(c, WEBHOOK_SQL.clearFailing, { id: q.endpointId });
          else if (q.failingSince === 'keep-or-set') await run(c, WEBHOOK_SQL.setFailing, { id: q.endpointId, at: q.attempt.at });
        }
        done.push(ok);
      }
      return done;
    }),
    async getWebhookDelivery(id) {
      const row = (await run<DeliveryRow>(pool, WEBHOOK_SQL.getDelivery, { id })).rows[0];
      return row && toDelivery(row);
    },
    async listWebhookDeliveries(endpointId, q) {
      const limit = checkLimit(q.limit);
      const rows = numSeq((await run<DeliveryRow>(pool, WEBHOOK_SQL.listDeliveries, { endpointId, before: decodeCursor(q.cursor), limit: limit + 1 })).rows);
      const page = toPage(rows, limit, toDelivery);
      const items = await Promise.all(page.items.map(async (d) => ({
        ...d, attemptLog: (await run<AttemptRow>(pool, WEBHOOK_SQL.listAttempts, { id: d.id })).rows.map(toAttempt),
      })));
      return { items, nextCursor: page.nextCursor };
    },
  };
}
