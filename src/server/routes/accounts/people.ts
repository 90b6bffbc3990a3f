import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VaultgateError } from '../../../protocol/index.js';
import type { AccountLanguage, MembershipRole, UserRecord } from '../../../store/index.js';
import { authorizeOperator, type Principal } from '../../services/accounts/accounts.js';
import type { People } from '../../services/accounts/people.js';
import { auditContext } from '../audit.js';
import { listArgs, type ListQ } from '../admin.js';
import { errorResponses, idParams, listQuerySchema, pageOf } from '../schemas.js';
import { SESSION_COOKIE, type Authenticated } from './principal.js';
import { languageSchema, memberSecurity, operatorSecurity, organisationSchema, roleSchema } from './schemas.js';

/*
 * People of an organisation under /api/v1 (issue 14): invitations by email link (admin), accepting one (anyone with
 * the link; signed in for an existing user), changing roles and removing members (admin), suspending and reinstating
 * an organisation (operator).
 */

const ts = { type: 'string', format: 'date-time' } as const;
const nullTs = { type: ['string', 'null'], format: 'date-time' } as const;
const invitationSchema = {
  type: 'object',
  required: ['id', 'organisationId', 'email', 'role', 'language', 'invitedBy', 'createdAt', 'expiresAt', 'acceptedAt', 'acceptedBy', 'revokedAt'],
  properties: {
    id: { type: 'string' }, organisationId: { type: 'string' }, email: { type: 'string' }, role: roleSchema, language: languageSchema,
    invitedBy: { type: 'string' }, createdAt: ts, expiresAt: ts, acceptedAt: nullTs, acceptedBy: { type: ['string', 'null'] }, revokedAt: nullTs,
  },
} as const;
const membershipResult = {
  type: 'object', required: ['userId', 'organisationId', 'role'],
  properties: { userId: { type: 'string' }, organisationId: { type: 'string' }, role: roleSchema },
} as const;
const tokenParams = idParams('token', 'vgi_… (from the invitation link)');

const twoIds = (second: string): object => ({
  type: 'object', required: ['organisationId', second],
  properties: { organisationId: { type: 'string', maxLength: 200 }, [second]: { type: 'string', maxLength: 200 } },
});

type OrgOf = (req: FastifyRequest, reply: FastifyReply, roles: readonly MembershipRole[]) => Promise<{ a: Authenticated; id: string }>;

