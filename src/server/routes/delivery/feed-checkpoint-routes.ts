import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MembershipRole } from '../../../store/index.js';
import { CHECKPOINT_NAME, type CheckpointInput, type FeedCheckpoints } from '../../services/delivery/feed-checkpoints.js';
import { listArgs, type ListQ } from '../admin.js';
import { ANY_MEMBER, organisationRoutes, type OrgOf } from '../accounts/org-route.js';
import { listQuerySchema } from '../schemas.js';

/*
 * Feed checkpoints of an organisation under /api/v1/organisations/{organisationId}/feed/checkpoints (issue 16): every
 * member (viewer and up) reads them; admins and members commit, start and delete them (a follower is run by the
 * people who run the integration, not only by admins); viewers only read. Operators everything.
 */

const WRITERS: readonly MembershipRole[] = ['admin', 'member'];
const ts = { type: 'string', format: 'date-time' } as const;
const positions = {
  messageSeq: { type: 'integer', description: 'The highest message position passed, over every vault read; 0 at the start.' },
  grantEventSeq: { type: 'integer', description: 'The grant event position passed.' },
} as const;
const checkpointSchema = {
  type: 'object', additionalProperties: false, required: ['name', 'cursor', 'messageSeq', 'grantEventSeq', 'updatedAt', 'updatedBy'],
  properties: {
    name: { type: 'string' }, cursor: { type: 'string', description: 'A feed cursor: GET /vault/v1/feed?checkpoint=<name> reads from it.' }, ...positions,
    updatedAt: ts, updatedBy: { type: 'string', description: 'The user (or operator) who committed it.' },
  },
} as const;
const headSchema = {
  type: 'object', additionalProperties: false, required: ['messageSeq', 'grantEventSeq'],
  description: "Where the organisation's feed ends now: a checkpoint whose positions are lower is behind.", properties: positions,
} as const;
const nameParam: [string, string] = ['name', 'main'];

export function registerFeedCheckpointRoutes(app: FastifyInstance, s: FeedCheckpoints, orgOf: OrgOf): void {
  const route = organisationRoutes(app, orgOf, 'feed');
  const name = (req: FastifyRequest) => (req.params as { name: string }).name;
  route('GET', '/feed/checkpoints', {
    summary: "The organisation's feed checkpoints, oldest first, and where its feed ends now", roles: ANY_MEMBER, query: listQuerySchema, errors: [400, 401, 403, 404],
    response: {
      type: 'object', required: ['items', 'nextCursor', 'head'],
      properties: { items: { type: 'array', items: checkpointSchema }, nextCursor: { type: ['string', 'null'] }, head: headSchema },
    },
  }, (org, _a, req) => s.list(org, listArgs(req.query as ListQ)));
  route('GET', '/feed/checkpoints/:name', { summary: 'A feed checkpoint', roles: ANY_MEMBER, extra: nameParam, response: checkpointSchema, errors: [400, 401, 403, 404] },
    (org, _a, req) => s.get(org, name(req)));
  route('PUT', '/feed/checkpoints/:name', {
    summary: 'Commit a feed position to a checkpoint (created when new): a nextCursor of the feed, or position start / now', roles: WRITERS, extra: nameParam,
    errors: [400, 401, 403, 404, 409],
    body: {
      type: 'object', additionalProperties: false, minProperties: 1, maxProperties: 1,
      properties: {
        cursor: { type: 'string', minLength: 1, maxLength: 65536, description: 'A nextCursor the feed gave this organisation.' },
        position: { type: 'string', enum: ['start', 'now'], description: 'start: the oldest item; now: the feed\'s current end.' },
      },
    },
    response: { ...checkpointSchema, required: [...checkpointSchema.required, 'created'], properties: { ...checkpointSchema.properties, created: { type: 'boolean' } } },
  }, (org, a, req) => s.put(org, name(req), req.body as CheckpointInput, a.ctx));
  route('DELETE', '/feed/checkpoints/:name', { summary: 'Delete a feed checkpoint', roles: WRITERS, extra: nameParam, status: 204, response: null, errors: [400, 401, 403, 404] },
    async (org, a, req) => { await s.delete(org, name(req), a.ctx); });
}

/** The name pattern, for the feed's querystring. */
export const checkpointNamePattern = CHECKPOINT_NAME.source;
