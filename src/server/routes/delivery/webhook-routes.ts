import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MembershipRole } from '../../../store/index.js';
import { MAX_OVERLAP_HOURS } from '../../services/self-service.js';
import type { EndpointInput, WebhookEndpoints } from '../../services/delivery/webhook-endpoints.js';
import { listArgs, type ListQ } from '../admin.js';
import type { Authenticated } from '../accounts/principal.js';
import { memberSecurity } from '../accounts/schemas.js';
import { environmentSchema, errorResponses, idParams, listQuerySchema, pageOf } from '../schemas.js';

/*
 * Webhook endpoints of an organisation under /api/v1/organisations/{organisationId}/webhook-endpoints (issue 15):
 * members (viewer and up) read endpoints and the delivery log; admins create, change, disable, enable, delete,
 * rotate the secret, send a test and replay; operators everything (accounts.authorize). The secret is in the answer of
 * create and rotate only (every /api/v1 answer is Cache-Control: no-store).
 */

type OrgOf = (req: FastifyRequest, reply: FastifyReply, roles: readonly MembershipRole[]) => Promise<{ a: Authenticated; id: string }>;
const ANY: readonly MembershipRole[] = ['admin', 'member', 'viewer'];
const ADMIN: readonly MembershipRole[] = ['admin'];
const ts = { type: 'string', format: 'date-time' } as const;
const tsOrNull = { type: ['string', 'null'], format: 'date-time' } as const;
const ids = { type: 'array', maxItems: 100, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 200 } } as const;
const idsOrNull = { type: ['array', 'null'], maxItems: 100, items: { type: 'string' } } as const;

const filtersIn = {
  type: 'object', additionalProperties: false, description: 'Narrow what the endpoint receives; an empty or absent list does not narrow.',
  properties: { messageTypes: ids, channelIds: ids, ownerCompanyIds: { ...ids, description: "Owners' company ids (the vaults): for a consumer with grants of several owners." } },
} as const;
const eventTypes = { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: ['message.received', 'grant.*'] }, description: 'Default ["message.received"].' } as const;
const endpointBody = (required: string[]) => ({
  type: 'object', additionalProperties: false, required, minProperties: 1,
  properties: {
    url: { type: 'string', minLength: 1, maxLength: 2000, description: 'https (http outside live) to a public address; see docs/sharing.md#webhooks.' },
    description: { type: 'string', maxLength: 500 }, eventTypes, filters: filtersIn,
  },
});
const endpointSchema = {
  type: 'object',
  required: ['id', 'organisationId', 'url', 'description', 'eventTypes', 'filters', 'status', 'disabledReason', 'failingSince', 'createdAt', 'updatedAt', 'previousSecretValidUntil', 'environment'],
  properties: {
    id: { type: 'string' }, organisationId: { type: 'string' }, url: { type: 'string' }, description: { type: 'string' }, eventTypes: { type: 'array', items: { type: 'string' } },
    filters: { type: 'object', required: ['messageTypes', 'channelIds', 'ownerCompanyIds'], properties: { messageTypes: idsOrNull, channelIds: idsOrNull, ownerCompanyIds: idsOrNull } },
    status: { type: 'string', enum: ['active', 'disabled'] }, disabledReason: { type: ['string', 'null'], enum: ['manual', 'failing', null] },
    failingSince: { ...tsOrNull, description: 'Since when every attempt has failed; null after a success.' }, createdAt: ts, updatedAt: ts,
    previousSecretValidUntil: { ...tsOrNull, description: 'During a rotation overlap: until when the previous secret signs too.' }, environment: environmentSchema,
  },
} as const;
const withSecret = {
  ...endpointSchema, required: [...endpointSchema.required, 'secret'],
  properties: { ...endpointSchema.properties, secret: { type: 'string', description: 'whsec_…: shown only in this answer; verify deliveries with it.' } },
} as const;
const attemptSchema = {
  type: 'object', required: ['attempt', 'at', 'statusCode', 'durationMs', 'error', 'outcome', 'nextAttemptAt'],
  properties: {
    attempt: { type: 'integer' }, at: ts, statusCode: { type: ['integer', 'null'] }, durationMs: { type: 'integer' }, error: { type: ['string', 'null'] },
    outcome: { type: 'string', enum: ['succeeded', 'failed', 'cancelled'] }, nextAttemptAt: tsOrNull,
  },
} as const;
const deliverySchema = {
  type: 'object', required: ['id', 'webhookId', 'eventType', 'messageId', 'origin', 'status', 'attempts', 'nextAttemptAt', 'createdAt', 'updatedAt', 'payload', 'attemptLog'],
  properties: {
    id: { type: 'string' }, webhookId: { type: 'string' }, eventType: { type: 'string' }, messageId: { type: ['string', 'null'] },
    origin: { type: 'string', enum: ['dispatch', 'replay', 'test'] }, status: { type: 'string', enum: ['pending', 'succeeded', 'failed', 'cancelled'] },
    attempts: { type: 'integer' }, nextAttemptAt: tsOrNull, createdAt: ts, updatedAt: ts, payload: { type: 'object', additionalProperties: true },
    attemptLog: { type: 'array', items: attemptSchema },
  },
} as const;

