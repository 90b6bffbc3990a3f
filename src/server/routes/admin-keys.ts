import type { FastifyInstance } from 'fastify';
import type { AuditTrail } from '../services/audit/audit-trail.js';
import type { KeyAdmin } from '../services/keys.js';
import type { Registry } from '../services/registry.js';
import type { RetentionSweeper } from '../services/retention.js';
import { operatorContext } from './audit.js';
import { companySchema, errorResponses, idParams, keyStatusSchema } from './schemas.js';

const security = [{ adminToken: [] }];

/** Destructive and key-management operations of the operator (registered inside the admin scope). */
export function registerKeyRoutes(app: FastifyInstance, d: { registry: Registry; keys: KeyAdmin; sweeper: RetentionSweeper; audit: AuditTrail }, listArgs: (q: { cursor?: string; limit?: string }) => { cursor: string | undefined; limit: number }): void {
  app.delete<{ Params: { companyId: string }; Querystring: { confirm?: string } }>('/companies/:companyId', {
    schema: {
      tags: ['companies'], security,
      summary: 'Delete a company: destroy its data keys (crypto-shredding), revoke its credentials and channels',
      description: 'Irreversible. Its messages become unreadable everywhere, database backups included; the registry keeps an audit record. Pass confirm=<business id>.',
      params: idParams('companyId', 'co_test_…'),
      querystring: { type: 'object', additionalProperties: false, required: ['confirm'], properties: { confirm: { type: 'string', description: "The company's business id, to confirm." } } },
      response: { 200: companySchema, ...errorResponses(400, 401, 404, 421) },
    },
  }, async (req) => d.registry.deleteCompany(req.params.companyId, req.query.confirm, operatorContext(req)));

  app.get('/keys', {
    schema: { tags: ['keys'], security, summary: 'Master keys in use (ids only) and how many data keys each wraps', response: { 200: keyStatusSchema, ...errorResponses(401) } },
  }, async () => d.keys.status());

  app.post<{ Body: { newKey?: boolean } }>('/keys/rotate-master', {
    schema: {
      tags: ['keys'], security,
      summary: 'Re-wrap every data key under the current master key (newKey: generate one first, key-file deployments)',
      description: 'Runs while the server serves; resumable and idempotent: run it again after an interruption. Previous master keys are needed only during the run.',
      body: { type: 'object', additionalProperties: false, properties: { newKey: { type: 'boolean' } } },
      response: { 200: keyStatusSchema, ...errorResponses(400, 401, 409) },
    },
  }, async (req) => d.keys.rotateMaster({ newKey: req.body?.newKey === true }, operatorContext(req)));

  app.post<{ Params: { companyId: string } }>('/companies/:companyId/rotate-key', {
    schema: {
      tags: ['keys'], security, summary: "Start a new data key for a company's vault (old messages stay readable)",
      params: idParams('companyId', 'co_test_…'),
      response: {
        200: { type: 'object', required: ['companyId', 'dataKeyId', 'createdAt'], properties: { companyId: { type: 'string' }, dataKeyId: { type: 'string' }, createdAt: { type: 'string', format: 'date-time' } } },
        ...errorResponses(401, 404, 409, 421),
      },
    },
  }, async (req) => d.keys.rotateVault(req.params.companyId, operatorContext(req)));

  app.post('/retention/sweep', {
    schema: {
      tags: ['retention'], security, summary: 'Run the retention sweep now (it also runs every VAULTGATE_RETENTION_SWEEP_S seconds)',
      response: {
        200: { type: 'object', required: ['expired', 'purged', 'transactionIds'], properties: { expired: { type: 'integer' }, purged: { type: 'integer' }, transactionIds: { type: 'integer' } } },
        ...errorResponses(401),
      },
    },
  }, async (req) => {
    const r = await d.sweeper.sweepOnce();
    if (r.expired + r.purged > 0) await d.audit.refusal(operatorContext(req), { action: 'retention.sweep', subject: '-', outcome: 'success', details: { expired: r.expired, purged: r.purged } });
    return r;
  });
}
