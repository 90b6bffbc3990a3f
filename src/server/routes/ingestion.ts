import type { FastifyInstance, FastifyRequest } from 'fastify';
import { okEnvelope, VaultgateError, type Clock } from '../../protocol/index.js';
import type { ChannelRecord, MessageTypeAgreement } from '../../store/index.js';
import { authenticateMac, type MacAuthDeps, type MacPrincipal } from '../services/authenticate-mac.js';
import { checkMessageHeaders, findChannel, ingestMessage, type IngestDeps } from '../services/ingest-message.js';
import { envelopeSchema, errorResponses, idParams, macHeadersSchema, receiptSchema } from './schemas.js';

declare module 'fastify' {
  interface FastifyRequest {
    ingestion?: { channel: ChannelRecord; principal: MacPrincipal; agreement: MessageTypeAgreement; mediaType: string };
  }
}

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** Authenticates a request by the signed-header scheme; there is no other scheme yet. */
export async function authenticate(d: MacAuthDeps, request: FastifyRequest): Promise<MacPrincipal> {
  if (request.style.mac) return authenticateMac(d, request.headers, request.url);
  throw new VaultgateError('AUTHENTICATION_FAILED', {
    detail: request.headers.authorization
      ? 'This deployment does not accept bearer tokens yet; sign the request with the X-Netvisor-Authentication-* headers.'
      : 'No credentials: sign the request with the X-Netvisor-Authentication-* headers.',
  });
}

/** POST /ingestion/{channelId}: the checks in the order of ingestion.md, then a durable commit, then the receipt. */
export function ingestionRoutes(d: IngestDeps & MacAuthDeps & { clock: Clock }) {
  return async (app: FastifyInstance): Promise<void> => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: d.maxBodyBytes }, (_req, body, done) => done(null, body));

    app.post<{ Params: { channelId: string } }>('/ingestion/:channelId', {
      schema: {
        tags: ['ingestion'],
        summary: 'Send a message into the channel company\'s vault',
        description: 'Checks, in order: channel exists in this environment, caller authenticated, caller is the channel\'s party (customer credential of the channel\'s company, Organisation-ID its business id), message type agreed, media type agreed, size within limits, transaction id unused. The message is committed durably before the reply.',
        security: [{ netvisorMac: [] }],
        params: idParams('channelId', 'ch_test_…'),
        headers: {
          type: 'object',
          properties: {
            ...macHeadersSchema.properties,
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
        if (channel.status !== 'active') throw new VaultgateError('CHANNEL_DISABLED');
        const { agreement, mediaType } = checkMessageHeaders(channel, {
          messageType: one(request.headers['x-message-type']),
          contentType: request.headers['content-type'],
          contentLength: request.headers['content-length'],
        }, d.maxBodyBytes);
        request.ingestion = { channel, principal, agreement, mediaType };
      },
    }, async (request, reply) => {
      const ctx = request.ingestion!;
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const receipt = await ingestMessage(d, {
        channel: ctx.channel, messageType: ctx.agreement.name, mediaType: ctx.mediaType,
        contentType: request.headers['content-type']!, body, transactionId: ctx.principal.headers.transactionId,
      });
      reply.header('location', `/vault/v1/messages/${receipt.messageId}`);
      if (request.style.json) return reply.type('application/json; charset=utf-8').send(receipt);
      return reply.type('text/xml; charset=utf-8').send(okEnvelope(d.clock.now(), { InsertedDataIdentifier: receipt.messageId }));
    });
  };
}
