import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { VaultgateError, type Clock } from '../../../protocol/index.js';
import type { SessionRecord, Store, UserRecord } from '../../../store/index.js';
import type { AuditContext, AuditTrail } from '../audit/audit-trail.js';

/*
 * Sessions in the database (issue 14; OWASP Session Management Cheat Sheet): a 256-bit random token goes to the
 * client (a cookie, or the CLI's profile); only its SHA-256 is stored, so a database copy holds no usable session.
 * A session ends after `idleS` without use (default 30 min) or `absoluteS` after sign-in (default 12 h), at sign-out,
 * or when its user signs out everywhere.
 *
 * CSRF: the token of a session is SHA-256("vaultgate-csrf\0" ‖ session token), sent in X-CSRF-Token with every
 * state-changing request made with the cookie. It can only be computed from the session token, which scripts on
 * other sites cannot read (HttpOnly cookie): OWASP's CSRF Prevention Cheat Sheet, "synchronizer token" bound to the
 * session, without server state.
 */

export interface SessionSettings {
  idleS: number;
  absoluteS: number;
}

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

/** The stored form of a session token. */
export const sessionTokenHash = (token: string): string => sha256(token);

/** The CSRF token that goes with a session token. */
export const csrfTokenFor = (sessionToken: string): string =>
  createHash('sha256').update(`vaultgate-csrf\0${sessionToken}`, 'utf8').digest('base64url');

/** Whether `given` is the CSRF token of the session (constant time). */
export function csrfMatches(sessionToken: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(csrfTokenFor(sessionToken));
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface StartedSession {
  token: string;
  csrfToken: string;
  expiresAt: string;
}

export class Sessions {
  constructor(private readonly d: { store: Store; clock: Clock; audit: AuditTrail } & SessionSettings) {}

  private iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  /**
   * Starts a session for a user who has just proved who they are; with `totpStep`, consumes it (false: replayed).
   * Recorded as `session.sign-in`.
   */
  async start(user: UserRecord, ctx: AuditContext, totpStep: number | undefined, method: SessionRecord['signInMethod']): Promise<StartedSession | null> {
    const token = randomBytes(32).toString('base64url');
    const now = this.d.clock.now();
    const s: SessionRecord = {
      tokenHash: sessionTokenHash(token), userId: user.id, createdAt: this.iso(now), lastSeenAt: this.iso(now),
      expiresAt: this.iso(now + this.d.absoluteS * 1000), revokedAt: null, clientAddress: ctx.clientAddress, signInMethod: method,
    };
    const event = this.d.audit.event(ctx, { action: 'session.sign-in', subject: user.id, details: { method, secondFactor: totpStep !== undefined } });
    if (!(await this.d.store.createSession(s, totpStep, event))) return null;
    return { token, csrfToken: csrfTokenFor(token), expiresAt: s.expiresAt };
  }

  /** The live session of a token and its (active) user; SESSION_REQUIRED otherwise. Moves the idle deadline on. */
  async resolve(token: string | undefined): Promise<{ session: SessionRecord; user: UserRecord }> {
    // The detail tells a token that is no session at all (a typo, another kind of token) from a session that ended,
    // and gives this deployment's timeouts rather than the defaults.
    const notASession = 'The token is not a session token of this deployment (nor the operator token or a vgp_… personal API token): send the sessionToken from sign-in.';
    if (!token) throw new VaultgateError('SESSION_REQUIRED', { detail: 'No session came with the request: send the session cookie or Authorization: Bearer <session token>.' });
    if (token.length > 100) throw new VaultgateError('SESSION_REQUIRED', { detail: notASession });
    const session = await this.d.store.getSession(sessionTokenHash(token));
    const now = this.d.clock.now();
    if (!session) throw new VaultgateError('SESSION_REQUIRED', { detail: notASession });
    if (session.revokedAt !== null) throw new VaultgateError('SESSION_REQUIRED', { detail: 'The session was signed out: sign in again.' });
    if (Date.parse(session.expiresAt) <= now) throw new VaultgateError('SESSION_REQUIRED', { detail: `The session reached its absolute lifetime of ${minutes(this.d.absoluteS)} (VAULTGATE_SESSION_ABSOLUTE_S): sign in again.` });
    if (Date.parse(session.lastSeenAt) + this.d.idleS * 1000 <= now) throw new VaultgateError('SESSION_REQUIRED', { detail: `The session was unused for more than ${minutes(this.d.idleS)} (VAULTGATE_SESSION_IDLE_S): sign in again.` });
    const user = await this.d.store.getUser(session.userId);
    if (!user || user.status !== 'active') throw new VaultgateError('SESSION_REQUIRED', { detail: 'The account is not active.' });
    // Written at most once a minute per session: the idle deadline needs no finer grain.
    if (now - Date.parse(session.lastSeenAt) >= 60_000) await this.d.store.touchSession(session.tokenHash, this.iso(now));
    return { session, user };
  }

  /** Signs one session out (`session.sign-out`). */
  async end(session: SessionRecord, ctx: AuditContext): Promise<void> {
    await this.d.store.revokeSession(session.tokenHash, this.iso(this.d.clock.now()),
      this.d.audit.event(ctx, { action: 'session.sign-out', subject: session.userId }));
  }

  /** Signs every session of a user out (`session.sign-out-everywhere`); returns how many were live. */
  async endAll(userId: string, ctx: AuditContext): Promise<number> {
    let ended = 0;
    const at = this.iso(this.d.clock.now());
    // The count is known only inside the transaction; the event says what was asked, the answer how many.
    ended = await this.d.store.revokeUserSessions(userId, at, this.d.audit.event(ctx, { action: 'session.sign-out-everywhere', subject: userId }));
    return ended;
  }
}

/** A timeout in words: whole minutes when it is (`30 minutes`), else seconds. */
function minutes(s: number): string {
  return s % 60 === 0 ? `${s / 60} minute${s === 60 ? '' : 's'}` : `${s} seconds`;
}