export function registerPeopleRoutes(
  app: FastifyInstance,
  people: People,
  signedIn: (req: FastifyRequest, reply: FastifyReply, allowWithoutTotp?: boolean) => Promise<Authenticated>,
  user: (a: Authenticated) => UserRecord,
  orgOf: OrgOf,
  /** The web portal's path (/portal/) when it is served: a browser opening an invitation link is sent to its page. */
  portalPath?: string | undefined,
): void {
  const orgParams = idParams('organisationId', 'co_test_… or tp_test_…');
  app.post('/organisations/:organisationId/invitations', {
    schema: {
      tags: ['accounts'], summary: 'Invite a person by email with a role (admin); the link is mailed, or returned once without SMTP', security: memberSecurity, params: orgParams,
      body: {
        type: 'object', additionalProperties: false, required: ['email', 'role'],
        properties: { email: { type: 'string', minLength: 3, maxLength: 320 }, role: roleSchema, language: { ...languageSchema, description: "The mail's language; default: the inviter's." } },
      },
      response: {
        201: {
          type: 'object', required: ['invitation', 'mailed'],
          properties: { invitation: invitationSchema, mailed: { type: 'boolean' }, link: { type: 'string', description: 'Only without SMTP: the link to pass on (shown once).' } },
        },
        ...errorResponses(400, 401, 403, 404, 503),
      },
    },
  }, async (req, reply) => {
    const { a, id } = await orgOf(req, reply, ['admin']);
    reply.code(201);
    const inviter = a.principal.kind === 'user' ? a.principal.user : null;
    return people.invite(id, req.body as { email: string; role: MembershipRole; language?: AccountLanguage }, inviter, a.ctx);
  });
  app.get('/organisations/:organisationId/invitations', {
    schema: {
      tags: ['accounts'], summary: "An organisation's invitations (admin; never the links)", security: memberSecurity, params: orgParams, querystring: listQuerySchema,
      response: { 200: pageOf(invitationSchema), ...errorResponses(400, 401, 403) },
    },
  }, async (req, reply) => people.listInvitations((await orgOf(req, reply, ['admin'])).id, listArgs(req.query as ListQ)));
  app.delete('/organisations/:organisationId/invitations/:invitationId', {
    schema: {
      tags: ['accounts'], summary: 'Revoke an open invitation (admin)', security: memberSecurity,
      params: twoIds('invitationId'),
      response: { 204: { type: 'null' }, ...errorResponses(401, 403, 404) },
    },
  }, async (req, reply) => {
    const { a, id } = await orgOf(req, reply, ['admin']);
    await people.revokeInvitation(id, (req.params as { invitationId: string }).invitationId, a.ctx);
    reply.code(204);
  });

  app.get('/invitations/:token', {
    schema: {
      tags: ['accounts'], summary: 'What an invitation link invites to (anyone with the link)', params: tokenParams,
      response: {
        200: { type: 'object', required: ['invitation', 'organisationName', 'existingUser'], properties: { invitation: invitationSchema, organisationName: { type: 'string' }, existingUser: { type: 'boolean' } } },
        302: { type: 'null', description: 'A browser (Accept: text/html) when the web portal is served: Location is the portal page of the link.' },
        ...errorResponses(404),
      },
    },
  }, async (req, reply) => {
    const token = (req.params as { token: string }).token;
    // The mailed link points here: a person opening it in a browser gets the portal's page for it, not JSON.
    if (portalPath && /\btext\/html\b/.test(req.headers.accept ?? '')) return reply.code(302).header('location', `${portalPath}invitations/${encodeURIComponent(token)}`).send();
    return people.describe(token);
  });
  app.post('/invitations/:token/accept', {
    schema: {
      tags: ['accounts'], summary: 'Accept an invitation: as a new user (displayName, password), or signed in as the invited user', params: tokenParams,
      body: {
        type: 'object', additionalProperties: false,
        properties: { displayName: { type: 'string', minLength: 1, maxLength: 200 }, password: { type: 'string', minLength: 1, maxLength: 1024 }, language: languageSchema },
      },
      response: { 201: membershipResult, ...errorResponses(400, 401, 403, 404, 409) },
    },
  }, async (req, reply) => {
    const token = (req.params as { token: string }).token;
    const b = (req.body ?? {}) as { displayName?: string; password?: string; language?: AccountLanguage };
    let result;
    if (req.headers.authorization || req.cookies[SESSION_COOKIE]) {
      const a = await signedIn(req, reply, true);
      result = await people.accept(token, { user: user(a) }, a.ctx);
    } else {
      if (!b.displayName || !b.password) throw new VaultgateError('INVALID_REQUEST', { detail: 'A new user gives displayName and password (an existing user signs in first).' });
      result = await people.accept(token, { newUser: { displayName: b.displayName, password: b.password, language: b.language } }, auditContext(req, { kind: 'anonymous', id: '-' }));
    }
    reply.code(201);
    return result;
  });

  const memberParams = twoIds('userId');
  app.put('/organisations/:organisationId/members/:userId', {
    schema: {
      tags: ['accounts'], summary: "Change a member's role (admin; never the last admin away from admin)", security: memberSecurity, params: memberParams,
      body: { type: 'object', additionalProperties: false, required: ['role'], properties: { role: roleSchema } },
      response: { 200: membershipResult, ...errorResponses(400, 401, 403, 404, 409) },
    },
  }, async (req, reply) => {
    const { a, id } = await orgOf(req, reply, ['admin']);
    return people.setRole(id, (req.params as { userId: string }).userId, (req.body as { role: MembershipRole }).role, a.ctx);
  });
  app.delete('/organisations/:organisationId/members/:userId', {
    schema: {
      tags: ['accounts'], summary: 'Remove a member (admin; not the last admin)', security: memberSecurity, params: memberParams,
      response: { 204: { type: 'null' }, ...errorResponses(401, 403, 404, 409) },
    },
  }, async (req, reply) => {
    const { a, id } = await orgOf(req, reply, ['admin']);
    await people.remove(id, (req.params as { userId: string }).userId, a.ctx);
    reply.code(204);
  });

  app.get('/admin/organisations', {
    schema: {
      tags: ['accounts'], summary: 'List organisations, oldest first (operator); ?status=active or suspended', security: operatorSecurity,
      querystring: { ...listQuerySchema, properties: { ...listQuerySchema.properties, status: { type: 'string', enum: ['active', 'suspended'] } } },
      response: { 200: pageOf(organisationSchema), ...errorResponses(400, 401, 403) },
    },
  }, async (req, reply) => {
    authorizeOperator((await signedIn(req, reply)).principal as Principal);
    const q = req.query as ListQ & { status?: 'active' | 'suspended' };
    return people.listOrganisations({ ...listArgs(q), status: q.status });
  });
  for (const action of ['suspend', 'reinstate'] as const) {
    app.post(`/admin/organisations/:organisationId/${action}`, {
      schema: {
        tags: ['accounts'], security: operatorSecurity, params: orgParams,
        summary: action === 'suspend' ? 'Suspend an organisation (operator): all its credentials, clients, tokens and sessions stop at the next request' : 'Reinstate a suspended organisation (operator)',
        response: { 200: organisationSchema, ...errorResponses(401, 403, 404, 409) },
      },
    }, async (req, reply) => {
      const a = await signedIn(req, reply);
      authorizeOperator(a.principal as Principal);
      return people.setStatus((req.params as { organisationId: string }).organisationId, action === 'suspend' ? 'suspended' : 'active', a.ctx);
    });
  }
}
