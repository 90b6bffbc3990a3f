import { createHash, timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { VaultgateError } from '../../../protocol/index.js';
import type { MembershipRecord, SessionRecord } from '../../../store/index.js';
import type { Accounts, Principal } from '../../services/accounts/accounts.js';
import { API_TOKEN_PREFIX } from '../../services/accounts/api-tokens.js';
import { csrfMatches } from '../../services/accounts/sessions.js';
import type { AuditContext } from '../../services/audit/audit-trail.js';
import { auditContext } from '../audit.js';

/*
 * Who a request to /api/v1 comes from (issue 14), in this order:
 * - `Authorization: Bearer <operator token>`: the operator (automation and first start);
 * - `Authorization: Bearer vgp_…`: a personal API token, acting as its user with the one membership (organisation
 *   and role) it is scoped to, never as an operator;
 * - `Authorization: Bearer <session token>`: a session the CLI keeps in its profile (no cookie, so no CSRF risk);
 * - the cookie `__Host-vaultgate-session`: a browser session. Its state-changing requests (POST, PUT, PATCH,
 *   DELETE) must carry X-CSRF-Token (sessions.ts says how it is bound to the session), and a browser's Fetch Metadata
 *   saying the request is cross-site is refused outright (OWASP CSRF Prevention Cheat Sheet, defence in depth).
 */

export const SESSION_COOKIE = '__Host-vaultgate-session';
/**
 * The session cookie's attributes, wherever it is set or cleared. Always `Secure`: a `__Host-` cookie without it is
 * refused by browsers and cookie jars (RFC 6265bis §4.1.3.2), and they keep a Secure cookie from http://localhost.
 */
export const SESSION_COOKIE_OPTIONS = { path: '/', httpOnly: true, secure: true, sameSite: 'strict' } as const;
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export interface Authenticated {
  principal: Principal;
  /** The session, when the request came with one. */
  session: SessionRecord | null;
  /** How the request authenticated: a session (cookie or bearer), a personal API token, or the operator token. */
  via: 'session' | 'api-token' | 'operator-token';
  /**
   * How the session was started — for a personal API token, the session that made it (the TOTP requirement of an
   * organisation holds both alike); undefined for the operator token.
   */
  signInMethod: SessionRecord['signInMethod'] | undefined;
  ctx: AuditContext;
}

/** The organisations of these memberships that an operator suspended, id → name (authorize() refuses them: ORGANISATION_SUSPENDED). */
async function suspendedOf(accounts: Accounts, memberships: readonly MembershipRecord[]): Promise<ReadonlyMap<string, string>> {
  const orgs = await Promise.all(memberships.map((m) => accounts.organisation(m.organisationId).catch(() => undefined)));
  return new Map(orgs.filter((o) => o?.status === 'suspended').map((o) => [o!.id, o!.name]));
}

export function principalResolver(accounts: Accounts, adminToken: string) {
  const expected = digest(adminToken);
  /** The principal of a request, or SESSION_REQUIRED / CSRF_TOKEN_INVALID. */
  return async (req: FastifyRequest, reply: FastifyReply): Promise<Authenticated> => {
    reply.header('cache-control', 'no-store');
    const h = req.headers.authorization;
    const bearer = h ? /^Bearer\s+(\S+)\s*$/i.exec(h)?.[1] : undefined;
    if (bearer && timingSafeEqual(digest(bearer), expected)) {
      return { principal: { kind: 'operator-token' }, session: null, via: 'operator-token', signInMethod: undefined, ctx: auditContext(req, { kind: 'operator', id: 'operator' }) };
    }
    if (bearer?.startsWith(API_TOKEN_PREFIX)) {
      const { user, membership, token: t } = await accounts.apiTokens.resolve(bearer);
      return {
        principal: { kind: 'user', user: { ...user, platformRole: null }, memberships: [membership], suspended: await suspendedOf(accounts, [membership]) }, session: null, via: 'api-token',
        signInMethod: t.signInMethod,
        ctx: auditContext(req, { kind: 'user', id: user.id })
      };
    }
    let token = bearer;
    if (!token) {
      token = req.cookies[SESSION_COOKIE];
      if (token && UNSAFE.has(req.method)) {
        const site = req.headers['sec-fetch-site'];
        const header = req.headers['x-csrf-token'];
        if (site === 'cross-site' || !csrfMatches(token, typeof header === 'string' ? header : undefined)) {
          throw new VaultgateError('CSRF_TOKEN_INVALID', { detail: site === 'cross-site' ? 'A cross-site request may not change anything.' : 'X-CSRF-Token is missing or does not match the session.' });
        }
      }
    }
    const { session, user } = await accounts.sessions.resolve(token);
    const memberships = await accounts.memberships(user.id);
    return { principal: { kind: 'user', user, memberships, suspended: await suspendedOf(accounts, memberships) }, session, via: 'session', signInMethod: session.signInMethod, ctx: auditContext(req, { kind: 'user', id: user.id }) };
  };
}

/**
 * The /admin/v1 gate for operator users (plugins/admin-auth.ts): a session (bearer session token, or the cookie with
 * its CSRF token) of a user with the platform operator role who has enrolled TOTP. An unknown or ended session is
 * ADMIN_UNAUTHORIZED (its detail says which); a personal API token (scoped to one organisation) or a user who is not an
 * operator is ACCOUNT_FORBIDDEN; an operator without TOTP is TOTP_REQUIRED (the hold of /api/v1).
 */
export function operatorUserResolver(accounts: Accounts, adminToken: string) {
  const resolve = principalResolver(accounts, adminToken);
  return async (req: FastifyRequest, reply: FastifyReply): Promise<AuditContext['actor']> => {
    let a: Authenticated;
    try {
      a = await resolve(req, reply);
    } catch (err) {
      if (err instanceof VaultgateError && (err.code === 'SESSION_REQUIRED' || err.code === 'API_TOKEN_INVALID')) {
        throw new VaultgateError('ADMIN_UNAUTHORIZED', err.detail ? { detail: err.detail } : {});
      }
      throw err;
    }
    if (a.via === 'api-token') {
      throw new VaultgateError('ACCOUNT_FORBIDDEN', { detail: 'A personal API token acts in its one organisation and never as an operator: use an operator\'s session or the admin token on /admin/v1.' });
    }
    if (a.principal.kind !== 'user' || a.principal.user.platformRole !== 'operator') throw new VaultgateError('ACCOUNT_FORBIDDEN', { detail: 'Only a platform operator may use /admin/v1: sign in as an operator user (vaultgate admin --profile <their profile>), or use the admin token.' });
    const hold = await accounts.totpHold(a.principal.user, a.principal.memberships, a.signInMethod);
    if (hold) throw new VaultgateError('TOTP_REQUIRED', { detail: hold });
    return a.ctx.actor;
  };
}
