import { createHash, randomBytes } from 'node:crypto';
import { newId, VaultgateError, type Clock, type Environment } from '../../../protocol/index.js';
import type { MembershipRecord, PasswordResetRecord, Store, UserRecord } from '../../../store/index.js';
import { SYSTEM_OWNER, type VaultCrypto } from '../../crypto/vault-crypto.js';
import type { AuditContext, AuditTrail } from '../audit/audit-trail.js';
import { OPERATORS_ONLY, totpAad, userView, type Principal, type UserView } from './accounts.js';
import type { Mailer } from './mailer.js';
import { checkPasswordPolicy, hashPassword } from './password.js';
import { passwordResetMail } from './password-reset-mail.js';
import type { SignInThrottle } from './sign-in-throttle.js';
import { newTotpSecret, totpInvalid, totpStep, totpUri } from './totp.js';

/*
 * The way back after a forgotten password or a lost authenticator (issue 14), free of Fastify:
 * - an operator (or the admin token) resets a user's TOTP, or issues a password-reset link: 256 random bits (`vgr_…`,
 *   so the access log redacts it as every `vg?_` secret), only its SHA-256 stored, single use, expiring, replaced by a
 *   newer one; mailed like an invitation, or returned once when no SMTP is configured;
 * - an organisation's admin resets the TOTP of a member of that organisation who is neither an operator nor an admin
 *   of another organisation (whose second factor guards more than this organisation), and never their own;
 * - the person completes the reset with a new password (the password policy applies): every session of theirs ends;
 * - a signed-in user replaces their own authenticator with a code of the current one (throttled as sign-in): the new
 *   one is pending, the old one in force, until a code of the new one confirms it.
 * A TOTP reset ends the user's sessions too. Every step is one transaction with its audit event.
 */

export const PASSWORD_RESET_PREFIX = 'vgr_';
const hashToken = (t: string): string => createHash('sha256').update(t, 'utf8').digest('hex');

export type PasswordResetView = Omit<PasswordResetRecord, 'tokenHash'>;
const view = ({ tokenHash: _h, ...v }: PasswordResetRecord): PasswordResetView => v;

export interface RecoveryDeps {
  store: Store;
  crypto: VaultCrypto;
  clock: Clock;
  environment: Environment;
  audit: AuditTrail;
  /** The sign-in throttle: a replacement's current code is a guessable secret, counted with the account's sign-ins. */
  throttle: SignInThrottle;
  /** null: no SMTP configured; the link is returned to the operator instead. */
  mailer: Mailer | null;
  passwordResetTtlH: number;
  publicBaseUrl: () => string;
  totpIssuer: string;
}

export class Recovery {
  constructor(private readonly d: RecoveryDeps) {}

  private now(): string {
    return new Date(this.d.clock.now()).toISOString();
  }

  private async user(id: string): Promise<UserRecord> {
    const u = await this.d.store.getUser(id);
    if (!u) throw new VaultgateError('NOT_FOUND', { detail: `No user ${id}.` });
    return u;
  }

  /**
   * Whether `by` may reset the TOTP of `target` (a member of `organisationId`, when given; undefined: as an operator).
   * ACCOUNT_FORBIDDEN with the rule that refuses it.
   */
  private mayResetTotp(by: Principal, target: UserRecord, memberships: readonly MembershipRecord[], organisationId: string | undefined): void {
    const operator = by.kind === 'operator-token' || by.user.platformRole === 'operator';
    if (by.kind === 'user' && by.user.id === target.id) {
      throw new VaultgateError('ACCOUNT_FORBIDDEN', {
        detail: 'You cannot reset your own authenticator (a stolen session must not remove the factor that guards the next sign-in): replace it with a current code (POST /api/v1/me/totp {code}; vaultgate account totp replace <code>), or ask an operator to reset it.',
      });
    }
    if (organisationId === undefined) {
      if (!operator) throw new VaultgateError('ACCOUNT_FORBIDDEN', { detail: OPERATORS_ONLY });
      return;
    }
    if (operator) return;
    if (target.platformRole === 'operator') throw new VaultgateError('ACCOUNT_FORBIDDEN', { detail: "An operator's second factor is reset by another operator only." });
    const elsewhere = memberships.find((m) => m.organisationId !== organisationId && m.role === 'admin');
    if (elsewhere) throw new VaultgateError('ACCOUNT_FORBIDDEN', { detail: `${target.id} is an admin of another organisation (${elsewhere.organisationId}): an operator resets their second factor.` });
  }

