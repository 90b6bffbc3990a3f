import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VaultgateError } from '../../../protocol/index.js';
import type { RegistrationRecord } from '../../../store/index.js';
import { authorize, authorizeOperator, type Accounts, type Principal } from '../../services/accounts/accounts.js';
import { auditContext } from '../audit.js';
import { listArgs, type ListQ } from '../admin.js';
import { errorResponses, idParams, listQuerySchema, pageOf } from '../schemas.js';
import { csrfTokenFor } from '../../services/accounts/sessions.js';
import { registerApiTokenRoutes } from './api-tokens.js';
import { registerSelfServiceRoutes, type SelfServiceRouteDeps } from './self-service.js';
import { registerIntegrityRoutes, type IntegrityRouteDeps } from './integrity.js';
import { registerPeopleRoutes } from './people.js';
import { registerGrantRoutes, type GrantRouteDeps } from '../sharing/grants.js';
import type { People } from '../../services/accounts/people.js';
import { registerOidcRoutes } from './oidc.js';
import { registerWebhookRoutes } from '../delivery/webhook-routes.js';
import type { WebhookEndpoints } from '../../services/delivery/webhook-endpoints.js';
import { registerRecoveryRoutes } from './recovery.js';
import { registerInsightRoutes } from '../insights/ingestion-insights.js';
import type { IngestionInsights } from '../../services/insights/ingestion-insights.js';
import { registerDirectoryRoutes } from './directory.js';
import type { Directory } from '../../services/directory.js';
import { registerFeedCheckpointRoutes } from '../delivery/feed-checkpoint-routes.js';
import type { FeedCheckpoints } from '../../services/delivery/feed-checkpoints.js';
import type { Recovery } from '../../services/accounts/recovery.js';
import type { OidcSignIn } from '../../services/accounts/oidc-sign-in.js';
import { principalResolver, SESSION_COOKIE, SESSION_COOKIE_OPTIONS, type Authenticated } from './principal.js';
import { memberSecurity, operatorSecurity, sessionSecurity } from './schemas.js';
import { languageSchema, meSchema, memberSchema, newUserProps, organisationSchema, registrationSchema, signedInSchema, userSchema } from './schemas.js';

/*
 * The accounts API under /api/v1 (issue 14): registration, the operator's decisions, sign-in and sign-out, the
 * signed-in user and TOTP, an organisation and its members. Every answer is `Cache-Control: no-store`. The web portal
 * will use exactly this API.
 */

export interface AccountRoutesOptions {
  accounts: Accounts;
  people: People;
  /** Password reset, TOTP reset and replacement (issue 14). */
  recovery: Recovery;
  adminToken: string;
  sessionAbsoluteS: number;
  /** Self-service of credentials, clients and channels (issue 14). */
  selfService?: SelfServiceRouteDeps | undefined;
  /** Signature keys and channels' Content-Digest rule (issue 17). */
  integrity?: IntegrityRouteDeps | undefined;
  /** Grants of vault data to other organisations (issue 15). */
  grants?: GrantRouteDeps | undefined;
  /** Webhook endpoints of organisations (issue 15). */
  webhooks?: WebhookEndpoints | undefined;
  /** Ingestion statistics and refusals (issue 16). */
  insights?: IngestionInsights | undefined;
  /** The directory of organisations (issue 16). */
  directory?: Directory | undefined;
  /** Feed checkpoints of organisations (issue 16). */
  feedCheckpoints?: FeedCheckpoints | undefined;
  /** Sign-in through external OpenID Connect providers, and the base URL its redirect URI is built on. */
  oidc: OidcSignIn;
  publicBaseUrl: () => string;
  /** The web portal's path (/portal/) when it is served: a browser's OpenID Connect sign-in lands there. */
  portalPath?: string | undefined;
}

const session = sessionSecurity;
const operator = operatorSecurity;
const member = memberSecurity;

