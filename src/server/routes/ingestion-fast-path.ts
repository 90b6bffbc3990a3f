import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { refuseRepeatedHeaders, VaultgateError, type Clock } from '../../protocol/index.js';
import { outcomeCode, type Metrics } from '../plugins/metrics.js';
import { renderError, responseStyle, toVaultgateError, type RenderedAnswer } from '../plugins/errors.js';
import { mustClose } from '../plugins/connection-close.js';
import { continueIfExpected } from '../plugins/transport.js';
import { acceptIngestion, ingestAccepted } from '../services/accept-ingestion.js';
import type { AuthDeps } from '../services/authenticate-request.js';
import type { IngestDeps } from '../services/ingest-message.js';
import type { IngestionRateLimits } from '../services/ingestion-rate-limits.js';
import type { RefusalRecorder } from '../services/insights/refusal-recorder.js';
import { renderReceipt } from './ingestion.js';

/*
 * POST /ingestion/{channelId} straight on node:http, in front of Fastify. Why: Fastify's router, hooks, content
 * type parser and reply pipeline cost about as much CPU per request as a bare node:http server's whole request
 * (docs/performance.md), and ingestion is the one route whose throughput the platform is measured by. Every other
 * request, and every request this path does not recognise, goes to Fastify, which also keeps the same route
 * registered (OpenAPI, fastify.inject()).
 *
 * The two paths share everything that decides an answer: acceptIngestion (the checks in order, authentication by
 * the scheme the headers choose), ingestAccepted (the durable commit), responseStyle, renderError and
 * renderReceipt. What this file repeats of Fastify is only the transport: the request id, reading the body within
 * the limit, one log line per request, and the request metrics.
 */

/** The route label the metrics use for this path (the same as Fastify's). */
export const INGESTION_ROUTE = '/ingestion/:channelId';

