import type pg from 'pg';
import type { FeedMessage, FeedStore } from '../port.js';
import { checkLimit } from '../sqlite/cursor.js';
import { toMessage, toMessageMeta, type MessageMetaRow, type MessageRow } from '../sqlite/rows.js';
import { run } from './pg-db.js';

/*
 * The change feed's reads on PostgreSQL (issue 15), where several gateway processes write at once and a
 * transaction can commit a smaller seq after a larger one became visible (any writer that does not take the
 * per-company advisory lock of ledger.ts; the lock makes seq order commit order for ingestion, this is the
 * reader's own guarantee, independent of how rows were written).
 *
 * The safe horizon: a row is settled when the transaction that inserted it (its xmin) is older than the oldest
 * transaction still in flight (pg_snapshot_xmin of the statement's snapshot). A page stops before its first
 * unsettled row: every row after that one could have a transaction still in flight ahead of it. The comparison is
 * done with age() on the 32-bit xids (circular arithmetic, as PostgreSQL compares them; a frozen row's age is the
 * maximum, so it is always settled). A long-running transaction anywhere in the cluster holds the horizon back
 * (rows wait, none is skipped).
 *
 * Index use as in vault.ts: messages_company (company_id, seq) walked from the position, the channel and type
 * lists filtered on the way.
 */

const META = `seq, id, company_id, channel_id, party_id, message_type, media_type, content_type, size, sha256, received_at, transaction_id`;

function feedSql(s: { channels: boolean; types: boolean; bodies: boolean }): string {
  const where = ['company_id = @companyId', 'seq > @after'];
  if (s.channels) where.push('channel_id = ANY(@channelIds::text[])');
  if (s.types) where.push('message_type = ANY(@messageTypes::text[])');
  return `SELECT ${META}${s.bodies ? ', body_ciphertext, key_version' : ''}, age(messages.xmin) > age(h.oldest) AS settled
    FROM messages, (SELECT (pg_snapshot_xmin(pg_current_snapshot())::text::bigint % 4294967296)::text::xid AS oldest) h
    WHERE ${where.join(' AND ')} ORDER BY seq LIMIT @limit`;
}

export function pgFeed(pool: pg.Pool): FeedStore {
  return {
    async listFeedMessages(q) {
      const limit = checkLimit(q.limit);
      const shape = { channels: q.channelIds !== undefined, types: q.messageTypes !== undefined, bodies: q.bodies };
      const rows = (await run<MessageRow & { settled: boolean }>(pool, feedSql(shape), {
        companyId: q.companyId, after: q.afterSeq, limit, channelIds: q.channelIds, messageTypes: q.messageTypes,
      })).rows;
      const cut = rows.findIndex((r) => !r.settled);
      const kept = cut === -1 ? rows : rows.slice(0, cut);
      const items = kept.map((r): FeedMessage => ({ ...(q.bodies ? toMessage(r) : toMessageMeta(r as MessageMetaRow)), seq: r.seq }));
      return { items, more: cut !== -1 || rows.length === limit };
    },
  };
}
