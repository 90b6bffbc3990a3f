import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../protocol/index.js';
import type { RefusalRecorder } from '../services/insights/refusal-recorder.js';

/**
 * The onResponse hook of an ingestion route (single message or batch): a refused request — the error handler set its
 * `errorCode` — is handed to the refusal recorder (issue 16), which writes it off the request path.
 */
export function recordRefusal(d: { clock: Clock; refusals?: RefusalRecorder | undefined }) {
  return async (request: FastifyRequest<{ Params: { channelId: string } }>, reply: FastifyReply): Promise<void> => {
    if (request.errorCode === undefined || !d.refusals) return;
    d.refusals.record({
      at: d.clock.now(), code: request.errorCode, status: reply.statusCode, channelId: request.params.channelId, headers: request.headers,
      requestId: request.id, clientAddress: request.ip,
    });
  };
}
