import Database from 'better-sqlite3';
import { VaultgateError } from '../../protocol/index.js';
import type {
  AccountLanguage, AccountStore, ApiTokenRecord, AuditAppend, IdentityRecord, ListQuery, MembershipRecord, MembershipRole, OrganisationRecord, Page,
  RegistrationApproval, RegistrationRecord, SessionRecord, UserRecord, UserStatus,
} from '../port.js';
import { checkLimit, decodeCursor, toPage } from './cursor.js';

/*
 * The accounts section of the SQLite adapter (issue 14). The SQL text, row shapes and mappers are shared with the
 * PostgreSQL adapter (postgres/accounts.ts): both write `@name` parameters and the columns have the same names.
 */

export interface OrganisationRow {
  seq: number; id: string; name: string; company_id: string | null; party_id: string | null; business_id: string | null;
  status: OrganisationRecord['status']; require_totp: number; created_at: string;
}
export interface UserRow {
  id: string; email: string; display_name: string; language: AccountLanguage; password_hash: string | null;
  totp_secret_ciphertext: Buffer | null; totp_confirmed_at: string | null; totp_last_step: number | string | null;
  platform_role: 'operator' | null; status: UserStatus; created_at: string;
}
export interface MembershipRow { seq: number; user_id: string; organisation_id: string; role: MembershipRole; created_at: string; email?: string; display_name?: string }
export interface SessionRow {
  token_hash: string; user_id: string; created_at: string; last_seen_at: string; expires_at: string; revoked_at: string | null; client_address: string | null;
  sign_in_method: SessionRecord['signInMethod'];
}
export interface RegistrationRow {
  seq: number; id: string; kind: RegistrationRecord['kind']; organisation_name: string; business_id: string | null; user_id: string;
  status: RegistrationRecord['status']; created_at: string; decided_at: string | null; decided_by: string | null; organisation_id: string | null;
}

export interface ApiTokenRow {
  seq: number; id: string; token_hash: string; user_id: string; organisation_id: string; role: MembershipRole; name: string;
  created_at: string; expires_at: string; revoked_at: string | null; sign_in_method: ApiTokenRecord['signInMethod'];
}
export const toApiToken = (r: ApiTokenRow): ApiTokenRecord => ({
  id: r.id, tokenHash: r.token_hash, userId: r.user_id, organisationId: r.organisation_id, role: r.role, name: r.name,
  createdAt: r.created_at, expiresAt: r.expires_at, revokedAt: r.revoked_at, signInMethod: r.sign_in_method,
});
const TOKEN_COLS = 'seq, id, token_hash, user_id, organisation_id, role, name, created_at, expires_at, revoked_at, sign_in_method';

export const toOrganisation = (r: OrganisationRow): OrganisationRecord => ({
  id: r.id, name: r.name, companyId: r.company_id, partyId: r.party_id, businessId: r.business_id, status: r.status,
  requireTotp: Number(r.require_totp) === 1, createdAt: r.created_at,
});
export const toUser = (r: UserRow): UserRecord => ({
  id: r.id, email: r.email, displayName: r.display_name, language: r.language, passwordHash: r.password_hash,
  totpSecretCiphertext: r.totp_secret_ciphertext ? new Uint8Array(r.totp_secret_ciphertext) : null,
  totpConfirmedAt: r.totp_confirmed_at, totpLastStep: r.totp_last_step === null ? null : Number(r.totp_last_step),
  platformRole: r.platform_role, status: r.status, createdAt: r.created_at,
});
export const toMembership = (r: MembershipRow): MembershipRecord => ({ userId: r.user_id, organisationId: r.organisation_id, role: r.role, createdAt: r.created_at });
export const toMember = (r: MembershipRow): MembershipRecord & { email: string; displayName: string } => ({ ...toMembership(r), email: r.email ?? '', displayName: r.display_name ?? '' });
export const toSession = (r: SessionRow): SessionRecord => ({
  tokenHash: r.token_hash, userId: r.user_id, createdAt: r.created_at, lastSeenAt: r.last_seen_at, expiresAt: r.expires_at,
  revokedAt: r.revoked_at, clientAddress: r.client_address, signInMethod: r.sign_in_method,
});
export const toRegistration = (r: RegistrationRow): RegistrationRecord => ({
  id: r.id, kind: r.kind, organisationName: r.organisation_name, businessId: r.business_id, userId: r.user_id, status: r.status,
  createdAt: r.created_at, decidedAt: r.decided_at, decidedBy: r.decided_by, organisationId: r.organisation_id,
});

