import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MembershipRole } from '../../../store/index.js';
import { errorResponses, idParams } from '../schemas.js';
import type { Authenticated } from './principal.js';
import { memberSecurity } from './schemas.js';

/** Authorizes a request on the organisation in its path for one of `roles` (accounts.authorize). */
export type OrgOf = (req: FastifyRequest, reply: FastifyReply, roles: readonly MembershipRole[]) => Promise<{ a: Authenticated; id: string }>;
export const ANY_MEMBER: readonly MembershipRole[] = ['admin', 'member', 'viewer'];
export const ADMIN_ONLY: readonly MembershipRole[] = ['admin'];

export interface OrgRouteOptions {
  summary: string;
  roles: readonly MembershipRole[];
  /** A second path parameter: its name and an example id. */
  extra?: [string, string];
  body?: object;
  query?: object;
  /** The success status (default 200). */
  status?: number;
  /** null: no body (e.g. 204). */
  response: object | null;
  errors: number[];
  tags?: string[];
}

/**
 * The route registrar of /api/v1/organisations/{organisationId}/…: schema (the organisation and `extra` as path
 * parameters, member security, the response and problem answers), then the handler with the organisation id once
 * the caller is authorized for `roles` on it.
 */
export function organisationRoutes(app: FastifyInstance, orgOf: OrgOf, tag: string) {
  const params = (extra?: [string, string]) => {
    const p = idParams('organisationId', 'co_test_… or tp_test_…') as { properties: Record<string, unknown>; required: string[] };
    if (!extra) return p;
    const e = idParams(...extra) as { properties: Record<string, unknown>; required: string[] };
    return { ...p, required: [...p.required, ...e.required], properties: { ...p.properties, ...e.properties } };
  };
  return (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, o: OrgRouteOptions, handler: (id: string, a: Authenticated, req: FastifyRequest) => Promise<unknown>): void => {
    app.route({
      method, url: `/organisations/:organisationId${url}`,
      schema: {
        tags: o.tags ?? [tag], summary: o.summary, security: memberSecurity, params: params(o.extra),
        ...(o.body ? { body: o.body } : {}), ...(o.query ? { querystring: o.query } : {}),
        response: { [o.status ?? 200]: o.response ?? { type: 'null' }, ...errorResponses(...o.errors) },
      },
      handler: async (req, reply) => {
        const { a, id } = await orgOf(req, reply, o.roles);
        const out = await handler(id, a, req);
        if (o.status) reply.code(o.status);
        return out;
      },
    });
  };
}
