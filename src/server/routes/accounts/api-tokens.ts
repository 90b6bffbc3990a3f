import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UserRecord } from '../../../store/index.js';
import type { Accounts } from '../../services/accounts/accounts.js';
import { listArgs, type ListQ } from '../admin.js';
import { errorResponses, idParams, listQuerySchema, pageOf } from '../schemas.js';
import type { Authenticated } from './principal.js';
import { roleSchema, sessionSecurity } from './schemas.js';

const ts = { type: 'string', format: 'date-time' } as const;
const tokenSchema = {
  type: 'object',
  required: ['id', 'userId', 'organisationId', 'role', 'name', 'createdAt', 'expiresAt', 'revokedAt'],
  properties: {
    id: { type: 'string' }, userId: { type: 'string' }, organisationId: { type: 'string' }, role: roleSchema, name: { type: 'string' },
    createdAt: ts, expiresAt: ts, revokedAt: { type: ['string', 'null'], format: 'date-time' },
    signInMethod: { type: 'string', enum: ['password', 'oidc'], description: 'How the session that made it was started: an organisation requiring TOTP holds the token as it holds that session.' },
  },
} as const;
const session = sessionSecurity;

/** Personal API tokens of the signed-in user under /api/v1/me/api-tokens (a session is needed, not a token). */
export function registerApiTokenRoutes(
  app: FastifyInstance,
  accounts: Accounts,
  signedIn: (req: FastifyRequest, reply: FastifyReply, allowWithoutTotp?: boolean) => Promise<Authenticated>,
  user: (a: Authenticated) => UserRecord,
): void {
  app.post('/me/api-tokens', {
    schema: {
      tags: ['accounts'], summary: 'Create a personal API token for one organisation and role (the token is shown once)', security: session,
      body: {
        type: 'object', additionalProperties: false, required: ['organisationId', 'role', 'name'],
        properties: {
          organisationId: { type: 'string', maxLength: 200 }, role: roleSchema, name: { type: 'string', minLength: 1, maxLength: 200 },
          expiresInDays: { type: 'integer', minimum: 1, maximum: 365, description: 'Default 90.' },
        },
      },
      response: {
        201: { ...tokenSchema, required: [...tokenSchema.required, 'token'], properties: { ...tokenSchema.properties, token: { type: 'string', description: 'vgp_…: send as Authorization: Bearer. Shown only here.' } } },
        ...errorResponses(400, 401, 403),
      },
    },
  }, async (req, reply) => {
    const a = await signedIn(req, reply);
    const u = user(a);
    reply.code(201);
    return accounts.apiTokens.create(u, a.principal.kind === 'user' ? a.principal.memberships : [], req.body as Parameters<Accounts['apiTokens']['create']>[2], a.session?.signInMethod ?? 'password', a.ctx);
  });
  app.get('/me/api-tokens', {
    schema: { tags: ['accounts'], summary: 'Your personal API tokens (never the tokens themselves)', security: session, querystring: listQuerySchema, response: { 200: pageOf(tokenSchema), ...errorResponses(400, 401, 403) } },
  }, async (req, reply) => accounts.apiTokens.list(user(await signedIn(req, reply)).id, listArgs(req.query as ListQ)));
  app.delete('/me/api-tokens/:tokenId', {
    schema: { tags: ['accounts'], summary: 'Revoke one of your personal API tokens', security: session, params: idParams('tokenId', 'pat_test_…'), response: { 204: { type: 'null' }, ...errorResponses(401, 403, 404) } },
  }, async (req, reply) => {
    const a = await signedIn(req, reply, true);
    await accounts.apiTokens.revoke(user(a).id, (req.params as { tokenId: string }).tokenId, a.ctx);
    reply.code(204);
  });
}