/** The email as compared: lower-cased (after NFC), so emails are unique case-insensitively. */
export const emailKey = (email: string): string => email.normalize('NFC').toLowerCase();

export const userParams = (u: UserRecord): Record<string, unknown> => ({
  ...u, emailKey: emailKey(u.email), totpSecretCiphertext: u.totpSecretCiphertext ? Buffer.from(u.totpSecretCiphertext) : null,
});
/** The parameters of ACCOUNT_SQL.listUsers (both adapters). */
export const listUsersParams = (q: ListQuery & { email?: string | undefined; platformRole?: 'operator' | undefined }, limit: number): Record<string, unknown> => ({
  after: decodeCursor(q.cursor), emailKey: q.email === undefined ? null : emailKey(q.email), platformRole: q.platformRole ?? null, limit: limit + 1,
});
export const organisationParams = (o: Omit<OrganisationRecord, 'businessId'>): Record<string, unknown> => ({ ...o, requireTotp: o.requireTotp ? 1 : 0 });

const USER_COLS = 'id, email, display_name, language, password_hash, totp_secret_ciphertext, totp_confirmed_at, totp_last_step, platform_role, status, created_at';
const REG_COLS = 'seq, id, kind, organisation_name, business_id, user_id, status, created_at, decided_at, decided_by, organisation_id';
const ORG_SELECT = `SELECT o.seq, o.id, o.name, o.company_id, o.party_id, c.business_id, o.status, o.require_totp, o.created_at
  FROM organisations o LEFT JOIN companies c ON c.id = o.company_id`;

