import type { FastifyInstance } from 'fastify';
import type { OAuthOwnerKind, Role } from '../../store/index.js';
import cookie from '@fastify/cookie';
import { adminAuth, type OperatorUserResolver } from '../plugins/admin-auth.js';
import type { OAuthClients } from '../services/oauth-clients.js';
import { operatorContext } from './audit.js';
import type { AuthThrottle } from '../services/auth-throttle.js';
import type { SigningKeys } from '../services/signing-keys.js';
import { listArgs, type ListQ } from './admin.js';
import { environmentSchema, errorResponses, idParams, listQuerySchema, pageOf, roleSchema } from './schemas.js';

/** The admin token, or an operator user's session (cookie with X-CSRF-Token, or bearer session token). */
const security: Record<string, string[]>[] = [{ adminToken: [] }, { sessionCookie: [] }, { sessionToken: [] }];
const ts = { type: 'string', format: 'date-time' } as const;
const tsOrNull = { type: ['string', 'null'], format: 'date-time' } as const;
const roles = { type: 'array', minItems: 1, uniqueItems: true, items: roleSchema, description: 'Party clients: ["ingest"] (default), shared.read (a vendor-only organisation reading what is shared with it); company clients: ["vault.read"] (default), shared.read (reading other owners\' vaults within the organisation\'s active grants).' } as const;

export const clientSchema = {
  type: 'object', required: ['clientId', 'ownerKind', 'ownerId', 'roles', 'authMethod', 'status'],
  properties: {
    clientId: { type: 'string' }, ownerKind: { type: 'string', enum: ['party', 'company'] }, ownerId: { type: 'string' }, name: { type: 'string' },
    roles: { type: 'array', items: roleSchema }, authMethod: { type: 'string', enum: ['client_secret', 'private_key_jwt'] },
    publicJwk: { type: 'object', additionalProperties: true }, status: { type: 'string' }, createdAt: ts, disabledAt: tsOrNull,
    environment: environmentSchema, tokenEndpoint: { type: 'string' },
  },
} as const;
export const newClientSchema = {
  ...clientSchema,
  properties: { ...clientSchema.properties, clientSecret: { type: 'string', description: 'Shown once; only its hash is stored.' } },
} as const;
const linkSchema = {
  type: 'object', required: ['id', 'issuer', 'clientId', 'ownerKind', 'ownerId', 'roles', 'status'],
  properties: {
    id: { type: 'string' }, issuer: { type: 'string' }, clientId: { type: 'string' }, ownerKind: { type: 'string' }, ownerId: { type: 'string' },
    roles: { type: 'array', items: roleSchema }, status: { type: 'string' }, createdAt: ts, disabledAt: tsOrNull, environment: environmentSchema,
  },
} as const;
const keySchema = {
  type: 'object', properties: { kid: { type: 'string' }, alg: { type: 'string' }, createdAt: ts, retiredAt: tsOrNull, publishUntil: tsOrNull, current: { type: 'boolean' } },
} as const;

