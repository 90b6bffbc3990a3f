import type pg from 'pg';
import type { AccountStore, AuditAppend } from '../port.js';
import { checkLimit, decodeCursor, toPage } from '../sqlite/cursor.js';
import {
  ACCOUNT_SQL, businessIdTaken, emailKey, emailTaken, listUsersParams, organisationParams, toMember, toMembership, toOrganisation, toRegistration,
  toSession, toUser, userParams, toApiToken, toIdentity, type ApiTokenRow, type IdentityRow, type MembershipRow, type OrganisationRow, type RegistrationRow, type SessionRow, type UserRow,
} from '../sqlite/accounts-store.js';
import { audited } from './audit.js';
import { isUniqueViolation, run } from './pg-db.js';

/*
 * The accounts section on PostgreSQL (issue 14): the SQLite adapter's statements, run with `run` (same `@name`
 * parameters and column names). Every mutation runs in one transaction with its audit event (audited).
 */

type Db = pg.Pool | pg.PoolClient;

export function pgAccounts(pool: pg.Pool): AccountStore {
  const one = async <R extends pg.QueryResultRow>(sql: string, params: Record<string, unknown>): Promise<R | undefined> =>
    (await run<R>(pool, sql, params)).rows[0];
  const count = async (db: Db, sql: string, params: Record<string, unknown>): Promise<number> => (await run(db, sql, params)).rowCount ?? 0;
  const tx = <T>(audit: AuditAppend, change: (db: Db) => Promise<T>): Promise<T> => audited(pool, audit, change);
  const insertUser = async (db: Db, u: Parameters<typeof userParams>[0]): Promise<void> => {
    try {
      await run(db, ACCOUNT_SQL.insertUser, userParams(u));
    } catch (err) {
      if (isUniqueViolation(err, 'users_email_key_key') || isUniqueViolation(err, 'users_id_key')) throw emailTaken(u.email, err);
      throw err;
    }
  };

  return {
    async createRegistration(r, user, audit) {
      await tx(audit, async (db) => {
        if ((await count(db, ACCOUNT_SQL.reviveDeclinedUser, userParams(user))) === 0) await insertUser(db, user);
        await run(db, ACCOUNT_SQL.insertRegistration, { ...r });
      });
    },
    async getRegistration(id) {
      const row = await one<RegistrationRow>(ACCOUNT_SQL.getRegistration, { id });
      return row && toRegistration(row);
    },
    async listRegistrations(q) {
      const limit = checkLimit(q.limit);
      const rows = (await run<RegistrationRow>(pool, ACCOUNT_SQL.listRegistrations, { after: decodeCursor(q.cursor), status: q.status ?? null, limit: limit + 1 })).rows;
      return toPage(rows.map((r) => ({ ...r, seq: Number(r.seq) })), limit, toRegistration);
    },
    async approveRegistration(id, a, audit) {
      try {
        return await tx(audit, async (db) => {
          const reg = (await run<RegistrationRow>(db, ACCOUNT_SQL.getRegistration, { id })).rows[0];
          if (!reg || (await count(db, ACCOUNT_SQL.decideRegistration, { id, status: 'approved', at: a.at, decidedBy: a.decidedBy, organisationId: a.organisation.id })) === 0) return false;
          await run(db, ACCOUNT_SQL.insertOrganisation, organisationParams(a.organisation));
          if (a.company) await run(db, ACCOUNT_SQL.insertCompany, { ...a.company });
          if (a.party) await run(db, ACCOUNT_SQL.insertParty, { ...a.party });
          await run(db, ACCOUNT_SQL.activateUser, { id: reg.user_id });
          await run(db, ACCOUNT_SQL.insertMembership, { userId: reg.user_id, organisationId: a.organisation.id, role: 'admin', createdAt: a.at });
          return true;
        });
      } catch (err) {
        if (isUniqueViolation(err, 'companies_business_id')) throw businessIdTaken(a.company?.businessId ?? null, err);
        throw err;
      }
    },
    declineRegistration: (id, at, decidedBy, audit) => tx(audit, async (db) => {
      const reg = (await run<RegistrationRow>(db, ACCOUNT_SQL.getRegistration, { id })).rows[0];
      if (!reg || (await count(db, ACCOUNT_SQL.decideRegistration, { id, status: 'declined', at, decidedBy, organisationId: null })) === 0) return false;
      await run(db, ACCOUNT_SQL.disableUser, { id: reg.user_id });
      return true;
    }),

    async getOrganisation(id) {
      const row = await one<OrganisationRow>(ACCOUNT_SQL.getOrganisation, { id });
      return row && toOrganisation(row);
    },
    async listOrganisations(q) {
      const limit = checkLimit(q.limit);
      const rows = (await run<OrganisationRow>(pool, ACCOUNT_SQL.listOrganisations, { after: decodeCursor(q.cursor), status: q.status ?? null, limit: limit + 1 })).rows;
      return toPage(rows.map((r) => ({ ...r, seq: Number(r.seq) })), limit, toOrganisation);
    },
    setOrganisationRequireTotp: (id, required, audit) => tx(audit, async (db) => (await count(db, ACCOUNT_SQL.setRequireTotp, { id, required: required ? 1 : 0 })) > 0),

    createUser: (u, audit) => tx(audit, (db) => insertUser(db, u)),
    async getUser(id) {
      const row = await one<UserRow>(ACCOUNT_SQL.getUser, { id });
      return row && toUser(row);
    },
    async getUserByEmail(email) {
      const row = await one<UserRow>(ACCOUNT_SQL.getUserByEmail, { emailKey: emailKey(email) });
      return row && toUser(row);
    },
    async listUsers(q) {
      const limit = checkLimit(q.limit);
      const rows = (await run<UserRow & { seq: string }>(pool, ACCOUNT_SQL.listUsers, listUsersParams(q, limit))).rows;
      return toPage(rows.map((r) => ({ ...r, seq: Number(r.seq) })), limit, toUser);
    },
    setUserProfile: (userId, p, audit) => tx(audit, async (db) => (await count(db, ACCOUNT_SQL.setProfile, { id: userId, displayName: p.displayName, language: p.language })) > 0),
    setUserTotp: (userId, secret, audit) => tx(audit, async (db) => (await count(db, ACCOUNT_SQL.setTotp, { id: userId, secret: secret ? Buffer.from(secret) : null })) > 0),
    confirmUserTotp: (userId, step, at, audit) => tx(audit, async (db) => (await count(db, ACCOUNT_SQL.confirmTotp, { id: userId, step, at })) > 0),

    addMembership: (m, audit) => tx(audit, async (db) => { await run(db, ACCOUNT_SQL.insertMembership, { ...m }); }),
    async listUserMemberships(userId) {
      return (await run<MembershipRow>(pool, ACCOUNT_SQL.userMemberships, { userId })).rows.map(toMembership);
    },
    async listOrganisationMembers(organisationId, q) {
      const limit = checkLimit(q.limit);
      const rows = (await run<MembershipRow>(pool, ACCOUNT_SQL.organisationMembers, { organisationId, after: decodeCursor(q.cursor), limit: limit + 1 })).rows;
      return toPage(rows.map((r) => ({ ...r, seq: Number(r.seq) })), limit, toMember);
    },

    createSession: (s, totpStep, audit) => tx(audit, async (db) => {
      if (totpStep !== undefined && (await count(db, ACCOUNT_SQL.consumeTotpStep, { id: s.userId, step: totpStep })) === 0) return false;
      await run(db, ACCOUNT_SQL.insertSession, { ...s });
      return true;
    }),
    async getSession(tokenHash) {
      const row = await one<SessionRow>(ACCOUNT_SQL.getSession, { tokenHash });
      return row && toSession(row);
    },
    async touchSession(tokenHash, at) {
      await run(pool, ACCOUNT_SQL.touchSession, { tokenHash, at });
    },
    revokeSession: (tokenHash, at, audit) => tx(audit, async (db) => (await count(db, ACCOUNT_SQL.revokeSession, { tokenHash, at })) > 0),
    revokeUserSessions: (userId, at, audit) => tx(audit, (db) => count(db, ACCOUNT_SQL.revokeUserSessions, { userId, at })),

    createApiToken: (t, audit) => tx(audit, async (db) => { await run(db, ACCOUNT_SQL.insertApiToken, { ...t }); }),
    async getApiTokenByHash(tokenHash) {
      const row = await one<ApiTokenRow>(ACCOUNT_SQL.getApiTokenByHash, { tokenHash });
      return row && toApiToken(row);
    },
    async listUserApiTokens(userId, q) {
      const limit = checkLimit(q.limit);
      const rows = (await run<ApiTokenRow>(pool, ACCOUNT_SQL.listUserApiTokens, { userId, after: decodeCursor(q.cursor), limit: limit + 1 })).rows;
      return toPage(rows.map((r) => ({ ...r, seq: Number(r.seq) })), limit, toApiToken);
    },
    revokeApiToken: (id, userId, at, audit) => tx(audit, async (db) => (await count(db, ACCOUNT_SQL.revokeApiToken, { id, userId, at })) > 0),

    async getIdentity(issuer, subject) {
      const row = await one<IdentityRow>(ACCOUNT_SQL.getIdentity, { issuer, subject });
      return row && toIdentity(row);
    },
    linkIdentity: (i, audit) => tx(audit, async (db) => (await count(db, ACCOUNT_SQL.insertIdentity, { ...i })) > 0),
  };
}