/** Every statement of the accounts section, with `@name` parameters (both adapters). */
export const ACCOUNT_SQL = {
  insertUser: `INSERT INTO users (${USER_COLS}, email_key) VALUES (@id, @email, @displayName, @language, @passwordHash, @totpSecretCiphertext,
    @totpConfirmedAt, @totpLastStep, @platformRole, @status, @createdAt, @emailKey)`,
  getUser: `SELECT ${USER_COLS} FROM users WHERE id = @id`,
  getUserByEmail: `SELECT ${USER_COLS} FROM users WHERE email_key = @emailKey`,
  listUsers: `SELECT seq, ${USER_COLS} FROM users WHERE seq > @after AND (CAST(@emailKey AS TEXT) IS NULL OR email_key = @emailKey)
    AND (CAST(@platformRole AS TEXT) IS NULL OR platform_role = @platformRole) ORDER BY seq LIMIT @limit`,
  setProfile: 'UPDATE users SET display_name = @displayName, language = @language WHERE id = @id',
  setTotp: 'UPDATE users SET totp_secret_ciphertext = @secret, totp_confirmed_at = NULL WHERE id = @id',
  confirmTotp: `UPDATE users SET totp_confirmed_at = @at, totp_last_step = @step WHERE id = @id AND totp_secret_ciphertext IS NOT NULL
    AND totp_confirmed_at IS NULL AND (totp_last_step IS NULL OR totp_last_step < @step)`,
  consumeTotpStep: `UPDATE users SET totp_last_step = @step WHERE id = @id AND totp_confirmed_at IS NOT NULL
    AND (totp_last_step IS NULL OR totp_last_step < @step)`,
  activateUser: "UPDATE users SET status = 'active' WHERE id = @id AND status = 'pending'",
  disableUser: "UPDATE users SET status = 'disabled' WHERE id = @id AND status = 'pending'",
  /*
   * A declined registrant registering again: their user (disabled by the decline, never active, no memberships) takes
   * the new details and is pending again. Only a declined registration disables a user (disableUser), so "disabled,
   * no operator, no membership" is that user and nobody else.
   */
  reviveDeclinedUser: `UPDATE users SET email = @email, email_key = @emailKey, display_name = @displayName, language = @language,
    password_hash = @passwordHash, totp_secret_ciphertext = NULL, totp_confirmed_at = NULL, totp_last_step = NULL, status = 'pending'
    WHERE id = @id AND status = 'disabled' AND platform_role IS NULL AND NOT EXISTS (SELECT 1 FROM memberships WHERE user_id = @id)`,

  insertOrganisation: `INSERT INTO organisations (id, name, company_id, party_id, status, require_totp, created_at)
    VALUES (@id, @name, @companyId, @partyId, @status, @requireTotp, @createdAt)`,
  getOrganisation: `${ORG_SELECT} WHERE o.id = @id`,
  listOrganisations: `${ORG_SELECT} WHERE o.seq > @after AND (CAST(@status AS TEXT) IS NULL OR o.status = @status) ORDER BY o.seq LIMIT @limit`,
  setRequireTotp: 'UPDATE organisations SET require_totp = @required WHERE id = @id',
  insertCompany: 'INSERT INTO companies (id, name, business_id, created_at) VALUES (@id, @name, @businessId, @createdAt)',
  insertParty: 'INSERT INTO parties (id, name, status, created_at, disabled_at) VALUES (@id, @name, @status, @createdAt, @disabledAt)',

  insertMembership: 'INSERT INTO memberships (user_id, organisation_id, role, created_at) VALUES (@userId, @organisationId, @role, @createdAt)',
  userMemberships: 'SELECT seq, user_id, organisation_id, role, created_at FROM memberships WHERE user_id = @userId ORDER BY seq',
  organisationMembers: `SELECT m.seq, m.user_id, m.organisation_id, m.role, m.created_at, u.email, u.display_name
    FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.organisation_id = @organisationId AND m.seq > @after ORDER BY m.seq LIMIT @limit`,

  insertSession: `INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, revoked_at, client_address, sign_in_method)
    VALUES (@tokenHash, @userId, @createdAt, @lastSeenAt, @expiresAt, @revokedAt, @clientAddress, @signInMethod)`,
  getSession: 'SELECT token_hash, user_id, created_at, last_seen_at, expires_at, revoked_at, client_address, sign_in_method FROM sessions WHERE token_hash = @tokenHash',
  touchSession: 'UPDATE sessions SET last_seen_at = @at WHERE token_hash = @tokenHash AND revoked_at IS NULL AND last_seen_at < @at',
  revokeSession: 'UPDATE sessions SET revoked_at = @at WHERE token_hash = @tokenHash AND revoked_at IS NULL',
  revokeUserSessions: 'UPDATE sessions SET revoked_at = @at WHERE user_id = @userId AND revoked_at IS NULL',

  insertRegistration: `INSERT INTO registrations (id, kind, organisation_name, business_id, user_id, status, created_at, decided_at, decided_by, organisation_id)
    VALUES (@id, @kind, @organisationName, @businessId, @userId, @status, @createdAt, @decidedAt, @decidedBy, @organisationId)`,
  getRegistration: `SELECT ${REG_COLS} FROM registrations WHERE id = @id`,
  listRegistrations: `SELECT ${REG_COLS} FROM registrations WHERE seq > @after AND (CAST(@status AS TEXT) IS NULL OR status = @status) ORDER BY seq LIMIT @limit`,
  decideRegistration: `UPDATE registrations SET status = @status, decided_at = @at, decided_by = @decidedBy, organisation_id = @organisationId
    WHERE id = @id AND status = 'pending'`,

  insertApiToken: `INSERT INTO api_tokens (id, token_hash, user_id, organisation_id, role, name, created_at, expires_at, revoked_at, sign_in_method)
    VALUES (@id, @tokenHash, @userId, @organisationId, @role, @name, @createdAt, @expiresAt, @revokedAt, @signInMethod)`,
  getApiTokenByHash: `SELECT ${TOKEN_COLS} FROM api_tokens WHERE token_hash = @tokenHash`,
  listUserApiTokens: `SELECT ${TOKEN_COLS} FROM api_tokens WHERE user_id = @userId AND seq > @after ORDER BY seq LIMIT @limit`,
  revokeApiToken: 'UPDATE api_tokens SET revoked_at = @at WHERE id = @id AND user_id = @userId AND revoked_at IS NULL',

  getIdentity: 'SELECT user_id, issuer, subject, created_at FROM identities WHERE issuer = @issuer AND subject = @subject',
  insertIdentity: `INSERT INTO identities (user_id, issuer, subject, created_at) VALUES (@userId, @issuer, @subject, @createdAt)
    ON CONFLICT (issuer, subject) DO NOTHING`,
} as const;

