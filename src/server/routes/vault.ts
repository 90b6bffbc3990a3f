import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VaultgateError } from '../../protocol/index.js';
import type { AuditCheckpoints } from '../services/audit/audit-checkpoints.js';
import type { AuditTrail } from '../services/audit/audit-trail.js';
import type { Principal } from '../services/authenticate-request.js';
import { authorizeBearerVaultRead } from '../services/authorize-bearer.js';
import { authorizeVaultRead, exportVault, listVaultMessages, readVaultMessage, type MessageView, type VaultDeps, type VaultReader } from '../services/read-vault.js';
import { listArgs } from './admin.js';
import { auditContext, registerVaultAuditRoute } from './audit.js';
import { authorizePersonVaultRead } from './accounts/vault-person.js';
import { personSecurity, registerVaultGate, vaultHeadersSchema, type VaultGateDeps } from './vault-gate.js';
import { errorResponses, idParams, messageMetaSchema, pageOf } from './schemas.js';

declare module 'fastify' {
  interface FastifyRequest {
    vaultReader?: VaultReader;
  }
}

/** The companies a refused vault request concerns: the credential's own, and the one it named (MAC Organisation-ID). */
export async function refusalTenants(d: VaultDeps, p: Principal): Promise<string[]> {
  if (p.scheme === 'bearer') return p.ownerKind === 'company' ? [p.ownerId] : [];
  const named = await d.store.getCompanyByBusinessId(p.headers.organisationId);
  return [p.customer.companyId, ...(named ? [named.id] : [])];
}

// The selection shared by the list and the export (of one's own vault and of a shared one).
const selection = {
  channelId: { type: 'string', maxLength: 200 }, messageType: { type: 'string', maxLength: 100 },
  from: { type: 'string', description: 'ISO 8601, inclusive' }, to: { type: 'string', description: 'ISO 8601, exclusive' },
} as const;
export const messageListQuery = {
  type: 'object', additionalProperties: false,
  properties: { ...selection, cursor: { type: 'string', maxLength: 200 }, limit: { type: 'string', pattern: '^[0-9]{1,4}$', description: '1-1000, default 100' } },
} as const;
export const exportQuery = {
  type: 'object', additionalProperties: false,
  properties: { ...selection, cursor: { type: 'string', maxLength: 200, description: 'Resume after the line that carried this cursor.' } },
} as const;
export const exportResponses = {
  200: { description: 'NDJSON stream', content: { 'application/x-ndjson': { schema: { type: 'string' } } } },
  ...errorResponses(400, 401, 403, 409, 421),
};

/** The 200 answer of a message read: the original bytes, the metadata in headers (plus `extra` ones). */
export const messageBodyResponse = (extra: Record<string, object> = {}): object => ({
  description: 'The body exactly as received.',
  headers: {
    'x-message-id': { type: 'string' }, 'x-message-type': { type: 'string' }, 'x-channel-id': { type: 'string' },
    'x-party-id': { type: 'string' }, 'x-received-at': { type: 'string' }, 'x-transaction-id': { type: 'string' },
    'repr-digest': { type: 'string', description: 'sha-256=:<base64>: of the body' }, ...extra,
  },
  content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
});

/** Sends a message read: the body as received, its Content-Type, the metadata in headers, never cached. */
export function sendMessage(reply: FastifyReply, meta: MessageView, body: Buffer): FastifyReply {
  reply.headers({
    'content-type': meta.contentType,
    'x-message-id': meta.messageId,
    'x-message-type': meta.messageType,
    'x-channel-id': meta.channelId,
    'x-party-id': meta.partyId,
    'x-received-at': meta.receivedAt,
    'repr-digest': `sha-256=:${Buffer.from(meta.sha256, 'hex').toString('base64')}:`,
    'cache-control': 'no-store',
  });
  if (meta.transactionId !== null && /^[\x20-\x7e]*$/.test(meta.transactionId)) reply.header('x-transaction-id', meta.transactionId);
  return reply.send(body);
}

/**
 * The owner's reads of its own vault: the signed-header scheme with a `vault.read` customer credential, a bearer token
 * of a company client with `vault.read`, or (issue 16) a person with any role in the company's organisation
 * (vault-gate.ts, accounts/vault-person.ts).
 */
