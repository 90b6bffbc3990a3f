import type pg from 'pg';
import type { InsightsStore } from '../port.js';
import { checkLimit, toPage } from '../sqlite/cursor.js';
import { INSIGHTS_SQL_TEXT as SQL, refusalCountSql, refusalListSql, refusalParams, toRefusal, type RefusalRow } from '../sqlite/insights-store.js';
import { run, transaction } from './pg-db.js';

/*
 * The ingestion-insights section on PostgreSQL (issue 16): the SQLite adapter's refusal statements run with `run`; a
 * batch of refusals in one transaction. Message counts use messages_company_channel (company_id, channel_id, seq),
 * the newest message of a channel that index walked backwards.
 */

const DAY_COUNTS_SQL = `SELECT substr(received_at, 1, 10) AS day, channel_id, message_type, COUNT(*) AS n FROM messages
  WHERE company_id = @companyId AND channel_id = ANY(@channelIds::text[]) AND received_at >= @since
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`;
const LAST_MESSAGE_SQL = `SELECT received_at, message_type FROM messages WHERE company_id = @companyId AND channel_id = @channelId
  ORDER BY seq DESC LIMIT 1`;

export function pgInsights(pool: pg.Pool): InsightsStore {
  return {
    async appendIngestionRefusals(records) {
      if (records.length === 0) return;
      await transaction(pool, async (c) => {
        for (const r of records) await run(c, SQL.insertRefusal, refusalParams(r));
      });
    },
    async listIngestionRefusals(q) {
      const { sql, params } = refusalListSql(q);
      return toPage((await run<RefusalRow>(pool, sql, params)).rows, q.limit, toRefusal);
    },
    async countIngestionRefusals(q) {
      const { sql, params } = refusalCountSql(q);
      return (await run<{ code: string; n: number }>(pool, sql, params)).rows.map((r) => ({ code: r.code, count: Number(r.n) }));
    },
    async pruneIngestionRefusals(before, limit) {
      return (await run(pool, SQL.pruneRefusals, { before, limit: checkLimit(limit) })).rowCount ?? 0;
    },
    async countMessagesByDay(q) {
      if (q.channelIds.length === 0) return [];
      const rows = (await run<{ day: string; channel_id: string; message_type: string; n: number }>(pool, DAY_COUNTS_SQL, { ...q, channelIds: [...q.channelIds] })).rows;
      return rows.map((r) => ({ date: r.day, channelId: r.channel_id, messageType: r.message_type, count: Number(r.n) }));
    },
    async lastMessages(q) {
      const out: { channelId: string; at: string; messageType: string }[] = [];
      for (const channelId of q.channelIds) {
        const row = (await run<{ received_at: string; message_type: string }>(pool, LAST_MESSAGE_SQL, { companyId: q.companyId, channelId })).rows[0];
        if (row) out.push({ channelId, at: row.received_at, messageType: row.message_type });
      }
      return out;
    },
  };
}
