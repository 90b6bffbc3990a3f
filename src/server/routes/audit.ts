import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { VaultgateError, type AuditActor } from '../../protocol/index.js';
import type { AuditQuery } from '../../store/index.js';
import { adminActor } from '../plugins/admin-auth.js';
import type { AuditCheckpoints } from '../services/audit/audit-checkpoints.js';
import { exportAudit } from '../services/audit/audit-export.js';
import type { AuditContext, AuditTrail } from '../services/audit/audit-trail.js';
import { errorResponses, listQuerySchema, pageOf } from './schemas.js';

/** The audit context of a request: who (as authenticated), from where, which request. */
export function auditContext(req: FastifyRequest, actor: AuditActor): AuditContext {
  return { actor, clientAddress: req.ip ?? null, requestId: req.id };
}

/** The operator on /admin/v1: the operator user who signed in (`{kind:'user'}`), else the admin token. */
export const operatorContext = (req: FastifyRequest): AuditContext => auditContext(req, adminActor(req) ?? { kind: 'operator', id: 'operator' });

const ts = { type: 'string', format: 'date-time' } as const;
export const auditRecordSchema = {
  type: 'object',
  required: ['seq', 'id', 'at', 'environment', 'actor', 'action', 'subject', 'tenants', 'clientAddress', 'requestId', 'outcome', 'details', 'prevHash', 'hash'],
  properties: {
    seq: { type: 'integer', description: 'Place in the chain: 1, 2, … without gaps.' },
    id: { type: 'string' }, at: ts, environment: { type: 'string' },
    actor: { type: 'object', required: ['kind', 'id'], properties: { kind: { type: 'string', enum: ['operator', 'customer', 'partner', 'oauth-client', 'system', 'anonymous', 'user'] }, id: { type: 'string' } } },
    action: { type: 'string', description: '<area>.<verb>; docs/audit.md lists them.' }, subject: { type: 'string' },
    tenants: { type: 'array', items: { type: 'string' }, description: 'The companies the event concerns.' },
    clientAddress: { type: ['string', 'null'] }, requestId: { type: ['string', 'null'] },
    outcome: { type: 'string', enum: ['success', 'refused', 'failure'] },
    details: { type: 'object', additionalProperties: true },
    prevHash: { type: 'string', description: 'Hex SHA-256 of the previous event.' },
    hash: { type: 'string', description: 'Hex SHA-256(prevHash ‖ RFC 8785 canonical event).' },
  },
} as const;
export const checkpointSchema = {
  type: 'object', required: ['seq', 'headHash', 'at', 'environment', 'kid', 'jws'],
  properties: { seq: { type: 'integer' }, headHash: { type: 'string' }, at: ts, environment: { type: 'string' }, kid: { type: 'string' }, jws: { type: 'string', description: 'Compact JWS, EdDSA (Ed25519).' } },
} as const;

const filters = {
  action: { type: 'string', maxLength: 100, description: 'An action, or an area ending in "." (e.g. vault.)' },
  from: { type: 'string', format: 'date-time', description: 'Inclusive' }, to: { type: 'string', format: 'date-time', description: 'Exclusive' },
} as const;
type Q = { cursor?: string; limit?: string; action?: string; from?: string; to?: string; tenant?: string; actor?: string };

function query(q: Q, listArgs: (q: { cursor?: string; limit?: string }) => { cursor: string | undefined; limit: number }): AuditQuery {
  const iso = (name: string, v: string | undefined): string | undefined => {
    if (v === undefined) return undefined;
    const t = Date.parse(v);
    if (Number.isNaN(t)) throw new VaultgateError('INVALID_REQUEST', { detail: `${name} must be an ISO 8601 date-time.` });
    return new Date(t).toISOString();
  };
  return { ...listArgs(q), action: q.action, from: iso('from', q.from), to: iso('to', q.to), tenant: q.tenant, actor: q.actor };
}

