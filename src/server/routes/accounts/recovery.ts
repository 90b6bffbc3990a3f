import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MembershipRole } from '../../../store/index.js';
import { authorizeOperator } from '../../services/accounts/accounts.js';
import type { Recovery } from '../../services/accounts/recovery.js';
import { auditContext } from '../audit.js';
import { errorResponses, idParams } from '../schemas.js';
import type { Authenticated } from './principal.js';
import { memberSecurity, operatorSecurity, userSchema } from './schemas.js';

/*
 * Recovery under /api/v1 (issue 14; services/accounts/recovery.ts has the rules): an operator resets a user's TOTP or
 * issues a password-reset link; an organisation's admin resets a member's TOTP; the person sets a new password with
 * the link. Replacing one's own authenticator is on /me/totp (index.ts).
 */

const ts = { type: 'string', format: 'date-time' } as const;
const nullTs = { type: ['string', 'null'], format: 'date-time' } as const;
const passwordResetSchema = {
  type: 'object', required: ['id', 'userId', 'issuedBy', 'createdAt', 'expiresAt', 'usedAt', 'revokedAt'],
  properties: { id: { type: 'string' }, userId: { type: 'string' }, issuedBy: { type: 'string' }, createdAt: ts, expiresAt: ts, usedAt: nullTs, revokedAt: nullTs },
} as const;
const userParams = idParams('userId', 'usr_test_…');
const memberParams = {
  type: 'object', required: ['organisationId', 'userId'],
  properties: { organisationId: { type: 'string', maxLength: 200 }, userId: { type: 'string', maxLength: 200 } },
} as const;

type OrgOf = (req: FastifyRequest, reply: FastifyReply, roles: readonly MembershipRole[]) => Promise<{ a: Authenticated; id: string }>;

export function registerRecoveryRoutes(
  app: FastifyInstance,
  recovery: Recovery,
  signedIn: (req: FastifyRequest, reply: FastifyReply) => Promise<Authenticated>,
  orgOf: OrgOf,
  /** The web portal's path (/portal/) when it is served: the mailed reset link opens its page. */
  portalPath?: string | undefined,
): void {
  app.delete('/admin/users/:userId/totp', {
    schema: {
      tags: ['accounts'], summary: "Reset a user's TOTP authenticator (operator): they sign in with the password and enrol again; their sessions end", security: operatorSecurity,
      params: userParams, response: { 200: userSchema, ...errorResponses(401, 403, 404, 409) },
    },
  }, async (req, reply) => {
    const a = await signedIn(req, reply);
    authorizeOperator(a.principal);
    return recovery.resetTotp((req.params as { userId: string }).userId, a.principal, a.ctx);
  });
  app.delete('/organisations/:organisationId/members/:userId/totp', {
    schema: {
      tags: ['accounts'], security: memberSecurity, params: memberParams, response: { 200: userSchema, ...errorResponses(401, 403, 404, 409) },
      summary: "Reset a member's TOTP authenticator (admin; not an operator's, nor an admin's of another organisation, nor your own); their sessions end",
    },
  }, async (req, reply) => {
    const { a, id } = await orgOf(req, reply, ['admin']);
    return recovery.resetTotp((req.params as { userId: string }).userId, a.principal, a.ctx, id);
  });
  app.post('/admin/users/:userId/password-reset', {
    schema: {
      tags: ['accounts'], summary: 'Issue a password-reset link (operator): mailed to the user, or returned once without SMTP; a newer link replaces the older', security: operatorSecurity,
      params: userParams,
      response: {
        201: {
          type: 'object', required: ['passwordReset', 'mailed'],
          properties: { passwordReset: passwordResetSchema, mailed: { type: 'boolean' }, link: { type: 'string', description: 'Only without SMTP: the link to pass on (shown once).' } },
        },
        ...errorResponses(401, 403, 404, 409, 503),
      },
    },
  }, async (req, reply) => {
    const a = await signedIn(req, reply);
    authorizeOperator(a.principal);
    reply.code(201);
    return recovery.issuePasswordReset((req.params as { userId: string }).userId, a.ctx);
  });
  app.post('/password-reset/:token', {
    schema: {
      tags: ['accounts'], summary: 'Set a new password with a reset link (once); every session of the user ends',
      params: idParams('token', 'vgr_… (from the reset link)'),
      body: { type: 'object', additionalProperties: false, required: ['password'], properties: { password: { type: 'string', minLength: 1, maxLength: 1024, description: 'At least 12 characters, not a common or breached password.' } } },
      response: { 200: { type: 'object', required: ['userId'], properties: { userId: { type: 'string' } } }, ...errorResponses(400, 404) },
    },
  }, async (req) => recovery.completePasswordReset((req.params as { token: string }).token, (req.body as { password: string }).password, auditContext(req, { kind: 'anonymous', id: '-' })));
  if (portalPath) {
    app.get('/password-reset/:token', {
      schema: {
        tags: ['accounts'], summary: 'Where a mailed reset link opens in a browser: redirects to the web portal\'s page for it (which posts the new password here)',
        params: idParams('token', 'vgr_… (from the reset link)'),
        response: { 302: { type: 'null', description: 'Location: /portal/password-reset/{token}' }, ...errorResponses(400) },
      },
    }, async (req, reply) => reply.code(302).header('location', `${portalPath}password-reset/${encodeURIComponent((req.params as { token: string }).token)}`).send());
  }
}
