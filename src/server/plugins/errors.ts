import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { mustClose } from './connection-close.js';
import {
  ERROR_CATALOGUE,
  errorMessage,
  errorRemedy,
  failedEnvelope,
  FAMILY_STATUS,
  requestLanguage,
  usesBearerScheme,
  usesMacScheme,
  VaultgateError,
  wantsHttpStatusCodes,
  type Clock,
  type ErrorCode,
  type ErrorDefinition,
  type HeaderBag,
  type Language,
} from '../../protocol/index.js';
import { isStoreFull } from '../../store/index.js';

/** How a request is answered: by the signed-header scheme's rules or as plain JSON. Set on every request. */
export interface ResponseStyle {
  mac: boolean;
  language: Language;
  /** MAC scheme only: UseHTTPResponseStatusCodes: 1 was sent. */
  httpStatus: boolean;
  /** MAC scheme only: the client asked for JSON bodies. */
  json: boolean;
  /** The request carries Authorization: Bearer (it then takes precedence over X-Netvisor-* headers). */
  bearer?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    style: ResponseStyle;
  }
}

/** The problem `type` URI of a code (documented in docs/errors.md). */
export const problemType = (code: ErrorCode): string => `urn:vaultgate:error:${code}`;

export function toVaultgateError(err: unknown): VaultgateError {
  if (err instanceof VaultgateError) return err;
  const e = err as FastifyError;
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new VaultgateError('BODY_TOO_LARGE');
    case 'FST_ERR_BAD_URL':
      return new VaultgateError('URL_MALFORMED');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new VaultgateError('URI_TOO_LONG', { detail: 'A path segment is longer than 100 characters.' });
    case 'FST_ERR_VALIDATION': {
      const problems = (e.validation ?? []).map((v) => `${e.validationContext ?? 'request'}${v.instancePath || ''}: ${v.message ?? 'invalid'}`.replace(/\s+/g, ' '));
      return new VaultgateError('INVALID_REQUEST', { detail: problems.join('; '), extra: { problems } });
    }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new VaultgateError('INVALID_REQUEST', { detail: 'Send Content-Type: application/json.' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new VaultgateError('INVALID_REQUEST', { detail: 'The JSON body is empty.' });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new VaultgateError('INVALID_REQUEST', { detail: 'The body is not valid JSON.' });
    default:
      break;
  }
  if (e?.name === 'SyntaxError' || (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500)) {
    return new VaultgateError('INVALID_REQUEST', { detail: 'The request could not be read.' });
  }
  // Every write of either adapter, on every route: a store out of room is 507 with its own code, not a generic 500.
  if (isStoreFull(err)) return new VaultgateError('STORE_FULL', { cause: err });
  return new VaultgateError('TECHNICAL_ERROR', { cause: err });
}

/** An answer rendered without a framework: status, Content-Type, body and the WWW-Authenticate challenge if any. */
export interface RenderedAnswer {
  status: number;
  contentType: string;
  body: string;
  wwwAuthenticate?: string;
  /** Further header fields the error names (VaultgateError.headers), e.g. Accept-Encoding on a 415. */
  headers?: Readonly<Record<string, string>>;
}

/**
 * The header fields a coded error names for its answer, whatever the format: its own (`VaultgateError.headers`,
 * e.g. Accept-Encoding on a 415), `Allow` on a 405 (RFC 9110 §10.2.1) and `Retry-After` in whole seconds, at least
 * 1, on a 429 (RFC 9110 §10.2.3). Lowercase names.
 */
export function errorHeaders(err: VaultgateError): Record<string, string> {
  const allowed = err.extra?.allow;
  return {
    ...err.headers,
    ...(Array.isArray(allowed) ? { allow: allowed.join(', ') } : {}),
    ...(err.retryAfterS === undefined ? {} : { 'retry-after': String(Math.max(1, Math.ceil(err.retryAfterS))) }),
  };
}

/** The response style of a request, from its headers (the one rule both HTTP paths use). */
export function responseStyle(h: HeaderBag): ResponseStyle {
  const bearer = usesBearerScheme(h);
  const mac = !bearer && usesMacScheme(h);
  const accept = h.accept;
  return {
    mac,
    bearer,
    language: requestLanguage(h),
    httpStatus: mac && wantsHttpStatusCodes(h),
    json: !mac || /application\/(problem\+)?json/i.test((Array.isArray(accept) ? accept[0] : accept) ?? ''),
  };
}

/**
 * RFC 6750 §3: a 401 names the Bearer scheme (with error="invalid_token" when a token was sent); a 403 of a bearer
 * request is insufficient_scope. The description is the English message, reduced to the characters the header allows.
 */
function bearerChallenge(code: ErrorCode, status: number, bearer: boolean): string | undefined {
  const description = errorMessage(code, 'en').replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '');
  if (status === 401) return bearer ? `Bearer realm="vaultgate", error="invalid_token", error_description="${description}"` : 'Bearer realm="vaultgate"';
  if (status === 403 && bearer) return `Bearer realm="vaultgate", error="insufficient_scope", error_description="${description}"`;
  return undefined;
}

/**
 * Renders a coded error by the request's style: problem+json, or the Netvisor envelope / its status rules. The
 * problem's `status` is always the HTTP status of the answer (RFC 9457 §3.1.2): on the MAC path that is the
 * family's status with UseHTTPResponseStatusCodes: 1, else 200; the code's own status is in the catalogue.
 */
