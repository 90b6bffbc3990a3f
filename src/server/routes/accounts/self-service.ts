import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OAuthClients } from '../../services/oauth-clients.js';
import type { Registry } from '../../services/registry.js';
import { MAX_OVERLAP_HOURS, type SelfService } from '../../services/self-service.js';
import { listArgs, type ListQ } from '../admin.js';
import { clientSchema, newClientSchema } from '../admin-oauth.js';
import { channelPostman } from '../admin-postman.js';
import {
  channelSchema, customerCredentialSchema, environmentSchema, listQuerySchema, messageTypeSchema, newCustomerCredentialSchema,
  newPartnerCredentialSchema, pageOf, partnerCredentialSchema, roleSchema, scopeSchema,
} from '../schemas.js';
import { ADMIN_ONLY, ANY_MEMBER, organisationRoutes, type OrgOf } from './org-route.js';

/*
 * Self-service of an organisation under /api/v1/organisations/{organisationId}/… (issue 14): its customer credentials
 * (a company), partner credentials (a vendor), OAuth clients, channel requests and channels. Members (viewer and up)
 * list; admins create, rotate, disable, request, approve and decline. Secrets are in the answer once (every answer
 * of /api/v1 is Cache-Control: no-store).
 */

const ANY = ANY_MEMBER;
const ADMIN = ADMIN_ONLY;
const ts = { type: 'string', format: 'date-time' } as const;
const tsOrNull = { type: ['string', 'null'], format: 'date-time' } as const;

const rotationBody = {
  type: 'object', additionalProperties: false,
  properties: { overlapHours: { type: 'integer', minimum: 0, maximum: MAX_OVERLAP_HOURS, description: `How long the old secret keeps working (hours, 0-${MAX_OVERLAP_HOURS}; default 24).` } },
} as const;
const rotated = (schema: { properties: object; required: readonly string[] }) => ({
  ...schema, required: [...schema.required, 'rotatedAt', 'previousValidUntil'],
  properties: { ...schema.properties, rotatedAt: ts, previousValidUntil: { ...ts, description: 'Until this instant the old secret works too; after it, only the new one.' } },
});
const requestSchema = {
  type: 'object',
  required: ['id', 'partyId', 'vendorName', 'companyId', 'companyName', 'messageTypes', 'grantedMessageTypes', 'status', 'requestedBy', 'requestedByEmail', 'createdAt', 'decidedAt', 'decidedBy', 'channelId'],
  properties: {
    id: { type: 'string' }, partyId: { type: 'string' }, vendorName: { type: 'string', description: "The requesting vendor's name." },
    companyId: { type: 'string' }, companyName: { type: 'string' },
    messageTypes: { type: 'array', items: messageTypeSchema, description: 'The message and media types as the vendor requested them.' },
    grantedMessageTypes: {
      type: ['array', 'null'], items: messageTypeSchema,
      description: 'Once approved: the types the channel got (the request or a narrowing of it), read from the channel; null while pending or when declined.',
    },
    status: { type: 'string', enum: ['pending', 'approved', 'declined'] }, requestedBy: { type: 'string', description: 'The user id of the requester (operator for the admin token).' },
    requestedByEmail: { type: ['string', 'null'], description: "The requester's email; null when the operator token made the request." },
    createdAt: ts, decidedAt: tsOrNull, decidedBy: { type: ['string', 'null'] }, channelId: { type: ['string', 'null'] }, environment: environmentSchema,
  },
} as const;
const messageTypes = { type: 'array', minItems: 1, maxItems: 100, items: messageTypeSchema } as const;

export interface SelfServiceRouteDeps { selfService: SelfService; registry: Registry; clients: OAuthClients }

