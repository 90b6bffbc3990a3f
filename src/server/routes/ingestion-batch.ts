import { recordRefusal } from './record-refusal.js';
import type { IngestionRateLimits } from '../services/ingestion-rate-limits.js';
import { checkBodyIntegrity } from '../services/body-integrity.js';
import type { FastifyInstance } from 'fastify';
import { BATCH_MAX_ITEMS, BATCH_MEDIA_TYPE, type BatchCapability, type Clock } from '../../protocol/index.js';
import { toVaultgateError } from '../plugins/errors.js';
import type { AuthDeps } from '../services/authenticate-request.js';
import { acceptBatch, ingestBatch, type AcceptedBatch } from '../services/ingest-batch.js';
import type { IngestDeps } from '../services/ingest-message.js';
import type { RefusalRecorder } from '../services/insights/refusal-recorder.js';
import { errorResponses, idParams, macHeadersSchema, receiptSchema } from './schemas.js';

declare module 'fastify' {
  interface FastifyRequest {
    batch?: AcceptedBatch;
  }
}

/** The batch route's path (Fastify's; the lean fast path leaves it to Fastify). */
export const BATCH_ROUTE = '/ingestion/:channelId/batch';

const itemResultSchema = {
  type: 'object',
  required: ['index', 'status'],
  properties: {
    index: { type: 'integer', description: 'The line, from 0.' },
    status: { type: 'string', enum: ['stored', 'refused'] },
    receipt: { ...receiptSchema, description: 'stored: the receipt a single send answers.' },
    code: { type: 'string', description: 'refused: the catalogue code (docs/errors.md), e.g. BATCH_LINE_INVALID, MEDIA_TYPE_NOT_AGREED, REQUEST_NOT_UNIQUE.' },
    title: { type: 'string', description: 'refused: the message in the request language.' },
    detail: { type: 'string' },
    remedy: { type: 'string', description: 'refused: what to change, in the request language.' },
    messageId: { type: 'string', description: 'refused REQUEST_NOT_UNIQUE: the message stored under the item\'s transaction id before.' },
  },
} as const;

/**
 * POST /ingestion/{channelId}/batch (issue 17 part 1) and its capability answer OPTIONS /ingestion/{channelId}/batch.
 * Authenticated and authorized like a single message; the batch-level checks refuse the whole request (problem+json,
 * or the Netvisor envelope for MAC clients that did not ask for JSON), per-item results are always JSON.
 */
export function ingestionBatchRoutes(d: IngestDeps & AuthDeps & { clock: Clock; refusals?: RefusalRecorder | undefined; rateLimits?: IngestionRateLimits | undefined }) {
  return async (app: FastifyInstance): Promise<void> => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: d.maxBodyBytes }, (_req, body, done) => done(null, body));

    const capability: BatchCapability = { mediaType: BATCH_MEDIA_TYPE, maxItems: BATCH_MAX_ITEMS, maxBytes: d.maxBodyBytes, maxItemBytes: d.maxBodyBytes };
    app.options<{ Params: { channelId: string } }>(BATCH_ROUTE, {
      schema: {
        tags: ['ingestion'],
        summary: 'Whether this server takes batches, and their limits',
        description: 'Unauthenticated; the same answer for every channel id (it names no channel). A server without batches answers 404: clients then send single messages.',
        params: idParams('channelId', 'ch_test_…'),
        response: {
          200: {
            description: 'Batches are offered. Accept-Post: application/x-ndjson.',
            headers: { 'accept-post': { type: 'string' }, allow: { type: 'string' } },
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { mediaType: { type: 'string' }, maxItems: { type: 'integer' }, maxBytes: { type: 'integer' }, maxItemBytes: { type: 'integer' } },
                },
              },
            },
          },
          ...errorResponses(400),
        },
      },
    }, async (_request, reply) => reply.header('allow', 'OPTIONS, POST').header('accept-post', BATCH_MEDIA_TYPE).send(capability));

    app.post<{ Params: { channelId: string } }>(BATCH_ROUTE, {
      schema: {
        tags: ['ingestion'],
        summary: 'Send up to 1,000 messages in one request (NDJSON), with a result per message',
        description: 'Body: application/x-ndjson, one JSON object per line: {"messageType"?, "mediaType", "transactionId"|"idempotencyKey"?, "body"|"bodyBase64"} (docs/ingestion.md "Batches"). '
          + 'Whole-batch refusals (one code, nothing stored): the checks of a single message up to authorization, CHANNEL_DISABLED, BATCH_MEDIA_TYPE, BATCH_EMPTY, BATCH_TOO_MANY_ITEMS, BODY_TOO_LARGE (whole request), REQUEST_NOT_UNIQUE (the batch\'s own TransactionId / Idempotency-Key reused). '
          + 'Then each line on its own: refused with its code (BATCH_LINE_INVALID, MESSAGE_TYPE_REQUIRED, MESSAGE_TYPE_NOT_AGREED, MEDIA_TYPE_NOT_AGREED, BODY_EMPTY, BODY_TOO_LARGE, REQUEST_NOT_UNIQUE) or stored; every stored item is committed durably before the answer.',
        security: [{ netvisorMac: [] }, { bearerToken: ['ingest'] }, { httpSignature: [] }],
        params: idParams('channelId', 'ch_test_…'),
        headers: {
          type: 'object',
          properties: {
            ...macHeadersSchema.properties,
            'idempotency-key': { type: 'string', description: 'Bearer requests, optional: the batch\'s own key (replay protection of the request as a whole; a reused one is REQUEST_NOT_UNIQUE and nothing is stored). Items carry their own.' },
            'content-type': { type: 'string', description: 'application/x-ndjson' },
            'content-encoding': { type: 'string', description: 'gzip, deflate or br (as a single message): the decoded body is what the limits apply to.' },
          },
        },
        response: {
          200: {
            description: 'Every line answered, in order. `stored` + `refused` = the number of lines.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { channelId: { type: 'string' }, stored: { type: 'integer' }, refused: { type: 'integer' }, items: { type: 'array', items: itemResultSchema } },
                },
              },
            },
          },
          ...errorResponses(400, 401, 403, 404, 409, 413, 415, 421),
        },
      },
      onRequest: async (request) => {
        request.batch = await acceptBatch(d, {
          channelId: request.params.channelId, headers: request.headers, rawTarget: request.url, mac: request.style.mac,
          origin: { address: request.ip, requestId: request.id },
        });
      },
      // A whole-batch refusal is recorded like a single message's (issue 16), off the request path.
      onResponse: recordRefusal(d),
    }, async (request, reply) => {
      const received = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      // Content-Digest (RFC 9530) of the whole request body as it came off the wire, before anything is decoded, parsed
      // or stored: a mismatch refuses the whole batch (CONTENT_DIGEST_MISMATCH).
      checkBodyIntegrity(request.batch!.digests, received);
      const { channel } = request.batch!;
      // Fair use (issue 17 §3): a batch costs its item count, charged once its lines are counted and before anything is
      // stored or its own id is used; over the budget, the whole batch is RATE_LIMITED (429) and nothing is stored.
      const charge = d.rateLimits
        ? async (items: number): Promise<void> => {
          const state = await d.rateLimits!.consume({ partyId: channel.partyId, channelId: channel.id }, items);
          if (state) reply.headers(state.headers);
        }
        : undefined;
      const result = await ingestBatch(d, request.batch!, received, { language: request.style.language, toError: toVaultgateError, charge });
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(result));
    });
  };
}