/** OAuth clients, links of external clients and the built-in issuer's signing keys, under /admin/v1. */
export function adminOAuthRoutes(d: { clients: OAuthClients; signingKeys: SigningKeys; throttle?: AuthThrottle; operatorUser?: OperatorUserResolver }, adminToken: string) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(cookie);
    app.addHook('onRequest', adminAuth(adminToken, d.throttle, d.operatorUser));
    const owners: { kind: OAuthOwnerKind; path: string; param: string; example: string }[] = [
      { kind: 'party', path: 'parties', param: 'partyId', example: 'tp_test_…' },
      { kind: 'company', path: 'companies', param: 'companyId', example: 'co_test_…' },
    ];
    for (const o of owners) {
      const params = idParams(o.param, o.example);
      app.post<{ Params: Record<string, string>; Body: { name: string; roles?: Role[]; jwk?: object } }>(`/${o.path}/:${o.param}/clients`, {
        schema: {
          tags: ['oauth'], security, params,
          summary: `Create an OAuth client of a ${o.kind} (secret shown once, or a public JWK for private_key_jwt)`,
          body: {
            type: 'object', required: ['name'], additionalProperties: false,
            properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, roles, jwk: { type: 'object', description: 'Public JWK: the client authenticates with private_key_jwt instead of a secret.' } },
          },
          response: { 201: newClientSchema, ...errorResponses(400, 401, 404, 409, 421) },
        },
      }, async (req, reply) => {
        reply.code(201);
        return d.clients.createClient(o.kind, req.params[o.param]!, req.body, operatorContext(req));
      });
      app.get<{ Params: Record<string, string>; Querystring: ListQ }>(`/${o.path}/:${o.param}/clients`, {
        schema: { tags: ['oauth'], security, params, querystring: listQuerySchema, summary: `List a ${o.kind}'s OAuth clients`, response: { 200: pageOf(clientSchema), ...errorResponses(400, 401, 421) } },
      }, async (req) => d.clients.listClients(o.kind, req.params[o.param]!, listArgs(req.query)));
      app.post<{ Params: Record<string, string>; Body: { issuer: string; clientId: string; roles?: Role[] } }>(`/${o.path}/:${o.param}/external-clients`, {
        schema: {
          tags: ['oauth'], security, params,
          summary: `Link an external issuer's client id to a ${o.kind}`,
          body: {
            type: 'object', required: ['issuer', 'clientId'], additionalProperties: false,
            properties: {
              issuer: { type: 'string', minLength: 1, maxLength: 500, description: 'One of the configured issuers (VAULTGATE_OIDC_ISSUERS), exactly.' },
              clientId: { type: 'string', minLength: 1, maxLength: 200, description: 'The value of the issuer\'s client id claim (azp, appid, client_id or sub).' },
              roles: { ...roles, description: 'The most the client may do; the token\'s own roles (if the issuer has a roles claim) are intersected with these.' },
            },
          },
          response: { 201: linkSchema, ...errorResponses(400, 401, 404, 409, 421) },
        },
      }, async (req, reply) => {
        reply.code(201);
        return d.clients.linkExternalClient(o.kind, req.params[o.param]!, req.body, operatorContext(req));
      });
      app.get<{ Params: Record<string, string>; Querystring: ListQ }>(`/${o.path}/:${o.param}/external-clients`, {
        schema: { tags: ['oauth'], security, params, querystring: listQuerySchema, summary: `List a ${o.kind}'s linked external clients`, response: { 200: pageOf(linkSchema), ...errorResponses(400, 401, 421) } },
      }, async (req) => d.clients.listExternalClients(o.kind, req.params[o.param]!, listArgs(req.query)));
    }

    const clientId = idParams('clientId', 'oc_test_…');
    app.get<{ Params: { clientId: string } }>('/clients/:clientId', {
      schema: { tags: ['oauth'], security, params: clientId, summary: 'Get an OAuth client', response: { 200: clientSchema, ...errorResponses(401, 404, 421) } },
    }, async (req) => d.clients.getClient(req.params.clientId));
    app.post<{ Params: { clientId: string } }>('/clients/:clientId/disable', {
      schema: { tags: ['oauth'], security, params: clientId, summary: 'Disable an OAuth client (its tokens are refused at once)', response: { 200: clientSchema, ...errorResponses(401, 404, 421) } },
    }, async (req) => d.clients.disableClient(req.params.clientId, operatorContext(req)));
    app.post<{ Params: { linkId: string } }>('/external-clients/:linkId/disable', {
      schema: { tags: ['oauth'], security, params: idParams('linkId', 'xcl_test_…'), summary: 'Unlink an external client (its tokens are refused at once)', response: { 200: linkSchema, ...errorResponses(401, 404, 421) } },
    }, async (req) => d.clients.disableExternalClient(req.params.linkId, operatorContext(req)));

    app.get('/oauth/signing-keys', {
      schema: { tags: ['oauth'], security, summary: "The built-in issuer's published signing keys (public data only)", response: { 200: { type: 'object', properties: { items: { type: 'array', items: keySchema } } }, ...errorResponses(401) } },
    }, async () => ({ items: await d.signingKeys.list() }));
    app.post('/oauth/signing-keys/rotate', {
      schema: { tags: ['oauth'], security, summary: 'Start signing with a new key; old keys stay published until their tokens expire', response: { 200: keySchema, ...errorResponses(401) } },
    }, async (req) => d.signingKeys.rotate(operatorContext(req)));
  };
}
