import type pg from 'pg';
import type { SharingStore } from '../port.js';
import { checkLimit, toPage } from '../sqlite/cursor.js';
import {
  activeParams, eventParams, grantEventParams, grantParams, listGrantsParams, SHARING_SQL, SHARING_SQL_SCHEMA, toGrant, toGrantEvent, transitionParams,
  type GrantEventRow, type GrantRow,
} from '../sqlite/sharing-store.js';
import { appendPgAudit } from './audit.js';
import { run, transaction } from './pg-db.js';

/*
 * The sharing section on PostgreSQL (issue 15): the SQLite adapter's statements, run with `run`. A change, its grant
 * event and its audit event commit in one transaction. The audit event is appended before the grant event: appending
 * takes the schema's audit lock (audit.ts) until the commit, so grant events get their seq in commit order even with
 * several gateway processes, and a feed reading grant_events by seq never passes one that commits later.
 */

/** PostgreSQL's version of this step (fixed for issue 15: grants 8, webhooks 9, feed 10, reads 11). */
export const PG_SHARING_SCHEMA_VERSION = 8;
export const PG_SHARING_SQL = SHARING_SQL_SCHEMA('BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY');

export function pgSharing(pool: pg.Pool): SharingStore {
  return {
    async createGrant(g, event, audit) {
      await transaction(pool, async (c) => {
        await run(c, SHARING_SQL.insertGrant, grantParams(g));
        await appendPgAudit(c, audit);
        await run(c, SHARING_SQL.insertEvent, grantEventParams(event));
      });
    },
    async transitionGrant(id, t, event, audit) {
      return transaction(pool, async (c) => {
        if (((await run(c, SHARING_SQL.transition, transitionParams(id, t))).rowCount ?? 0) === 0) return false;
        await appendPgAudit(c, audit);
        await run(c, SHARING_SQL.insertEvent, grantEventParams(event));
        return true;
      });
    },
    async getGrant(id) {
      const row = (await run<GrantRow>(pool, SHARING_SQL.getGrant, { id })).rows[0];
      return row && toGrant(row);
    },
    async listGrants(q) {
      const limit = checkLimit(q.limit);
      const rows = (await run<GrantRow>(pool, q.role === 'owner' ? SHARING_SQL.listOwned : SHARING_SQL.listConsumed, listGrantsParams(q, limit))).rows;
      return toPage(rows.map((r) => ({ ...r, seq: Number(r.seq) })), limit, toGrant);
    },
    async listActiveGrants(q) {
      return (await run<GrantRow>(pool, SHARING_SQL.listActive, activeParams(q))).rows.map(toGrant);
    },
    async listLapsedGrants(at, limit) {
      return (await run<GrantRow>(pool, SHARING_SQL.listLapsed, { at, limit: checkLimit(limit) })).rows.map(toGrant);
    },
    async listGrantEvents(q) {
      return (await run<GrantEventRow>(pool, SHARING_SQL.listEvents, eventParams(q))).rows.map(toGrantEvent);
    },
  };
}
