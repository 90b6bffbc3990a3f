import type { FastifyInstance } from 'fastify';
import { OIDC_FLOW_TTL_S, type OidcSignIn } from '../../services/accounts/oidc-sign-in.js';
import { auditContext } from '../audit.js';
import { errorResponses } from '../schemas.js';
import { SESSION_COOKIE } from './principal.js';
import { signedInSchema } from './schemas.js';

/*
 * Sign-in through an external OpenID Connect provider (issue 14; services/accounts/oidc-sign-in.ts has the rules):
 * GET /session/oidc redirects the browser to the provider with a sealed flow cookie; the provider redirects back to
 * GET /session/oidc/callback, which sets the session cookie exactly as POST /session does.
 *
 * The flow cookie is SameSite=Lax, not Strict: it must come back on the provider's top-level redirect, which is a
 * cross-site navigation (a Strict cookie would not be sent). It holds no session, only what the callback checks.
 */

export const OIDC_FLOW_COOKIE = '__Host-vaultgate-oidc';
export const OIDC_CALLBACK_PATH = '/api/v1/session/oidc/callback';

export function registerOidcRoutes(app: FastifyInstance, o: {
  oidc: OidcSignIn; publicBaseUrl: () => string; secureCookies: boolean; sessionAbsoluteS: number;
}): void {
  const redirectUri = (): string => `${o.publicBaseUrl()}${OIDC_CALLBACK_PATH}`;
  const flowCookie = { path: '/', httpOnly: true, secure: o.secureCookies, sameSite: 'lax' } as const;

  app.get('/session/oidc', {
    schema: {
      tags: ['accounts'], summary: 'Start signing in through the OpenID Connect provider of an email domain (or one named): redirects to the provider',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          email: { type: 'string', minLength: 3, maxLength: 320, description: 'Its domain chooses the provider; sent on as login_hint.' },
          provider: { type: 'string', minLength: 1, maxLength: 40, description: 'A provider id from VAULTGATE_OIDC_SIGNIN_PROVIDERS.' },
        },
      },
      response: { 302: { type: 'null', description: 'Location: the provider\'s authorization endpoint; Set-Cookie: the sealed flow (10 min).' }, ...errorResponses(400, 503) },
    },
  }, async (req, reply) => {
    const started = await o.oidc.start(req.query as { email?: string; provider?: string }, redirectUri());
    reply.setCookie(OIDC_FLOW_COOKIE, started.flow, { ...flowCookie, maxAge: OIDC_FLOW_TTL_S });
    return reply.code(302).header('location', started.url).send();
  });

  app.get('/session/oidc/callback', {
    schema: {
      tags: ['accounts'], summary: 'Where the provider sends the browser back: signs in (session cookie as POST /session sets it; no TOTP code is asked)',
      querystring: { type: 'object', additionalProperties: true, properties: { code: { type: 'string' }, state: { type: 'string' }, error: { type: 'string' } } },
      response: { 200: signedInSchema, ...errorResponses(400, 401, 403, 429, 503) },
    },
  }, async (req, reply) => {
    reply.header('cache-control', 'no-store');
    // One try per started flow, whatever its outcome.
    reply.clearCookie(OIDC_FLOW_COOKIE, flowCookie);
    const callbackUrl = new URL(req.url, o.publicBaseUrl());
    const { session: s, user } = await o.oidc.finish(callbackUrl, req.cookies[OIDC_FLOW_COOKIE], auditContext(req, { kind: 'anonymous', id: '-' }));
    reply.setCookie(SESSION_COOKIE, s.token, { path: '/', httpOnly: true, secure: o.secureCookies, sameSite: 'strict', maxAge: o.sessionAbsoluteS });
    return { user, csrfToken: s.csrfToken, expiresAt: s.expiresAt };
  });
}
