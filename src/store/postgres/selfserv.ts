import type pg from 'pg';
import type { AuditAppend, SelfServiceStore } from '../port.js';
import { checkLimit, toPage } from '../sqlite/cursor.js';
import {
  channelParams, listRequestParams, previousParams, requestParams, SELFSERV_SQL, SELFSERV_SQL_SCHEMA, toChannelRequest, toPreviousSecret,
  type ChannelRequestRow, type PreviousSecretRow,
} from '../sqlite/selfserv-store.js';
import { PG_PEOPLE_SCHEMA_VERSION } from './people-migration.js';
import { audited } from './audit.js';
import { run } from './pg-db.js';

/*
 * The self-service section on PostgreSQL (issue 14): the SQLite adapter's statements (postgres understands its
 * `ON CONFLICT … excluded.` upsert), run with `run`; every change in one transaction with its audit event.
 */

/** PostgreSQL's version of this step: the one after its people step. */
export const PG_SELFSERV_SCHEMA_VERSION = PG_PEOPLE_SCHEMA_VERSION + 1;
export const PG_SELFSERV_SQL = SELFSERV_SQL_SCHEMA('BYTEA', 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY');

type Db = pg.Pool | pg.PoolClient;
const changed = async (db: Db, sql: string, params: Record<string, unknown>): Promise<boolean> => ((await run(db, sql, params)).rowCount ?? 0) > 0;

export function pgSelfService(pool: pg.Pool): SelfServiceStore {
  const tx = <T>(audit: AuditAppend, change: (db: Db) => Promise<T>): Promise<T> => audited(pool, audit, change);
  return {
    async rotateCredentialKey(kind, id, key, previous, audit) {
      return tx(audit, async (db) => {
        if (!(await changed(db, kind === 'partner' ? SELFSERV_SQL.rotatePartnerKey : SELFSERV_SQL.rotateCustomerKey, { id, key: Buffer.from(key) }))) return false;
        await run(db, SELFSERV_SQL.putPrevious, previousParams(previous));
        return true;
      });
    },
    async rotateOAuthClientSecret(clientId, secretHash, previous, audit) {
      return tx(audit, async (db) => {
        if (!(await changed(db, SELFSERV_SQL.rotateClientSecret, { id: clientId, secretHash }))) return false;
        await run(db, SELFSERV_SQL.putPrevious, previousParams(previous));
        return true;
      });
    },
    async getPreviousSecret(id) {
      const row = (await run<PreviousSecretRow>(pool, SELFSERV_SQL.getPrevious, { id })).rows[0];
      return row && toPreviousSecret(row);
    },
    async createChannelRequest(r, audit) {
      await tx(audit, (db) => run(db, SELFSERV_SQL.insertRequest, requestParams(r)));
    },
    async getChannelRequest(id) {
      const row = (await run<ChannelRequestRow>(pool, SELFSERV_SQL.getRequest, { id })).rows[0];
      return row && toChannelRequest(row);
    },
    async listChannelRequests(q) {
      const limit = checkLimit(q.limit);
      const rows = (await run<ChannelRequestRow>(pool, SELFSERV_SQL.listRequests, listRequestParams(q, limit))).rows;
      return toPage(rows.map((r) => ({ ...r, seq: Number(r.seq) })), limit, toChannelRequest);
    },
    async decideChannelRequest(id, d, audit) {
      return tx(audit, async (db) => {
        if (!(await changed(db, SELFSERV_SQL.decideRequest, { id, status: d.status, at: d.at, decidedBy: d.decidedBy, channelId: d.channel?.id ?? null }))) return false;
        if (d.channel) await run(db, SELFSERV_SQL.insertChannel, channelParams(d.channel));
        return true;
      });
    },
  };
}
