import { Buffer, isUtf8 } from 'node:buffer';
import type { ParsedMacHeaders } from './auth-headers.js';
import type { RequestUrls } from './canonical-url.js';
import { VaultgateError } from './errors.js';
import { digestMacBytes } from './mac-digest.js';
import { isLatin1, macBytes, macBytesEqual, macString, maskedMacString, type MacAlgorithm, type MacInput } from './mac.js';
import { parseMacTimestamp } from './timestamp.js';

/**
 * Verification step 2: the algorithm named is supported and allowed. A request without the header is legacy MD5,
 * allowed only when the deployment enables MD5.
 *
 * @example
 * resolveMacAlgorithm('sha256', false); // 'SHA256'
 */
export function resolveMacAlgorithm(named: string | undefined, allowMd5: boolean): MacAlgorithm {
  const a = named?.trim().toUpperCase();
  if (a === 'SHA256' || a === 'HMACSHA256') return a;
  if ((a === undefined || a === 'MD5') && allowMd5) return 'MD5';
  throw new VaultgateError('MAC_ALGORITHM_NOT_SUPPORTED', {
    detail: a === undefined ? 'No algorithm header was sent.' : `Algorithm "${named}" is not accepted.`,
  });
}

/**
 * The tolerated departures from the canonical form (mac-auth.md, "What real clients get wrong"), as metric labels:
 * - `absolute_form`: the request-target was `http://host/path?q` (RFC 9112 §3.2.2); the URL is built from its path and query.
 * - `wire_url`: the MAC is over the undecoded (percent-encoded) request-target (vector N2).
 * - `utf8_headers`: header values travelled as UTF-8 bytes although the client hashed their ISO-8859-1 form.
 * - `utf8_string`: the joined string was hashed as UTF-8 bytes instead of ISO-8859-1 (vector N1).
 * - `timestamp_unix_skew`: TimestampUnix is 1 s away from Timestamp (the clock read twice).
 */
export type MacFallback = 'absolute_form' | 'wire_url' | 'utf8_headers' | 'utf8_string' | 'timestamp_unix_skew';

const FALLBACK_ORDER: readonly MacFallback[] = ['absolute_form', 'wire_url', 'utf8_headers', 'utf8_string', 'timestamp_unix_skew'];

/**
 * The metric label of a verified request: `canonical`, or the fallbacks it needed joined with `+` in a fixed order.
 *
 * @example
 * macForm([]); // 'canonical'
 * macForm(['utf8_string', 'utf8_headers']); // 'utf8_headers+utf8_string'
 */
export function macForm(fallbacks: readonly MacFallback[]): string {
  if (fallbacks.length === 0) return 'canonical';
  return FALLBACK_ORDER.filter((f) => fallbacks.includes(f)).join('+');
}

/**
 * The most digests verifyMac computes for one request: 2 URL forms (decoded, undecoded) × 2 header readings (as
 * received, UTF-8 re-decoded) × 2 string encodings (ISO-8859-1, UTF-8). A refused request costs at most this many
 * SHA-256 / HMAC-SHA256 / MD5 computations over its own header values (bounded by the server's header size limit),
 * and only after its PartnerId and CustomerId were found to be known and active.
 */
export const MAX_MAC_CANDIDATES = 8;

export interface MacVerification {
  ok: boolean;
  /** The URL form that matched. */
  url?: string;
  /** The header values the MAC matched: as received, or UTF-8 re-decoded (`utf8_headers`). Only when ok. */
  headers?: ParsedMacHeaders;
  /** The fallbacks the match needed; empty for the canonical form. */
  fallbacks: MacFallback[];
  /** How many digests were computed (at most MAX_MAC_CANDIDATES). */
  computed: number;
  /** The string to hash with the keys masked, in the canonical form: a hint for integrators outside `live`. */
  maskedInput: string;
}

