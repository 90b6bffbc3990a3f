import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_DESCRIPTION, MAX_QUERY, type Directory } from '../../services/directory.js';
import { listArgs, type ListQ } from '../admin.js';
import { errorResponses, listQuerySchema, pageOf } from '../schemas.js';
import { ADMIN_ONLY, ANY_MEMBER, organisationRoutes, type OrgOf } from './org-route.js';
import type { Authenticated } from './principal.js';
import { memberSecurity } from './schemas.js';

/*
 * The directory (issue 16) under /api/v1: any signed-in person (session or personal API token) searches it; an
 * organisation's members read its listing and its admins choose whether it is listed (not by default).
 */

const ts = { type: ['string', 'null'], format: 'date-time' } as const;
const itemSchema = {
  type: 'object', additionalProperties: false, required: ['organisationId', 'name', 'businessId', 'description', 'kinds'],
  properties: {
    organisationId: { type: 'string' }, name: { type: 'string' },
    businessId: { type: ['string', 'null'], description: "The company's business id; null for a software vendor only." },
    description: { type: 'string', description: "The organisation's own words ('' when none, or when found by business id while unlisted)." },
    kinds: { type: 'array', items: { type: 'string', enum: ['company', 'vendor'] } },
  },
} as const;
const listingSchema = {
  type: 'object', additionalProperties: false, required: ['organisationId', 'listed', 'description', 'updatedAt'],
  properties: { organisationId: { type: 'string' }, listed: { type: 'boolean' }, description: { type: 'string' }, updatedAt: { ...ts, description: 'null: never set (not listed).' } },
} as const;

export function registerDirectoryRoutes(
  app: FastifyInstance,
  directory: Directory,
  signedIn: (req: FastifyRequest, reply: FastifyReply) => Promise<Authenticated>,
  orgOf: OrgOf,
): void {
  app.get('/directory', {
    schema: {
      tags: ['directory'], security: memberSecurity,
      summary: 'Search the directory: listed, active organisations whose name contains q, and the company whose business id is exactly q (listed or not)',
      description: 'Paged oldest first ({items, nextCursor}); q is case-insensitive, empty lists every listed organisation. Suspended organisations never appear. docs/sharing.md#directory.',
      querystring: { ...listQuerySchema, properties: { ...listQuerySchema.properties, q: { type: 'string', maxLength: MAX_QUERY } } },
      response: { 200: pageOf(itemSchema), ...errorResponses(400, 401, 403) },
    },
  }, async (req, reply) => {
    await signedIn(req, reply);
    const q = req.query as ListQ & { q?: string };
    return directory.search({ q: q.q, ...listArgs(q) });
  });

  const route = organisationRoutes(app, orgOf, 'directory');
  route('GET', '/directory-listing', { summary: "The organisation's directory listing", roles: ANY_MEMBER, response: listingSchema, errors: [401, 403, 404] },
    (id) => directory.listing(id));
  route('PUT', '/directory-listing', {
    summary: 'List the organisation in the directory, or not (admin; not listed by default)', roles: ADMIN_ONLY, response: listingSchema, errors: [400, 401, 403, 404],
    body: {
      type: 'object', additionalProperties: false, required: ['listed'],
      properties: { listed: { type: 'boolean' }, description: { type: 'string', maxLength: MAX_DESCRIPTION, description: `At most ${MAX_DESCRIPTION} characters; kept when left out.` } },
    },
  }, (id, a, req) => directory.setListing(id, req.body as { listed: boolean; description?: string }, a.ctx));
}
