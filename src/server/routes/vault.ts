import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { authenticateRequest, type AuthDeps } from '../services/authenticate-request.js';
import { authorizeBearerVaultRead, readIdempotencyKey } from '../services/authorize-bearer.js';
import { authorizeVaultRead, exportVault, listVaultMessages, readVaultMessage, type VaultDeps, type VaultReader } from '../services/read-vault.js';
import { errorResponses, idParams, macHeadersSchema, messageMetaSchema, pageOf } from './schemas.js';

declare module 'fastify' {
  interface FastifyRequest {
    vaultReader?: VaultReader;
  }
}

/** The owner's reads of its own vault: the signed-header scheme with a `vault.read` customer credential, or a bearer token of a company client with `vault.read`. */
export function vaultRoutes(d: VaultDeps & AuthDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.addHook('onRequest', async (request) => {
      const principal = await authenticateRequest(d, request.headers, request.url, request.style.mac, { address: request.ip, requestId: request.id });
      // --- auth dispatch (issue 4): bearer principals are authorised by authorize-bearer.ts ---
      request.vaultReader = principal.scheme === 'bearer'
        ? authorizeBearerVaultRead(principal, readIdempotencyKey(request.headers))
        : await authorizeVaultRead(d, principal);
    });
    const common = { tags: ['vault'], security: [{ netvisorMac: [] }, { bearerToken: ['vault.read'] }] as Record<string, string[]>[], headers: macHeadersSchema };
    // The selection shared by the list and the export.
    const selection = {
      channelId: { type: 'string', maxLength: 200 }, messageType: { type: 'string', maxLength: 100 },
      from: { type: 'string', description: 'ISO 8601, inclusive' }, to: { type: 'string', description: 'ISO 8601, exclusive' },
    } as const;

    app.get<{ Querystring: Record<string, string> }>('/messages', {
      schema: {
        ...common,
        summary: 'List the messages in your vault (metadata, oldest first, cursor pagination)',
        querystring: {
          type: 'object', additionalProperties: false,
          properties: { ...selection, cursor: { type: 'string', maxLength: 200 }, limit: { type: 'string', pattern: '^[0-9]{1,4}$', description: '1-1000, default 100' } },
        },
        response: { 200: pageOf(messageMetaSchema), ...errorResponses(400, 401, 403, 409, 421) },
      },
    }, async (request) => listVaultMessages(d, request.vaultReader!, request.query));

    app.get<{ Querystring: Record<string, string> }>('/export', {
      schema: {
        ...common,
        summary: 'Export your vault as NDJSON, streamed (constant memory however large)',
        description: 'One line per message: the metadata, `body` (text media types, valid UTF-8) or `bodyBase64`, and `cursor`. The last line is {"complete":true,"count":N}; an export cut short lacks it: resume with ?cursor=<the last cursor received>.',
        querystring: {
          type: 'object', additionalProperties: false,
          properties: { ...selection, cursor: { type: 'string', maxLength: 200, description: 'Resume after the line that carried this cursor.' } },
        },
        response: {
          200: { description: 'NDJSON stream', content: { 'application/x-ndjson': { schema: { type: 'string' } } } },
          ...errorResponses(400, 401, 403, 409, 421),
        },
      },
    }, async (request, reply) => {
      const lines = await exportVault(d, request.vaultReader!, request.query);
      reply.header('cache-control', 'no-store');
      return reply.type('application/x-ndjson; charset=utf-8').send(Readable.from(lines, { objectMode: false }));
    });

    app.get<{ Params: { messageId: string } }>('/messages/:messageId', {
      schema: {
        ...common,
        summary: 'Read one message: the original bytes and Content-Type, metadata in headers',
        params: idParams('messageId', 'msg_test_…'),
        response: {
          200: {
            description: 'The body exactly as received.',
            headers: {
              'x-message-id': { type: 'string' }, 'x-message-type': { type: 'string' }, 'x-channel-id': { type: 'string' },
              'x-party-id': { type: 'string' }, 'x-received-at': { type: 'string' }, 'x-transaction-id': { type: 'string' },
              'repr-digest': { type: 'string', description: 'sha-256=:<base64>: of the body' },
            },
            content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
          },
          ...errorResponses(400, 401, 403, 404, 409, 421),
        },
      },
    }, async (request, reply) => {
      const { meta, body } = await readVaultMessage(d, request.vaultReader!, request.params.messageId);
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
    });
  };
}
