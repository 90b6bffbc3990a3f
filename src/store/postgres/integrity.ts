import type pg from 'pg';
import type { IntegrityStore } from '../port.js';
import {
  INTEGRITY_SQL_TEXT as SQL, integrityParams, keyParams, toChannelIntegrity, toSignatureKey, type ChannelIntegrityRow, type SignatureKeyRow,
} from '../sqlite/integrity-store.js';
import { audited } from './audit.js';
import { run } from './pg-db.js';

/* The body-integrity section on PostgreSQL (issue 17): the SQLite adapter's statements, run with `run`. */
export function pgIntegrity(pool: pg.Pool): IntegrityStore {
  return {
    insertSignatureKey: async (k, audit) => {
      await audited(pool, audit, (db) => run(db, SQL.insertKey, keyParams(k)));
    },
    async getSignatureKey(id) {
      const row = (await run<SignatureKeyRow>(pool, SQL.getKey, { id })).rows[0];
      return row && toSignatureKey(row);
    },
    async listSignatureKeys(partyId) {
      return (await run<SignatureKeyRow>(pool, SQL.listKeys, { partyId })).rows.map(toSignatureKey);
    },
    disableSignatureKey: (partyId, id, at, audit) => audited(pool, audit, async (db) => (await run(db, SQL.disableKey, { partyId, id, at })).rowCount === 1),
    setChannelIntegrity: (r, audit) => audited(pool, audit, async (db) => {
      if ((await run(db, SQL.channelExists, { channelId: r.channelId })).rowCount === 0) return false;
      await run(db, SQL.upsertIntegrity, integrityParams(r));
      return true;
    }),
    async getChannelIntegrity(channelId) {
      const row = (await run<ChannelIntegrityRow>(pool, SQL.getIntegrity, { channelId })).rows[0];
      return row && toChannelIntegrity(row);
    },
  };
}
