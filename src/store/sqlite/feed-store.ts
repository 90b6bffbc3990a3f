import type Database from 'better-sqlite3';
import type { FeedMessage, FeedMessageQuery, FeedStore } from '../port.js';
import { checkLimit } from './cursor.js';
import { COMPANY_SEQ, LEAN_MESSAGE_COLUMNS, LEAN_MESSAGE_FROM, LEAN_META_COLUMNS } from './list-queries.js';
import { toMessage, toMessageMeta, type MessageMetaRow, type MessageRow } from './rows.js';

/*
 * The change feed's reads on SQLite (issue 15). One writer commits at a time, so seq order is commit order: every
 * committed row is a safe position and no horizon is needed. Each shape (channel list, type list, bodies) walks
 * messages_list (company_seq, seq, channel_seq, message_type) from the position on; the lists arrive as JSON
 * arrays (json_each), so one statement serves any number of channels or types.
 */

interface Shape { channels: boolean; types: boolean; bodies: boolean }

function feedSql(s: Shape): string {
  const where = [`m.company_seq = ${COMPANY_SEQ('companyId')}`, 'm.seq > @after'];
  if (s.channels) where.push('m.channel_seq IN (SELECT c2.seq FROM channels c2 WHERE c2.id IN (SELECT value FROM json_each(@channelIds)))');
  if (s.types) where.push('m.message_type IN (SELECT value FROM json_each(@messageTypes))');
  return `SELECT ${s.bodies ? LEAN_MESSAGE_COLUMNS : LEAN_META_COLUMNS} FROM ${LEAN_MESSAGE_FROM} WHERE ${where.join(' AND ')} ORDER BY m.seq LIMIT @limit`;
}

export class SqliteFeedStore implements FeedStore {
  readonly #statements = new Map<number, Database.Statement<[Record<string, unknown>], MessageRow>>();

  constructor(private readonly db: Database.Database, private readonly durable: <T>(value: T) => Promise<T>) {}

  async listFeedMessages(q: FeedMessageQuery): Promise<{ items: FeedMessage[]; more: boolean }> {
    const limit = checkLimit(q.limit);
    const shape = { channels: q.channelIds !== undefined, types: q.messageTypes !== undefined, bodies: q.bodies };
    const key = (shape.channels ? 1 : 0) | (shape.types ? 2 : 0) | (shape.bodies ? 4 : 0);
    let stmt = this.#statements.get(key);
    if (!stmt) {
      stmt = this.db.prepare<[Record<string, unknown>], MessageRow>(feedSql(shape));
      this.#statements.set(key, stmt);
    }
    const rows = stmt.all({
      companyId: q.companyId, after: q.afterSeq, limit,
      ...(shape.channels ? { channelIds: JSON.stringify(q.channelIds) } : {}),
      ...(shape.types ? { messageTypes: JSON.stringify(q.messageTypes) } : {}),
    });
    const items = rows.map((r): FeedMessage => ({ ...(q.bodies ? toMessage(r) : toMessageMeta(r as MessageMetaRow)), seq: r.seq }));
    // Answered only after the WAL sync in flight, as the other reads: nothing is shown before it is durable.
    return this.durable({ items, more: rows.length === limit });
  }
}