export function accountRoutes(o: AccountRoutesOptions) {
  const { accounts } = o;
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(cookie);
    const resolve = principalResolver(accounts, o.adminToken);
    /**
     * The principal of a user route; a platform operator without TOTP, and a user whose organisation requires TOTP and
     * who has none, may only reach /me, /me/totp* and sign-out (TOTP_REQUIRED) — the latter unless the session was
     * started through an OpenID Connect provider, which authenticated the person under its own MFA policy
     * (docs/accounts.md). A personal API token carries the rule of its session kind: api-tokens.ts.
     */
    const signedIn = async (req: FastifyRequest, reply: FastifyReply, allowWithoutTotp = false): Promise<Authenticated> => {
      const a = await resolve(req, reply);
      if (!allowWithoutTotp && a.principal.kind === 'user') {
        const hold = await accounts.totpHold(a.principal.user, a.principal.memberships, a.signInMethod);
        if (hold) throw new VaultgateError('TOTP_REQUIRED', { detail: hold });
      }
      return a;
    };
    /** The signed-in user of an account route; a personal API token may not manage the account (only read /me). */
    const user = (a: Authenticated, allowApiToken = false) => {
      if (a.principal.kind !== 'user') throw new VaultgateError('SESSION_REQUIRED', { detail: 'This needs a signed-in user, not the operator token.' });
      if (a.via === 'api-token' && !allowApiToken) throw new VaultgateError('API_TOKEN_NOT_FOR_ACCOUNT');
      return a.principal.user;
    };
    registerApiTokenRoutes(app, accounts, signedIn, user);
    registerOidcRoutes(app, o);
    app.addHook('onRequest', async (_req, reply) => {
      reply.header('cache-control', 'no-store');
    });

    // --- registration (anyone) and the operator's decisions ---
    app.post('/registrations', {
      schema: {
        tags: ['accounts'], summary: 'Register an organisation (company, software vendor, or both) with its admin user',
        body: {
          type: 'object', additionalProperties: false, required: ['kind', 'organisationName', 'email', 'displayName', 'password'],
          properties: {
            kind: { type: 'string', enum: ['company', 'party', 'both'] }, organisationName: { type: 'string', minLength: 1, maxLength: 200 },
            businessId: { type: 'string', minLength: 1, maxLength: 32, description: 'Required for a company (or both): Finnish NNNNNNN-C.' }, ...newUserProps,
          },
        },
        response: { 201: registrationSchema, ...errorResponses(400, 409) },
      },
    }, async (req, reply) => {
      reply.code(201);
      return accounts.register(req.body as Parameters<Accounts['register']>[0], auditContext(req, { kind: 'anonymous', id: '-' }));
    });

    const regId = idParams('registrationId', 'reg_test_…');
    app.get('/admin/registrations', {
      schema: {
        tags: ['accounts'], summary: 'List registrations (operator)', security: operator,
        querystring: { ...listQuerySchema, properties: { ...listQuerySchema.properties, status: { type: 'string', enum: ['pending', 'approved', 'declined'] } } },
        response: { 200: pageOf(registrationSchema), ...errorResponses(400, 401, 403) },
      },
    }, async (req, reply) => {
      authorizeOperator((await signedIn(req, reply)).principal);
      const q = req.query as ListQ & { status?: RegistrationRecord['status'] };
      return accounts.listRegistrations({ ...listArgs(q), status: q.status });
    });
    for (const decision of ['approve', 'decline'] as const) {
      app.post(`/admin/registrations/:registrationId/${decision}`, {
        schema: {
          tags: ['accounts'], summary: `${decision === 'approve' ? 'Approve' : 'Decline'} a pending registration (operator)`, security: operator, params: regId,
          response: { 200: registrationSchema, ...errorResponses(401, 403, 404, 409) },
        },
      }, async (req, reply) => {
        const a = await signedIn(req, reply);
        authorizeOperator(a.principal);
        const id = (req.params as { registrationId: string }).registrationId;
        return decision === 'approve' ? accounts.approve(id, a.ctx) : accounts.decline(id, a.ctx);
      });
    }
    app.post('/admin/operators', {
      schema: {
        tags: ['accounts'], summary: 'Add a platform operator user (operator)', security: operator,
        body: { type: 'object', additionalProperties: false, required: ['email', 'displayName', 'password'], properties: newUserProps },
        response: { 201: userSchema, ...errorResponses(400, 401, 403, 409) },
      },
    }, async (req, reply) => {
      const a = await signedIn(req, reply);
      authorizeOperator(a.principal);
      reply.code(201);
      return accounts.createOperator(req.body as Parameters<Accounts['createOperator']>[0], a.ctx);
    });

    app.get('/admin/users', {
      schema: {
        tags: ['accounts'], summary: 'List users, oldest first (operator): ?email= finds one by address (case-insensitive), ?platformRole=operator the operators', security: operator,
        querystring: {
          ...listQuerySchema,
          properties: { ...listQuerySchema.properties, email: { type: 'string', minLength: 1, maxLength: 320 }, platformRole: { type: 'string', enum: ['operator'] } },
        },
        response: { 200: pageOf(userSchema), ...errorResponses(400, 401, 403) },
      },
    }, async (req, reply) => {
      authorizeOperator((await signedIn(req, reply)).principal);
      const q = req.query as ListQ & { email?: string; platformRole?: 'operator' };
      return accounts.listUsers({ ...listArgs(q), email: q.email, platformRole: q.platformRole });
    });

    // --- sign-in and sign-out ---
    app.post('/session', {
      schema: {
        tags: ['accounts'], summary: 'Sign in with email and password (and the TOTP code once enrolled)',
        body: {
          type: 'object', additionalProperties: false, required: ['email', 'password'],
          properties: {
            email: { type: 'string', minLength: 1, maxLength: 320 }, password: { type: 'string', minLength: 1, maxLength: 1024 },
            totp: { type: 'string', maxLength: 10 }, tokenInBody: { type: 'boolean', description: 'Return the session token in the body instead of a cookie (the CLI).' },
          },
        },
        response: { 201: signedInSchema, ...errorResponses(400, 401) },
      },
    }, async (req, reply) => {
      reply.header('cache-control', 'no-store');
      const b = req.body as { email: string; password: string; totp?: string; tokenInBody?: boolean };
      const { session: s, user: u } = await accounts.signIn(b, auditContext(req, { kind: 'anonymous', id: '-' }));
      reply.code(201);
      if (b.tokenInBody) return { user: u, csrfToken: s.csrfToken, expiresAt: s.expiresAt, sessionToken: s.token };
      reply.setCookie(SESSION_COOKIE, s.token, { ...SESSION_COOKIE_OPTIONS, maxAge: o.sessionAbsoluteS });
      return { user: u, csrfToken: s.csrfToken, expiresAt: s.expiresAt };
    });
    app.get('/session/csrf', {
      schema: {
        tags: ['accounts'], summary: "The session's CSRF token (for a page loaded after sign-in)", security: session,
        response: { 200: { type: 'object', required: ['csrfToken'], properties: { csrfToken: { type: 'string' } } }, ...errorResponses(401) },
      },
    }, async (req, reply) => {
      const a = await signedIn(req, reply, true);
      user(a);
      const token = req.cookies[SESSION_COOKIE] ?? /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
      return { csrfToken: csrfTokenFor(token) };
    });
    const clearCookie = (reply: FastifyReply) => reply.clearCookie(SESSION_COOKIE, SESSION_COOKIE_OPTIONS);
    app.delete('/session', {
      schema: { tags: ['accounts'], summary: 'Sign out this session', security: session, response: { 204: { type: 'null' }, ...errorResponses(401, 403) } },
    }, async (req, reply) => {
      const a = await signedIn(req, reply, true);
      user(a);
      if (!a.session) throw new VaultgateError('SESSION_REQUIRED', { detail: 'The operator token has no session to sign out.' });
      await accounts.sessions.end(a.session, a.ctx);
      clearCookie(reply);
      reply.code(204);
    });
    app.delete('/sessions', {
      schema: {
        tags: ['accounts'], summary: 'Sign out everywhere (every session of the user)', security: session,
        response: { 200: { type: 'object', required: ['signedOut'], properties: { signedOut: { type: 'integer' } } }, ...errorResponses(401, 403) },
      },
    }, async (req, reply) => {
      const a = await signedIn(req, reply, true);
      const signedOut = await accounts.sessions.endAll(user(a).id, a.ctx);
      clearCookie(reply);
      return { signedOut };
    });

    // --- the signed-in user ---
    app.get('/me', {
      schema: { tags: ['accounts'], summary: 'The signed-in user, their organisations and roles', security: session, response: { 200: meSchema, ...errorResponses(401) } },
    }, async (req, reply) => {
      const a = await signedIn(req, reply, true);
      const me = await accounts.me(user(a, true), { signInMethod: a.signInMethod });
      // A personal API token acts with the one membership it is scoped to, at its (capped) role: show that one.
      if (a.via !== 'api-token' || a.principal.kind !== 'user') return { ...me, via: a.via };
      const scoped = a.principal.memberships[0]!;
      return { ...me, via: a.via, memberships: me.memberships.filter((m) => m.organisationId === scoped.organisationId).map((m) => ({ ...m, role: scoped.role })) };
    });
    app.patch('/me', {
      schema: {
        tags: ['accounts'], summary: 'Change your own display name and/or language (of your mails and the web portal)', security: session,
        body: {
          type: 'object', additionalProperties: false, minProperties: 1,
          properties: { displayName: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' }, language: languageSchema },
        },
        response: { 200: userSchema, ...errorResponses(400, 401, 403) },
      },
    }, async (req, reply) => {
      const a = await signedIn(req, reply, true);
      return accounts.updateProfile(user(a), req.body as { displayName?: string; language?: 'en' | 'fi' | 'sv' }, a.ctx);
    });
    app.post('/me/totp', {
      schema: {
        tags: ['accounts'], security: session,
        summary: 'Start TOTP enrolment, or replace the enrolled authenticator (with {code}: a current code of it): the secret and otpauth:// URI, shown once',
        body: { type: ['object', 'null'], additionalProperties: false, properties: { code: { type: 'string', maxLength: 10, description: 'A current code of the enrolled authenticator (only to replace it).' } } },
        response: { 201: { type: 'object', required: ['secret', 'otpauthUri'], properties: { secret: { type: 'string' }, otpauthUri: { type: 'string' } } }, ...errorResponses(401, 403, 409, 429) },
      },
    }, async (req, reply) => {
      const a = await signedIn(req, reply, true);
      const u = user(a);
      const code = (req.body as { code?: string } | null | undefined)?.code;
      const started = u.totpConfirmedAt !== null ? await o.recovery.startReplacement(u, code, a.ctx) : await accounts.enrolTotp(u, a.ctx);
      reply.code(201);
      return started;
    });
    app.post('/me/totp/confirm', {
      schema: {
        tags: ['accounts'], summary: 'Confirm TOTP enrolment, or the replacement of the enrolled authenticator, with a current code of the new one', security: session,
        body: { type: 'object', additionalProperties: false, required: ['code'], properties: { code: { type: 'string', maxLength: 10 } } },
        response: { 200: userSchema, ...errorResponses(400, 401, 403, 409) },
      },
    }, async (req, reply) => {
      const a = await signedIn(req, reply, true);
      const u = user(a);
      const code = (req.body as { code: string }).code;
      // Enrolled already: the code confirms the pending replacement (recovery.ts).
      return u.totpConfirmedAt !== null ? o.recovery.confirmReplacement(u, code, a.ctx) : accounts.confirmTotp(u, code, a.ctx);
    });

    // --- organisations ---
    const orgId = idParams('organisationId', 'co_test_… or tp_test_…');
    const orgOf = async (req: FastifyRequest, reply: FastifyReply, roles: Parameters<typeof authorize>[2]): Promise<{ a: Authenticated; id: string }> => {
      const a = await signedIn(req, reply);
      const id = (req.params as { organisationId: string }).organisationId;
      authorize(a.principal as Principal, id, roles);
      return { a, id };
    };
    registerPeopleRoutes(app, o.people, signedIn, user, orgOf, o.portalPath);
    registerRecoveryRoutes(app, o.recovery, signedIn, orgOf, o.portalPath);
    if (o.selfService) registerSelfServiceRoutes(app, o.selfService, orgOf);
    if (o.integrity) registerIntegrityRoutes(app, o.integrity, orgOf);
    if (o.grants) registerGrantRoutes(app, o.grants, orgOf);
    if (o.webhooks) registerWebhookRoutes(app, o.webhooks, orgOf);
    if (o.insights) registerInsightRoutes(app, o.insights, orgOf, (req, reply) => signedIn(req, reply));
    if (o.directory) registerDirectoryRoutes(app, o.directory, signedIn, orgOf);
    if (o.feedCheckpoints) registerFeedCheckpointRoutes(app, o.feedCheckpoints, orgOf);
    app.get('/organisations/:organisationId', {
      schema: { tags: ['accounts'], summary: 'An organisation (its members and operators)', security: member, params: orgId, response: { 200: organisationSchema, ...errorResponses(401, 403, 404) } },
    }, async (req, reply) => accounts.organisation((await orgOf(req, reply, ['admin', 'member', 'viewer'])).id));
    app.get('/organisations/:organisationId/members', {
      schema: {
        tags: ['accounts'], summary: "An organisation's members and their roles", security: member, params: orgId, querystring: listQuerySchema,
        response: { 200: pageOf(memberSchema), ...errorResponses(400, 401, 403) },
      },
    }, async (req, reply) => accounts.listMembers((await orgOf(req, reply, ['admin', 'member', 'viewer'])).id, listArgs(req.query as ListQ)));
    app.put('/organisations/:organisationId/require-totp', {
      schema: {
        tags: ['accounts'], summary: 'Require (or stop requiring) a TOTP second factor of the members (admin)', security: member, params: orgId,
        body: { type: 'object', additionalProperties: false, required: ['required'], properties: { required: { type: 'boolean' } } },
        response: { 200: organisationSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    }, async (req, reply) => {
      const { a, id } = await orgOf(req, reply, ['admin']);
      return accounts.setRequireTotp(id, (req.body as { required: boolean }).required, a.ctx, { principal: a.principal, signInMethod: a.signInMethod });
    });
  };
}
