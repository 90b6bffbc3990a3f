import { VaultgateError } from './errors.js';

/*
 * Header fields that decide an answer and must arrive as one field line (RFC 9110 §5.3: a sender MUST NOT send a
 * field more than once unless its definition allows a comma-separated list). Node hides a repeated field: it keeps
 * the first Authorization, Content-Type or Host and drops the rest, and joins others (Idempotency-Key,
 * X-Netvisor-*, Content-Encoding) with ", " — so `Idempotency-Key: K` twice became the key "K, K". Only the raw
 * field lines (`IncomingMessage.rawHeaders`) show what was sent.
 *
 * Not in the list, on purpose: fields whose definitions are lists and whose combined value means what the separate
 * lines meant (Accept, Accept-Language, Accept-Encoding, Transfer-Encoding, X-Forwarded-For). Content-Encoding is a
 * list too, but the list belongs in one field line here (ingestion.md): two lines are refused.
 */

/** Single-valued fields (lowercase) → the spelling the refusal names them by. */
const SINGLE_VALUED: ReadonlyMap<string, string> = new Map([
  ['authorization', 'Authorization'],
  ['idempotency-key', 'Idempotency-Key'],
  ['x-message-type', 'X-Message-Type'],
  ['content-type', 'Content-Type'],
  ['content-length', 'Content-Length'],
  ['content-encoding', 'Content-Encoding'],
  // RFC 9112 §3.2: a server MUST answer 400 to a request with more than one Host field line.
  ['host', 'Host'],
]);

/** Every field of the signed-header scheme (X-Netvisor-Authentication-*, -Interface-Language, -Organisation-ID). */
const SCHEME_PREFIX = 'x-netvisor-';

/** A field sent in more than one field line: its name (canonical spelling, or as first sent) and the line count. */
export interface RepeatedHeader {
  name: string;
  count: number;
}

/** True when `name` (any case) is a field that must arrive once. */
export function isSingleValuedHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return SINGLE_VALUED.has(lower) || lower.startsWith(SCHEME_PREFIX);
}

/**
 * The first single-valued field that `rawHeaders` (Node's `IncomingMessage.rawHeaders`: name, value, name, value…
 * as received) carries more than once, compared case-insensitively; undefined when there is none.
 *
 * @example
 * findRepeatedHeader(['Idempotency-Key', 'K', 'idempotency-key', 'K']); // { name: 'Idempotency-Key', count: 2 }
 * findRepeatedHeader(['Accept', 'text/xml', 'Accept', 'application/json']); // undefined (a list field)
 */
export function findRepeatedHeader(rawHeaders: readonly string[]): RepeatedHeader | undefined {
  let seen: Set<string> | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const sent = rawHeaders[i]!;
    const lower = sent.toLowerCase();
    if (!SINGLE_VALUED.has(lower) && !lower.startsWith(SCHEME_PREFIX)) continue;
    seen ??= new Set();
    if (!seen.has(lower)) {
      seen.add(lower);
      continue;
    }
    let count = 0;
    let first = sent;
    for (let j = 0; j < rawHeaders.length; j += 2) {
      if (rawHeaders[j]!.toLowerCase() !== lower) continue;
      if (count === 0) first = rawHeaders[j]!;
      count++;
    }
    return { name: SINGLE_VALUED.get(lower) ?? first, count };
  }
  return undefined;
}

/**
 * Throws DUPLICATE_HEADER (400, `header` in the problem body) when a single-valued field was sent more than once
 * (findRepeatedHeader). Every HTTP path runs it before reading any header value. `distinctNames`, when given, is
 * how many distinct field names the request has (`Object.keys(req.headers).length` of node's parsed headers): when
 * it is half of `rawHeaders.length` no name was repeated and the lines are not scanned.
 *
 * @example
 * refuseRepeatedHeaders(req.rawHeaders, Object.keys(req.headers).length);
 */
export function refuseRepeatedHeaders(rawHeaders: readonly string[] | undefined, distinctNames?: number): void {
  // Every field name that node parsed becomes one key of `IncomingMessage.headers`: as many keys as field lines
  // means no name came twice, and the lines need not be read again (the common case, on every request).
  if (rawHeaders && distinctNames !== undefined && distinctNames * 2 === rawHeaders.length) return;
  const repeated = rawHeaders ? findRepeatedHeader(rawHeaders) : undefined;
  if (!repeated) return;
  throw new VaultgateError('DUPLICATE_HEADER', {
    detail: `${repeated.name} was sent ${repeated.count} times; send it once.`,
    extra: { header: repeated.name },
  });
}

/**
 * Node's HTTP parser (llhttp) refuses a repeated Content-Length itself, before any route sees the request
 * (`HPE_UNEXPECTED_CONTENT_LENGTH`, reason "Duplicate Content-Length"): the `clientError` handler answers it with this
 * DUPLICATE_HEADER, the same refusal the routes give. Undefined for any other parser error.
 *
 * @example
 * server.on('clientError', (err) => repeatedHeaderOfParserError(err) ?? …);
 */
export function repeatedHeaderOfParserError(err: { code?: unknown; reason?: unknown }): VaultgateError | undefined {
  if (err.code !== 'HPE_UNEXPECTED_CONTENT_LENGTH' || typeof err.reason !== 'string' || !/^duplicate content-length/i.test(err.reason)) return undefined;
  return new VaultgateError('DUPLICATE_HEADER', {
    detail: 'Content-Length was sent more than once; send it once.',
    extra: { header: 'Content-Length' },
  });
}
