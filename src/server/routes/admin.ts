import type { FastifyInstance } from 'fastify';
import { VaultgateError } from '../../protocol/index.js';
import type { Scope } from '../../store/index.js';
import cookie from '@fastify/cookie';
import { adminAuth, type OperatorUserResolver } from '../plugins/admin-auth.js';
import type { AuthThrottle } from '../services/auth-throttle.js';
import type { KeyAdmin } from '../services/keys.js';
import type { OAuthClients } from '../services/oauth-clients.js';
import type { Registry } from '../services/registry.js';
import type { RetentionSweeper } from '../services/retention.js';
import { registerKeyRoutes } from './admin-keys.js';
import { operatorContext, registerAdminAuditRoutes } from './audit.js';
import type { AuditCheckpoints } from '../services/audit/audit-checkpoints.js';
import type { AuditContext, AuditTrail } from '../services/audit/audit-trail.js';
import { registerPostmanRoute } from './admin-postman.js';
import {
  channelSchema, companySchema, customerCredentialSchema, errorResponses, idParams, listQuerySchema, messageTypeSchema,
  newCustomerCredentialSchema, newPartnerCredentialSchema, pageOf, partnerCredentialSchema, partySchema,
} from './schemas.js';

/** The admin token, or an operator user's session (cookie with X-CSRF-Token, or bearer session token). */
const security: Record<string, string[]>[] = [{ adminToken: [] }, { sessionCookie: [] }, { sessionToken: [] }];
const name = { type: 'string', minLength: 1, maxLength: 200 } as const;

export type ListQ = { cursor?: string; limit?: string };

export function listArgs(q: ListQ): { cursor: string | undefined; limit: number } {
  const limit = q.limit === undefined ? 100 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new VaultgateError('INVALID_REQUEST', { detail: 'limit must be a whole number from 1 to 1000.' });
  }
  return { cursor: q.cursor, limit };
}