/** The operator's audit routes (inside the admin scope: the admin token is checked by its hook). */
export function registerAdminAuditRoutes(
  app: FastifyInstance,
  d: { audit: AuditTrail; checkpoints: AuditCheckpoints },
  listArgs: (q: { cursor?: string; limit?: string }) => { cursor: string | undefined; limit: number },
): void {
  const security = [{ adminToken: [] }];
  const adminFilters = { ...filters, tenant: { type: 'string', maxLength: 200, description: 'A company id' }, actor: { type: 'string', maxLength: 200, description: 'An actor id' } };
  app.get<{ Querystring: Q }>('/audit', {
    schema: {
      tags: ['audit'], security, summary: 'The audit trail: every change, read of vault data and refusal, oldest first',
      querystring: { ...listQuerySchema, properties: { ...listQuerySchema.properties, ...adminFilters } },
      response: { 200: pageOf(auditRecordSchema), ...errorResponses(400, 401) },
    },
  }, async (req) => d.audit.list(query(req.query, listArgs)));

  app.get<{ Querystring: { afterSeq?: string } }>('/audit/export', {
    schema: {
      tags: ['audit'], security, summary: 'The whole chain as NDJSON with its checkpoints and public keys, verifiable offline (vaultgate audit verify --export)',
      querystring: { type: 'object', additionalProperties: false, properties: { afterSeq: { type: 'string', pattern: '^[0-9]{1,15}$', description: 'Start after this seq (it must be a checkpoint for the export to verify on its own)' } } },
      response: { 200: { description: 'NDJSON stream (docs/audit.md)', content: { 'application/x-ndjson': { schema: { type: 'string' } } } }, ...errorResponses(400, 401) },
    },
  }, async (req, reply) => {
    const lines = exportAudit(d, Number(req.query.afterSeq ?? 0));
    return reply.type('application/x-ndjson; charset=utf-8').send(Readable.from(lines, { objectMode: false }));
  });

  app.get('/audit/checkpoints', {
    schema: { tags: ['audit'], security, summary: 'Signed checkpoints of the audit chain, oldest first', response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: checkpointSchema } } }, ...errorResponses(401) } },
  }, async () => ({ items: await d.checkpoints.list() }));

  app.post('/audit/checkpoints', {
    schema: {
      tags: ['audit'], security, summary: 'Sign a checkpoint of the chain head now (they are also taken every VAULTGATE_AUDIT_CHECKPOINT_S seconds)',
      response: { 201: checkpointSchema, ...errorResponses(401, 409) },
    },
  }, async (_req, reply) => {
    const cp = await d.checkpoints.checkpoint();
    if (!cp) throw new VaultgateError('STATE_CONFLICT', { detail: 'The audit trail is empty: there is no head to sign yet.' });
    reply.code(201);
    return cp;
  });
}

/** The published checkpoint keys (JWKS), for auditors; no authentication. */
export function auditKeysRoute(d: { checkpoints: AuditCheckpoints }) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/.well-known/vaultgate-audit-keys', {
      schema: {
        tags: ['audit'], summary: 'Public keys (JWKS, Ed25519) that sign the audit checkpoints',
        response: { 200: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: { type: 'object', additionalProperties: true } } } }, ...errorResponses(400) },
      },
    }, async (_req, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return d.checkpoints.jwks();
    });
  };
}

/** A company's view: the events that concern its vault (registered inside the vault scope, after its authentication). */
export function registerVaultAuditRoute(
  app: FastifyInstance,
  d: { audit: AuditTrail; checkpoints: AuditCheckpoints },
  common: { tags: string[]; security: Record<string, string[]>[]; headers: object },
  companyOf: (req: FastifyRequest) => string,
  listArgs: (q: { cursor?: string; limit?: string }) => { cursor: string | undefined; limit: number },
): void {
  app.get<{ Querystring: Q }>('/audit', {
    schema: {
      ...common,
      summary: "The audit events that concern your vault: every read of its data by anyone, changes to its credentials and channels, refusals",
      querystring: { ...listQuerySchema, properties: { ...listQuerySchema.properties, ...filters } },
      response: { 200: pageOf(auditRecordSchema), ...errorResponses(400, 401, 403, 421) },
    },
  }, async (req) => d.audit.list({ ...query(req.query, listArgs), tenant: companyOf(req), actor: undefined }));

  app.get('/audit/export', {
    schema: {
      ...common,
      summary: 'Your audit events as NDJSON with the checkpoints, verifiable on their own (other companies\' events appear only as hash links)',
      response: { 200: { description: 'NDJSON stream (docs/audit.md)', content: { 'application/x-ndjson': { schema: { type: 'string' } } } }, ...errorResponses(400, 401, 403, 421) },
    },
  }, async (req, reply) => {
    reply.header('cache-control', 'no-store');
    return reply.type('application/x-ndjson; charset=utf-8').send(Readable.from(exportAudit(d, 0, companyOf(req)), { objectMode: false }));
  });
}
