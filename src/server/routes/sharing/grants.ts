import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { GrantState } from '../../../store/index.js';
import { GRANT_STATES } from '../../services/sharing/grant-lifecycle.js';
import { MAX_PURPOSE_CHARS, type GrantTermsInput } from '../../services/sharing/grant-terms.js';
import type { GrantRole, Grants, OrganisationRef } from '../../services/sharing/grants.js';
import { listArgs, type ListQ } from '../admin.js';
import { auditRecordSchema } from '../audit.js';
import { environmentSchema, listQuerySchema, pageOf } from '../schemas.js';
import { ADMIN_ONLY, ANY_MEMBER, organisationRoutes, type OrgOf } from '../accounts/org-route.js';

/*
 * Grants under /api/v1/organisations/{organisationId}/grants (issue 15), the organisation in the path being the side
 * that acts: a consumer requests (POST …/grants/requests), accepts and withdraws; an owner company grants directly
 * (POST …/grants), approves, offers, declines and revokes. Members (viewer and up) read; admins act. Also the
 * organisation's audit trail (GET …/audit): the events that name it, grant steps of both sides among them.
 */

const ANY = ANY_MEMBER;
const ADMIN = ADMIN_ONLY;
const ts = { type: 'string', format: 'date-time' } as const;
const tsOrNull = { type: ['string', 'null'], format: 'date-time' } as const;
const names = (description: string) => ({ type: ['array', 'null'], maxItems: 100, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 200 }, description } as const);

const termsProps = {
  channelIds: names("The owner's channel ids; empty or null: any channel (then messageTypes is needed)."),
  messageTypes: names('Message type names; empty or null: any type (then channelIds is needed).'),
  receivedFrom: { ...tsOrNull, description: 'Only messages received at or after this instant.' },
  receivedBefore: { ...tsOrNull, description: 'Only messages received before this instant.' },
  actions: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: ['read', 'subscribe'] }, description: 'read: list, get, export, feed; subscribe: webhooks.' },
  purpose: { type: 'string', minLength: 1, maxLength: MAX_PURPOSE_CHARS },
  notBefore: { ...ts, description: 'Valid from (inclusive); default now.' },
  notOnOrAfter: { ...ts, description: 'Valid until (exclusive).' },
} as const;
const termsSchema = {
  type: 'object', required: ['channelIds', 'messageTypes', 'receivedFrom', 'receivedBefore', 'actions', 'purpose', 'notBefore', 'notOnOrAfter'],
  properties: { ...termsProps, notBefore: ts, notOnOrAfter: ts },
} as const;
const grantSchema = {
  type: 'object',
  required: ['id', 'ownerOrganisationId', 'ownerName', 'ownerBusinessId', 'consumerOrganisationId', 'consumerName', 'consumerBusinessId', 'state', 'terms', 'requestedTerms', 'createdAt', 'updatedAt', 'requestedBy', 'decidedBy', 'environment'],
  properties: {
    id: { type: 'string' }, ownerOrganisationId: { type: 'string' }, consumerOrganisationId: { type: 'string' },
    ownerName: { type: ['string', 'null'], description: "The owner organisation's name." },
    ownerBusinessId: { type: ['string', 'null'], description: "The owner company's business id." },
    consumerName: { type: ['string', 'null'], description: "The consumer organisation's name." },
    consumerBusinessId: { type: ['string', 'null'], description: "The consumer's business id; null for a party-only organisation (a software vendor)." },
    state: { type: 'string', enum: GRANT_STATES }, terms: { ...termsSchema, description: 'The terms in force (or on offer).' },
    requestedTerms: { anyOf: [termsSchema, { type: 'null' }], description: 'As the consumer requested them; null for a direct grant.' },
    createdAt: ts, updatedAt: ts, requestedBy: { type: ['string', 'null'] }, decidedBy: { type: ['string', 'null'] }, environment: environmentSchema,
  },
} as const;
const statementSchema = {
  type: 'object', required: ['grantId', 'statement', 'notBefore', 'expiresAt'],
  properties: {
    grantId: { type: 'string' }, statement: { type: 'string', description: 'Compact JWS (typ vaultgate-grant+jwt), verifiable with /.well-known/jwks.json (docs/sharing.md).' },
    notBefore: ts, expiresAt: { ...ts, description: "At most 24 h from now and never after the grant's notOnOrAfter." },
  },
} as const;
const requestBody = {
  type: 'object', required: ['actions', 'purpose', 'notOnOrAfter'], additionalProperties: false,
  properties: {
    ownerOrganisationId: { type: 'string', maxLength: 200, description: 'The owner company (or ownerBusinessId).' },
    ownerBusinessId: { type: 'string', minLength: 1, maxLength: 32, description: "The owner company's business id (or ownerOrganisationId)." },
    ...termsProps,
  },
} as const;
const grantBody = {
  type: 'object', required: ['actions', 'purpose', 'notOnOrAfter'], additionalProperties: false,
  properties: {
    consumerOrganisationId: { type: 'string', maxLength: 200, description: 'The consumer organisation (or consumerBusinessId, for a company).' },
    consumerBusinessId: { type: 'string', minLength: 1, maxLength: 32 },
    ...termsProps,
  },
} as const;
const { purpose: _purpose, ...offerProps } = termsProps;
const offerBody = {
  type: 'object', additionalProperties: false, properties: offerProps,
  description: 'Narrower terms: what is left out stays as requested; each must lie within the request (GRANT_SCOPE_WIDENED otherwise).',
} as const;
const listQuery = {
  ...listQuerySchema, required: ['role'],
  properties: { ...listQuerySchema.properties, role: { type: 'string', enum: ['owner', 'consumer'] }, state: { type: 'string', enum: GRANT_STATES } },
} as const;