/** The operator's registry API under /admin/v1, behind the admin token. */
export function adminRoutes(d: { registry: Registry; keys: KeyAdmin; sweeper: RetentionSweeper; clients: OAuthClients; throttle?: AuthThrottle; /** Lets an operator user's session in besides the admin token. */ operatorUser?: OperatorUserResolver; audit: AuditTrail; checkpoints: AuditCheckpoints }, adminToken: string) {
  const { registry } = d;
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(cookie);
    app.addHook('onRequest', adminAuth(adminToken, d.throttle, d.operatorUser));
    registerKeyRoutes(app, d, listArgs);
    registerAdminAuditRoutes(app, d, listArgs);
    registerPostmanRoute(app, registry, d.clients);

    const get = (url: string, tag: string, summary: string, params: object | undefined, item: object, handler: (p: any, q: any) => Promise<unknown>, query?: object) =>
      app.get(url, {
        schema: { tags: [tag], summary, security, ...(params ? { params } : {}), ...(query ? { querystring: query } : {}), response: { 200: item, ...errorResponses(400, 401, 404, 421) } },
      }, async (req) => handler(req.params, req.query));
    const post = (url: string, tag: string, summary: string, params: object | undefined, body: object | undefined, status: number, item: object, handler: (p: any, b: any, ctx: AuditContext) => Promise<unknown>) =>
      app.post(url, {
        schema: { tags: [tag], summary, security, ...(params ? { params } : {}), ...(body ? { body } : {}), response: { [status]: item, ...errorResponses(400, 401, 404, 409, 421) } },
      }, async (req, reply) => {
        reply.code(status);
        return handler(req.params, req.body ?? {}, operatorContext(req));
      });

    const companyId = idParams('companyId', 'co_test_…');
    const partyId = idParams('partyId', 'tp_test_…');
    const channelId = idParams('channelId', 'ch_test_…');

    // Companies
    post('/companies', 'companies', 'Register a company (data owner)', undefined, {
      type: 'object', required: ['name', 'businessId'], additionalProperties: false,
      properties: { name, businessId: { type: 'string', minLength: 1, maxLength: 32, description: 'Finnish NNNNNNN-C (check digit validated) or another national form' } },
    }, 201, companySchema, (_p, b, ctx) => registry.createCompany(b, ctx));
    get('/companies', 'companies', 'List companies', undefined, pageOf(companySchema),
      (_p, q) => registry.listCompanies({ ...listArgs(q), businessId: q.businessId }),
      { ...listQuerySchema, properties: { ...listQuerySchema.properties, businessId: { type: 'string', maxLength: 32 } } });
    get('/companies/:companyId', 'companies', 'Get a company', companyId, companySchema, (p) => registry.getCompany(p.companyId));
    post('/companies/:companyId/customer-credentials', 'credentials', 'Create a customer credential (key shown once)', companyId, {
      type: 'object', required: ['name'], additionalProperties: false,
      properties: { name, scopes: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: ['ingest', 'vault.read'] }, description: 'Default ["ingest"]' } },
    }, 201, newCustomerCredentialSchema, (p, b: { name: string; scopes?: Scope[] }, ctx) => registry.createCustomerCredential(p.companyId, b, ctx));
    get('/companies/:companyId/customer-credentials', 'credentials', "List a company's customer credentials", companyId, pageOf(customerCredentialSchema),
      (p, q) => registry.listCustomerCredentials(p.companyId, listArgs(q)), listQuerySchema);

    // Parties
    post('/parties', 'parties', 'Register a technical party (software vendor)', undefined, {
      type: 'object', required: ['name'], additionalProperties: false, properties: { name },
    }, 201, partySchema, (_p, b, ctx) => registry.createParty(b, ctx));
    get('/parties', 'parties', 'List parties', undefined, pageOf(partySchema), (_p, q) => registry.listParties(listArgs(q)), listQuerySchema);
    get('/parties/:partyId', 'parties', 'Get a party', partyId, partySchema, (p) => registry.getParty(p.partyId));
    post('/parties/:partyId/disable', 'parties', 'Disable a party, its partner credentials and channels', partyId, undefined, 200, partySchema,
      (p, _b, ctx) => registry.disableParty(p.partyId, ctx));
    post('/parties/:partyId/partner-credentials', 'credentials', 'Create a partner credential (key shown once)', partyId, undefined, 201,
      newPartnerCredentialSchema, (p, _b, ctx) => registry.createPartnerCredential(p.partyId, ctx));
    get('/parties/:partyId/partner-credentials', 'credentials', "List a party's partner credentials", partyId, pageOf(partnerCredentialSchema),
      (p, q) => registry.listPartnerCredentials(p.partyId, listArgs(q)), listQuerySchema);

    // Credentials by id
    const partnerId = idParams('partnerId', 'pid_test_…');
    const customerId = idParams('customerId', 'cid_test_…');
    get('/partner-credentials/:partnerId', 'credentials', 'Get a partner credential', partnerId, partnerCredentialSchema, (p) => registry.getPartnerCredential(p.partnerId));
    post('/partner-credentials/:partnerId/disable', 'credentials', 'Revoke a partner credential (effective at once)', partnerId, undefined, 200,
      partnerCredentialSchema, (p, _b, ctx) => registry.disablePartnerCredential(p.partnerId, ctx));
    get('/customer-credentials/:customerId', 'credentials', 'Get a customer credential', customerId, customerCredentialSchema, (p) => registry.getCustomerCredential(p.customerId));
    post('/customer-credentials/:customerId/disable', 'credentials', 'Revoke a customer credential (effective at once)', customerId, undefined, 200,
      customerCredentialSchema, (p, _b, ctx) => registry.disableCustomerCredential(p.customerId, ctx));

    // Channels
    post('/channels', 'channels', 'Create an ingestion channel', undefined, {
      type: 'object', required: ['companyId', 'partyId', 'messageTypes'], additionalProperties: false,
      properties: { companyId: { type: 'string' }, partyId: { type: 'string' }, messageTypes: { type: 'array', minItems: 1, maxItems: 100, items: messageTypeSchema } },
    }, 201, channelSchema, (_p, b, ctx) => registry.createChannel(b, ctx));
    get('/channels', 'channels', 'List channels', undefined, pageOf(channelSchema), (_p, q) => registry.listChannels({ ...listArgs(q), companyId: q.companyId, partyId: q.partyId }),
      { ...listQuerySchema, properties: { ...listQuerySchema.properties, companyId: { type: 'string' }, partyId: { type: 'string' } } });
    get('/channels/:channelId', 'channels', 'Get a channel', channelId, channelSchema, (p) => registry.getChannel(p.channelId));
    post('/channels/:channelId/disable', 'channels', 'Disable a channel (effective at once)', channelId, undefined, 200, channelSchema,
      (p, _b, ctx) => registry.disableChannel(p.channelId, ctx));
  };
}
