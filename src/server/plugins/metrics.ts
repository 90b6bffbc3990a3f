import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from '../../store/index.js';
import { errorResponses } from '../routes/schemas.js';
import type { AuthThrottle } from '../services/auth-throttle.js';
import { adminAuth, type OperatorUserResolver } from './admin-auth.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The error code a failed request was answered with (set by the error handler). */
    errorCode?: string;
  }
}

export interface Metrics {
  registry: Registry;
  ingested(bytes: number): void;
  commitBatch(size: number): void;
  /** Counts an answered request by route, method and outcome code, and observes its duration. */
  answered(route: string, method: string, code: string, seconds: number): void;
  /** Counts a verified MAC request by algorithm and the form that matched (issue 11 §1: macForm). */
  macVerified(algorithm: string, form: string): void;
  /** Counts a failed authentication by scheme and reason (its error code); never by credential (cardinality). */
  authFailed(scheme: string, reason: string): void;
  /** Counts a request refused by the authentication throttle (429), by scheme. */
  authThrottled(scheme: string): void;
  /** Counts refused ingestion requests that were not recorded (issue 16), by why: queue-full or write-failed. */
  refusalsDropped(why: string, n: number): void;
}

/** The outcome label of an answer: the error code it carried, else OK below 400, else the status. */
export const outcomeCode = (errorCode: string | undefined, status: number): string => errorCode ?? (status < 400 ? 'OK' : String(status));

/**
 * Prometheus metrics on `GET /metrics` (behind the operator token, or an operator user's session): requests by route and outcome code, latency
 * histograms, bytes and messages ingested, commit batch sizes, the transaction-id ledger's size, and the process
 * metrics. One registry per app, so several apps can live in one process (tests).
 */
export function registerMetrics(app: FastifyInstance, d: { store: Store; adminToken: string; throttle?: AuthThrottle; operatorUser?: OperatorUserResolver }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'vaultgate_' });
  const requests = new Counter({
    name: 'vaultgate_requests_total', help: 'Requests by route, method and outcome code (OK or the error code).',
    labelNames: ['route', 'method', 'code'], registers: [registry],
  });
  const duration = new Histogram({
    name: 'vaultgate_request_duration_seconds', help: 'Time from the request to the end of the response, by route.',
    labelNames: ['route'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10], registers: [registry],
  });
  const authFailures = new Counter({
    name: 'vaultgate_auth_failures_total', help: 'Failed authentications by scheme (mac, bearer, client, admin, session: a person on /vault/v1) and reason (the error code).',
    labelNames: ['scheme', 'reason'], registers: [registry],
  });
  const authThrottled = new Counter({
    name: 'vaultgate_auth_throttled_total', help: 'Requests refused with 429 AUTHENTICATION_THROTTLED before verification, by scheme.',
    labelNames: ['scheme'], registers: [registry],
  });
  const refusalsDropped = new Counter({
    name: 'vaultgate_ingestion_refusals_dropped_total', help: 'Refused ingestion requests not recorded for GET …/ingestion/refusals, by reason (queue-full: more than 1,000 waiting; write-failed).',
    labelNames: ['reason'], registers: [registry],
  });
  const bytes = new Counter({ name: 'vaultgate_ingested_bytes_total', help: 'Message bytes stored.', registers: [registry] });
  const messages = new Counter({ name: 'vaultgate_ingested_messages_total', help: 'Messages stored.', registers: [registry] });
  const batches = new Histogram({
    name: 'vaultgate_commit_batch_size', help: 'Messages committed per durable transaction (group commit).',
    buckets: [1, 2, 5, 10, 20, 50, 100, 256], registers: [registry],
  });
  // --- signed-header fallbacks (issue 11 §1, mac-auth.md "What real clients get wrong") ---
  const macForms = new Counter({
    name: 'vaultgate_mac_verified_total',
    help: 'Verified signed-header (MAC) requests by algorithm and the form that matched: canonical, or the tolerated fallbacks joined by + (absolute_form, wire_url, utf8_headers, utf8_string, timestamp_unix_skew).',
    labelNames: ['algorithm', 'form'], registers: [registry],
  });
  new Gauge({
    name: 'vaultgate_transaction_ledger_size', help: 'Used transaction ids kept (refused if reused).', registers: [registry],
    async collect() {
      this.set(await d.store.countTransactionIds());
    },
  });

  const route = (r: FastifyRequest): string => r.routeOptions.url ?? 'unmatched';
  const answered = (r: string, method: string, code: string, seconds: number): void => {
    requests.inc({ route: r, method, code });
    duration.observe({ route: r }, seconds);
  };
  app.addHook('onResponse', async (request, reply) => {
    answered(route(request), request.method, outcomeCode(request.errorCode, reply.statusCode), reply.elapsedTime / 1000);
  });

  // In a plugin of its own: the session cookie is parsed for this route only (as /admin/v1 does).
  void app.register(async (scope) => {
    if (d.operatorUser) await scope.register(cookie);
    scope.get('/metrics', {
      onRequest: adminAuth(d.adminToken, d.throttle, d.operatorUser),
      schema: {
        tags: ['system'], summary: 'Prometheus metrics (the admin token, or an operator user\'s session)',
        description: 'Authorization: Bearer <admin token or an operator user\'s session token>, or the session cookie of an operator user who has enrolled TOTP (the portal). A personal API token or a user who is not an operator: 403 ACCOUNT_FORBIDDEN. Always Cache-Control: no-store.',
        security: [{ adminToken: [] }, { sessionCookie: [] }, { sessionToken: [] }],
        response: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } }, ...errorResponses(401, 403) },
      },
    }, async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  });

  return {
    registry,
    ingested(n: number) {
      bytes.inc(n);
      messages.inc();
    },
    commitBatch(size: number) {
      batches.observe(size);
    },
    answered,
    macVerified(algorithm: string, form: string) {
      macForms.inc({ algorithm, form });
    },
    authFailed(scheme, reason) {
      authFailures.inc({ scheme, reason });
    },
    authThrottled(scheme) {
      authThrottled.inc({ scheme });
    },
    refusalsDropped(why, n) {
      refusalsDropped.inc({ reason: why }, n);
    },
  };
}
