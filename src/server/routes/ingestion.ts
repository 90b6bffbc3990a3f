import { recordRefusal } from './record-refusal.js';
import type { FastifyInstance } from 'fastify';
import { okEnvelope, type Clock, type Receipt } from '../../protocol/index.js';
import type { RenderedAnswer, ResponseStyle } from '../plugins/errors.js';
import { acceptIngestion, ingestAccepted, type AcceptedIngestion } from '../services/accept-ingestion.js';
import type { AuthDeps } from '../services/authenticate-request.js';
import type { IngestDeps } from '../services/ingest-message.js';
import type { IngestionRateLimits } from '../services/ingestion-rate-limits.js';
import type { RefusalRecorder } from '../services/insights/refusal-recorder.js';
import { envelopeSchema, errorResponses, idParams, macHeadersSchema, receiptSchema } from './schemas.js';

declare module 'fastify' {
  interface FastifyRequest {
    ingestion?: AcceptedIngestion;
  }
}

/** The 200 answer to a stored message: its Location, and the JSON receipt or the Netvisor envelope. */
export function renderReceipt(style: ResponseStyle, receipt: Receipt, clock: Clock): RenderedAnswer & { location: string } {
  const location = `/vault/v1/messages/${receipt.messageId}`;
  if (style.json) return { status: 200, location, contentType: 'application/json; charset=utf-8', body: JSON.stringify(receipt) };
  return { status: 200, location, contentType: 'text/xml; charset=utf-8', body: okEnvelope(clock.now(), { InsertedDataIdentifier: receipt.messageId }) };
}

/** POST /ingestion/{channelId}: the checks in the order of ingestion.md, then a durable commit, then the receipt. */
export function ingestionRoutes(d: IngestDeps & AuthDeps & { clock: Clock; refusals?: RefusalRecorder | undefined; rateLimits?: IngestionRateLimits | undefined }) {
  return async (app: FastifyInstance): Promise<void> => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: d.maxBodyBytes }, (_req, body, done) => done(null, body));

    app.post<{ Params: { channelId: string } }>('/ingestion/:channelId', {
      schema: {
        tags: ['ingestion'],
        summary: 'Send a message into the channel company\'s vault',
        description: 'Checks, in order: channel exists in this environment, caller authenticated, caller is the channel\'s party (customer credential of the channel\'s company, Organisation-ID its business id), message type agreed, media type agreed, size within limits, the party\'s and channel\'s rate limits (429 RATE_LIMITED), transaction id unused. The message is committed durably before the reply.',
        security: [{ netvisorMac: [] }, { bearerToken: ['ingest'] }, { httpSignature: [] }],
        params: idParams('channelId', 'ch_test_…'),
        querystring: {
          type: 'object',
          properties: {
            messageType: { type: 'string', description: 'The agreed message type, for clients that cannot send X-Message-Type (covered by the MAC as part of the URL). With X-Message-Type too, both must be equal; different values or a repeated parameter are 400 MESSAGE_TYPE_CONFLICT.' },
          },
        },
        headers: {
          type: 'object',
          properties: {
            ...macHeadersSchema.properties,
            'idempotency-key': { type: 'string', description: 'Bearer requests: at most one message per key and party (the MAC TransactionId\'s exactly-once rule); a reused key is REQUEST_NOT_UNIQUE naming the stored message.' },
            'x-message-type': { type: 'string', description: 'Agreed message type; may be omitted when the channel has exactly one, or given in the URL as ?messageType=.' },
            'content-type': { type: 'string', description: 'One of the media types agreed for the message type.' },
            'content-encoding': { type: 'string', description: 'gzip (x-gzip), deflate or br, or a list in the order applied (RFC 9110 §8.4): the decoded message is what is stored, hashed and bounded by the body limit. Others: 415 with Accept-Encoding.' },
            // Issue 17 (docs/http-signatures.md).
            'content-digest': { type: 'string', description: 'RFC 9530: sha-256=:<base64>: (or sha-512) over the body as sent; a mismatch is CONTENT_DIGEST_MISMATCH and nothing is stored. Required when the channel requires it and on signed requests.' },
            'signature-input': { type: 'string', description: 'RFC 9421 (third scheme): one signature covering "@method" "@target-uri" "content-digest" "content-type", with created, nonce (the transaction id) and keyid (a key registered for the party).' },
            signature: { type: 'string', description: 'RFC 9421: the signature named in Signature-Input.' },
          },
        },
        response: {
          200: {
            description: 'Stored. JSON receipt (Accept: application/json) or the Netvisor envelope with InsertedDataIdentifier.',
            headers: {
              location: { type: 'string', description: '/vault/v1/messages/{messageId}' },
              'ratelimit-policy': { type: 'string', description: 'The rate limits in force (draft-ietf-httpapi-ratelimit-headers-11), e.g. "party";q=10000;w=10, "channel";q=5000;w=10 (docs/api.md, Limits). Also on a 429 RATE_LIMITED, with Retry-After.' },
              ratelimit: { type: 'string', description: 'What is left of each limit: "party";r=9958;t=7, "channel";r=4970;t=7 (r messages left, t seconds until the window resets).' },
            },
            content: { 'application/json': { schema: receiptSchema }, 'text/xml': { schema: envelopeSchema } },
          },
          ...errorResponses(400, 401, 403, 404, 409, 413, 415, 421),
        },
      },
      onRequest: async (request, reply) => {
        request.ingestion = await acceptIngestion(d, {
          channelId: request.params.channelId, headers: request.headers, rawTarget: request.url, mac: request.style.mac,
          origin: { address: request.ip, requestId: request.id },
        });
        // Fair use (issue 17 §3): the RateLimit fields on whatever answer follows, the receipt or a later refusal.
        if (request.ingestion.rateLimit) reply.headers(request.ingestion.rateLimit.headers);
      },
      // A refused request (the error handler set its code) is recorded off the request path (issue 16).
      onResponse: recordRefusal(d),
    }, async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const receipt = await ingestAccepted(d, request.ingestion!, body, request.headers['content-type']!);
      const a = renderReceipt(request.style, receipt, d.clock);
      return reply.header('location', a.location).type(a.contentType).send(a.body);
    });
  };
}

