import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/index.js';

/** Health and the OpenAPI document (generated from the routes' own schemas). */
export function systemRoutes(d: { store: Store; environment: string; version: string }) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/healthz', {
      schema: {
        tags: ['system'], summary: 'Liveness and store check',
        response: {
          200: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] }, environment: { type: 'string' }, version: { type: 'string' }, store: { type: 'string' } } },
        },
      },
    }, async () => ({ status: 'ok', environment: d.environment, version: d.version, store: d.store.kind }));
    app.get('/openapi.json', {
      schema: { tags: ['system'], summary: 'This API as OpenAPI 3', response: { 200: { type: 'object', additionalProperties: true } } },
    }, async (_req, reply) => reply.type('application/json; charset=utf-8').send(JSON.stringify(app.swagger())));
  };
}
