import type Database from 'better-sqlite3';
import type { IngestionRefusalInput, IngestionRefusalRecord, InsightsStore, MessageDayCount, Page, RefusalQuery, RefusalScope } from '../port.js';
import { checkLimit, decodeCursor, toPage } from './cursor.js';
import { COMPANY_SEQ } from './list-queries.js';

/*
 * The ingestion-insights section of the SQLite adapter (issue 16): refused ingestion requests (appended in batches by
 * the server's recorder) and the dashboard's message counts. The refusal SQL is shared with the PostgreSQL adapter
 * (postgres/insights.ts); the message counts are each adapter's own, since the two messages tables differ (lean
 * integer references here, ids there).
 */

export interface RefusalRow {
  seq: number; at: string; code: string; status: number; channel_id: string | null; company_id: string | null; party_id: string | null;
  scheme: 'mac' | 'bearer' | 'none'; credential_id: string | null; transaction_id: string | null; request_id: string; client_address: string | null;
}

export const toRefusal = (r: RefusalRow): IngestionRefusalRecord => ({
  seq: Number(r.seq), at: r.at, code: r.code, status: Number(r.status), channelId: r.channel_id, companyId: r.company_id, partyId: r.party_id,
  scheme: r.scheme, credentialId: r.credential_id, transactionId: r.transaction_id, requestId: r.request_id, clientAddress: r.client_address,
});

const COLUMNS = 'seq, at, code, status, channel_id, company_id, party_id, scheme, credential_id, transaction_id, request_id, client_address';

export const INSIGHTS_SQL_TEXT = {
  insertRefusal: `INSERT INTO ingestion_refusals (at, code, status, channel_id, company_id, party_id, scheme, credential_id, transaction_id, request_id, client_address)
    VALUES (@at, @code, @status, @channelId, @companyId, @partyId, @scheme, @credentialId, @transactionId, @requestId, @clientAddress)`,
  pruneRefusals: 'DELETE FROM ingestion_refusals WHERE seq IN (SELECT seq FROM ingestion_refusals WHERE at < @before ORDER BY at LIMIT @limit)',
} as const;

/** The scope's condition: a company's refusals, a party's, either's (an organisation that is both), or all (the operator). */
function scopeWhere(q: RefusalScope, where: string[]): void {
  if (q.companyId !== undefined && q.partyId !== undefined) where.push('(company_id = @companyId OR party_id = @partyId)');
  else if (q.companyId !== undefined) where.push('company_id = @companyId');
  else if (q.partyId !== undefined) where.push('party_id = @partyId');
}

/** A page of refusals, newest first; the statement text depends only on which filters are given (cached per shape). */
export function refusalListSql(q: RefusalQuery): { sql: string; params: Record<string, unknown> } {
  const where: string[] = [];
  scopeWhere(q, where);
  if (q.since !== undefined) where.push('at >= @since');
  if (q.code !== undefined) where.push('code = @code');
  if (q.channelId !== undefined) where.push('channel_id = @channelId');
  const after = decodeCursor(q.cursor);
  if (after > 0) where.push('seq < @after');
  const sql = `SELECT ${COLUMNS} FROM ingestion_refusals${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT @limit`;
  return { sql, params: { companyId: q.companyId, partyId: q.partyId, since: q.since, code: q.code, channelId: q.channelId, after, limit: checkLimit(q.limit) + 1 } };
}

export function refusalCountSql(q: RefusalScope & { since: string }): { sql: string; params: Record<string, unknown> } {
  const where = ['at >= @since'];
  scopeWhere(q, where);
  return {
    sql: `SELECT code, COUNT(*) AS n FROM ingestion_refusals WHERE ${where.join(' AND ')} GROUP BY code ORDER BY n DESC, code`,
    params: { companyId: q.companyId, partyId: q.partyId, since: q.since },
  };
}

/** The refusal's row parameters (every named parameter present). */
export const refusalParams = (r: IngestionRefusalInput): Record<string, unknown> => ({
  at: r.at, code: r.code, status: r.status, channelId: r.channelId, companyId: r.companyId, partyId: r.partyId, scheme: r.scheme,
  credentialId: r.credentialId, transactionId: r.transactionId, requestId: r.requestId, clientAddress: r.clientAddress,
});