export interface IdentityRow { user_id: string; issuer: string; subject: string; created_at: string }
export const toIdentity = (r: IdentityRow): IdentityRecord => ({ userId: r.user_id, issuer: r.issuer, subject: r.subject, createdAt: r.created_at });

export const emailTaken = (email: string, cause: unknown): VaultgateError =>
  new VaultgateError('USER_EMAIL_TAKEN', { detail: `A user with the email ${email} exists already.`, cause });
export const businessIdTaken = (businessId: string | null, cause: unknown): VaultgateError =>
  new VaultgateError('BUSINESS_ID_TAKEN', { detail: `An active company has the business id ${businessId ?? ''}.`, cause });

const uniqueOn = (err: unknown, column: string): boolean =>
  err instanceof Database.SqliteError && err.code === 'SQLITE_CONSTRAINT_UNIQUE' && err.message.includes(column);

type P = Record<string, unknown>;
type Statements = { [K in keyof typeof ACCOUNT_SQL]: Database.Statement<[P], unknown> };

/** Organisations, users, memberships, sessions and registrations on a better-sqlite3 connection. */
export class SqliteAccountStore implements AccountStore {
  readonly #s: Statements;
  /** A change and its audit event in one immediate transaction (SqliteStore.audited). */
  readonly #audited: <T>(change: () => T, audit: AuditAppend) => T;

  constructor(db: Database.Database, audited: <T>(change: () => T, audit: AuditAppend) => T) {
    this.#audited = audited;
    this.#s = Object.fromEntries(Object.entries(ACCOUNT_SQL).map(([k, sql]) => [k, db.prepare<[P]>(sql)])) as Statements;
  }