export function vaultRoutes(d: VaultDeps & VaultGateDeps & { audit: AuditTrail; checkpoints: AuditCheckpoints }) {
  return async (app: FastifyInstance): Promise<void> => {
    registerVaultGate(app, d, {
      action: 'vault.access',
      // --- auth dispatch (issue 4): bearer principals are authorised by authorize-bearer.ts ---
      credential: async (p, key) => (p.scheme === 'bearer' ? authorizeBearerVaultRead(p, key) : authorizeVaultRead(d, p)),
      person: (p, key) => authorizePersonVaultRead(d, p, key),
      refusalTenants: (p) => refusalTenants(d, p),
      assign: (request, reader) => {
        request.vaultReader = reader;
      },
    });
    const ctx = (request: FastifyRequest) => auditContext(request, request.auditActor!);
    /** Records a read before its answer is sent; AUDIT_UNAVAILABLE (503, nothing sent) when it cannot be written. */
    const read = (request: FastifyRequest, action: string, subject: string, details: Record<string, unknown>) =>
      d.audit.record(ctx(request), { action, subject, tenants: [request.vaultReader!.company.id], details });
    const common = { tags: ['vault'], security: [{ netvisorMac: [] }, { bearerToken: ['vault.read'] }, ...personSecurity], headers: vaultHeadersSchema };

    app.get<{ Querystring: Record<string, string> }>('/messages', {
      schema: {
        ...common,
        summary: 'List the messages in your vault (metadata, oldest first, cursor pagination)',
        querystring: messageListQuery,
        response: { 200: pageOf(messageMetaSchema), ...errorResponses(400, 401, 403, 409, 421) },
      },
    }, async (request) => {
      const page = await listVaultMessages(d, request.vaultReader!, request.query);
      const { cursor, limit, ...selection } = request.query;
      await read(request, 'vault.list', request.vaultReader!.company.id, {
        selection, cursor: cursor ?? null, nextCursor: page.nextCursor, count: page.items.length,
        firstMessageId: page.items[0]?.messageId ?? null, lastMessageId: page.items[page.items.length - 1]?.messageId ?? null,
      });
      return page;
    });

    app.get<{ Querystring: Record<string, string> }>('/export', {
      schema: {
        ...common,
        summary: 'Export your vault as NDJSON, streamed (constant memory however large)',
        description: 'One line per message: the metadata, `body` (text media types, valid UTF-8) or `bodyBase64`, and `cursor`. The last line is {"complete":true,"count":N}; an export cut short lacks it: resume with ?cursor=<the last cursor received>.',
        querystring: exportQuery,
        response: exportResponses,
      },
    }, async (request, reply) => {
      const lines = await exportVault(d, request.vaultReader!, request.query);
      // One event per export request, not per message (issue 13 §5): the selection and where it starts.
      const { cursor, ...selection } = request.query;
      await read(request, 'vault.export', request.vaultReader!.company.id, { selection, cursor: cursor ?? null });
      reply.header('cache-control', 'no-store');
      return reply.type('application/x-ndjson; charset=utf-8').send(Readable.from(lines, { objectMode: false }));
    });

    app.get<{ Params: { messageId: string } }>('/messages/:messageId', {
      schema: {
        ...common,
        summary: 'Read one message: the original bytes and Content-Type, metadata in headers',
        params: idParams('messageId', 'msg_test_…'),
        response: { 200: messageBodyResponse(), ...errorResponses(400, 401, 403, 404, 409, 421) },
      },
    }, async (request, reply) => {
      let found: Awaited<ReturnType<typeof readVaultMessage>>;
      try {
        found = await readVaultMessage(d, request.vaultReader!, request.params.messageId);
      } catch (err) {
        // A message id not in this vault (another company's, or none): a refused read, recorded for this vault.
        if (err instanceof VaultgateError && err.code === 'NOT_FOUND') {
          await d.audit.refusal(ctx(request), { action: 'vault.get', subject: request.params.messageId, tenants: [request.vaultReader!.company.id], details: { code: err.code } });
        }
        throw err;
      }
      const { meta, body } = found;
      await read(request, 'vault.get', meta.messageId, { size: meta.size, messageType: meta.messageType, channelId: meta.channelId });
      return sendMessage(reply, meta, body);
    });

    registerVaultAuditRoute(app, d, common, (request) => request.vaultReader!.company.id, listArgs);
  };
}
