import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import proxyAddr from '@fastify/proxy-addr';
import { repeatedHeaderOfParserError, VaultgateError, type Clock } from '../../protocol/index.js';
import { rawErrorResponse, renderError, responseStyle } from './errors.js';

/*
 * What the server decides about a request before any route sees it, the same for both HTTP paths (the lean
 * ingestion path and Fastify): whether it arrived over TLS (live only), whether its connection must close, and the
 * answers node:http would otherwise write itself (parser errors, timeouts, oversized headers, Expect, CONNECT).
 * Every one of those answers is rendered from the error catalogue (plugins/errors.ts).
 */

/** The paths an orchestrator probes over plain HTTP (liveness/readiness); exempt from the live TLS rule. */
export const PROBE_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

/**
 * Splits a header list value at commas outside quoted strings (RFC 9110 §5.6.1, §5.6.4).
 */
function splitList(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && quoted) {
      cur += c + (value[++i] ?? '');
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out.filter((s) => s.length > 0);
}

const headerText = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v.join(',') : v);

/**
 * The protocol the nearest proxy says the client used, from `X-Forwarded-Proto` (its last value) and RFC 7239
 * `Forwarded` (the `proto` parameter of its last element). When both are present they must agree; when neither
 * is, undefined.
 */
export function forwardedProto(headers: IncomingMessage['headers']): string | undefined {
  const said: string[] = [];
  const xfp = headerText(headers['x-forwarded-proto']);
  if (xfp !== undefined) said.push((splitList(xfp).at(-1) ?? '').toLowerCase());
  const fwd = headerText(headers.forwarded);
  if (fwd !== undefined) {
    const last = splitList(fwd).at(-1) ?? '';
    const proto = last.split(';').map((p) => p.trim().split('=')).find(([k]) => k?.trim().toLowerCase() === 'proto');
    said.push((proto?.[1] ?? '').trim().replace(/^"(.*)"$/, '$1').toLowerCase());
  }
  if (said.length === 0) return undefined;
  return said.every((p) => p === said[0]) ? said[0] : 'conflicting';
}

/**
 * Whether a request arrived over TLS: on a TLS socket of this server, or from a trusted proxy (VAULTGATE_TRUST_PROXY)
 * that says https in X-Forwarded-Proto / Forwarded proto. A proxy not in the list is not believed.
 */
export function arrivedOverTls(req: IncomingMessage, trusted: ((addr: string, i: number) => boolean) | undefined): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  const peer = req.socket.remoteAddress;
  if (!trusted || peer === undefined || !trusted(peer, 0)) return false;
  return forwardedProto(req.headers) === 'https';
}

/**
 * The live rule (issue 11 §8): a request that did not arrive over TLS is refused with HTTPS_REQUIRED, on every route
 * but the probes (GET/HEAD of PROBE_PATHS: orchestrators probe over plain HTTP, and the answers carry no secret).
 * Returns undefined outside live. Throws VaultgateError.
 */
export function httpsRequirement(o: { live: boolean; trustProxy: string[] | undefined }): ((req: IncomingMessage) => void) | undefined {
  if (!o.live) return undefined;
  const trusted = o.trustProxy ? proxyAddr.compile(o.trustProxy) : undefined;
  return (req) => {
    if (arrivedOverTls(req, trusted)) return;
    const path = (req.url ?? '').split('?')[0]!;
    if ((req.method === 'GET' || req.method === 'HEAD') && PROBE_PATHS.has(path)) return;
    throw new VaultgateError('HTTPS_REQUIRED', {
      logReason: `plain HTTP from ${req.socket.remoteAddress ?? 'unknown'}${trusted ? ' (not a trusted proxy saying https)' : ''}`,
    });
  };
}

/** `Expect: 100-continue` (case-insensitive), the one expectation HTTP/1.1 defines (RFC 9110 §10.1.1). */
export const expectsContinue = (req: IncomingMessage): boolean => /^\s*100-continue\s*$/i.test(req.headers.expect ?? '');