/*
 * Counts walk messages_list (company_seq, seq, channel_seq, message_type) for the company, testing the channel on the
 * index entry and reading received_at from the row; the channel ids arrive as one JSON array (json_each).
 */
const CHANNEL_SEQS = 'm.channel_seq IN (SELECT c2.seq FROM channels c2 WHERE c2.id IN (SELECT value FROM json_each(@channelIds)))';
const DAY_COUNTS_SQL = `SELECT d.day, (SELECT c.id FROM channels c WHERE c.seq = d.channel_seq) AS channel_id, d.message_type, d.n FROM (
    SELECT substr(m.received_at, 1, 10) AS day, m.channel_seq, m.message_type, COUNT(*) AS n FROM messages m
    WHERE m.company_seq = ${COMPANY_SEQ('companyId')} AND ${CHANNEL_SEQS} AND m.received_at >= @since
    GROUP BY day, m.channel_seq, m.message_type) d ORDER BY d.day, channel_id, d.message_type`;
/* The newest message of one channel: messages_list walked backwards from the company's newest, to the first match. */
const LAST_MESSAGE_SQL = `SELECT m.received_at, m.message_type FROM messages m WHERE m.company_seq = ${COMPANY_SEQ('companyId')}
    AND m.channel_seq = (SELECT seq FROM channels WHERE id = @channelId) ORDER BY m.seq DESC LIMIT 1`;

type P = Record<string, unknown>;

export class SqliteInsightsStore implements InsightsStore {
  readonly #statements = new Map<string, Database.Statement<[P], unknown>>();
  readonly #append: Database.Transaction<(rows: readonly IngestionRefusalInput[]) => void>;

  constructor(private readonly db: Database.Database) {
    const insert = db.prepare<[P]>(INSIGHTS_SQL_TEXT.insertRefusal);
    this.#append = db.transaction((rows: readonly IngestionRefusalInput[]) => {
      for (const r of rows) insert.run(refusalParams(r));
    });
  }

  #stmt(sql: string): Database.Statement<[P], unknown> {
    let s = this.#statements.get(sql);
    if (!s) {
      s = this.db.prepare<[P]>(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }

  async appendIngestionRefusals(records: readonly IngestionRefusalInput[]): Promise<void> {
    if (records.length > 0) this.#append.immediate(records);
  }

  async listIngestionRefusals(q: RefusalQuery): Promise<Page<IngestionRefusalRecord>> {
    const { sql, params } = refusalListSql(q);
    return toPage(this.#stmt(sql).all(params) as RefusalRow[], q.limit, toRefusal);
  }

  async countIngestionRefusals(q: RefusalScope & { since: string }): Promise<{ code: string; count: number }[]> {
    const { sql, params } = refusalCountSql(q);
    return (this.#stmt(sql).all(params) as { code: string; n: number }[]).map((r) => ({ code: r.code, count: Number(r.n) }));
  }

  async pruneIngestionRefusals(before: string, limit: number): Promise<number> {
    return this.#stmt(INSIGHTS_SQL_TEXT.pruneRefusals).run({ before, limit: checkLimit(limit) }).changes;
  }

  async countMessagesByDay(q: { companyId: string; channelIds: readonly string[]; since: string }): Promise<MessageDayCount[]> {
    if (q.channelIds.length === 0) return [];
    const rows = this.#stmt(DAY_COUNTS_SQL).all({ companyId: q.companyId, channelIds: JSON.stringify(q.channelIds), since: q.since }) as
      { day: string; channel_id: string; message_type: string; n: number }[];
    return rows.map((r) => ({ date: r.day, channelId: r.channel_id, messageType: r.message_type, count: Number(r.n) }));
  }

  async lastMessages(q: { companyId: string; channelIds: readonly string[] }): Promise<{ channelId: string; at: string; messageType: string }[]> {
    const out: { channelId: string; at: string; messageType: string }[] = [];
    for (const channelId of q.channelIds) {
      const row = this.#stmt(LAST_MESSAGE_SQL).get({ companyId: q.companyId, channelId }) as { received_at: string; message_type: string } | undefined;
      if (row) out.push({ channelId, at: row.received_at, messageType: row.message_type });
    }
    return out;
  }
}
