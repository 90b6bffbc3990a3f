/*
 * The signed-header MAC (docs/mac-auth.md) computed in the browser with WebCrypto, for the portal's "send test
 * message" form: the keys stay in the page, only the headers travel. The portal may not import src/protocol (it
 * uses node:crypto), so this is the same algorithm written against web standards only (no node:, no Buffer);
 * src/portal/lib/mac-sign.test.ts holds it equal to the known-answer vectors, to src/protocol for random inputs, and
 * to a real server.
 *
 * Non-ASCII header values: fetch() takes header values as WebIDL ByteStrings, so a character up to U+00FF is sent as
 * that one byte (`ä` → 0xE4: the ISO-8859-1 the server reads, the canonical form) and anything above makes fetch
 * throw a TypeError (seen in Chromium 156 and Node 20's fetch). fetch also strips leading and trailing spaces and
 * tabs from a value, which would change a signed string. signMacRequest refuses both cases up front with a
 * MacSignError naming the field, instead of a MAC the server cannot match.
 *
 * MD5 is not offered: WebCrypto has no MD5, and the server refuses it unless VAULTGATE_ALLOW_MD5=true.
 */

/** The algorithms this signer offers (the server's, less legacy MD5). */
export type BrowserMacAlgorithm = 'SHA256' | 'HMACSHA256';

export const BROWSER_MAC_ALGORITHMS: readonly BrowserMacAlgorithm[] = ['SHA256', 'HMACSHA256'];

/** Why a request cannot be signed; `field` names the form field (`sender`, `url`, …) where there is one. */
export type MacSignProblem = 'missing' | 'not-latin1' | 'whitespace' | 'control-character' | 'too-long' | 'url' | 'algorithm' | 'language' | 'no-webcrypto';

/** Thrown by signMacRequest before anything is computed or sent. The message is English and names the field. */
export class MacSignError extends Error {
  constructor(readonly problem: MacSignProblem, readonly field: string, message: string) {
    super(message);
    this.name = 'MacSignError';
  }
}

/** What the form collects. Keys go into the MAC only; they are never in a header nor in a masked output. */
export interface SignMacRequestInput {
  /** HTTP method; not part of the MAC, echoed in the result for display. */
  method: string;
  /**
   * The absolute URL the request goes to (a channel's `url` plus `?messageType=…`), as typed: raw characters
   * (`?keyword=Mäkelä`) or percent-escapes both work. The MAC covers its decoded form (docs/mac-auth.md, "The URL").
   */
  url: string;
  sender: string;
  customerId: string;
  partnerId: string;
  partnerKey: string;
  customerKey: string;
  /** `FI`, `EN` or `SE`, any case. */
  language: string;
  /** The company's business id (`1967543-8`). */
  organisationId: string;
  /** Default: a random UUID. 1-255 characters, no control characters, unique per party for 24 h. */
  transactionId?: string;
  /** The instant to sign at, milliseconds since the epoch or a Date; default now. */
  timestamp?: number | Date;
  algorithm: BrowserMacAlgorithm;
  /** Send `UseHTTPResponseStatusCodes: 1` (real HTTP statuses); default true. */
  useHttpStatusCodes?: boolean;
}

/** A signed request, ready for `fetch(result.url, { method, headers: result.headers, body })`. */
export interface SignedMacRequest {
  method: string;
  /** Where to send it: the input URL in its wire (percent-encoded) form, without a fragment. */
  url: string;
  /** The URL that went into the MAC: origin + decoded path and query. */
  signedUrl: string;
  /** The exact headers, names in the scheme's spelling. They hold no key. */
  headers: Record<string, string>;
  /** The headers for display: any value that happens to contain a key (a key pasted into Sender) masked. */
  headersMasked: Record<string, string>;
  /** The string that was hashed. Holds BOTH KEYS: never display, log or store it. */
  stringToHash: string;
  /** The string that was hashed with the keys as `<CustomerKey>` and `<PartnerKey>`: the server's own masking. */
  stringToHashMasked: string;
  /** The MAC, lowercase hex. */
  mac: string;
  algorithm: BrowserMacAlgorithm;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const NON_LATIN1 = /[^\u0000-\u00ff]/;
const LANGUAGES = ['FI', 'EN', 'SE'];

/** The WebCrypto SubtleCrypto, or a MacSignError: browsers offer it only in secure contexts (HTTPS, localhost). */
export function subtleCrypto(): SubtleCrypto {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new MacSignError('no-webcrypto', 'page', 'WebCrypto is not available: open the portal over HTTPS (or on localhost) to sign in the browser');
  }
  return subtle;
}

