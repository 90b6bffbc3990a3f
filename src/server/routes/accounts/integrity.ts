import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SelfService } from '../../services/self-service.js';
import type { SignatureKeys } from '../../services/signature-keys.js';
import { channelIntegritySchema, createSignatureKeyBody, newSignatureKeySchema, signatureKeySchema } from '../admin-signature-keys.js';
import { ADMIN_ONLY, ANY_MEMBER, organisationRoutes, type OrgOf } from './org-route.js';

/*
 * Body integrity in self-service (issue 17, docs/http-signatures.md), under /api/v1/organisations/{organisationId}/…:
 * a vendor's signature keys (members list, admins register and disable; an HMAC secret is in the answer once, and
 * every /api/v1 answer is Cache-Control: no-store), and a channel's Content-Digest rule (either side's members read,
 * either side's admins set it). Another organisation's key or channel is NOT_FOUND, as if it did not exist.
 */
export interface IntegrityRouteDeps { selfService: SelfService; keys: SignatureKeys }

export function registerIntegrityRoutes(app: FastifyInstance, d: IntegrityRouteDeps, orgOf: OrgOf): void {
  const route = organisationRoutes(app, orgOf, 'integrity');
  const p = (req: FastifyRequest) => req.params as Record<string, string>;
  const key: [string, string] = ['keyId', 'hsk_test_…'];
  const channel: [string, string] = ['channelId', 'ch_test_…'];

  route('GET', '/signature-keys', {
    summary: "The vendor's HTTP message signature keys (never a secret)", roles: ANY_MEMBER,
    response: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: signatureKeySchema } } }, errors: [400, 401, 403, 404, 409],
  }, async (id) => ({ items: await d.keys.list(await d.selfService.partyOf(id)) }));
  route('POST', '/signature-keys', {
    summary: 'Register a signature key of the vendor (RFC 9421): an HMAC secret generated and shown once, or an uploaded public key (JWK or PEM)',
    roles: ADMIN_ONLY, status: 201, body: createSignatureKeyBody, response: newSignatureKeySchema, errors: [400, 401, 403, 404, 409],
  }, async (id, a, req) => d.keys.create(await d.selfService.partyOf(id), req.body as { algorithm: string }, a.ctx));
  route('POST', '/signature-keys/:keyId/disable', {
    summary: 'Disable a signature key of the vendor (requests it signs are refused at once)', roles: ADMIN_ONLY, extra: key, response: signatureKeySchema, errors: [400, 401, 403, 404, 409],
  }, async (id, a, req) => d.keys.disable(await d.selfService.partyOf(id), p(req).keyId!, a.ctx));
  route('GET', '/channels/:channelId/integrity', {
    summary: "A channel's Content-Digest rule (either side)", roles: ANY_MEMBER, extra: channel, response: channelIntegritySchema, errors: [400, 401, 403, 404],
  }, async (id, _a, req) => {
    await d.selfService.channel(id, p(req).channelId!);
    return d.keys.getChannelIntegrity(p(req).channelId!);
  });
  route('POST', '/channels/:channelId/integrity', {
    summary: 'Require (or stop requiring) Content-Digest on every message of the channel (either side\'s admin)', roles: ADMIN_ONLY, extra: channel,
    body: { type: 'object', required: ['requireContentDigest'], additionalProperties: false, properties: { requireContentDigest: { type: 'boolean' } } },
    response: channelIntegritySchema, errors: [400, 401, 403, 404],
  }, async (id, a, req) => {
    await d.selfService.channel(id, p(req).channelId!);
    return d.keys.setChannelIntegrity(p(req).channelId!, (req.body as { requireContentDigest: boolean }).requireContentDigest, a.ctx);
  });
}
