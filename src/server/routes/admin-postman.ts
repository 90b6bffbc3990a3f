import type { FastifyInstance } from 'fastify';
import { postmanExport } from '../../protocol/index.js';
import type { OAuthClients } from '../services/oauth-clients.js';
import type { ChannelView, Registry } from '../services/registry.js';
import { errorResponses, idParams } from './schemas.js';

/**
 * GET /admin/v1/channels/{channelId}/postman: Postman files for a channel, for the operator to hand to the party.
 * Ids are filled in (the party's first active partner credential, the company's first active ingest customer
 * credential, its business id; with `?auth=oauth` the party's first active OAuth client with `ingest`); keys and the
 * client secret stay empty, typed secret: they were shown once, at creation, and are never returned again.
 */
export function registerPostmanRoute(app: FastifyInstance, registry: Registry, clients: OAuthClients): void {
  app.get<{ Params: { channelId: string }; Querystring: { auth: 'mac' | 'oauth' } }>('/channels/:channelId/postman', {
    schema: {
      tags: ['channels'], security: [{ adminToken: [] }],
      summary: 'Postman Collection v2.1 and environment for a channel (MAC-signed, or bearer tokens, in a pre-request script)',
      description: 'Answers {collection, environment}. The environment holds baseUrl, channelId, messageType, mediaType and, for auth=mac, partnerId, partnerKey, customerId, customerKey, organisationId, sender, language (partnerKey and customerKey empty secrets for the integrator to fill in); for auth=oauth, clientId (the party\'s first active OAuth client with ingest, if any), clientSecret (an empty secret) and tokenUrl.',
      params: idParams('channelId', 'ch_test_…'),
      querystring: { type: 'object', additionalProperties: false, properties: { auth: { type: 'string', enum: ['mac', 'oauth'], default: 'mac', description: 'mac: the pre-request script signs (X-Netvisor-Authentication-*); oauth: it fetches a token by client credentials' } } },
      response: {
        200: { type: 'object', required: ['collection', 'environment'], properties: { collection: { type: 'object', additionalProperties: true }, environment: { type: 'object', additionalProperties: true } } },
        ...errorResponses(400, 401, 404, 421),
      },
    },
  }, async (req) => channelPostman(registry, clients, await registry.getChannel(req.params.channelId), req.query.auth));
}

/** The Postman files of a channel (shared by the operator's route and the vendor's self-service route). */
export async function channelPostman(registry: Registry, clients: OAuthClients, channel: ChannelView, auth: 'mac' | 'oauth' | undefined): Promise<ReturnType<typeof postmanExport>> {
  const baseUrl = channel.url.slice(0, channel.url.length - `/ingestion/${channel.id}`.length);
  const messageTypes = channel.messageTypes.map((t) => ({ name: t.name, mediaTypes: t.mediaTypes }));
  if (auth === 'oauth') {
    const page = await clients.listClients('party', channel.partyId, { cursor: undefined, limit: 1000 });
    const client = page.items.find((c) => c.status === 'active' && c.roles.includes('ingest'));
    return postmanExport({
      baseUrl, channelId: channel.id, messageTypes, auth: 'oauth',
      values: { tokenUrl: `${baseUrl}/oauth2/token`, ...(client ? { clientId: client.clientId } : {}) },
    });
  }
  const company = await registry.getCompany(channel.companyId);
  const partners = await registry.listPartnerCredentials(channel.partyId, { limit: 1000 });
  const customers = await registry.listCustomerCredentials(channel.companyId, { limit: 1000 });
  const partner = partners.items.find((p) => p.status === 'active');
  const customer = customers.items.find((c) => c.status === 'active' && c.scopes.includes('ingest'));
  return postmanExport({
    baseUrl,
    channelId: channel.id,
    messageTypes,
    values: { organisationId: company.businessId, ...(partner ? { partnerId: partner.partnerId } : {}), ...(customer ? { customerId: customer.customerId } : {}) },
  });
}
