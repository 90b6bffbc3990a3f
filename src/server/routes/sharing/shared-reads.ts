import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseId, VaultgateError, type AuditActor, type ReadScope } from '../../../protocol/index.js';
import type { AuditTrail } from '../../services/audit/audit-trail.js';
import {
  authorizeSharedRead, exportShared, listSharedMessages, listSharedOwners, readSharedMessage, scopeGrantIds, sharedScopes,
  type SharedDeps, type SharedReader,
} from '../../services/sharing/shared-reads.js';
import { auditContext } from '../audit.js';
import { errorResponses, idParams, messageMetaSchema, pageOf } from '../schemas.js';
import { personSharedReader } from '../accounts/vault-person.js';
import { personSecurity, registerVaultGate, vaultHeadersSchema, type VaultGateDeps } from '../vault-gate.js';
import { exportQuery, exportResponses, messageBodyResponse, messageListQuery, sendMessage } from '../vault.js';

declare module 'fastify' {
  interface FastifyRequest {
    sharedReader?: SharedReader;
  }
}

type Owner = { Params: { ownerCompanyId: string } };

const scopeSchema = {
  type: 'object', required: ['grantId', 'channelIds', 'messageTypes', 'receivedFrom', 'receivedBefore'],
  properties: {
    grantId: { type: 'string' }, channelIds: { type: ['array', 'null'], items: { type: 'string' } }, messageTypes: { type: ['array', 'null'], items: { type: 'string' } },
    receivedFrom: { type: ['string', 'null'], format: 'date-time' }, receivedBefore: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

/**
 * Consumer reads (issue 15), under /vault/v1/shared: another owner's vault, filtered to the reader's active grants,
 * with the same credentials as a vault read (a MAC vault.read customer credential of the consumer company) or a bearer
 * token with the shared.read role, or (issue 16) a person of the consumer organisation, any role, with a session or a
 * personal API token (Vaultgate-Organisation names the organisation; accounts/vault-person.ts). Every read, and every
 * refused one, is an audit event of both the owner and the consumer (`shared.list`, `shared.get`, `shared.export`).
 */
export function sharedReadRoutes(d: SharedDeps & VaultGateDeps & { audit: AuditTrail }) {
  return async (app: FastifyInstance): Promise<void> => {
    registerVaultGate(app, d, {
      action: 'shared.access',
      credential: (p, key) => authorizeSharedRead(d, p, key),
      person: async (p, key) => personSharedReader(p, key),
      refusalTenants: async (p) => [p.scheme === 'bearer' ? p.ownerId : p.customer.companyId],
      alsoConcerns: (request) => ownerTenant(request),
      assign: (request, reader) => {
        request.sharedReader = reader;
      },
    });
    const ctx = (request: FastifyRequest) => auditContext(request, request.auditActor as AuditActor);
    /** The owner named in the path, as an audit tenant, when it is a well-formed company id of this environment. */
    const ownerTenant = (request: FastifyRequest): string[] => {
      const owner = (request.params as { ownerCompanyId?: string }).ownerCompanyId;
      return owner !== undefined && parseId(owner, 'company', d.environment).ok ? [owner] : [];
    };
    const tenants = (request: FastifyRequest) => [...ownerTenant(request), request.sharedReader!.organisationId];
    /**
     * Runs a read within the reader's scopes over the owner's vault, re-resolved now: a refusal (GRANT_REQUIRED, a
     * message outside every scope) is recorded for both sides and thrown; the read records its own event.
     */
    const withinScopes = async <T>(request: FastifyRequest<Owner>, action: string, subject: string, fn: (scopes: ReadScope[]) => Promise<T>): Promise<T> => {
      let scopes: ReadScope[] = [];
      try {
        scopes = await sharedScopes(d, request.sharedReader!, request.params.ownerCompanyId);
        return await fn(scopes);
      } catch (err) {
        if (err instanceof VaultgateError && (err.code === 'GRANT_REQUIRED' || err.code === 'NOT_FOUND')) {
          await d.audit.refusal(ctx(request), { action, subject, tenants: tenants(request), details: { code: err.code, grantIds: scopeGrantIds(scopes) } });
        }
        throw err;
      }
    };
    const record = (request: FastifyRequest, action: string, subject: string, details: Record<string, unknown>) =>
      d.audit.record(ctx(request), { action, subject, tenants: tenants(request), details });

    const common = {
      tags: ['shared'], security: [{ netvisorMac: [] }, { bearerToken: ['shared.read'] }, ...personSecurity], headers: vaultHeadersSchema,
    };
    const owner = idParams('ownerCompanyId', 'co_test_…');
    const shared = '/shared/:ownerCompanyId';

    app.get('/shared', {
      schema: {
        ...common,
        summary: 'The owners whose vaults you may read now, and the active grants (with the read action) you hold over each',
        response: {
          200: {
            type: 'object', required: ['owners'],
            properties: {
              owners: {
                type: 'array',
                items: {
                  type: 'object', required: ['companyId', 'grants'],
                  properties: { companyId: { type: 'string' }, name: { type: ['string', 'null'] }, businessId: { type: ['string', 'null'] }, grants: { type: 'array', items: scopeSchema } },
                },
              },
            },
          },
          ...errorResponses(401, 403, 421),
        },
      },
    }, async (request) => listSharedOwners(d, request.sharedReader!));

    app.get<Owner & { Querystring: Record<string, string> }>(`${shared}/messages`, {
      schema: {
        ...common,
        summary: "List the messages of another owner's vault that your active grants cover (metadata, oldest first, cursor pagination)",
        description: 'The query and paging of /vault/v1/messages. Several grants of one owner combine (each message once, in position order). A page may hold fewer than `limit` items while nextCursor is set: follow nextCursor until it is null.',
        params: owner,
        querystring: messageListQuery,
        response: { 200: pageOf(messageMetaSchema), ...errorResponses(400, 401, 403, 409, 421) },
      },
    }, async (request) => withinScopes(request, 'shared.list', request.params.ownerCompanyId, async (scopes) => {
      const page = await listSharedMessages(d, request.sharedReader!, request.params.ownerCompanyId, scopes, request.query);
      const { cursor, limit: _l, ...selection } = request.query;
      await record(request, 'shared.list', request.params.ownerCompanyId, {
        grantIds: page.grantIds, selection, cursor: cursor ?? null, nextCursor: page.nextCursor, count: page.items.length, messageIds: page.items.map((m) => m.messageId),
      });
      return { items: page.items, nextCursor: page.nextCursor };
    }));

    app.get<Owner & { Params: { messageId: string } }>(`${shared}/messages/:messageId`, {
      schema: {
        ...common,
        summary: "Read one message of another owner's vault that your active grants cover: the original bytes, metadata in headers",
        description: 'A message outside every grant you hold answers NOT_FOUND, exactly like one that does not exist.',
        params: { type: 'object', required: ['ownerCompanyId', 'messageId'], properties: { ownerCompanyId: { type: 'string', maxLength: 100 }, messageId: { type: 'string', maxLength: 100 } } },
        response: {
          200: messageBodyResponse({ 'x-grant-id': { type: 'string', description: 'The (oldest) grant the read came through; absent for the owner itself.' } }),
          ...errorResponses(400, 401, 403, 404, 409, 421),
        },
      },
    }, async (request, reply) => withinScopes(request, 'shared.get', request.params.messageId, async (scopes) => {
      const { meta, body, grantIds } = await readSharedMessage(d, request.sharedReader!, request.params.ownerCompanyId, scopes, request.params.messageId);
      await record(request, 'shared.get', meta.messageId, { grantIds, size: meta.size, messageType: meta.messageType, channelId: meta.channelId, count: 1, messageIds: [meta.messageId] });
      if (grantIds[0] !== undefined) reply.header('x-grant-id', grantIds[0]);
      return sendMessage(reply, meta, body);
    }));

    app.get<Owner & { Querystring: Record<string, string> }>(`${shared}/export`, {
      schema: {
        ...common,
        summary: "Export the messages of another owner's vault that your active grants cover, as NDJSON (the format of /vault/v1/export)",
        description: 'Grants are checked again every 100 messages, each page read only when the connection took the previous one: when one ends (revoked, withdrawn, expired) mid-export, the stream stops at the first line no longer covered with {"complete":false,"code":"GRANT_REQUIRED","cursor":…,"count":N} instead of the completion line (lines already in the connection\'s buffers, and at most one page more, still arrive).',
        params: owner,
        querystring: exportQuery,
        response: exportResponses,
      },
    }, async (request, reply) => withinScopes(request, 'shared.export', request.params.ownerCompanyId, async (scopes) => {
      const { cursor, ...selection } = request.query;
      const context = ctx(request);
      const both = tenants(request);
      const lines = await exportShared(d, request.sharedReader!, request.params.ownerCompanyId, scopes, request.query, (end) => {
        // How the export ended (count, last message, stopped by a grant's end): after the fact, like a refusal.
        void d.audit.refusal(context, {
          action: 'shared.export.end', subject: request.params.ownerCompanyId, tenants: both, outcome: end.complete ? 'success' : 'refused',
          details: { grantIds: scopeGrantIds(scopes), ...end, ...(end.complete ? {} : { code: 'GRANT_REQUIRED' }) },
        });
      });
      await record(request, 'shared.export', request.params.ownerCompanyId, { grantIds: scopeGrantIds(scopes), selection, cursor: cursor ?? null });
      reply.header('cache-control', 'no-store');
      return reply.type('application/x-ndjson; charset=utf-8').send(lines);
    }));
  };
}
