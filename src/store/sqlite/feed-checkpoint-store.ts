import type Database from 'better-sqlite3';
import type { AuditAppend, FeedCheckpointPut, FeedCheckpointRecord, FeedCheckpointStore, ListQuery, Page } from '../port.js';
import { checkLimit, decodeCursor, toPage } from './cursor.js';

/*
 * The feed-checkpoint section of the SQLite adapter (issue 16): a consumer's named feed positions. The SQL text, row
 * shape and mapper are shared with the PostgreSQL adapter (postgres/feed-checkpoints.ts).
 */

export interface CheckpointRow {
  seq: number; organisation_id: string; name: string; cursor: string; message_seq: number; grant_event_seq: number; updated_at: string; updated_by: string;
}
export const toCheckpoint = (r: CheckpointRow): FeedCheckpointRecord => ({
  organisationId: r.organisation_id, name: r.name, cursor: r.cursor, messageSeq: Number(r.message_seq), grantEventSeq: Number(r.grant_event_seq),
  updatedAt: r.updated_at, updatedBy: r.updated_by,
});

const COLS = 'seq, organisation_id, name, cursor, message_seq, grant_event_seq, updated_at, updated_by';

/** Every statement of the feed-checkpoint section, with `@name` parameters (both adapters). */
export const CHECKPOINT_SQL = {
  update: `UPDATE feed_checkpoints SET cursor = @cursor, message_seq = @messageSeq, grant_event_seq = @grantEventSeq, updated_at = @updatedAt,
    updated_by = @updatedBy WHERE organisation_id = @organisationId AND name = @name`,
  count: 'SELECT COUNT(*) AS n FROM feed_checkpoints WHERE organisation_id = @organisationId',
  insert: `INSERT INTO feed_checkpoints (organisation_id, name, cursor, message_seq, grant_event_seq, updated_at, updated_by)
    VALUES (@organisationId, @name, @cursor, @messageSeq, @grantEventSeq, @updatedAt, @updatedBy)`,
  get: `SELECT ${COLS} FROM feed_checkpoints WHERE organisation_id = @organisationId AND name = @name`,
  list: `SELECT ${COLS} FROM feed_checkpoints WHERE organisation_id = @organisationId AND seq > @after ORDER BY seq LIMIT @limit`,
  delete: 'DELETE FROM feed_checkpoints WHERE organisation_id = @organisationId AND name = @name',
  lastGrantEvent: `SELECT MAX(seq) AS seq FROM (
      SELECT MAX(seq) AS seq FROM grant_events WHERE owner_organisation_id = @organisationId
      UNION ALL SELECT MAX(seq) AS seq FROM grant_events WHERE consumer_organisation_id = @organisationId) t`,
} as const;

type P = Record<string, unknown>;
type Statements = { [K in keyof typeof CHECKPOINT_SQL]: Database.Statement<[P], unknown> };

export class SqliteFeedCheckpointStore implements FeedCheckpointStore {
  readonly #s: Statements;

  constructor(db: Database.Database, private readonly audited: <T>(change: () => T, audit: AuditAppend | undefined) => T) {
    this.#s = Object.fromEntries(Object.entries(CHECKPOINT_SQL).map(([k, sql]) => [k, db.prepare<[P]>(sql)])) as Statements;
  }

  async putFeedCheckpoint(c: FeedCheckpointRecord, max: number, audit: AuditAppend | undefined): Promise<FeedCheckpointPut> {
    // Synchronous from the update to the insert: nothing else runs on this connection in between (one writer).
    const done = this.audited((): FeedCheckpointPut | false => {
      if (this.#s.update.run({ ...c }).changes > 0) return 'updated';
      if ((this.#s.count.get({ organisationId: c.organisationId }) as { n: number }).n >= max) return false;
      this.#s.insert.run({ ...c });
      return 'created';
    }, audit);
    return done === false ? 'limit' : done;
  }

  async getFeedCheckpoint(organisationId: string, name: string): Promise<FeedCheckpointRecord | undefined> {
    const row = this.#s.get.get({ organisationId, name }) as CheckpointRow | undefined;
    return row && toCheckpoint(row);
  }

  async listFeedCheckpoints(organisationId: string, q: ListQuery): Promise<Page<FeedCheckpointRecord>> {
    const limit = checkLimit(q.limit);
    return toPage(this.#s.list.all({ organisationId, after: decodeCursor(q.cursor), limit: limit + 1 }) as CheckpointRow[], limit, toCheckpoint);
  }

  async deleteFeedCheckpoint(organisationId: string, name: string, audit: AuditAppend): Promise<boolean> {
    return this.audited(() => this.#s.delete.run({ organisationId, name }).changes > 0, audit);
  }

  async lastGrantEventSeq(organisationId: string): Promise<number> {
    return (this.#s.lastGrantEvent.get({ organisationId }) as { seq: number | null }).seq ?? 0;
  }
}
