import type { MacAlgorithm, MacInput } from './mac.js';
import type { Language } from './errors.js';
import { parseMacTimestamp } from './timestamp.js';

/** Header names of the signed-header scheme (lowercase, as Node presents them). */
export const MAC_HEADERS = {
  sender: 'x-netvisor-authentication-sender',
  customerId: 'x-netvisor-authentication-customerid',
  partnerId: 'x-netvisor-authentication-partnerid',
  timestamp: 'x-netvisor-authentication-timestamp',
  timestampUnix: 'x-netvisor-authentication-timestampunix',
  transactionId: 'x-netvisor-authentication-transactionid',
  language: 'x-netvisor-interface-language',
  organisationId: 'x-netvisor-organisation-id',
  mac: 'x-netvisor-authentication-mac',
  algorithm: 'x-netvisor-authentication-machashcalculationalgorithm',
  useHttpStatusCodes: 'x-netvisor-authentication-usehttpresponsestatuscodes',
} as const;

/** The scheme's languages and the catalogue language each selects (`SE` means Swedish). */
export const MAC_LANGUAGES: Record<string, Language> = { FI: 'fi', EN: 'en', SE: 'sv' };

export type HeaderBag = Record<string, string | string[] | undefined>;

function one(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** True when the request carries any header of the scheme: it is then answered by the scheme's rules. */
export function usesMacScheme(headers: HeaderBag): boolean {
  for (const name of Object.keys(headers)) if (name.startsWith('x-netvisor-')) return true;
  return false;
}

/**
 * True when the request carries `Authorization: Bearer …`: it is then authenticated and answered as a bearer
 * request, even when X-Netvisor-* headers are present too.
 *
 * @example usesBearerScheme({ authorization: 'Bearer eyJ…' }) // true
 */
export function usesBearerScheme(headers: HeaderBag): boolean {
  const h = headers.authorization;
  return typeof h === 'string' && /^bearer(\s|$)/i.test(h);
}

/** The language errors should be given in: the scheme's language header, else Accept-Language, else English. */
export function requestLanguage(headers: HeaderBag): Language {
  const l = one(headers, MAC_HEADERS.language);
  if (l) {
    const mapped = MAC_LANGUAGES[l.trim().toUpperCase()];
    if (mapped) return mapped;
  }
  const accept = one(headers, 'accept-language');
  if (accept) {
    for (const tag of preferredTags(accept)) {
      // Match the primary subtag only: a prefix test would take `fil` (Filipino) for Finnish.
      const primary = tag.split('-')[0]!;
      if (Object.hasOwn(ACCEPT_LANGUAGES, primary)) return ACCEPT_LANGUAGES[primary]!;
    }
  }
  return 'en';
}

const ACCEPT_LANGUAGES: Record<string, Language> = { fi: 'fi', sv: 'sv', se: 'sv', en: 'en' };

/** Accept-Language tags, lowercased, most preferred first (by q, then by position); `q=0` ones dropped. */
function preferredTags(accept: string): string[] {
  const tags: { tag: string; q: number; i: number }[] = [];
  accept.split(',').forEach((part, i) => {
    const [tag, ...params] = part.split(';').map((x) => x.trim());
    if (!tag) return;
    let q = 1;
    for (const p of params) {
      const m = /^q\s*=\s*([01](?:\.\d{0,3})?)$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    if (q > 0) tags.push({ tag: tag.toLowerCase(), q, i });
  });
  return tags.sort((a, b) => b.q - a.q || a.i - b.i).map((t) => t.tag);
}

/** Whether the client asked for real HTTP status codes (`UseHTTPResponseStatusCodes: 1`). */
export function wantsHttpStatusCodes(headers: HeaderBag): boolean {
  return one(headers, MAC_HEADERS.useHttpStatusCodes)?.trim() === '1';
}

export interface ParsedMacHeaders {
  sender: string;
  customerId: string;
  partnerId: string;
  timestamp: string;
  timestampUnix: string | undefined;
  transactionId: string;
  language: string;
  organisationId: string;
  mac: string;
  /** The algorithm named, or undefined when the header is absent (legacy MD5 clients). */
  algorithm: string | undefined;
}

export type MacHeaderResult = { ok: true; value: ParsedMacHeaders } | { ok: false; problems: string[] };

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Parses and checks the scheme's headers for well-formedness (verification step 1). It does not look at the
 * algorithm's support, the credentials, or time.
 *
 * @example
 * const r = parseMacHeaders(request.headers);
 * if (!r.ok) console.log(r.problems); // ['missing X-Netvisor-Authentication-MAC', …]
 */
export function parseMacHeaders(headers: HeaderBag): MacHeaderResult {
  const problems: string[] = [];
  const get = (key: keyof typeof MAC_HEADERS, display: string, required: boolean): string | undefined => {
    const v = one(headers, MAC_HEADERS[key]);
    if (v === undefined || v === '') {
      if (required) problems.push(`missing ${display}`);
      return undefined;
    }
    return v;
  };
  const sender = get('sender', 'X-Netvisor-Authentication-Sender', true);
  const customerId = get('customerId', 'X-Netvisor-Authentication-CustomerId', true);
  const partnerId = get('partnerId', 'X-Netvisor-Authentication-PartnerId', true);
  const timestamp = get('timestamp', 'X-Netvisor-Authentication-Timestamp', true);
  const timestampUnix = get('timestampUnix', 'X-Netvisor-Authentication-TimestampUnix', false);
  const transactionId = get('transactionId', 'X-Netvisor-Authentication-TransactionId', true);
  const language = get('language', 'X-Netvisor-Interface-Language', true);
  const organisationId = get('organisationId', 'X-Netvisor-Organisation-ID', true);
  const mac = get('mac', 'X-Netvisor-Authentication-MAC', true);
  const algorithm = get('algorithm', 'X-Netvisor-Authentication-MACHashCalculationAlgorithm', false);

  if (transactionId !== undefined && (transactionId.length > 255 || CONTROL.test(transactionId))) {
    problems.push('X-Netvisor-Authentication-TransactionId must be 1-255 characters without control characters');
  }
  if (language !== undefined && !MAC_LANGUAGES[language.toUpperCase()]) {
    problems.push('X-Netvisor-Interface-Language must be FI, EN or SE');
  }
  if (mac !== undefined && !/^[0-9a-fA-F]{32,128}$/.test(mac)) {
    problems.push('X-Netvisor-Authentication-MAC must be a hex digest');
  }
  if (timestamp !== undefined && parseMacTimestamp(timestamp) === undefined) {
    problems.push('X-Netvisor-Authentication-Timestamp must be "YYYY-MM-DD HH:MM:SS.fff" (UTC) or ISO 8601 with an offset');
  }
  if (timestampUnix !== undefined && !/^\d{1,12}$/.test(timestampUnix)) {
    problems.push('X-Netvisor-Authentication-TimestampUnix must be whole seconds since the epoch');
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: {
      sender: sender!,
      customerId: customerId!,
      partnerId: partnerId!,
      timestamp: timestamp!,
      timestampUnix,
      transactionId: transactionId!,
      language: language!,
      organisationId: organisationId!,
      mac: mac!,
      algorithm,
    },
  };
}

/** Headers a client sends, computed from the MAC input and the parts that are not in it. */
export function buildMacHeaders(
  input: MacInput,
  options: { partnerId: string; algorithm: MacAlgorithm; mac: string; useHttpStatusCodes?: boolean },
): Record<string, string> {
  const h: Record<string, string> = {
    'X-Netvisor-Authentication-Sender': input.sender,
    'X-Netvisor-Authentication-CustomerId': input.customerId,
    'X-Netvisor-Authentication-PartnerId': options.partnerId,
    'X-Netvisor-Authentication-Timestamp': input.timestamp,
    'X-Netvisor-Authentication-TransactionId': input.transactionId,
    'X-Netvisor-Interface-Language': input.language,
    'X-Netvisor-Organisation-ID': input.organisationId,
    'X-Netvisor-Authentication-MAC': options.mac,
    'X-Netvisor-Authentication-MACHashCalculationAlgorithm': options.algorithm,
  };
  if (input.timestampUnix !== undefined) h['X-Netvisor-Authentication-TimestampUnix'] = input.timestampUnix;
  if (options.useHttpStatusCodes) h['X-Netvisor-Authentication-UseHTTPResponseStatusCodes'] = '1';
  return h;
}
