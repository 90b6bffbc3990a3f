import type { FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import { HTTP_SIGNATURE_ALGORITHMS } from '../../protocol/index.js';
import { adminAuth, type OperatorUserResolver } from '../plugins/admin-auth.js';
import type { AuthThrottle } from '../services/auth-throttle.js';
import type { SignatureKeys } from '../services/signature-keys.js';
import { operatorContext } from './audit.js';
import { errorResponses, idParams } from './schemas.js';

/** The admin token, or an operator user's session (cookie with X-CSRF-Token, or bearer session token). */
const security: Record<string, string[]>[] = [{ adminToken: [] }, { sessionCookie: [] }, { sessionToken: [] }];
const ts = { type: 'string', format: 'date-time' } as const;

export const signatureKeySchema = {
  type: 'object', required: ['keyId', 'partyId', 'algorithm', 'label', 'status', 'createdAt'],
  properties: {
    keyId: { type: 'string', description: 'hsk_<env>_…: the keyid a signature names.' }, partyId: { type: 'string' },
    algorithm: { type: 'string', enum: [...HTTP_SIGNATURE_ALGORITHMS] }, label: { type: 'string' },
    publicJwk: { type: 'object', additionalProperties: true, description: 'ed25519 / ecdsa-p256-sha256: the public key as a JWK.' },
    status: { type: 'string', enum: ['active', 'disabled'] }, createdAt: ts, disabledAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;
export const newSignatureKeySchema = {
  ...signatureKeySchema,
  properties: { ...signatureKeySchema.properties, secret: { type: 'string', description: 'hmac-sha256 only: the 32-byte secret, base64url; shown once (Cache-Control: no-store), stored sealed.' } },
} as const;
export const createSignatureKeyBody = {
  type: 'object', required: ['algorithm'], additionalProperties: false,
  properties: {
    algorithm: { type: 'string', enum: [...HTTP_SIGNATURE_ALGORITHMS] },
    label: { type: 'string', maxLength: 200, description: 'What the key is for (e.g. the system that signs).' },
    publicKey: { anyOf: [{ type: 'object' }, { type: 'string', maxLength: 4096 }], description: 'ed25519 / ecdsa-p256-sha256: the public key, a JWK object or PEM (-----BEGIN PUBLIC KEY-----). Not for hmac-sha256.' },
  },
} as const;
export const channelIntegritySchema = {
  type: 'object', required: ['channelId', 'requireContentDigest'],
  properties: { channelId: { type: 'string' }, requireContentDigest: { type: 'boolean', description: 'When true, a message without Content-Digest (RFC 9530) is refused with CONTENT_DIGEST_REQUIRED.' } },
} as const;

/** Signature keys of parties and channels' Content-Digest rule, under /admin/v1 (issue 17, docs/http-signatures.md). */
export function adminSignatureKeyRoutes(d: { keys: SignatureKeys; throttle?: AuthThrottle; operatorUser?: OperatorUserResolver }, adminToken: string) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(cookie);
    app.addHook('onRequest', adminAuth(adminToken, d.throttle, d.operatorUser));
    const params = idParams('partyId', 'tp_test_…');
    app.post<{ Params: { partyId: string }; Body: { algorithm: string; label?: string; publicKey?: unknown } }>('/parties/:partyId/signature-keys', {
      schema: {
        tags: ['integrity'], security, params, body: createSignatureKeyBody,
        summary: 'Register a key the party signs ingestion requests with (RFC 9421): HMAC secret generated and shown once, or an uploaded public key',
        response: { 201: newSignatureKeySchema, ...errorResponses(400, 401, 404, 409, 421) },
      },
    }, async (req, reply) => {
      const key = await d.keys.create(req.params.partyId, req.body, operatorContext(req));
      reply.code(201).header('cache-control', 'no-store');
      return key;
    });
    app.get<{ Params: { partyId: string } }>('/parties/:partyId/signature-keys', {
      schema: {
        tags: ['integrity'], security, params, summary: 'List a party\'s signature keys (never a secret)',
        response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: signatureKeySchema } } }, ...errorResponses(400, 401, 421) },
      },
    }, async (req) => ({ items: await d.keys.list(req.params.partyId) }));
    app.post<{ Params: { partyId: string; keyId: string } }>('/parties/:partyId/signature-keys/:keyId/disable', {
      schema: {
        tags: ['integrity'], security, params: { type: 'object', required: ['partyId', 'keyId'], properties: { partyId: { type: 'string' }, keyId: { type: 'string' } } },
        summary: 'Disable a signature key: requests it signs are refused (SIGNATURE_KEY_UNKNOWN) from the next one on',
        response: { 200: signatureKeySchema, ...errorResponses(400, 401, 404, 421) },
      },
    }, async (req) => d.keys.disable(req.params.partyId, req.params.keyId, operatorContext(req)));
    const channel = idParams('channelId', 'ch_test_…');
    app.get<{ Params: { channelId: string } }>('/channels/:channelId/integrity', {
      schema: { tags: ['integrity'], security, params: channel, summary: 'A channel\'s Content-Digest rule', response: { 200: channelIntegritySchema, ...errorResponses(400, 401, 404, 421) } },
    }, async (req) => d.keys.getChannelIntegrity(req.params.channelId));
    app.post<{ Params: { channelId: string }; Body: { requireContentDigest: boolean } }>('/channels/:channelId/integrity', {
      schema: {
        tags: ['integrity'], security, params: channel, summary: 'Require (or stop requiring) Content-Digest on every message of the channel',
        body: { type: 'object', required: ['requireContentDigest'], additionalProperties: false, properties: { requireContentDigest: { type: 'boolean' } } },
        response: { 200: channelIntegritySchema, ...errorResponses(400, 401, 404, 421) },
      },
    }, async (req) => d.keys.setChannelIntegrity(req.params.channelId, req.body.requireContentDigest, operatorContext(req)));
  };
}