  /**
   * Removes a user's authenticator (they sign in with the password alone, then enrol again; an operator, or a member of
   * an organisation requiring TOTP, is held until they do) and ends their sessions: `user.totp-reset`. As an operator
   * (organisationId undefined) or as an admin of `organisationId` (the rule above). NOT_FOUND, ACCOUNT_FORBIDDEN,
   * STATE_CONFLICT (no authenticator to reset).
   */
  async resetTotp(userId: string, by: Principal, ctx: AuditContext, organisationId?: string): Promise<UserView> {
    // Through an organisation, someone who is not its member is NOT_FOUND whether or not the user exists.
    const memberships = await this.d.store.listUserMemberships(userId);
    if (organisationId !== undefined && !memberships.some((m) => m.organisationId === organisationId)) {
      throw new VaultgateError('NOT_FOUND', { detail: `${userId} is not a member of ${organisationId}.` });
    }
    const target = await this.user(userId);
    this.mayResetTotp(by, target, memberships, organisationId);
    const ok = await this.d.store.resetUserTotp(target.id, this.now(), this.d.audit.event(ctx, {
      action: 'user.totp-reset', subject: target.id, details: organisationId ? { organisationId } : {},
    }));
    if (!ok) throw new VaultgateError('STATE_CONFLICT', { detail: `${target.id} has no authenticator to reset.` });
    return userView(await this.user(target.id));
  }

  /**
   * Issues a password-reset link for an active user (operator): mailed to the user in their language, or returned once
   * (`link`) when no SMTP is configured. A newer link revokes the older. `user.password-reset-issue` (never the link).
   * NOT_FOUND, STATE_CONFLICT (the user is not active), MAIL_UNAVAILABLE (the link is revoked at once).
   */
  async issuePasswordReset(userId: string, ctx: AuditContext): Promise<{ passwordReset: PasswordResetView; mailed: boolean; link?: string }> {
    const u = await this.user(userId);
    if (u.status !== 'active') throw new VaultgateError('STATE_CONFLICT', { detail: `${u.id} is ${u.status}: only an active user's password is reset.` });
    const token = PASSWORD_RESET_PREFIX + randomBytes(32).toString('base64url');
    const at = this.d.clock.now();
    const r: PasswordResetRecord = {
      id: newId('passwordReset', this.d.environment), tokenHash: hashToken(token), userId: u.id, issuedBy: ctx.actor.id,
      createdAt: new Date(at).toISOString(), expiresAt: new Date(at + this.d.passwordResetTtlH * 3600_000).toISOString(), usedAt: null, revokedAt: null,
    };
    await this.d.store.createPasswordReset(r, this.d.audit.event(ctx, {
      action: 'user.password-reset-issue', subject: u.id, details: { passwordResetId: r.id, mailed: this.d.mailer !== null, expiresAt: r.expiresAt },
    }));
    const link = `${this.d.publicBaseUrl().replace(/\/$/, '')}/api/v1/password-reset/${token}`;
    if (!this.d.mailer) return { passwordReset: view(r), mailed: false, link };
    try {
      await this.d.mailer.send(passwordResetMail({ to: u.email, language: u.language, link, expiresAt: r.expiresAt }));
    } catch (err) {
      await this.d.store.revokePasswordReset(r.id, this.now(), this.d.audit.event(ctx, { action: 'user.password-reset-revoke', subject: u.id, details: { passwordResetId: r.id, code: 'MAIL_UNAVAILABLE' } }));
      throw err;
    }
    return { passwordReset: view(r), mailed: true };
  }

