import type pg from 'pg';
import type { FeedCheckpointPut, FeedCheckpointStore } from '../port.js';
import { checkLimit, decodeCursor, toPage } from '../sqlite/cursor.js';
import { CHECKPOINT_SQL as SQL, toCheckpoint, type CheckpointRow } from '../sqlite/feed-checkpoint-store.js';
import { appendPgAudit, audited } from './audit.js';
import { run, transaction } from './pg-db.js';

/*
 * The feed-checkpoint section on PostgreSQL (issue 16): the SQLite adapter's statements. A put locks the
 * organisation's row first, so two processes creating checkpoints at once cannot both pass the count.
 */
export function pgFeedCheckpoints(pool: pg.Pool): FeedCheckpointStore {
  return {
    putFeedCheckpoint: (c, max, audit) => transaction(pool, async (db): Promise<FeedCheckpointPut> => {
      await run(db, 'SELECT 1 FROM organisations WHERE id = @organisationId FOR UPDATE', { organisationId: c.organisationId });
      let done: FeedCheckpointPut = 'updated';
      if (((await run(db, SQL.update, { ...c })).rowCount ?? 0) === 0) {
        if (Number((await run<{ n: number }>(db, SQL.count, { organisationId: c.organisationId })).rows[0]!.n) >= max) return 'limit';
        await run(db, SQL.insert, { ...c });
        done = 'created';
      }
      if (audit) await appendPgAudit(db, audit);
      return done;
    }),
    async getFeedCheckpoint(organisationId, name) {
      const row = (await run<CheckpointRow>(pool, SQL.get, { organisationId, name })).rows[0];
      return row && toCheckpoint({ ...row, seq: Number(row.seq) });
    },
    async listFeedCheckpoints(organisationId, q) {
      const limit = checkLimit(q.limit);
      const rows = (await run<CheckpointRow>(pool, SQL.list, { organisationId, after: decodeCursor(q.cursor), limit: limit + 1 })).rows;
      return toPage(rows.map((r) => ({ ...r, seq: Number(r.seq) })), limit, toCheckpoint);
    },
    deleteFeedCheckpoint: (organisationId, name, audit) => audited(pool, audit, async (db) => ((await run(db, SQL.delete, { organisationId, name })).rowCount ?? 0) > 0),
    async lastGrantEventSeq(organisationId) {
      return Number((await run<{ seq: number | null }>(pool, SQL.lastGrantEvent, { organisationId })).rows[0]?.seq ?? 0);
    },
  };
}
