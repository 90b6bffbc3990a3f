import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { VaultgateError, type AuditActor } from '../../protocol/index.js';
import type { AuthThrottle } from '../services/auth-throttle.js';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Resolves an operator user's session (bearer session token, or the session cookie with its CSRF token) to its actor,
 * or refuses it: ADMIN_UNAUTHORIZED (unknown or ended session), ACCOUNT_FORBIDDEN (not an operator, or a personal API
 * token), TOTP_REQUIRED (an operator who has not enrolled), CSRF_TOKEN_INVALID. routes/accounts/principal.ts makes one.
 */
export type OperatorUserResolver = (request: FastifyRequest, reply: FastifyReply) => Promise<AuditActor>;

/** Who an /admin/v1 request authenticated as, when it was an operator user rather than the admin token. */
const actors = new WeakMap<FastifyRequest, AuditActor>();

/** The operator user a request to /admin/v1 came from; undefined for the admin token (audit: `{kind:'operator'}`). */
export const adminActor = (request: FastifyRequest): AuditActor | undefined => actors.get(request);

/**
 * An onRequest hook that lets through the operator token (compared in constant time) and, with `operatorUser`, the
 * session of a platform operator who has enrolled TOTP (issue 14: operators do everything the admin token does).
 * Failures are throttled per client address (AUTHENTICATION_THROTTLED, 429). Every answer behind it (credential and
 * client creation show secrets once; the rest is operator data) is `Cache-Control: no-store` (RFC 9111 §5.2.2.5),
 * errors included.
 */
export function adminAuth(adminToken: string, throttle?: AuthThrottle, operatorUser?: OperatorUserResolver): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const expected = digest(adminToken);
  const check = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const h = request.headers.authorization;
    const m = h ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
    if (m && timingSafeEqual(digest(m[1]!), expected)) return;
    const cookie = operatorUser !== undefined && !m && /(?:^|;\s*)__Host-vaultgate-session=/.test(request.headers.cookie ?? '');
    if (!m && !cookie) {
      throw new VaultgateError('ADMIN_UNAUTHORIZED', {
        detail: h ? 'The Authorization header is not of the form "Bearer <token>".' : 'No credential was sent: send Authorization: Bearer <the admin token, or an operator user\'s session token>.',
      });
    }
    if (!operatorUser) throw new VaultgateError('ADMIN_UNAUTHORIZED');
    actors.set(request, await operatorUser(request, reply));
  };
  return async (request, reply) => {
    reply.header('cache-control', 'no-store');
    if (!throttle) return check(request, reply);
    await throttle.guard({ scheme: 'admin', credential: 'operator token', address: request.ip, requestId: request.id, perCredential: false }, () => check(request, reply));
  };
}