/** ISO-8859-1 bytes of a string the caller has checked holds nothing above U+00FF. */
function latin1(s: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Checks one value that travels as a header: present, ISO-8859-1, no control characters, no edge whitespace. */
function checkHeaderValue(field: string, value: string): void {
  if (typeof value !== 'string' || value === '') throw new MacSignError('missing', field, `${field} is required`);
  if (NON_LATIN1.test(value)) {
    throw new MacSignError('not-latin1', field, `${field} contains a character above U+00FF: the scheme sends and signs ISO-8859-1 only (ä, ö, å and é are fine; € and emoji are not)`);
  }
  if (CONTROL.test(value)) throw new MacSignError('control-character', field, `${field} contains a control character (a line break or tab), which a header cannot carry`);
  if (/^[ \t]|[ \t]$/.test(value)) {
    throw new MacSignError('whitespace', field, `${field} starts or ends with a space: the browser removes it when sending, so the server would hash another string`);
  }
}

/** The URL to send and the URL to sign, as the server rebuilds it (origin without a default port, decoded target). */
function urls(raw: string): { wire: string; signed: string } {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new MacSignError('url', 'url', `url is not an absolute URL: ${raw}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new MacSignError('url', 'url', `url must be http or https: ${raw}`);
  const target = u.pathname + u.search;
  let decoded: string;
  try {
    decoded = decodeURIComponent(target);
  } catch {
    // The server signs what it cannot decode as it arrived (canonicalUrls): so does this.
    decoded = target;
  }
  const signed = `${u.protocol}//${u.host}${decoded}`;
  if (NON_LATIN1.test(signed)) {
    throw new MacSignError('not-latin1', 'url', 'url contains a character above U+00FF, which ISO-8859-1 cannot encode: the MAC cannot cover it');
  }
  return { wire: `${u.protocol}//${u.host}${target}`, signed };
}

/** `YYYY-MM-DD HH:MM:SS.fff` in UTC, the scheme's timestamp. */
export function formatMacTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/** Replaces every occurrence of either key in `s` by its placeholder. */
function maskKeys(s: string, customerKey: string, partnerKey: string): string {
  let out = s;
  // The longer key first, so that a key containing the other is masked whole.
  const keys: [string, string][] = [[customerKey, '<CustomerKey>'], [partnerKey, '<PartnerKey>']];
  keys.sort((a, b) => b[0].length - a[0].length);
  for (const [key, label] of keys) if (key !== '') out = out.split(key).join(label);
  return out;
}

/**
 * Signs a request with the signed-header scheme in the browser (WebCrypto). Throws MacSignError for input the
 * scheme cannot carry (see the module comment); nothing is sent.
 *
 * @example
 * const s = await signMacRequest({ method: 'POST', url: `${channel.url}?messageType=Invoice`, sender: 'Demokäyttäjä',
 *   customerId, partnerId, customerKey, partnerKey, language: 'FI', organisationId: '1967543-8', algorithm: 'HMACSHA256' });
 * show(s.headersMasked, s.stringToHashMasked);
 * await fetch(s.url, { method: s.method, headers: { ...s.headers, 'content-type': 'application/json' }, body });
 */
export async function signMacRequest(input: SignMacRequestInput): Promise<SignedMacRequest> {
  const algorithm = input.algorithm;
  if (!BROWSER_MAC_ALGORITHMS.includes(algorithm)) {
    throw new MacSignError('algorithm', 'algorithm', `algorithm must be ${BROWSER_MAC_ALGORITHMS.join(' or ')} (MD5 is legacy and cannot be computed with WebCrypto)`);
  }
  const subtle = subtleCrypto();
  const { wire, signed } = urls(input.url);
  const at = input.timestamp === undefined ? Date.now() : typeof input.timestamp === 'number' ? input.timestamp : input.timestamp.getTime();
  if (!Number.isFinite(at)) throw new MacSignError('missing', 'timestamp', 'timestamp is not a valid instant');
  const transactionId = input.transactionId ?? globalThis.crypto.randomUUID();
  const fields = {
    sender: input.sender,
    customerId: input.customerId,
    partnerId: input.partnerId,
    language: input.language,
    organisationId: input.organisationId,
    transactionId,
  };
  for (const [field, value] of Object.entries(fields)) checkHeaderValue(field, value);
  if (transactionId.length > 255) throw new MacSignError('too-long', 'transactionId', 'transactionId must be at most 255 characters');
  if (!LANGUAGES.includes(input.language.toUpperCase())) throw new MacSignError('language', 'language', 'language must be FI, EN or SE');
  for (const field of ['customerKey', 'partnerKey'] as const) {
    if (typeof input[field] !== 'string' || input[field] === '') throw new MacSignError('missing', field, `${field} is required`);
    if (NON_LATIN1.test(input[field])) throw new MacSignError('not-latin1', field, `${field} contains a character above U+00FF, which ISO-8859-1 cannot encode`);
  }

  const timestamp = formatMacTimestamp(at);
  const timestampUnix = algorithm === 'HMACSHA256' ? String(Math.floor(at / 1000)) : undefined;
  const head = [signed, input.sender, input.customerId, timestamp, input.language, input.organisationId, transactionId];
  if (timestampUnix !== undefined) head.push(timestampUnix);
  const stringToHash = [...head, input.customerKey, input.partnerKey].join('&');
  const stringToHashMasked = [...head.map((s) => maskKeys(s, input.customerKey, input.partnerKey)), '<CustomerKey>', '<PartnerKey>'].join('&');

  let digest: ArrayBuffer;
  if (algorithm === 'SHA256') digest = await subtle.digest('SHA-256', latin1(stringToHash));
  else {
    const key = await subtle.importKey('raw', latin1(`${input.customerKey}&${input.partnerKey}`), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    digest = await subtle.sign('HMAC', key, latin1(stringToHash));
  }
  const mac = hex(digest);

  const headers: Record<string, string> = {
    'X-Netvisor-Authentication-Sender': input.sender,
    'X-Netvisor-Authentication-CustomerId': input.customerId,
    'X-Netvisor-Authentication-PartnerId': input.partnerId,
    'X-Netvisor-Authentication-Timestamp': timestamp,
    'X-Netvisor-Authentication-TransactionId': transactionId,
    'X-Netvisor-Interface-Language': input.language,
    'X-Netvisor-Organisation-ID': input.organisationId,
    'X-Netvisor-Authentication-MAC': mac,
    'X-Netvisor-Authentication-MACHashCalculationAlgorithm': algorithm,
  };
  if (timestampUnix !== undefined) headers['X-Netvisor-Authentication-TimestampUnix'] = timestampUnix;
  if (input.useHttpStatusCodes ?? true) headers['X-Netvisor-Authentication-UseHTTPResponseStatusCodes'] = '1';
  const headersMasked = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, maskKeys(v, input.customerKey, input.partnerKey)]));

  return { method: input.method, url: wire, signedUrl: signed, headers, headersMasked, stringToHash, stringToHashMasked, mac, algorithm };
}

// The form can send with an OAuth client instead: the token helpers live beside this module.
export { bearerHeaders, bearerHeadersMasked, getBearerToken, TokenRequestError, type BearerToken, type GetBearerTokenInput } from './bearer-token.js';
