import type Database from 'better-sqlite3';
import type { AuditAppend, PasswordResetRecord, RecoveryStore } from '../port.js';
import { ACCOUNT_SQL } from './accounts-store.js';

/*
 * The recovery section of the SQLite adapter (issue 14): password-reset links, TOTP reset and replacement. The SQL
 * text, row shape and mapper are shared with the PostgreSQL adapter (postgres/recovery.ts).
 */

export interface PasswordResetRow {
  seq: number; id: string; token_hash: string; user_id: string; issued_by: string; created_at: string; expires_at: string; used_at: string | null; revoked_at: string | null;
}
export const toPasswordReset = (r: PasswordResetRow): PasswordResetRecord => ({
  id: r.id, tokenHash: r.token_hash, userId: r.user_id, issuedBy: r.issued_by, createdAt: r.created_at, expiresAt: r.expires_at, usedAt: r.used_at, revokedAt: r.revoked_at,
});

/** Every statement of the recovery section, with `@name` parameters (both adapters). */
export const RECOVERY_SQL_TEXT = {
  revokeUnusedResets: 'UPDATE password_resets SET revoked_at = @at WHERE user_id = @userId AND used_at IS NULL AND revoked_at IS NULL',
  insertReset: `INSERT INTO password_resets (id, token_hash, user_id, issued_by, created_at, expires_at, used_at, revoked_at)
    VALUES (@id, @tokenHash, @userId, @issuedBy, @createdAt, @expiresAt, @usedAt, @revokedAt)`,
  getResetByHash: 'SELECT seq, id, token_hash, user_id, issued_by, created_at, expires_at, used_at, revoked_at FROM password_resets WHERE token_hash = @tokenHash',
  revokeReset: 'UPDATE password_resets SET revoked_at = @at WHERE id = @id AND used_at IS NULL AND revoked_at IS NULL',
  useReset: `UPDATE password_resets SET used_at = @at WHERE id = @id AND used_at IS NULL AND revoked_at IS NULL AND expires_at > @at
    AND EXISTS (SELECT 1 FROM users u WHERE u.id = password_resets.user_id AND u.status = 'active')`,
  userOfReset: 'SELECT user_id FROM password_resets WHERE id = @id',
  setPassword: 'UPDATE users SET password_hash = @passwordHash WHERE id = @userId',
  clearTotp: `UPDATE users SET totp_secret_ciphertext = NULL, totp_confirmed_at = NULL, totp_last_step = NULL
    WHERE id = @userId AND (totp_secret_ciphertext IS NOT NULL OR EXISTS (SELECT 1 FROM totp_replacements r WHERE r.user_id = @userId))`,
  deleteReplacement: 'DELETE FROM totp_replacements WHERE user_id = @userId',
  /** Spends the step of the current authenticator's code (as a sign-in does). */
  spendStep: `UPDATE users SET totp_last_step = @step WHERE id = @userId AND totp_confirmed_at IS NOT NULL
    AND (totp_last_step IS NULL OR totp_last_step < @step)`,
  upsertReplacement: `INSERT INTO totp_replacements (user_id, secret_ciphertext, created_at) VALUES (@userId, @secret, @at)
    ON CONFLICT (user_id) DO UPDATE SET secret_ciphertext = excluded.secret_ciphertext, created_at = excluded.created_at`,
  getReplacement: 'SELECT secret_ciphertext FROM totp_replacements WHERE user_id = @userId',
  applyReplacement: `UPDATE users SET totp_secret_ciphertext = (SELECT secret_ciphertext FROM totp_replacements WHERE user_id = @userId),
    totp_confirmed_at = @at, totp_last_step = @step
    WHERE id = @userId AND EXISTS (SELECT 1 FROM totp_replacements WHERE user_id = @userId)`,
} as const;

type P = Record<string, unknown>;
type Statements = { [K in keyof typeof RECOVERY_SQL_TEXT]: Database.Statement<[P], unknown> };

export class SqliteRecoveryStore implements RecoveryStore {
  readonly #s: Statements;
  readonly #revokeSessions: Database.Statement<[P], unknown>;

  constructor(db: Database.Database, private readonly audited: <T>(change: () => T, audit: AuditAppend) => T) {
    this.#s = Object.fromEntries(Object.entries(RECOVERY_SQL_TEXT).map(([k, sql]) => [k, db.prepare<[P]>(sql)])) as Statements;
    this.#revokeSessions = db.prepare<[P]>(ACCOUNT_SQL.revokeUserSessions);
  }

  async createPasswordReset(r: PasswordResetRecord, audit: AuditAppend): Promise<void> {
    this.audited(() => {
      this.#s.revokeUnusedResets.run({ userId: r.userId, at: r.createdAt });
      this.#s.insertReset.run({ ...r });
    }, audit);
  }

  async getPasswordResetByHash(tokenHash: string): Promise<PasswordResetRecord | undefined> {
    const row = this.#s.getResetByHash.get({ tokenHash }) as PasswordResetRow | undefined;
    return row && toPasswordReset(row);
  }

  async revokePasswordReset(id: string, at: string, audit: AuditAppend): Promise<boolean> {
    return this.audited(() => this.#s.revokeReset.run({ id, at }).changes > 0, audit);
  }

  async completePasswordReset(id: string, at: string, passwordHash: string, audit: AuditAppend): Promise<boolean> {
    return this.audited(() => {
      if (this.#s.useReset.run({ id, at }).changes === 0) return false;
      const { user_id: userId } = this.#s.userOfReset.get({ id }) as { user_id: string };
      this.#s.setPassword.run({ userId, passwordHash });
      this.#revokeSessions.run({ userId, at });
      return true;
    }, audit);
  }

  async resetUserTotp(userId: string, at: string, audit: AuditAppend): Promise<boolean> {
    return this.audited(() => {
      if (this.#s.clearTotp.run({ userId }).changes === 0) return false;
      this.#s.deleteReplacement.run({ userId });
      this.#revokeSessions.run({ userId, at });
      return true;
    }, audit);
  }

  async setTotpReplacement(userId: string, secretCiphertext: Uint8Array, currentStep: number, at: string, audit: AuditAppend): Promise<boolean> {
    return this.audited(() => {
      if (this.#s.spendStep.run({ userId, step: currentStep }).changes === 0) return false;
      this.#s.upsertReplacement.run({ userId, secret: Buffer.from(secretCiphertext), at });
      return true;
    }, audit);
  }

  async getTotpReplacement(userId: string): Promise<Uint8Array | undefined> {
    const row = this.#s.getReplacement.get({ userId }) as { secret_ciphertext: Buffer } | undefined;
    return row && new Uint8Array(row.secret_ciphertext);
  }

  async confirmTotpReplacement(userId: string, step: number, at: string, audit: AuditAppend): Promise<boolean> {
    return this.audited(() => {
      if (this.#s.applyReplacement.run({ userId, step, at }).changes === 0) return false;
      this.#s.deleteReplacement.run({ userId });
      return true;
    }, audit);
  }
}
