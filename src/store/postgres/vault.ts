import type pg from 'pg';
import type { MessageQuery, VaultStore } from '../port.js';
import { checkLimit, decodeCursor, encodeCursor, toPage } from '../sqlite/cursor.js';
import { MESSAGE_COLUMNS, messageListSql } from '../sqlite/list-queries.js';
import { toMessage, toMessageMeta, type MessageMetaRow, type MessageRow } from '../sqlite/rows.js';
import { run } from './pg-db.js';

/*
 * Vault reads and deletions on PostgreSQL. Every list has the shape of the SQLite one (the same SQL text, shared),
 * and is served by one of the indexes of migration 1, walked in seq order, so no sort step is needed:
 *   company only                → messages_company (company_id, seq)
 *   + channel                   → messages_company_channel (company_id, channel_id, seq)
 *   + message type              → messages_company_type (company_id, message_type, seq)
 *   time window (from/to)       → the same index, received_at filtered on the way
 *   retention (channel + type)  → messages_channel_type (channel_id, message_type, seq)
 * Deletions take at most `limit` rows per statement; SKIP LOCKED lets the sweeps of several gateway processes
 * share the work instead of queueing behind one another.
 */

export type PgVault = Omit<VaultStore, 'ingest' | 'consumeTransactionId' | 'pruneTransactionIds' | 'countTransactionIds'>;

export function pgVault(pool: pg.Pool): PgVault {
  const count = async (sql: string, params: Record<string, unknown>): Promise<number> => (await run(pool, sql, params)).rowCount ?? 0;

  async function list<T>(q: MessageQuery, bodies: boolean, map: (r: MessageMetaRow) => T) {
    const limit = checkLimit(q.limit);
    const sql = messageListSql({
      channelId: q.channelId !== undefined, messageType: q.messageType !== undefined, from: q.from !== undefined, to: q.to !== undefined, bodies,
      channelIds: q.channelIds !== undefined, messageTypes: q.messageTypes !== undefined,
    });
    const { companyId, channelId, messageType, from, to } = q;
    const channelIds = q.channelIds && [...q.channelIds];
    const messageTypes = q.messageTypes && [...q.messageTypes];
    const rows = (await run<MessageMetaRow>(pool, sql, { companyId, channelId, messageType, channelIds, messageTypes, from, to, after: decodeCursor(q.cursor), limit: limit + 1 })).rows;
    return toPage(rows, limit, map);
  }

  return {
    listMessages: (q) => list(q, false, toMessageMeta),
    listMessagesWithBodies: (q) => list(q, true, (r) => ({ ...toMessage(r as MessageRow), cursor: encodeCursor(r.seq) })),
    async getMessage(companyId, messageId) {
      const r = (await run<MessageRow>(pool, `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = @id AND company_id = @companyId`, { id: messageId, companyId })).rows[0];
      return r && toMessage(r);
    },
    deleteCompanyMessages: (companyId, limit) => count(
      `DELETE FROM messages WHERE seq IN (SELECT seq FROM messages WHERE company_id = @companyId ORDER BY seq LIMIT @limit FOR UPDATE SKIP LOCKED)`,
      { companyId, limit: checkLimit(limit) }),
    async listDeletedCompanyIds() {
      const r = await run<{ id: string }>(pool,
        'SELECT c.id FROM companies c WHERE c.deleted_at IS NOT NULL AND EXISTS (SELECT 1 FROM messages m WHERE m.company_id = c.id)');
      return r.rows.map((row) => row.id);
    },
    async deleteExpiredMessages(q) {
      const limit = checkLimit(q.limit);
      let deleted = 0;
      if (q.before !== undefined) {
        deleted += await count(`DELETE FROM messages WHERE seq IN (SELECT seq FROM messages WHERE channel_id = @channelId
          AND message_type = @messageType AND received_at < @before ORDER BY seq LIMIT @limit FOR UPDATE SKIP LOCKED)`,
        { channelId: q.channelId, messageType: q.messageType, before: q.before, limit });
      }
      if (q.keepLast !== undefined && deleted < limit) {
        // No SKIP LOCKED here: skipping a locked newer row would shift the offset and delete one that must stay.
        deleted += await count(`DELETE FROM messages WHERE seq IN (SELECT seq FROM messages WHERE channel_id = @channelId
          AND message_type = @messageType ORDER BY seq DESC LIMIT @limit OFFSET @keepLast)`,
        { channelId: q.channelId, messageType: q.messageType, keepLast: q.keepLast, limit: limit - deleted });
      }
      return deleted;
    },
  };
}