export function registerWebhookRoutes(app: FastifyInstance, s: WebhookEndpoints, orgOf: OrgOf): void {
  const base = '/organisations/:organisationId/webhook-endpoints';
  const params = (withEndpoint: boolean) => {
    const p = idParams('organisationId', 'co_test_… or tp_test_…') as { properties: Record<string, unknown>; required: string[] };
    if (!withEndpoint) return p;
    return { ...p, required: [...p.required, 'endpointId'], properties: { ...p.properties, endpointId: { type: 'string', maxLength: 200, description: 'e.g. ep_test_…' } } };
  };
  type Handler = (orgId: string, a: Authenticated, req: FastifyRequest) => Promise<unknown>;
  const route = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, o: {
    summary: string; roles: readonly MembershipRole[]; body?: object; query?: object; status?: number; response: object | null; errors: number[];
  }, handler: Handler) => {
    app.route({
      method, url: `${base}${url}`,
      schema: {
        tags: ['webhooks'], summary: o.summary, security: memberSecurity, params: params(url.startsWith('/:endpointId')),
        ...(o.body ? { body: o.body } : {}), ...(o.query ? { querystring: o.query } : {}),
        response: { [o.status ?? 200]: o.response ?? { type: 'null' }, ...errorResponses(...o.errors) },
      },
      handler: async (req, reply) => {
        const { a, id } = await orgOf(req, reply, o.roles);
        const out = await handler(id, a, req);
        reply.code(o.status ?? 200);
        return out ?? undefined;
      },
    });
  };
  const ep = (req: FastifyRequest) => (req.params as { endpointId: string }).endpointId;
  const body = <T>(req: FastifyRequest) => (req.body ?? {}) as T;

  route('GET', '', { summary: "The organisation's webhook endpoints (never their secrets)", roles: ANY, query: listQuerySchema, response: pageOf(endpointSchema), errors: [400, 401, 403, 404] },
    (org, _a, req) => s.list(org, listArgs(req.query as ListQ)));
  route('POST', '', { summary: 'Register a webhook endpoint (its whsec_ secret is shown once)', roles: ADMIN, status: 201, body: endpointBody(['url']), response: withSecret, errors: [400, 401, 403, 404] },
    (org, a, req) => s.create(org, body<EndpointInput>(req), a.ctx));
  route('GET', '/:endpointId', { summary: 'A webhook endpoint', roles: ANY, response: endpointSchema, errors: [401, 403, 404] },
    (org, _a, req) => s.get(org, ep(req)));
  route('PATCH', '/:endpointId', { summary: "Change an endpoint's URL, description, event types or filters", roles: ADMIN, body: endpointBody([]), response: endpointSchema, errors: [400, 401, 403, 404] },
    (org, a, req) => s.update(org, ep(req), body<Partial<EndpointInput>>(req), a.ctx));
  route('DELETE', '/:endpointId', { summary: 'Delete an endpoint with its delivery log', roles: ADMIN, status: 204, response: null, errors: [401, 403, 404] },
    async (org, a, req) => { await s.delete(org, ep(req), a.ctx); });
  route('POST', '/:endpointId/disable', { summary: 'Stop deliveries to an endpoint (new messages wait until it is enabled)', roles: ADMIN, response: endpointSchema, errors: [401, 403, 404] },
    (org, a, req) => s.disable(org, ep(req), a.ctx));
  route('POST', '/:endpointId/enable', { summary: 'Enable an endpoint again (also after it was disabled for failing)', roles: ADMIN, response: endpointSchema, errors: [401, 403, 404] },
    (org, a, req) => s.enable(org, ep(req), a.ctx));
  route('POST', '/:endpointId/rotate-secret', {
    summary: 'Rotate the signing secret: the new one is shown once; both sign until previousSecretValidUntil', roles: ADMIN, response: withSecret, errors: [400, 401, 403, 404],
    body: { type: 'object', additionalProperties: false, properties: { overlapHours: { type: 'integer', minimum: 0, maximum: MAX_OVERLAP_HOURS, description: `Hours both secrets sign (0-${MAX_OVERLAP_HOURS}; default 24).` } } },
  }, (org, a, req) => s.rotateSecret(org, ep(req), body<{ overlapHours?: number }>(req), a.ctx));
  route('POST', '/:endpointId/test', { summary: 'Send a webhook.test delivery (see the log for its attempts)', roles: ADMIN, status: 202, response: deliverySchema, errors: [401, 403, 404, 409] },
    (org, a, req) => s.test(org, ep(req), a.ctx));
  route('GET', '/:endpointId/deliveries', { summary: 'The delivery log, newest first, with every attempt', roles: ANY, query: listQuerySchema, response: pageOf(deliverySchema), errors: [400, 401, 403, 404] },
    (org, _a, req) => s.deliveries(org, ep(req), listArgs(req.query as ListQ)));
  route('POST', '/:endpointId/replay', {
    summary: 'Deliver one message again, or every message received since an instant (progress in the log)', roles: ADMIN, status: 202, errors: [400, 401, 403, 404, 409],
    body: { type: 'object', additionalProperties: false, minProperties: 1, maxProperties: 1, properties: { messageId: { type: 'string', maxLength: 200 }, since: { type: 'string', format: 'date-time' } } },
    response: { type: 'object', required: ['queued', 'truncated'], properties: { queued: { type: 'integer' }, truncated: { type: 'boolean', description: 'More matched than one replay queues (10000): replay again from a later since.' } } },
  }, (org, a, req) => s.replay(org, ep(req), body<{ messageId?: string; since?: string }>(req), a.ctx));
}