/** The header fields that go into the MAC (PartnerId does not). */
const SIGNED_FIELDS = ['sender', 'customerId', 'timestamp', 'timestampUnix', 'language', 'organisationId', 'transactionId'] as const;

// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\u0000-\u007f]/;

/**
 * A header value re-read as UTF-8: `value` is the header as the server decoded it (one character per byte,
 * ISO-8859-1); when those bytes are valid UTF-8 with multi-byte sequences and every decoded character is at most
 * U+00FF, the decoded string, else undefined. (Node's `http` puts header values on the wire as UTF-8 when the
 * request body is a string; JavaScript's `Buffer.from(v, 'latin1').toString('utf8')`.)
 *
 * @example
 * utf8Redecode('DemokÃ¤yttÃ¤jÃ¤'); // 'Demokäyttäjä'
 * utf8Redecode('Demokäyttäjä'); // undefined (0xE4 alone is not UTF-8)
 */
export function utf8Redecode(value: string): string | undefined {
  if (!NON_ASCII.test(value) || !isLatin1(value)) return undefined;
  const bytes = Buffer.from(value, 'latin1');
  if (!isUtf8(bytes)) return undefined;
  const decoded = bytes.toString('utf8');
  return isLatin1(decoded) ? decoded : undefined;
}

/** The signed header values, every one that qualifies re-decoded as UTF-8 (one client writes them all alike). */
function utf8Headers(h: ParsedMacHeaders): ParsedMacHeaders | undefined {
  let out: ParsedMacHeaders | undefined;
  for (const field of SIGNED_FIELDS) {
    const v = h[field];
    const d = v === undefined ? undefined : utf8Redecode(v);
    if (d !== undefined) (out ??= { ...h })[field] = d;
  }
  return out;
}

/**
 * Verification step 4 (mac-auth.md): computes the expected MAC in the canonical form (headers as received, the
 * decoded URL, ISO-8859-1 bytes) and compares it in constant time; only when it fails, the tolerated fallbacks
 * (undecoded URL, UTF-8 re-decoded header values, the string as UTF-8 bytes, and their combinations), at most
 * MAX_MAC_CANDIDATES digests in all, each compared in constant time. `urls` is requestUrls(…) or the URL forms,
 * canonical first (at most two: the decoded and the undecoded target; more throws a plain Error).
 *
 * Stopping at the first match tells a caller only which form matched, which the caller chose; a refused request
 * always computes every candidate.
 *
 * @example
 * verifyMac(headers, 'SHA256', requestUrls(base, rawTarget), { customerKey, partnerKey });
 * // { ok: true, url: 'https://h/ingestion/ch_test_x', fallbacks: [], headers, computed: 1, maskedInput: … }
 */
