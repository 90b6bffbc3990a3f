import type pg from 'pg';
import type { AuditAppend, PeopleStore } from '../port.js';
import { ACCOUNT_SQL, emailTaken, userParams } from '../sqlite/accounts-store.js';
import { checkLimit, decodeCursor, toPage } from '../sqlite/cursor.js';
import { PEOPLE_SQL_TEXT, toInvitation, type InvitationRow } from '../sqlite/people-store.js';
import { audited } from './audit.js';
import { isUniqueViolation, run } from './pg-db.js';

/*
 * The people section on PostgreSQL (issue 14): the SQLite adapter's statements, run with `run`; every change in one
 * transaction with its audit event. The last-admin guard is one statement; two admins demoting each other at the same
 * instant under READ COMMITTED could both pass it (SQLite's immediate transactions serialise them).
 */

type Db = pg.Pool | pg.PoolClient;

export function pgPeople(pool: pg.Pool): PeopleStore {
  const count = async (db: Db, sql: string, params: Record<string, unknown>): Promise<number> => (await run(db, sql, params)).rowCount ?? 0;
  const tx = <T>(audit: AuditAppend, change: (db: Db) => Promise<T>): Promise<T> => audited(pool, audit, change);
  return {
    createInvitation: (i, audit) => tx(audit, async (db) => { await run(db, PEOPLE_SQL_TEXT.insertInvitation, { ...i }); }),
    async getInvitationByHash(tokenHash) {
      const row = (await run<InvitationRow>(pool, PEOPLE_SQL_TEXT.getInvitationByHash, { tokenHash })).rows[0];
      return row && toInvitation(row);
    },
    async listOrganisationInvitations(organisationId, q) {
      const limit = checkLimit(q.limit);
      const rows = (await run<InvitationRow>(pool, PEOPLE_SQL_TEXT.listInvitations, { organisationId, after: decodeCursor(q.cursor), limit: limit + 1 })).rows;
      return toPage(rows.map((r) => ({ ...r, seq: Number(r.seq) })), limit, toInvitation);
    },
    revokeInvitation: (id, organisationId, at, audit) => tx(audit, async (db) => (await count(db, PEOPLE_SQL_TEXT.revokeInvitation, { id, organisationId, at })) > 0),
    async acceptInvitation(id, at, a, audit) {
      try {
        return await tx(audit, async (db) => {
          if ((await count(db, PEOPLE_SQL_TEXT.useInvitation, { id, at, userId: a.membership.userId })) === 0) return false;
          if (a.newUser) await run(db, ACCOUNT_SQL.insertUser, userParams(a.newUser));
          await run(db, ACCOUNT_SQL.insertMembership, { ...a.membership });
          return true;
        });
      } catch (err) {
        if (a.newUser && isUniqueViolation(err, 'users_email_key_key')) throw emailTaken(a.newUser.email, err);
        throw err;
      }
    },
    setMemberRole: (organisationId, userId, role, audit) => tx(audit, async (db) => (await count(db, PEOPLE_SQL_TEXT.setMemberRole, { organisationId, userId, role })) > 0),
    removeMember: (organisationId, userId, audit) => tx(audit, async (db) => (await count(db, PEOPLE_SQL_TEXT.removeMember, { organisationId, userId })) > 0),
    isOrganisationSuspended: async (id) => ((await run(pool, PEOPLE_SQL_TEXT.suspended, { id })).rowCount ?? 0) > 0,
    setOrganisationStatus: (id, status, audit) => tx(audit, async (db) => (await count(db, PEOPLE_SQL_TEXT.setOrganisationStatus, { id, status })) > 0),
  };
}
