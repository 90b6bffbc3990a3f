import type { FastifyInstance, FastifyRequest } from 'fastify';
import { okEnvelope, VaultgateError, type Clock } from '../../protocol/index.js';
import type { ChannelRecord, MessageTypeAgreement } from '../../store/index.js';
import { authenticateMac, type MacAuthDeps, type MacPrincipal } from '../services/authenticate-mac.js';
import { isBearerRequest, type BearerAuthenticator, type BearerPrincipal } from '../services/authenticate-bearer.js';
import { authorizeBearerIngestion, readIdempotencyKey } from '../services/authorize-bearer.js';
import { checkMessageHeaders, findChannel, ingestMessage, type IngestDeps } from '../services/ingest-message.js';
import { envelopeSchema, errorResponses, idParams, macHeadersSchema, receiptSchema } from './schemas.js';

declare module 'fastify' {
  interface FastifyRequest {
    ingestion?: { channel: ChannelRecord; principal: Principal; agreement: MessageTypeAgreement; mediaType: string; transactionId: string | undefined };
  }
}

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

export type Principal = MacPrincipal | BearerPrincipal;
export type AuthDeps = MacAuthDeps & { bearer: BearerAuthenticator };

/**
 * --- auth dispatch (issue 4) ---: `Authorization: Bearer` → the bearer service; X-Netvisor-* headers → the MAC
 * scheme; neither → AUTHENTICATION_FAILED.
 */
export async function authenticate(d: AuthDeps, request: FastifyRequest): Promise<Principal> {
  if (isBearerRequest(request.headers)) return d.bearer.authenticate(request.headers);
  if (request.style.mac) return authenticateMac(d, request.headers, request.url);
  throw new VaultgateError('AUTHENTICATION_FAILED', {
    detail: 'No credentials: send Authorization: Bearer <token>, or sign the request with the X-Netvisor-Authentication-* headers.',
  });
}

/** POST /ingestion/{channelId}: the checks in the order of ingestion.md, then a durable commit, then the receipt. */
export function ingestionRoutes(d: IngestDeps & AuthDeps & { clock: Clock }) {
  return async (app: FastifyInstance): Promise<void> => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: d.maxBodyBytes }, (_req, body, done) => done(null, body));

    app.post<{ Params: { channelId: string } }>('/ingestion/:channelId', {
      schema: {
        tags: ['ingestion'],
        summary: 'Send a message into the channel company\'s vault',
        description: 'Checks, in order: channel exists in this environment, caller authenticated, caller is the channel\'s party (customer credential of the channel\'s company, Organisation-ID its business id), message type agreed, media type agreed, size within limits, transaction id unused. The message is committed durably before the reply.',
        security: [{ netvisorMac: [] }, { bearerToken: ['ingest'] }],
        params: idParams('channelId', 'ch_test_…'),
        headers: {
          type: 'object',
          properties: {
            ...macHeadersSchema.properties,
            'idempotency-key': { type: 'string', description: 'Bearer requests: at most one message per key and party (the MAC TransactionId\'s exactly-once rule); a reused key is REQUEST_NOT_UNIQUE naming the stored message.' },
            'x-message-type': { type: 'string', description: 'Agreed message type; may be omitted when the channel has exactly one.' },
            'content-type': { type: 'string', description: 'One of the media types agreed for the message type.' },
          },
        },
        response: {
          200: {
            description: 'Stored. JSON receipt (Accept: application/json) or the Netvisor envelope with InsertedDataIdentifier.',
            headers: { location: { type: 'string', description: '/vault/v1/messages/{messageId}' } },
            content: { 'application/json': { schema: receiptSchema }, 'text/xml': { schema: envelopeSchema } },
          },
          ...errorResponses(400, 401, 403, 404, 409, 413, 415, 421),
        },
      },
      onRequest: async (request) => {
        const channel = await findChannel(d, request.params.channelId);
        const principal = await authenticate(d, request);
        // --- auth dispatch (issue 4): bearer principals are authorised by authorize-bearer.ts ---
        if (principal.scheme === 'bearer') authorizeBearerIngestion(principal, channel);
        else await authorizeMacIngestion(d, principal, channel);
        const transactionId = principal.scheme === 'bearer' ? readIdempotencyKey(request.headers) : principal.headers.transactionId;
        if (channel.status !== 'active') throw new VaultgateError('CHANNEL_DISABLED');
        const { agreement, mediaType } = checkMessageHeaders(channel, {
          messageType: one(request.headers['x-message-type']),
          contentType: request.headers['content-type'],
          contentLength: request.headers['content-length'],
        }, d.maxBodyBytes);
        request.ingestion = { channel, principal, agreement, mediaType, transactionId };
      },
    }, async (request, reply) => {
      const ctx = request.ingestion!;
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const receipt = await ingestMessage(d, {
        channel: ctx.channel, messageType: ctx.agreement.name, mediaType: ctx.mediaType,
        contentType: request.headers['content-type']!, body, transactionId: ctx.transactionId,
      });
      reply.header('location', `/vault/v1/messages/${receipt.messageId}`);
      if (request.style.json) return reply.type('application/json; charset=utf-8').send(receipt);
      return reply.type('text/xml; charset=utf-8').send(okEnvelope(d.clock.now(), { InsertedDataIdentifier: receipt.messageId }));
    });
  };
}

/** The MAC scheme's step 6: the partner is the channel's party, the customer credential the channel company's, with ingest. */
async function authorizeMacIngestion(d: IngestDeps, principal: MacPrincipal, channel: ChannelRecord): Promise<void> {
  const company = await d.cache.get(`company:${channel.companyId}`, () => d.store.getCompany(channel.companyId));
  if (
    principal.party.id !== channel.partyId ||
    principal.customer.companyId !== channel.companyId ||
    !company || principal.headers.organisationId !== company.businessId
  ) {
    throw new VaultgateError('SERVICE_ACCESS_ERROR', { logReason: 'credentials not of the channel party/company' });
  }
  if (!principal.customer.scopes.includes('ingest')) {
    throw new VaultgateError('SCOPE_MISSING', { detail: 'Sending needs a customer credential with the ingest scope.' });
  }
}
