import type { FastifyInstance } from 'fastify';
import { OIDC_FLOW_TTL_S, type OidcSignIn } from '../../services/accounts/oidc-sign-in.js';
import { auditContext } from '../audit.js';
import { errorResponses } from '../schemas.js';
import { SESSION_COOKIE, SESSION_COOKIE_OPTIONS } from './principal.js';
import { csrfTokenFor } from '../../services/accounts/sessions.js';
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
  oidc: OidcSignIn; publicBaseUrl: () => string; sessionAbsoluteS: number; portalPath?: string | undefined;
}): void {
  const redirectUri = (): string => `${o.publicBaseUrl()}${OIDC_CALLBACK_PATH}`;
  const flowCookie = { ...SESSION_COOKIE_OPTIONS, sameSite: 'lax' } as const;

  app.get('/session/oidc', {
    schema: {
      tags: ['accounts'], summary: 'Start signing in through the OpenID Connect provider of an email domain (or one named): redirects to the provider',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          email: { type: 'string', minLength: 3, maxLength: 320, description: 'Its domain chooses the provider; sent on as login_hint.' },
          provider: { type: 'string', minLength: 1, maxLength: 40, description: 'A provider id from VAULTGATE_OIDC_SIGNIN_PROVIDERS.' },
          cliRedirect: { type: 'string', maxLength: 200, description: "The CLI's loopback redirect (RFC 8252 §7.3): http://127.0.0.1:<port>/<path>; the callback then sends the browser there with a handoff instead of setting a cookie." },
          cliChallenge: { type: 'string', maxLength: 43, description: 'With cliRedirect: base64url SHA-256 of the verifier the CLI later sends to POST /api/v1/session/oidc/handoff.' },
        },
      },
      response: { 302: { type: 'null', description: 'Location: the provider\'s authorization endpoint; Set-Cookie: the sealed flow (10 min).' }, ...errorResponses(400, 503) },
    },
  }, async (req, reply) => {
    const started = await o.oidc.start(req.query as Parameters<OidcSignIn['start']>[0], redirectUri());
    reply.setCookie(OIDC_FLOW_COOKIE, started.flow, { ...flowCookie, maxAge: OIDC_FLOW_TTL_S });
    return reply.code(302).header('location', started.url).send();
  });

  app.get('/session/oidc/callback', {
    schema: {
      tags: ['accounts'], summary: 'Where the provider sends the browser back: signs in (session cookie as POST /session sets it; no TOTP code is asked)',
      querystring: { type: 'object', additionalProperties: true, properties: { code: { type: 'string' }, state: { type: 'string' }, error: { type: 'string' } } },
      response: {
        200: signedInSchema,
        302: { type: 'null', description: "A sign-in the CLI started: Location is its loopback redirect with the handoff. A browser (Accept: text/html) when the web portal is served: Location is /portal/, signed in." },
        ...errorResponses(400, 401, 403, 429, 503),
      },
    },
  }, async (req, reply) => {
    reply.header('cache-control', 'no-store');
    // One try per started flow, whatever its outcome.
    reply.clearCookie(OIDC_FLOW_COOKIE, flowCookie);
    const callbackUrl = new URL(req.url, o.publicBaseUrl());
    const { session: s, user, cli } = await o.oidc.finish(callbackUrl, req.cookies[OIDC_FLOW_COOKIE], auditContext(req, { kind: 'anonymous', id: '-' }));
    if (cli) {
      const to = new URL(cli.redirect);
      to.searchParams.set('handoff', cli.handoff);
      return reply.code(302).header('location', to.href).send();
    }
    reply.setCookie(SESSION_COOKIE, s.token, { ...SESSION_COOKIE_OPTIONS, maxAge: o.sessionAbsoluteS });
    // A browser navigating (Accept: text/html, as the provider's redirect is) lands in the web portal, signed in;
    // an API client keeps the JSON answer. The portal fetches its CSRF token from GET /session/csrf.
    if (o.portalPath && /\btext\/html\b/.test(req.headers.accept ?? '')) return reply.code(302).header('location', o.portalPath).send();
    return { user, csrfToken: s.csrfToken, expiresAt: s.expiresAt };
  });

  app.post('/session/oidc/handoff', {
    schema: {
      tags: ['accounts'], summary: 'The CLI collects the session of a sign-in it started with a loopback redirect (handoff + its verifier)',
      body: {
        type: 'object', additionalProperties: false, required: ['handoff', 'verifier'],
        properties: { handoff: { type: 'string', minLength: 1, maxLength: 2000 }, verifier: { type: 'string', minLength: 43, maxLength: 128 } },
      },
      response: { 200: signedInSchema, ...errorResponses(400) },
    },
  }, async (req, reply) => {
    reply.header('cache-control', 'no-store');
    const b = req.body as { handoff: string; verifier: string };
    const { token, user, expiresAt } = await o.oidc.collect(b.handoff, b.verifier, auditContext(req, { kind: 'anonymous', id: '-' }));
    return { user, csrfToken: csrfTokenFor(token), expiresAt, sessionToken: token };
  });
}
