import type { ParsedMacHeaders } from './auth-headers.js';
import { VaultgateError } from './errors.js';
import { computeMac, isLatin1, macEquals, maskedMacString, type MacAlgorithm, type MacInput } from './mac.js';
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

export interface MacVerification {
  ok: boolean;
  /** The URL form that matched (canonical first, then the raw-target fallback). */
  url?: string;
  /** The string to hash with the keys masked, over the canonical URL: a hint for integrators outside `live`. */
  maskedInput: string;
}

/**
 * Verification step 4: computes the expected MAC over each accepted URL form and compares in constant time.
 *
 * @example
 * verifyMac(headers, 'SHA256', ['https://h/ingestion/ch_test_x'], { customerKey, partnerKey }).ok;
 */
export function verifyMac(
  h: ParsedMacHeaders,
  algorithm: MacAlgorithm,
  urls: readonly string[],
  keys: { customerKey: string; partnerKey: string },
): MacVerification {
  const base: Omit<MacInput, 'url'> = {
    sender: h.sender,
    customerId: h.customerId,
    timestamp: h.timestamp,
    language: h.language,
    organisationId: h.organisationId,
    transactionId: h.transactionId,
    timestampUnix: h.timestampUnix,
    ...keys,
  };
  // Without TimestampUnix an HMACSHA256 MAC cannot be computed; the hint then shows where the value belongs
  // (building the masked string with the field undefined would throw a plain Error, i.e. a 500, not a 401).
  // Built only when read (a refusal outside live): every accepted request would otherwise pay for it.
  let masked: string | undefined;
  const result = (ok: boolean, url?: string): MacVerification => ({
    ok,
    ...(url === undefined ? {} : { url }),
    get maskedInput(): string {
      masked ??= maskedMacString({ ...base, url: urls[0] ?? '', timestampUnix: h.timestampUnix ?? '<TimestampUnix>' }, algorithm);
      return masked;
    },
  });
  if (algorithm === 'HMACSHA256' && h.timestampUnix === undefined) return result(false);
  let matched: string | undefined;
  for (const url of urls) {
    const input = { ...base, url };
    // A string with characters outside ISO-8859-1 cannot have been signed by a conforming client.
    if (!isLatin1(url)) continue;
    // Compare every form (no early exit) so timing does not tell which form was close.
    if (macEquals(h.mac, computeMac(input, algorithm)) && matched === undefined) matched = url;
  }
  return result(matched !== undefined, matched);
}

/**
 * Verification step 5: the timestamp parses, lies within `windowS` seconds of `nowMs` (0 turns the window off),
 * and TimestampUnix, when sent, agrees with it to the second.
 *
 * @example
 * checkMacTimestamp(headers, Date.now(), 300);
 */
export function checkMacTimestamp(h: ParsedMacHeaders, nowMs: number, windowS: number): void {
  const t = parseMacTimestamp(h.timestamp);
  if (t === undefined) {
    throw new VaultgateError('AUTH_HEADERS_INVALID', {
      detail: 'X-Netvisor-Authentication-Timestamp must be "YYYY-MM-DD HH:MM:SS.fff" (UTC) or ISO 8601 with an offset.',
    });
  }
  if (h.timestampUnix !== undefined && Math.floor(t / 1000) !== Number(h.timestampUnix)) {
    throw new VaultgateError('TIMESTAMP_MISMATCH');
  }
  if (windowS > 0 && Math.abs(nowMs - t) > windowS * 1000) {
    throw new VaultgateError('TIMESTAMP_OUT_OF_WINDOW', {
      detail: `Allowed: ±${windowS} s of server time ${new Date(nowMs).toISOString()}.`,
    });
  }
}
