import Database from 'better-sqlite3';
import type { AuditAppend, InvitationRecord, ListQuery, MembershipRecord, MembershipRole, OrganisationRecord, Page, PeopleStore, UserRecord } from '../port.js';
import { ACCOUNT_SQL, emailTaken, userParams } from './accounts-store.js';
import { checkLimit, decodeCursor, toPage } from './cursor.js';

/*
 * The people section of the SQLite adapter (issue 14): invitations, roles, removal, suspension. The SQL text, row
 * shape and mapper are shared with the PostgreSQL adapter (postgres/people.ts).
 */

export interface InvitationRow {
  seq: number; id: string; token_hash: string; organisation_id: string; email: string; role: MembershipRole; language: InvitationRecord['language'];
  invited_by: string; created_at: string; expires_at: string; accepted_at: string | null; accepted_by: string | null; revoked_at: string | null;
}
export const toInvitation = (r: InvitationRow): InvitationRecord => ({
  id: r.id, tokenHash: r.token_hash, organisationId: r.organisation_id, email: r.email, role: r.role, language: r.language,
  invitedBy: r.invited_by, createdAt: r.created_at, expiresAt: r.expires_at, acceptedAt: r.accepted_at, acceptedBy: r.accepted_by, revokedAt: r.revoked_at,
});
const COLS = 'seq, id, token_hash, organisation_id, email, role, language, invited_by, created_at, expires_at, accepted_at, accepted_by, revoked_at';
/** The organisation keeps an admin: the row is not an admin, stays one, or another admin exists. */
const KEEPS_ADMIN = `(role <> 'admin' OR (SELECT COUNT(*) FROM memberships a WHERE a.organisation_id = @organisationId AND a.role = 'admin') > 1)`;

/** Every statement of the people section, with `@name` parameters (both adapters). */
export const PEOPLE_SQL_TEXT = {
  insertInvitation: `INSERT INTO invitations (id, token_hash, organisation_id, email, role, language, invited_by, created_at, expires_at, accepted_at, accepted_by, revoked_at)
    VALUES (@id, @tokenHash, @organisationId, @email, @role, @language, @invitedBy, @createdAt, @expiresAt, @acceptedAt, @acceptedBy, @revokedAt)`,
  getInvitationByHash: `SELECT ${COLS} FROM invitations WHERE token_hash = @tokenHash`,
  listInvitations: `SELECT ${COLS} FROM invitations WHERE organisation_id = @organisationId AND seq > @after ORDER BY seq LIMIT @limit`,
  revokeInvitation: 'UPDATE invitations SET revoked_at = @at WHERE id = @id AND organisation_id = @organisationId AND accepted_at IS NULL AND revoked_at IS NULL',
  useInvitation: `UPDATE invitations SET accepted_at = @at, accepted_by = @userId
    WHERE id = @id AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > @at`,
  setMemberRole: `UPDATE memberships SET role = @role WHERE organisation_id = @organisationId AND user_id = @userId
    AND (CAST(@role AS TEXT) = 'admin' OR ${KEEPS_ADMIN})`,
  removeMember: `DELETE FROM memberships WHERE organisation_id = @organisationId AND user_id = @userId AND ${KEEPS_ADMIN}`,
  suspended: `SELECT 1 AS s FROM organisations WHERE status = 'suspended' AND (id = @id OR company_id = @id OR party_id = @id) LIMIT 1`,
  setOrganisationStatus: 'UPDATE organisations SET status = @status WHERE id = @id AND status <> @status',
} as const;

type P = Record<string, unknown>;
type Statements = { [K in keyof typeof PEOPLE_SQL_TEXT]: Database.Statement<[P], unknown> };

const uniqueEmail = (err: unknown): boolean =>
  err instanceof Database.SqliteError && err.code === 'SQLITE_CONSTRAINT_UNIQUE' && err.message.includes('users.email_key');

export class SqlitePeopleStore implements PeopleStore {
  readonly #s: Statements;
  readonly #insertUser: Database.Statement<[P], unknown>;
  readonly #insertMembership: Database.Statement<[P], unknown>;

  constructor(db: Database.Database, private readonly audited: <T>(change: () => T, audit: AuditAppend) => T) {
    this.#s = Object.fromEntries(Object.entries(PEOPLE_SQL_TEXT).map(([k, sql]) => [k, db.prepare<[P]>(sql)])) as Statements;
    this.#insertUser = db.prepare<[P]>(ACCOUNT_SQL.insertUser);
    this.#insertMembership = db.prepare<[P]>(ACCOUNT_SQL.insertMembership);
  }

  async createInvitation(i: InvitationRecord, audit: AuditAppend): Promise<void> {
    this.audited(() => this.#s.insertInvitation.run({ ...i }), audit);
  }

  async getInvitationByHash(tokenHash: string): Promise<InvitationRecord | undefined> {
    const row = this.#s.getInvitationByHash.get({ tokenHash }) as InvitationRow | undefined;
    return row && toInvitation(row);
  }

  async listOrganisationInvitations(organisationId: string, q: ListQuery): Promise<Page<InvitationRecord>> {
    const limit = checkLimit(q.limit);
    return toPage(this.#s.listInvitations.all({ organisationId, after: decodeCursor(q.cursor), limit: limit + 1 }) as InvitationRow[], limit, toInvitation);
  }

  async revokeInvitation(id: string, organisationId: string, at: string, audit: AuditAppend): Promise<boolean> {
    return this.audited(() => this.#s.revokeInvitation.run({ id, organisationId, at }).changes > 0, audit);
  }

  async acceptInvitation(id: string, at: string, a: { newUser: UserRecord | null; membership: MembershipRecord }, audit: AuditAppend): Promise<boolean> {
    try {
      return this.audited(() => {
        if (this.#s.useInvitation.run({ id, at, userId: a.membership.userId }).changes === 0) return false;
        if (a.newUser) this.#insertUser.run(userParams(a.newUser));
        this.#insertMembership.run({ ...a.membership });
        return true;
      }, audit);
    } catch (err) {
      if (a.newUser && uniqueEmail(err)) throw emailTaken(a.newUser.email, err);
      throw err;
    }
  }

  async setMemberRole(organisationId: string, userId: string, role: MembershipRole, audit: AuditAppend): Promise<boolean> {
    return this.audited(() => this.#s.setMemberRole.run({ organisationId, userId, role }).changes > 0, audit);
  }

  async removeMember(organisationId: string, userId: string, audit: AuditAppend): Promise<boolean> {
    return this.audited(() => this.#s.removeMember.run({ organisationId, userId }).changes > 0, audit);
  }

  async setOrganisationStatus(id: string, status: OrganisationRecord['status'], audit: AuditAppend): Promise<boolean> {
    return this.audited(() => this.#s.setOrganisationStatus.run({ id, status }).changes > 0, audit);
  }

  async isOrganisationSuspended(companyOrPartyId: string): Promise<boolean> {
    return this.#s.suspended.get({ id: companyOrPartyId }) !== undefined;
  }
}
