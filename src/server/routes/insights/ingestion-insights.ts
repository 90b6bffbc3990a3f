import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestLanguage } from '../../../protocol/index.js';
import { authorizeOperator, type Principal } from '../../services/accounts/accounts.js';
import type { IngestionInsights, RefusalFilters } from '../../services/insights/ingestion-insights.js';
import { listArgs } from '../admin.js';
import { ANY_MEMBER, organisationRoutes, type OrgOf } from '../accounts/org-route.js';
import type { Authenticated } from '../accounts/principal.js';
import { operatorSecurity } from '../accounts/schemas.js';
import { errorResponses, pageOf } from '../schemas.js';

/*
 * Ingestion statistics and refusals (issue 16) under /api/v1: the company dashboard (traffic per day, channel and
 * message type; the last message per channel; refusals of the last 24 h by code) and the vendor page (its refused
 * requests with the catalogue's title and remedy). Members of every role read their own organisation's; the operator
 * reads any organisation's and, under /admin, every refusal (unattributed ones too).
 */

const ts = { type: 'string', format: 'date-time' } as const;
const str = { type: 'string' } as const;
const strOrNull = { type: ['string', 'null'] } as const;

const statsSchema = {
  type: 'object', required: ['days', 'lastIngestion', 'failures24h'],
  properties: {
    days: {
      type: 'array', description: 'Messages received per UTC day, channel and message type (days without messages absent), oldest first.',
      items: { type: 'object', required: ['date', 'channelId', 'messageType', 'count'], properties: { date: { type: 'string', description: 'YYYY-MM-DD (UTC)' }, channelId: str, messageType: str, count: { type: 'integer' } } },
    },
    lastIngestion: {
      type: 'array', description: 'The newest message of each channel that has one, newest first.',
      items: { type: 'object', required: ['channelId', 'at', 'messageType'], properties: { channelId: str, at: ts, messageType: str } },
    },
    failures24h: {
      type: 'array', description: 'Refused ingestion requests of the last 24 hours by code, most first.',
      items: { type: 'object', required: ['code', 'count'], properties: { code: str, count: { type: 'integer' } } },
    },
  },
} as const;

const refusalProps = {
  code: { type: 'string', description: 'The error code the request was answered with (docs/errors.md).' },
  title: { type: 'string', description: 'The catalogue\'s message in the request\'s language (Accept-Language: en, fi, sv).' },
  remedy: { type: 'string', description: 'What the sender should change, in the request language (the bearer remedy for a bearer request).' },
  status: { type: 'integer', description: 'The code\'s HTTP status (MAC clients without UseHTTPResponseStatusCodes were answered 200 with the envelope).' },
  at: ts,
  channelId: { ...strOrNull, description: 'The channel of the URL.' },
  scheme: { type: 'string', enum: ['mac', 'bearer', 'none'] },
  credentialId: { ...strOrNull, description: 'As claimed, unverified: MAC PartnerId/CustomerId, or bearer issuer|client id. Never a key.' },
  transactionId: { ...strOrNull, description: 'The MAC TransactionId or Idempotency-Key as sent (first 100 characters).' },
  requestId: { type: 'string', description: 'The X-Request-Id of the refused request (in the server log too).' },
} as const;
const refusalSchema = { type: 'object', required: Object.keys(refusalProps), properties: refusalProps } as const;
const operatorRefusalSchema = {
  type: 'object', required: [...Object.keys(refusalProps), 'companyId', 'partyId', 'clientAddress'],
  properties: { ...refusalProps, companyId: strOrNull, partyId: strOrNull, clientAddress: strOrNull },
} as const;

const refusalQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    since: { type: 'string', maxLength: 40, description: 'Only refusals at or after this instant (ISO 8601 date or date-time).' },
    code: { type: 'string', pattern: '^[A-Z0-9_]{1,64}$' },
    channelId: { type: 'string', maxLength: 200 },
    cursor: { type: 'string', maxLength: 200 },
    limit: { type: 'string', pattern: '^[0-9]{1,4}$', description: '1-1000, default 100' },
  },
} as const;

type RefusalQ = { since?: string; code?: string; channelId?: string; cursor?: string; limit?: string };
const filters = (q: RefusalQ): RefusalFilters => ({ ...listArgs(q), since: q.since, code: q.code, channelId: q.channelId });

export function registerInsightRoutes(
  app: FastifyInstance,
  insights: IngestionInsights,
  orgOf: OrgOf,
  signedIn: (req: FastifyRequest, reply: FastifyReply) => Promise<Authenticated>,
): void {
  const route = organisationRoutes(app, orgOf, 'insights');
  route('GET', '/ingestion/stats', {
    summary: 'Ingestion statistics: messages per UTC day, channel and type over ?days= (1-90, default 14), the last message per channel, refusals of the last 24 h by code',
    roles: ANY_MEMBER, response: statsSchema, errors: [400, 401, 403, 404],
    query: { type: 'object', additionalProperties: false, properties: { days: { type: 'string', pattern: '^[0-9]{1,2}$', description: '1-90, default 14' } } },
  }, async (id, _a, req) => {
    const days = (req.query as { days?: string }).days;
    return insights.stats(id, days === undefined ? undefined : Number(days));
  });
  route('GET', '/ingestion/refusals', {
    summary: 'Refused ingestion requests, newest first: a company\'s on its channels, a vendor\'s attributed to its party (kept VAULTGATE_INGESTION_REFUSAL_RETENTION_DAYS)',
    roles: ANY_MEMBER, query: refusalQuery, response: pageOf(refusalSchema), errors: [400, 401, 403, 404],
  }, async (id, _a, req) => insights.refusals(id, filters(req.query as RefusalQ), requestLanguage(req.headers)));

  app.get('/admin/ingestion/refusals', {
    schema: {
      tags: ['insights'], summary: 'Every refused ingestion request, unattributed ones too (operator), newest first', security: operatorSecurity,
      querystring: refusalQuery, response: { 200: pageOf(operatorRefusalSchema), ...errorResponses(400, 401, 403) },
    },
  }, async (req, reply) => {
    authorizeOperator((await signedIn(req, reply)).principal as Principal);
    return insights.allRefusals(filters(req.query as RefusalQ), requestLanguage(req.headers));
  });
}
