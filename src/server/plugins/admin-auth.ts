import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { VaultgateError } from '../../protocol/index.js';
import type { AuthThrottle } from '../services/auth-throttle.js';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * An onRequest hook that lets only the operator token through; compared in constant time. Failures are throttled per
 * client address (AUTHENTICATION_THROTTLED, 429). Every answer behind it (credential and client creation show
 * secrets once; the rest is operator data) is `Cache-Control: no-store` (RFC 9111 §5.2.2.5), errors included.
 */
export function adminAuth(adminToken: string, throttle?: AuthThrottle): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const expected = digest(adminToken);
  const check = async (h: string | undefined): Promise<void> => {
    const m = h ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
    if (!m || !timingSafeEqual(digest(m[1]!), expected)) throw new VaultgateError('ADMIN_UNAUTHORIZED');
  };
  return async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const h = request.headers.authorization;
    if (!throttle) return check(h);
    await throttle.guard({ scheme: 'admin', credential: 'operator token', address: request.ip, requestId: request.id, perCredential: false }, () => check(h));
  };
}
