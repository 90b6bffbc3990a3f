import type { FastifyInstance } from 'fastify';
import { postmanExport } from '../../protocol/index.js';
import type { Registry } from '../services/registry.js';
import { errorResponses, idParams } from './schemas.js';

/**
 * GET /admin/v1/channels/{channelId}/postman: Postman files for a channel, for the operator to hand to the party.
 * Ids are filled in (the party's first active partner credential, the company's first active ingest customer
 * credential, its business id); keys stay empty, typed secret: they were shown once, at creation, and are never
 * returned again.
 */
export function registerPostmanRoute(app: FastifyInstance, registry: Registry): void {
  app.get<{ Params: { channelId: string }; Querystring: { auth?: 'mac' } }>('/channels/:channelId/postman', {
    schema: {
      tags: ['channels'], security: [{ adminToken: [] }],
      summary: 'Postman Collection v2.1 and environment for a channel (MAC-signed in a pre-request script)',
      description: 'Answers {collection, environment}. The environment holds baseUrl, channelId, messageType, mediaType, partnerId, partnerKey, customerId, customerKey, organisationId, sender, language; partnerKey and customerKey are empty secrets for the integrator to fill in.',
      params: idParams('channelId', 'ch_test_…'),
      querystring: { type: 'object', additionalProperties: false, properties: { auth: { type: 'string', enum: ['mac'], default: 'mac', description: 'mac (oauth comes with bearer tokens)' } } },
      response: {
        200: { type: 'object', required: ['collection', 'environment'], properties: { collection: { type: 'object', additionalProperties: true }, environment: { type: 'object', additionalProperties: true } } },
        ...errorResponses(400, 401, 404, 421),
      },
    },
  }, async (req) => {
    const channel = await registry.getChannel(req.params.channelId);
    const company = await registry.getCompany(channel.companyId);
    const partners = await registry.listPartnerCredentials(channel.partyId, { limit: 1000 });
    const customers = await registry.listCustomerCredentials(channel.companyId, { limit: 1000 });
    const partner = partners.items.find((p) => p.status === 'active');
    const customer = customers.items.find((c) => c.status === 'active' && c.scopes.includes('ingest'));
    return postmanExport({
      baseUrl: channel.url.slice(0, channel.url.length - `/ingestion/${channel.id}`.length),
      channelId: channel.id,
      messageTypes: channel.messageTypes.map((t) => ({ name: t.name, mediaTypes: t.mediaTypes })),
      values: { organisationId: company.businessId, ...(partner ? { partnerId: partner.partnerId } : {}), ...(customer ? { customerId: customer.customerId } : {}) },
    });
  });
}