/** Sends `100 Continue` if the client waits for it and no answer has started (call once the headers are accepted). */
export function continueIfExpected(req: IncomingMessage, res: ServerResponse): void {
  if (expectsContinue(req) && !res.headersSent && !(res as { _sent100?: boolean })._sent100) res.writeContinue();
}

/**
 * The node:http events whose default answers bypass Fastify, each answered from the catalogue:
 * - `checkContinue`: the request goes to the normal listener, which sends `100 Continue` only once its headers are
 *   accepted (continueIfExpected), so a refusal decided by the headers is sent instead of `100`;
 * - `checkExpectation`: any other Expect is 417 EXPECTATION_FAILED;
 * - `connect`: CONNECT is not a method this server implements (501), written on the raw socket.
 * The clientError event (parser errors, timeouts, oversized headers) is Fastify's clientErrorHandler option:
 * see clientErrorHandler below.
 */
export function installTransportHandlers(
  server: Server,
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  d: { clock: Clock; requestId: (req: IncomingMessage) => string },
): void {
  server.on('checkContinue', listener);
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const id = d.requestId(req);
    const a = renderError(responseStyle(req.headers), new VaultgateError('EXPECTATION_FAILED', { detail: `Expect: ${req.headers.expect ?? ''}` }), id, d.clock);
    res.writeHead(a.status, { 'content-type': a.contentType, 'content-length': Buffer.byteLength(a.body), connection: 'close', 'x-request-id': id });
    res.end(a.body);
  });
  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    writeAndClose(socket, rawErrorResponse(new VaultgateError('METHOD_NOT_IMPLEMENTED', { detail: 'CONNECT' }), d.requestId(req), d.clock));
  });
}

/** Writes a complete answer on a raw socket and closes it once flushed. */
function writeAndClose(socket: Duplex, bytes: string): void {
  if (!socket.writable || socket.destroyed) {
    socket.destroy();
    return;
  }
  socket.end(bytes, () => socket.destroy());
}

/** Node's parser error codes and the coded error each is answered with. */
function socketErrorCode(err: NodeJS.ErrnoException & { rawPacket?: Buffer }): VaultgateError {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new VaultgateError('REQUEST_TIMEOUT');
    case 'HPE_HEADER_OVERFLOW': {
      // The request line alone over the limit: no line break in what was received (as far as it is kept).
      const raw = err.rawPacket;
      const firstLine = raw ? raw.indexOf('\r\n') : -1;
      return new VaultgateError(raw && (firstLine < 0 || firstLine > 8192) ? 'URI_TOO_LONG' : 'HEADERS_TOO_LARGE');
    }
    case 'HPE_INVALID_METHOD':
      return new VaultgateError('METHOD_NOT_IMPLEMENTED');
    case 'HPE_INVALID_URL':
      return new VaultgateError('URL_MALFORMED');
    default:
      return new VaultgateError('REQUEST_MALFORMED', { detail: err.code?.startsWith('HPE_') ? `(${err.code})` : undefined });
  }
}

/**
 * Fastify's `clientErrorHandler`: node:http could not parse a request, or it timed out (requestTimeout,
 * headersTimeout). The answer is a complete problem+json response (there are no parsed headers to choose the MAC
 * style by) with `Connection: close`, written on the socket, which closes once it is flushed. Nothing is written
 * when an answer already began on the socket (it is then only closed).
 */
export function clientErrorHandler(d: { clock: Clock; log: { info(o: object, m: string): void } }) {
  return (err: NodeJS.ErrnoException, socket: Duplex): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    // A repeated Content-Length is refused by node's parser itself: answered as every repeated header is.
    const coded = repeatedHeaderOfParserError(err) ?? socketErrorCode(err);
    d.log.info({ code: coded.code, reason: err.code }, 'request refused by the HTTP parser');
    // As node does: no answer when the current request's answer already began on this socket.
    const current = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (current?.headersSent) {
      socket.destroy();
      return;
    }
    writeAndClose(socket, rawErrorResponse(coded, randomUUID(), d.clock));
  };
}
