import type pg from 'pg';
import type { AuditAppend, RecoveryStore } from '../port.js';
import { ACCOUNT_SQL } from '../sqlite/accounts-store.js';
import { RECOVERY_SQL_TEXT as SQL, toPasswordReset, type PasswordResetRow } from '../sqlite/recovery-store.js';
import { audited } from './audit.js';
import { run } from './pg-db.js';

/*
 * The recovery section on PostgreSQL (issue 14): the SQLite adapter's statements, run with `run`; every change in one
 * transaction with its audit event. A link is used once: its UPDATE … WHERE used_at IS NULL is the arbiter when two
 * processes complete it at the same instant.
 */

type Db = pg.Pool | pg.PoolClient;

export function pgRecovery(pool: pg.Pool): RecoveryStore {
  const count = async (db: Db, sql: string, params: Record<string, unknown>): Promise<number> => (await run(db, sql, params)).rowCount ?? 0;
  const tx = <T>(audit: AuditAppend, change: (db: Db) => Promise<T>): Promise<T> => audited(pool, audit, change);
  return {
    createPasswordReset: (r, audit) => tx(audit, async (db) => {
      await run(db, SQL.revokeUnusedResets, { userId: r.userId, at: r.createdAt });
      await run(db, SQL.insertReset, { ...r });
    }),
    async getPasswordResetByHash(tokenHash) {
      const row = (await run<PasswordResetRow>(pool, SQL.getResetByHash, { tokenHash })).rows[0];
      return row && toPasswordReset({ ...row, seq: Number(row.seq) });
    },
    revokePasswordReset: (id, at, audit) => tx(audit, async (db) => (await count(db, SQL.revokeReset, { id, at })) > 0),
    completePasswordReset: (id, at, passwordHash, audit) => tx(audit, async (db) => {
      if ((await count(db, SQL.useReset, { id, at })) === 0) return false;
      const userId = (await run<{ user_id: string }>(db, SQL.userOfReset, { id })).rows[0]!.user_id;
      await run(db, SQL.setPassword, { userId, passwordHash });
      await run(db, ACCOUNT_SQL.revokeUserSessions, { userId, at });
      return true;
    }),
    resetUserTotp: (userId, at, audit) => tx(audit, async (db) => {
      if ((await count(db, SQL.clearTotp, { userId })) === 0) return false;
      await run(db, SQL.deleteReplacement, { userId });
      await run(db, ACCOUNT_SQL.revokeUserSessions, { userId, at });
      return true;
    }),
    setTotpReplacement: (userId, secret, step, at, audit) => tx(audit, async (db) => {
      if ((await count(db, SQL.spendStep, { userId, step })) === 0) return false;
      await run(db, SQL.upsertReplacement, { userId, secret: Buffer.from(secret), at });
      return true;
    }),
    async getTotpReplacement(userId) {
      const row = (await run<{ secret_ciphertext: Buffer }>(pool, SQL.getReplacement, { userId })).rows[0];
      return row && new Uint8Array(row.secret_ciphertext);
    },
    confirmTotpReplacement: (userId, step, at, audit) => tx(audit, async (db) => {
      if ((await count(db, SQL.applyReplacement, { userId, step, at })) === 0) return false;
      await run(db, SQL.deleteReplacement, { userId });
      return true;
    }),
  };
}