  /** `change` in one immediate transaction with its event (none when it returns false); all or nothing. */
  #tx<T>(change: () => T, audit: AuditAppend): T {
    return this.#audited(change, audit);
  }

  async createRegistration(r: RegistrationRecord, user: UserRecord, audit: AuditAppend): Promise<void> {
    try {
      this.#tx(() => {
        if (this.#s.reviveDeclinedUser.run(userParams(user)).changes === 0) this.#s.insertUser.run(userParams(user));
        this.#s.insertRegistration.run({ ...r });
      }, audit);
    } catch (err) {
      // users.id: the declined registrant's user was taken by a concurrent registration (it is pending again).
      if (uniqueOn(err, 'users.email_key') || uniqueOn(err, 'users.id')) throw emailTaken(user.email, err);
      throw err;
    }
  }

  async getRegistration(id: string): Promise<RegistrationRecord | undefined> {
    const row = this.#s.getRegistration.get({ id }) as RegistrationRow | undefined;
    return row && toRegistration(row);
  }

  async listRegistrations(q: ListQuery & { status?: RegistrationRecord['status'] | undefined }): Promise<Page<RegistrationRecord>> {
    const limit = checkLimit(q.limit);
    const rows = this.#s.listRegistrations.all({ after: decodeCursor(q.cursor), status: q.status ?? null, limit: limit + 1 }) as RegistrationRow[];
    return toPage(rows, limit, toRegistration);
  }

  async approveRegistration(id: string, a: RegistrationApproval, audit: AuditAppend): Promise<boolean> {
    try {
      return this.#tx(() => {
        const reg = this.#s.getRegistration.get({ id }) as RegistrationRow | undefined;
        if (!reg || this.#s.decideRegistration.run({ id, status: 'approved', at: a.at, decidedBy: a.decidedBy, organisationId: a.organisation.id }).changes === 0) return false;
        this.#s.insertOrganisation.run(organisationParams(a.organisation));
        if (a.company) this.#s.insertCompany.run({ ...a.company });
        if (a.party) this.#s.insertParty.run({ ...a.party });
        this.#s.activateUser.run({ id: reg.user_id });
        this.#s.insertMembership.run({ userId: reg.user_id, organisationId: a.organisation.id, role: 'admin', createdAt: a.at });
        return true;
      }, audit);
    } catch (err) {
      if (uniqueOn(err, 'companies.business_id')) throw businessIdTaken(a.company?.businessId ?? null, err);
      throw err;
    }
  }

  async declineRegistration(id: string, at: string, decidedBy: string, audit: AuditAppend): Promise<boolean> {
    return this.#tx(() => {
      const reg = this.#s.getRegistration.get({ id }) as RegistrationRow | undefined;
      if (!reg || this.#s.decideRegistration.run({ id, status: 'declined', at, decidedBy, organisationId: null }).changes === 0) return false;
      this.#s.disableUser.run({ id: reg.user_id });
      return true;
    }, audit);
  }

  async getOrganisation(id: string): Promise<OrganisationRecord | undefined> {
    const row = this.#s.getOrganisation.get({ id }) as OrganisationRow | undefined;
    return row && toOrganisation(row);
  }

  async listOrganisations(q: ListQuery & { status?: OrganisationRecord['status'] | undefined }): Promise<Page<OrganisationRecord>> {
    const limit = checkLimit(q.limit);
    const rows = this.#s.listOrganisations.all({ after: decodeCursor(q.cursor), status: q.status ?? null, limit: limit + 1 }) as OrganisationRow[];
    return toPage(rows, limit, toOrganisation);
  }

  async setOrganisationRequireTotp(id: string, required: boolean, audit: AuditAppend): Promise<boolean> {
    return this.#tx(() => this.#s.setRequireTotp.run({ id, required: required ? 1 : 0 }).changes > 0, audit);
  }

  async createUser(u: UserRecord, audit: AuditAppend): Promise<void> {
    try {
      this.#tx(() => this.#s.insertUser.run(userParams(u)), audit);
    } catch (err) {
      if (uniqueOn(err, 'users.email_key')) throw emailTaken(u.email, err);
      throw err;
    }
  }

  async getUser(id: string): Promise<UserRecord | undefined> {
    const row = this.#s.getUser.get({ id }) as UserRow | undefined;
    return row && toUser(row);
  }

  async getUserByEmail(email: string): Promise<UserRecord | undefined> {
    const row = this.#s.getUserByEmail.get({ emailKey: emailKey(email) }) as UserRow | undefined;
    return row && toUser(row);
  }

  async listUsers(q: ListQuery & { email?: string | undefined; platformRole?: 'operator' | undefined }): Promise<Page<UserRecord>> {
    const limit = checkLimit(q.limit);
    const rows = this.#s.listUsers.all(listUsersParams(q, limit)) as (UserRow & { seq: number })[];
    return toPage(rows, limit, toUser);
  }

  async setUserProfile(userId: string, p: { displayName: string; language: AccountLanguage }, audit: AuditAppend): Promise<boolean> {
    return this.#tx(() => this.#s.setProfile.run({ id: userId, displayName: p.displayName, language: p.language }).changes > 0, audit);
  }

  async setUserTotp(userId: string, secretCiphertext: Uint8Array | null, audit: AuditAppend): Promise<boolean> {
    return this.#tx(() => this.#s.setTotp.run({ id: userId, secret: secretCiphertext ? Buffer.from(secretCiphertext) : null }).changes > 0, audit);
  }

  async confirmUserTotp(userId: string, step: number, at: string, audit: AuditAppend): Promise<boolean> {
    return this.#tx(() => this.#s.confirmTotp.run({ id: userId, step, at }).changes > 0, audit);
  }

  async addMembership(m: MembershipRecord, audit: AuditAppend): Promise<void> {
    this.#tx(() => this.#s.insertMembership.run({ ...m }), audit);
  }

  async listUserMemberships(userId: string): Promise<MembershipRecord[]> {
    return (this.#s.userMemberships.all({ userId }) as MembershipRow[]).map(toMembership);
  }

  async listOrganisationMembers(organisationId: string, q: ListQuery): Promise<Page<MembershipRecord & { email: string; displayName: string }>> {
    const limit = checkLimit(q.limit);
    const rows = this.#s.organisationMembers.all({ organisationId, after: decodeCursor(q.cursor), limit: limit + 1 }) as MembershipRow[];
    return toPage(rows, limit, toMember);
  }

  async createSession(s: SessionRecord, totpStep: number | undefined, audit: AuditAppend): Promise<boolean> {
    return this.#tx(() => {
      if (totpStep !== undefined && this.#s.consumeTotpStep.run({ id: s.userId, step: totpStep }).changes === 0) return false;
      this.#s.insertSession.run({ ...s });
      return true;
    }, audit);
  }

  async getSession(tokenHash: string): Promise<SessionRecord | undefined> {
    const row = this.#s.getSession.get({ tokenHash }) as SessionRow | undefined;
    return row && toSession(row);
  }

  async touchSession(tokenHash: string, at: string): Promise<void> {
    this.#s.touchSession.run({ tokenHash, at });
  }

  async revokeSession(tokenHash: string, at: string, audit: AuditAppend): Promise<boolean> {
    return this.#tx(() => this.#s.revokeSession.run({ tokenHash, at }).changes > 0, audit);
  }

  async revokeUserSessions(userId: string, at: string, audit: AuditAppend): Promise<number> {
    return this.#tx(() => this.#s.revokeUserSessions.run({ userId, at }).changes, audit);
  }

  async createApiToken(t: ApiTokenRecord, audit: AuditAppend): Promise<void> {
    this.#tx(() => this.#s.insertApiToken.run({ ...t }), audit);
  }

  async getApiTokenByHash(tokenHash: string): Promise<ApiTokenRecord | undefined> {
    const row = this.#s.getApiTokenByHash.get({ tokenHash }) as ApiTokenRow | undefined;
    return row && toApiToken(row);
  }

  async listUserApiTokens(userId: string, q: ListQuery): Promise<Page<ApiTokenRecord>> {
    const limit = checkLimit(q.limit);
    return toPage(this.#s.listUserApiTokens.all({ userId, after: decodeCursor(q.cursor), limit: limit + 1 }) as ApiTokenRow[], limit, toApiToken);
  }

  async revokeApiToken(id: string, userId: string, at: string, audit: AuditAppend): Promise<boolean> {
    return this.#tx(() => this.#s.revokeApiToken.run({ id, userId, at }).changes > 0, audit);
  }

  async getIdentity(issuer: string, subject: string): Promise<IdentityRecord | undefined> {
    const row = this.#s.getIdentity.get({ issuer, subject }) as IdentityRow | undefined;
    return row && toIdentity(row);
  }

  async linkIdentity(i: IdentityRecord, audit: AuditAppend): Promise<boolean> {
    return this.#tx(() => this.#s.insertIdentity.run({ ...i }).changes > 0, audit);
  }
}