export function verifyMac(
  h: ParsedMacHeaders,
  algorithm: MacAlgorithm,
  urls: readonly string[] | RequestUrls,
  keys: { customerKey: string; partnerKey: string },
): MacVerification {
  const forms = 'urls' in urls ? urls.urls : urls;
  // The bound is structural: the decoded and the undecoded form, never more (a caller passing more is a bug).
  if (forms.length > 2) throw new Error(`verifyMac takes at most 2 URL forms, got ${forms.length}`);
  // Without TimestampUnix an HMACSHA256 MAC cannot be computed; the hint then shows where the value belongs
  // (building the masked string with the field undefined would throw a plain Error, i.e. a 500, not a 401).
  // Built only when read (a refusal outside live): every accepted request would otherwise pay for it.
  let masked: string | undefined;
  let computed = 0;
  const result = (ok: boolean, match?: { url: string; headers: ParsedMacHeaders; fallbacks: MacFallback[] }): MacVerification => ({
    ok,
    ...(match ?? { fallbacks: [] }),
    computed,
    get maskedInput(): string {
      masked ??= maskedMacString({ ...macInput(h, forms[0] ?? '', keys), timestampUnix: h.timestampUnix ?? '<TimestampUnix>' }, algorithm);
      return masked;
    },
  });
  if (algorithm === 'HMACSHA256' && h.timestampUnix === undefined) return result(false);
  // The received MAC decoded once (undefined when it is not hex: no candidate can equal it, but all are computed).
  const received = macBytes(h.mac);
  const hmacKey = `${keys.customerKey}&${keys.partnerKey}`;
  const absolute: MacFallback[] = 'urls' in urls && urls.absoluteForm ? ['absolute_form'] : [];
  // The header readings in order: as received, then (only when that fails) UTF-8 re-decoded, when any value differs.
  for (let reading = 0; reading < 2; reading++) {
    const headers = reading === 0 ? h : utf8Headers(h);
    if (headers === undefined) break;
    for (let i = 0; i < forms.length; i++) {
      const url = forms[i]!;
      const joined = macString(macInput(headers, url, keys), algorithm);
      const ascii = !NON_ASCII.test(joined);
      // ISO-8859-1 when the string can be encoded so (a conforming client's); UTF-8 when that gives other bytes.
      for (const encoding of ['latin1', 'utf8'] as const) {
        if (encoding === 'latin1' ? !ascii && !isLatin1(joined) : ascii) continue;
        computed++;
        const digest = digestMacBytes(joined, hmacKey, algorithm, encoding);
        if (received !== undefined && macBytesEqual(received, digest)) {
          const fallbacks: MacFallback[] = [
            ...absolute, ...(i > 0 ? ['wire_url' as const] : []), ...(reading > 0 ? ['utf8_headers' as const] : []),
            ...(encoding === 'utf8' ? ['utf8_string' as const] : []),
          ];
          return result(true, { url, headers, fallbacks });
        }
      }
    }
  }
  return result(false);
}

/** The MAC input of a header reading, a URL form and the keys: one object, no intermediate copies. */
function macInput(h: ParsedMacHeaders, url: string, keys: { customerKey: string; partnerKey: string }): MacInput {
  return {
    url, sender: h.sender, customerId: h.customerId, timestamp: h.timestamp, language: h.language,
    organisationId: h.organisationId, transactionId: h.transactionId, timestampUnix: h.timestampUnix,
    customerKey: keys.customerKey, partnerKey: keys.partnerKey,
  };
}

/**
 * Verification step 5: the timestamp parses, lies within `windowS` seconds of `nowMs` (0 turns the window off),
 * and TimestampUnix, when sent, is the same second as Timestamp or at most 1 s away from it (a client that reads
 * its clock twice). Returns the fallback used: `['timestamp_unix_skew']` when the two differ by 1 s, else `[]`.
 *
 * @example
 * checkMacTimestamp(headers, Date.now(), 300); // []
 */
export function checkMacTimestamp(h: ParsedMacHeaders, nowMs: number, windowS: number): MacFallback[] {
  const t = parseMacTimestamp(h.timestamp);
  if (t === undefined) {
    throw new VaultgateError('AUTH_HEADERS_INVALID', {
      detail: 'X-Netvisor-Authentication-Timestamp must be "YYYY-MM-DD HH:MM:SS.fff" (UTC) or ISO 8601 with an offset.',
    });
  }
  const skew = h.timestampUnix === undefined ? 0 : Math.abs(Math.floor(t / 1000) - Number(h.timestampUnix));
  if (skew > 1) {
    throw new VaultgateError('TIMESTAMP_MISMATCH', {
      detail: `TimestampUnix is whole seconds since the epoch; ${h.timestampUnix!.slice(0, 20)} is ${skew} s away from Timestamp (at most 1 s is accepted).`,
    });
  }
  if (windowS > 0 && Math.abs(nowMs - t) > windowS * 1000) {
    throw new VaultgateError('TIMESTAMP_OUT_OF_WINDOW', {
      detail: `Allowed: ±${windowS} s of server time ${new Date(nowMs).toISOString()}.`,
    });
  }
  return skew === 1 ? ['timestamp_unix_skew'] : [];
}