export function registerSelfServiceRoutes(app: FastifyInstance, d: SelfServiceRouteDeps, orgOf: OrgOf): void {
  const s = d.selfService;
  const route = organisationRoutes(app, orgOf, 'self-service');
  const p = (req: FastifyRequest) => req.params as Record<string, string>;
  const b = <T>(req: FastifyRequest) => (req.body ?? {}) as T;
  const q = (req: FastifyRequest) => listArgs(req.query as ListQ);

  // --- customer credentials (a company's) ---
  route('GET', '/customer-credentials', { summary: "The company's customer credentials (never their keys)", roles: ANY, query: listQuerySchema, response: pageOf(customerCredentialSchema), errors: [400, 401, 403, 404, 409] },
    (id, _a, req) => s.listCustomerCredentials(id, q(req)));
  route('POST', '/customer-credentials', {
    summary: 'Create a customer credential of the company (the key is shown once)', roles: ADMIN, status: 201, response: newCustomerCredentialSchema, errors: [400, 401, 403, 404, 409],
    body: {
      type: 'object', required: ['name'], additionalProperties: false,
      properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, scopes: { type: 'array', minItems: 1, uniqueItems: true, items: scopeSchema, description: 'Default ["ingest"]: what a vendor signs with; "vault.read" reads the vault.' } },
    },
  }, (id, a, req) => s.createCustomerCredential(id, b(req), a.ctx));
  const customer: [string, string] = ['customerId', 'cid_test_…'];
  route('POST', '/customer-credentials/:customerId/disable', { summary: 'Revoke a customer credential of the company (at once)', roles: ADMIN, extra: customer, response: customerCredentialSchema, errors: [401, 403, 404, 409] },
    (id, a, req) => s.disableCustomerCredential(id, p(req).customerId!, a.ctx));
  route('POST', '/customer-credentials/:customerId/rotate', {
    summary: 'Rotate a customer key: the new key is shown once; the old one works until previousValidUntil', roles: ADMIN, extra: customer, body: rotationBody,
    response: rotated({ ...newCustomerCredentialSchema, required: [...newCustomerCredentialSchema.required] }), errors: [400, 401, 403, 404, 409],
  }, (id, a, req) => s.rotateCustomerCredential(id, p(req).customerId!, b(req), a.ctx));

  // --- partner credentials (a vendor's) ---
  route('GET', '/partner-credentials', { summary: "The vendor's partner credentials (never their keys)", roles: ANY, query: listQuerySchema, response: pageOf(partnerCredentialSchema), errors: [400, 401, 403, 404, 409] },
    (id, _a, req) => s.listPartnerCredentials(id, q(req)));
  route('POST', '/partner-credentials', { summary: 'Create a partner credential of the vendor (the key is shown once)', roles: ADMIN, status: 201, response: newPartnerCredentialSchema, errors: [401, 403, 404, 409] },
    (id, a) => s.createPartnerCredential(id, a.ctx));
  const partner: [string, string] = ['partnerId', 'pid_test_…'];
  route('POST', '/partner-credentials/:partnerId/disable', { summary: 'Revoke a partner credential of the vendor (at once)', roles: ADMIN, extra: partner, response: partnerCredentialSchema, errors: [401, 403, 404, 409] },
    (id, a, req) => s.disablePartnerCredential(id, p(req).partnerId!, a.ctx));
  route('POST', '/partner-credentials/:partnerId/rotate', {
    summary: 'Rotate a partner key: the new key is shown once; the old one works until previousValidUntil', roles: ADMIN, extra: partner, body: rotationBody,
    response: rotated({ ...newPartnerCredentialSchema, required: [...newPartnerCredentialSchema.required] }), errors: [400, 401, 403, 404, 409],
  }, (id, a, req) => s.rotatePartnerCredential(id, p(req).partnerId!, b(req), a.ctx));

  // --- OAuth clients ---
  route('GET', '/clients', { summary: "The organisation's OAuth clients (company and vendor clients)", roles: ANY, query: listQuerySchema, response: pageOf(clientSchema), errors: [400, 401, 403, 404] },
    (id, _a, req) => s.listClients(id, q(req)));
  route('POST', '/clients', {
    summary: 'Create an OAuth client (the secret is shown once, or give a public JWK for private_key_jwt)', roles: ADMIN, status: 201, response: newClientSchema, errors: [400, 401, 403, 404, 409],
    body: {
      type: 'object', required: ['name'], additionalProperties: false,
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 200 },
        owner: { type: 'string', enum: ['company', 'party'], description: 'company: reads the vault (vault.read); party: sends (ingest). Needed only when the organisation is both.' },
        roles: { type: 'array', minItems: 1, uniqueItems: true, items: roleSchema, description: 'Default: vault.read (company), ingest (party); shared.read reads the vaults shared with the organisation (/vault/v1/shared).' }, jwk: { type: 'object', description: 'Public JWK: private_key_jwt instead of a secret.' },
      },
    },
  }, (id, a, req) => s.createClient(id, b(req), a.ctx));
  const client: [string, string] = ['clientId', 'oc_test_…'];
  route('POST', '/clients/:clientId/disable', { summary: 'Disable an OAuth client of the organisation (its tokens are refused at once)', roles: ADMIN, extra: client, response: clientSchema, errors: [401, 403, 404] },
    (id, a, req) => s.disableClient(id, p(req).clientId!, a.ctx));
  route('POST', '/clients/:clientId/rotate', {
    summary: 'Rotate an OAuth client secret: the new one is shown once; the old one works until previousValidUntil', roles: ADMIN, extra: client, body: rotationBody,
    response: rotated({ ...newClientSchema, required: [...newClientSchema.required, 'clientSecret'] }), errors: [400, 401, 403, 404, 409],
  }, (id, a, req) => s.rotateClient(id, p(req).clientId!, b(req), a.ctx));

  // --- channel requests and channels ---
  route('POST', '/channel-requests', {
    summary: 'Request a channel to a company by its business id (a vendor admin); pending until the company decides', roles: ADMIN, status: 201, response: requestSchema, errors: [400, 401, 403, 404, 409],
    body: {
      type: 'object', required: ['businessId', 'messageTypes'], additionalProperties: false,
      properties: { businessId: { type: 'string', minLength: 1, maxLength: 32 }, messageTypes },
    },
  }, (id, a, req) => s.requestChannel(id, b(req), a.ctx));
  route('GET', '/channel-requests', {
    summary: 'Channel requests the organisation made (as a vendor) and received (as a company)', roles: ANY, response: pageOf(requestSchema), errors: [400, 401, 403, 404],
    query: { ...listQuerySchema, properties: { ...listQuerySchema.properties, status: { type: 'string', enum: ['pending', 'approved', 'declined'] } } },
  }, (id, _a, req) => s.listChannelRequests(id, { ...q(req), status: (req.query as { status?: 'pending' }).status }));
  const request: [string, string] = ['requestId', 'chr_test_…'];
  route('POST', '/channel-requests/:requestId/approve', {
    summary: 'Approve a channel request (a company admin), optionally narrowing its message and media types: the channel is created (grantedMessageTypes, channelId and channel say what it got)', roles: ADMIN, extra: request,
    body: { type: 'object', additionalProperties: false, properties: { messageTypes: { ...messageTypes, description: 'A subset of the requested types (default: all of them).' } } },
    response: { ...requestSchema, required: [...requestSchema.required, 'channel'], properties: { ...requestSchema.properties, channel: channelSchema } }, errors: [400, 401, 403, 404, 409],
  }, (id, a, req) => s.approveChannelRequest(id, p(req).requestId!, b(req), a.ctx));
  route('POST', '/channel-requests/:requestId/decline', { summary: 'Decline a channel request (a company admin)', roles: ADMIN, extra: request, response: requestSchema, errors: [400, 401, 403, 404, 409] },
    (id, a, req) => s.declineChannelRequest(id, p(req).requestId!, a.ctx));
  route('GET', '/channels', { summary: "The organisation's channels (as the company and as the vendor)", roles: ANY, query: listQuerySchema, response: pageOf(channelSchema), errors: [400, 401, 403, 404] },
    (id, _a, req) => s.listChannels(id, q(req)));
  const channel: [string, string] = ['channelId', 'ch_test_…'];
  route('POST', '/channels/:channelId/disable', { summary: 'Disable a channel (either side; at once)', roles: ADMIN, extra: channel, response: channelSchema, errors: [400, 401, 403, 404] },
    (id, a, req) => s.disableChannel(id, p(req).channelId!, a.ctx));
  route('GET', '/channels/:channelId/postman', {
    summary: 'Postman Collection v2.1 and environment for a channel of the organisation (as GET /admin/v1/channels/{channelId}/postman)', roles: ANY, extra: channel,
    query: { type: 'object', additionalProperties: false, properties: { auth: { type: 'string', enum: ['mac', 'oauth'], default: 'mac' } } },
    response: { type: 'object', required: ['collection', 'environment'], properties: { collection: { type: 'object', additionalProperties: true }, environment: { type: 'object', additionalProperties: true } } },
    errors: [400, 401, 403, 404],
  }, async (id, _a, req) => channelPostman(d.registry, d.clients, await s.channel(id, p(req).channelId!), (req.query as { auth?: 'mac' | 'oauth' }).auth));
}