type Body = GrantTermsInput & { ownerOrganisationId?: string; ownerBusinessId?: string; consumerOrganisationId?: string; consumerBusinessId?: string };
const terms = ({ ownerOrganisationId: _o, ownerBusinessId: _ob, consumerOrganisationId: _c, consumerBusinessId: _cb, ...t }: Body): GrantTermsInput => t;

export interface GrantRouteDeps { grants: Grants }

export function registerGrantRoutes(app: FastifyInstance, d: GrantRouteDeps, orgOf: OrgOf): void {
  const g = d.grants;
  const route = organisationRoutes(app, orgOf, 'sharing');
  const grant: [string, string] = ['grantId', 'grt_test_…'];
  const grantId = (req: FastifyRequest) => (req.params as { grantId: string }).grantId;
  const body = (req: FastifyRequest) => (req.body ?? {}) as Body;

  route('GET', '/grants', {
    summary: 'The grants of the organisation as owner (of its vault) or as consumer, oldest first, optionally of one state', roles: ANY, query: listQuery,
    response: pageOf(grantSchema), errors: [400, 401, 403, 404],
  }, (id, _a, req) => {
    const q = req.query as ListQ & { role: GrantRole; state?: GrantState };
    return g.list(id, { ...listArgs(q), role: q.role, state: q.state });
  });
  route('POST', '/grants/requests', {
    summary: "Request access to part of an owner company's vault (a consumer admin); requested until the owner decides", roles: ADMIN, status: 201, body: requestBody,
    response: grantSchema, errors: [400, 401, 403, 404],
  }, (id, a, req) => {
    const b = body(req);
    const owner: OrganisationRef = { organisationId: b.ownerOrganisationId, businessId: b.ownerBusinessId };
    return g.request(id, { ...terms(b), owner }, a.ctx);
  });
  route('POST', '/grants', {
    summary: "Grant a consumer organisation access to part of the company's vault directly, without a request (an owner admin): active at once", roles: ADMIN, status: 201,
    body: grantBody, response: grantSchema, errors: [400, 401, 403, 404],
  }, (id, a, req) => {
    const b = body(req);
    return g.grant(id, { ...terms(b), consumer: { organisationId: b.consumerOrganisationId, businessId: b.consumerBusinessId } }, a.ctx);
  });
  route('GET', '/grants/:grantId', { extra: grant, summary: 'A grant the organisation is a side of', roles: ANY, response: grantSchema, errors: [401, 403, 404] },
    (id, _a, req) => g.get(id, grantId(req)));
  const step = (name: 'approve' | 'accept' | 'decline' | 'revoke' | 'withdraw', summary: string) =>
    route('POST', `/grants/:grantId/${name}`, { extra: grant, summary, roles: ADMIN, response: grantSchema, errors: [401, 403, 404, 409] }, (id, a, req) => g[name](id, grantId(req), a.ctx));
  step('approve', 'Approve a request as it is (the owner): active');
  route('POST', '/grants/:grantId/offer', {
    extra: grant,
    summary: 'Offer narrower terms than requested (the owner): offered, until the consumer accepts', roles: ADMIN, body: offerBody,
    response: grantSchema, errors: [400, 401, 403, 404, 409],
  }, (id, a, req) => g.offer(id, grantId(req), body(req), a.ctx));
  step('accept', 'Accept an offer (the consumer): active with the offered terms');
  step('decline', 'Decline a request (the owner)');
  step('revoke', "Revoke an active grant or an offer (the owner): refused from the consumer's next request on");
  step('withdraw', 'Withdraw a request, turn down an offer, or end an active grant (the consumer)');
  route('GET', '/grants/:grantId/statement', {
    extra: grant,
    summary: 'A signed statement of an active grant (JWT) to show a third party; verify it with /.well-known/jwks.json', roles: ANY,
    response: statementSchema, errors: [401, 403, 404, 409],
  }, (id, a, req) => g.statement(id, grantId(req), a.ctx));

  route('GET', '/audit', {
    summary: 'The audit events that name the organisation (for a company, every event of its vault), oldest first', roles: ANY, tags: ['audit'],
    query: listQuerySchema, response: pageOf(auditRecordSchema), errors: [400, 401, 403, 404],
  }, (id, _a, req) => g.auditTrail(id, listArgs(req.query as ListQ)));
}