// A channel id as the router would match it: one path segment of id characters, at most find-my-way's default
// parameter length (100); anything else is left to Fastify to answer. The target may be in absolute-form
// (`http://host:port/ingestion/…`, RFC 9112 §3.2.2; lowercase scheme, as the router takes it) (issue 11 §1).
const TARGET = /^(?:https?:\/\/[^/?#]*)?\/ingestion\/([A-Za-z0-9_]{1,100})(?:\?.*)?$/;
const ABSOLUTE = /^https?:\/\//;

export interface FastPathDeps extends IngestDeps, AuthDeps {
  clock: Clock;
  metrics: Metrics;
  log: FastifyBaseLogger;
  requestId: (req: IncomingMessage) => string;
  clientAddress: (req: IncomingMessage) => string | undefined;
  /** True once the server began to close: answers then end their connection (as Fastify's onSend hook does). */
  closing: () => boolean;
  /** Runs first on every request; throws a VaultgateError to refuse it (the live TLS rule, plugins/transport.ts). */
  checkRequest?: (req: IncomingMessage) => void;
  /** Records refused requests off the request path (issue 16). */
  refusals?: RefusalRecorder;
  /** Fair use (issue 17 §3): per-party and per-channel limits. */
  rateLimits?: IngestionRateLimits | undefined;
}

/** Returns a handler that answers the requests it recognises (true) and leaves the others to Fastify (false). */
export function ingestionFastPath(d: FastPathDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const url = req.url ?? '';
    if (req.method !== 'POST' || !(url.startsWith('/ingestion/') || ABSOLUTE.test(url))) return false;
    const m = TARGET.exec(url);
    if (!m) return false;
    void answer(d, req, res, m[1]!);
    return true;
  };
}

async function answer(d: FastPathDeps, req: IncomingMessage, res: ServerResponse, channelId: string): Promise<void> {
  const started = performance.now();
  const reqId = d.requestId(req);
  const style = responseStyle(req.headers);
  let errorCode: string | undefined;
  let done = false;
  const onDone = (): void => {
    if (done) return;
    done = true;
    const elapsedMs = performance.now() - started;
    d.log.info({
      reqId, method: 'POST', url: req.url, remoteAddress: d.clientAddress(req),
      statusCode: res.statusCode, responseTime: Math.round(elapsedMs * 10) / 10,
    }, 'request completed');
    d.metrics.answered(INGESTION_ROUTE, 'POST', outcomeCode(errorCode, res.statusCode), elapsedMs / 1000);
  };
  // 'finish' when the answer went out (as Fastify's onResponse), 'close' when the connection ended before. `on`, not
  // `once`: onDone runs once by itself, and `once` would wrap it in another closure per request.
  res.on('finish', onDone);
  res.on('close', onDone);
  res.setHeader('x-request-id', reqId);
  try {
    d.checkRequest?.(req);
    refuseRepeatedHeaders(req.rawHeaders, Object.keys(req.headers).length);
    const accepted = await acceptIngestion(d, {
      channelId, headers: req.headers, rawTarget: req.url!, mac: style.mac, origin: { address: d.clientAddress(req), requestId: reqId },
    });
    // Fair use (issue 17 §3): the RateLimit fields on whatever answer follows, the receipt or a later refusal.
    if (accepted.rateLimit) for (const [name, value] of Object.entries(accepted.rateLimit.headers)) res.setHeader(name, value);
    // The headers decide no refusal: a client that sent Expect: 100-continue may now send the body.
    continueIfExpected(req, res);
    const body = await readBody(req, d.maxBodyBytes, res);
    const receipt = await ingestAccepted(d, accepted, body, req.headers['content-type'] as string);
    const a = renderReceipt(style, receipt, d.clock);
    res.setHeader('location', a.location);
    send(req, res, a, d.closing());
  } catch (error) {
    const err = toVaultgateError(error);
    errorCode = err.code;
    if (err.status >= 500) d.log.error({ reqId, err: error, code: err.code }, 'request failed');
    else d.log.info({ reqId, code: err.code, reason: err.logReason }, 'request refused');
    if (!res.headersSent) send(req, res, renderError(style, err, reqId, d.clock), d.closing());
    else res.destroy();
    d.refusals?.record({ at: d.clock.now(), code: err.code, status: res.statusCode, channelId, headers: req.headers, requestId: reqId, clientAddress: d.clientAddress(req) });
  }
}

/** Writes an answer; one given before the body was read in full ends the connection (plugins/connection-close.ts). */
function send(req: IncomingMessage, res: ServerResponse, a: RenderedAnswer, closing: boolean): void {
  if (mustClose(req, closing)) res.setHeader('connection', 'close');
  if (a.wwwAuthenticate) res.setHeader('www-authenticate', a.wwwAuthenticate);
  if (a.headers) for (const [name, value] of Object.entries(a.headers)) res.setHeader(name, value);
  res.statusCode = a.status;
  res.setHeader('content-type', a.contentType);
  res.setHeader('content-length', Buffer.byteLength(a.body));
  res.end(a.body);
}

/**
 * Reads the body up to `limit` bytes. Over the limit (declared or received), or shorter than declared, it fails
 * and marks the connection to be closed, since the client may still be sending.
 */
function readBody(req: IncomingMessage, limit: number, res: ServerResponse): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  return new Promise((resolve, reject) => {
    const fail = (err: VaultgateError): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      res.setHeader('connection', 'close');
      reject(err);
    };
    if (declared > limit) {
      fail(new VaultgateError('BODY_TOO_LARGE'));
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limit) fail(new VaultgateError('BODY_TOO_LARGE'));
      else chunks.push(chunk);
    };
    const onEnd = (): void => {
      req.off('data', onData);
      req.off('error', onError);
      if (!Number.isNaN(declared) && received !== declared) {
        fail(new VaultgateError('INVALID_REQUEST', { detail: 'The request could not be read.' }));
        return;
      }
      // One copy, never a view of the socket's read buffer.
      resolve(Buffer.concat(chunks, received));
    };
    const onError = (): void => fail(new VaultgateError('INVALID_REQUEST', { detail: 'The request could not be read.' }));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
  });
}