  /**
   * Sets a new password with a reset link's token, once (PASSWORD_TOO_SHORT / PASSWORD_TOO_COMMON first, which do not
   * spend it); every session of the user ends: `user.password-reset`. PASSWORD_RESET_INVALID for an unknown, used,
   * replaced or expired link (refusal recorded).
   */
  async completePasswordReset(token: string, password: string, ctx: AuditContext): Promise<{ userId: string }> {
    const r = token.startsWith(PASSWORD_RESET_PREFIX) && token.length <= 100 ? await this.d.store.getPasswordResetByHash(hashToken(token)) : undefined;
    const refuse = async (): Promise<never> => {
      await this.d.audit.refusal(ctx, { action: 'user.password-reset', subject: r?.userId ?? '-', details: { code: 'PASSWORD_RESET_INVALID' } });
      throw new VaultgateError('PASSWORD_RESET_INVALID');
    };
    if (!r || r.usedAt !== null || r.revokedAt !== null || r.expiresAt <= this.now()) return refuse();
    checkPasswordPolicy(password);
    const userCtx: AuditContext = { ...ctx, actor: { kind: 'user', id: r.userId } };
    const ok = await this.d.store.completePasswordReset(r.id, this.now(), await hashPassword(password), this.d.audit.event(userCtx, {
      action: 'user.password-reset', subject: r.userId, details: { passwordResetId: r.id },
    }));
    if (!ok) return refuse();
    return { userId: r.userId };
  }

  /**
   * Starts replacing the signed-in user's confirmed authenticator: `code` is a current code of it (TOTP_INVALID when
   * wrong or used before; SIGN_IN_THROTTLED as sign-in, counted with the account's failures). Returns the new secret
   * once; the old authenticator stays in force until confirmReplacement. `user.totp-replace-start`.
   */
  async startReplacement(user: UserRecord, code: string | undefined, ctx: AuditContext): Promise<{ secret: string; otpauthUri: string }> {
    if (code === undefined) {
      throw new VaultgateError('STATE_CONFLICT', { detail: 'An authenticator is enrolled: to replace it, send a current code of it as {"code": "123456"} (vaultgate account totp replace <current code>).' });
    }
    const account = user.email.trim().normalize('NFC').toLowerCase();
    await this.d.throttle.check(account);
    const current = (await this.d.crypto.open(user.totpSecretCiphertext!, totpAad(user.id), SYSTEM_OWNER)).toString('utf8');
    const step = totpStep(current, code, this.d.clock.now());
    const secret = newTotpSecret();
    const sealed = step === null ? null : await this.d.crypto.seal(SYSTEM_OWNER, Buffer.from(secret, 'utf8'), totpAad(user.id));
    const ok = sealed !== null && (await this.d.store.setTotpReplacement(user.id, sealed, step!, this.now(), this.d.audit.event(ctx, { action: 'user.totp-replace-start', subject: user.id })));
    if (!ok) {
      const failures = await this.d.throttle.failed(account);
      await this.d.audit.refusal(ctx, { action: 'user.totp-replace-start', subject: user.id, details: { code: 'TOTP_INVALID', failuresThisHour: failures } });
      throw totpInvalid(code);
    }
    await this.d.throttle.succeeded(account);
    return { secret, otpauthUri: totpUri(secret, user.email, this.d.totpIssuer) };
  }

  /**
   * Puts the pending replacement in force with a current code of it (TOTP_INVALID when wrong; STATE_CONFLICT when no
   * replacement is pending): `user.totp-replace`.
   */
  async confirmReplacement(user: UserRecord, code: string, ctx: AuditContext): Promise<UserView> {
    const pending = await this.d.store.getTotpReplacement(user.id);
    if (!pending) throw new VaultgateError('STATE_CONFLICT', { detail: 'A TOTP authenticator is enrolled and confirmed already, and no replacement is pending: sign in with its codes, or replace it (POST /api/v1/me/totp {code}; vaultgate account totp replace <current code>).' });
    const secret = (await this.d.crypto.open(pending, totpAad(user.id), SYSTEM_OWNER)).toString('utf8');
    const step = totpStep(secret, code, this.d.clock.now());
    const ok = step !== null && (await this.d.store.confirmTotpReplacement(user.id, step, this.now(), this.d.audit.event(ctx, { action: 'user.totp-replace', subject: user.id })));
    if (!ok) {
      await this.d.audit.refusal(ctx, { action: 'user.totp-replace', subject: user.id, details: { code: 'TOTP_INVALID' } });
      throw totpInvalid(code);
    }
    return userView(await this.user(user.id));
  }
}