export function renderError(style: ResponseStyle | undefined, err: VaultgateError, requestId: string, clock: Clock): RenderedAnswer {
  const s = style ?? { mac: false, language: 'en', httpStatus: false, json: true };
  const def: ErrorDefinition = ERROR_CATALOGUE[err.code];
  const message = errorMessage(err.code, s.language);
  // 429 is a transport-level signal (clients and proxies back off by Retry-After): kept on the MAC path too.
  const status = def.status === 429 ? 429 : s.mac ? (s.httpStatus ? FAMILY_STATUS[def.family] : 200) : def.status;
  const named = errorHeaders(err);
  const extraHeaders = Object.keys(named).length > 0 ? { headers: named } : {};
  if (s.mac && !s.json) {
    let text = `${message} (${err.code})`;
    const messageId = err.extra?.messageId;
    if (typeof messageId === 'string') text += ` ${messageId}`;
    if (typeof err.extra?.stringToHash === 'string') text += ` String to hash: ${err.extra.stringToHash}`;
    if (err.detail && err.status < 500) text += ` ${err.detail}`;
    return { status, contentType: 'text/xml; charset=utf-8', body: failedEnvelope(clock.now(), def.family, text), ...extraHeaders };
  }
  const body: Record<string, unknown> = {
    type: problemType(err.code),
    title: message,
    status,
    code: err.code,
    family: def.family,
    requestId,
    ...(err.extra ?? {}),
  };
  if (err.detail && def.status < 500) body.detail = err.detail;
  // A bearer request is told what to change about its token or client, not about MAC credentials.
  body.remedy = errorRemedy(err.code, s.language, s.bearer === true);
  const wwwAuthenticate = s.mac ? undefined : bearerChallenge(err.code, def.status, s.bearer === true);
  return {
    status, contentType: 'application/problem+json; charset=utf-8', body: JSON.stringify(body),
    ...(wwwAuthenticate ? { wwwAuthenticate } : {}), ...extraHeaders,
  };
}

/**
 * A complete HTTP/1.1 answer of a coded error as bytes for a raw socket (node's clientError and CONNECT, where no
 * request was parsed and so no style is known): problem+json, `Connection: close`.
 */
export function rawErrorResponse(err: VaultgateError, requestId: string, clock: Clock): string {
  const a = renderError(undefined, err, requestId, clock);
  return (
    `HTTP/1.1 ${a.status} ${STATUS_CODES[a.status] ?? 'Error'}\r\n` +
    `Content-Type: ${a.contentType}\r\nContent-Length: ${Buffer.byteLength(a.body)}\r\n` +
    `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${a.body}`
  );
}

/** Renders a coded error by the request's style (renderError) through Fastify. */
export function sendError(request: FastifyRequest, reply: FastifyReply, err: VaultgateError, clock: Clock): FastifyReply {
  const a = renderError(request.style, err, request.id, clock);
  if (a.wwwAuthenticate) reply.header('www-authenticate', a.wwwAuthenticate);
  if (a.headers) reply.headers(a.headers);
  return reply.code(a.status).type(a.contentType).send(a.body);
}

/** The methods a path answers to (HEAD where GET is), for a 405's Allow header; empty when no route matches. */
function allowedMethods(app: FastifyInstance, methods: ReadonlySet<string>, url: string): string[] {
  return [...methods].filter((m) => app.findRoute({ method: m, url }) !== null).sort();
}

/**
 * Decides every request's response style, and renders every error from the one catalogue: route errors (the error
 * handler), Fastify's own (frameworkErrors: bad URL encoding, overlong parameters), and requests no route takes:
 * 405 METHOD_NOT_ALLOWED with `Allow` when the path exists under other methods, else 404 NOT_FOUND. Those are decided
 * in onRequest, before any body is read. `checkRequest` runs first on every request (the live TLS rule).
 */
export function registerErrorHandling(app: FastifyInstance, clock: Clock, o: { checkRequest?: (req: IncomingMessage) => void } = {}): void {
  const methods = new Set<string>();
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) methods.add(m);
    if ([r.method].flat().includes('GET')) methods.add('HEAD');
  });
  app.decorateRequest('style', undefined as unknown as ResponseStyle);
  app.addHook('onRequest', async (request, reply) => {
    request.style = responseStyle(request.headers);
    reply.header('x-request-id', request.id);
    o.checkRequest?.(request.raw);
    if (request.is404) {
      const path = request.url.split('?')[0]!;
      const allow = allowedMethods(app, methods, request.url);
      if (allow.length > 0) throw new VaultgateError('METHOD_NOT_ALLOWED', { detail: `${request.method} ${path}`, extra: { allow } });
      throw new VaultgateError('NOT_FOUND', { detail: `No route ${request.method} ${path}.` });
    }
  });
  app.setErrorHandler((error, request, reply) => {
    const err = toVaultgateError(error);
    request.errorCode = err.code;
    if (err.status >= 500) request.log.error({ err: error, code: err.code }, 'request failed');
    else request.log.info({ code: err.code, reason: err.logReason }, 'request refused');
    return sendError(request, reply, err, clock);
  });
  app.setNotFoundHandler((request, reply) => {
    request.errorCode = 'NOT_FOUND';
    return sendError(request, reply, new VaultgateError('NOT_FOUND', { detail: `No route ${request.method} ${request.url.split('?')[0]}.` }), clock);
  });
}

/**
 * Fastify's `frameworkErrors` option: errors the router raises before any hook (FST_ERR_BAD_URL,
 * FST_ERR_MAX_PARAM_LENGTH, FST_ERR_ASYNC_CONSTRAINT), rendered from the catalogue in the request's style.
 */
export function frameworkErrors(clock: Clock) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    request.style = responseStyle(request.headers);
    const err = toVaultgateError(error);
    request.errorCode = err.code;
    request.log.info({ code: err.code, reason: error.code }, 'request refused');
    reply.header('x-request-id', request.id);
    if (mustClose(request.raw, false)) reply.header('connection', 'close');
    void sendError(request, reply, err, clock);
  };
}
