import type { FastifyInstance } from 'fastify';
import { VaultgateError } from '../../protocol/index.js';
import type { Store } from '../../store/index.js';
import { errorResponses } from './schemas.js';

/**
 * Health and the OpenAPI document (generated from the routes' own schemas).
 *
 * - `GET /healthz` is liveness: the process is up and answering (restart it when this fails). It does not touch
 *   the store, so a full disk never gets a healthy process restarted in a loop.
 * - `GET /readyz` is readiness: the store can be read and has room to write (send traffic elsewhere while it is
 *   503 STORE_NOT_READY). It recovers by itself as soon as the store does; nothing needs a restart.
 */
export function systemRoutes(d: { store: Store; environment: string; version: string }) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/healthz', {
      schema: {
        tags: ['system'], summary: 'Liveness: the process is up',
        response: {
          200: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] }, environment: { type: 'string' }, version: { type: 'string' }, store: { type: 'string' } } },
        },
      },
    }, async () => ({ status: 'ok', environment: d.environment, version: d.version, store: d.store.kind }));
    app.get('/readyz', {
      schema: {
        tags: ['system'], summary: 'Readiness: the store can be read and has room to write',
        response: {
          200: {
            type: 'object', required: ['status', 'store'],
            properties: {
              status: { type: 'string', enum: ['ready'] },
              store: { type: 'string' },
              freeBytes: { type: 'integer', description: 'Bytes free where the store writes, when the adapter can know (SQLite)' },
            },
          },
          ...errorResponses(503),
        },
      },
    }, async () => {
      const r = await d.store.checkReadiness();
      const reason = !r.readable ? 'unreadable' : r.full ? 'full' : undefined;
      if (reason !== undefined) {
        throw new VaultgateError('STORE_NOT_READY', {
          detail: reason === 'full' ? 'The store has no room to write.' : 'The store could not be read.',
          extra: { reason, ...(r.freeBytes === undefined ? {} : { freeBytes: r.freeBytes }) },
        });
      }
      return { status: 'ready', store: d.store.kind, ...(r.freeBytes === undefined ? {} : { freeBytes: r.freeBytes }) };
    });
    app.get('/openapi.json', {
      schema: { tags: ['system'], summary: 'This API as OpenAPI 3', response: { 200: { type: 'object', additionalProperties: true } } },
    }, async (_req, reply) => reply.type('application/json; charset=utf-8').send(JSON.stringify(app.swagger())));
  };
}
