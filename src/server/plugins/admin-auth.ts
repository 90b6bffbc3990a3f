import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { VaultgateError } from '../../protocol/index.js';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** An onRequest hook that lets only the operator token through; compared in constant time. */
export function adminAuth(adminToken: string): (request: FastifyRequest) => Promise<void> {
  const expected = digest(adminToken);
  return async (request) => {
    const h = request.headers.authorization;
    const m = h ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
    if (!m || !timingSafeEqual(digest(m[1]!), expected)) throw new VaultgateError('ADMIN_UNAUTHORIZED');
  };
}
