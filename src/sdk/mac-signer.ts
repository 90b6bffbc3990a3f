import { randomUUID } from 'node:crypto';
import { buildMacHeaders, computeMac, formatMacTimestamp, type MacAlgorithm, type MacInput } from '../protocol/index.js';

/** What a client of the signed-header scheme holds. Keys never travel: they only go into the MAC. */
export interface MacCredentials {
  partnerId: string;
  partnerKey: string;
  customerId: string;
  customerKey: string;
  /** Business id of the target company (X-Netvisor-Organisation-ID). */
  organisationId: string;
  sender?: string;
  language?: 'FI' | 'EN' | 'SE';
  algorithm?: MacAlgorithm;
}

/**
 * The headers of one signed request. `url` is the full URL as sent (percent-encoded); the MAC is computed over its
 * decoded form, as mac-auth.md requires.
 *
 * @example
 * const headers = signRequest(creds, 'https://vaultgate.example.com/vault/v1/messages?limit=10');
 */
export function signRequest(
  c: MacCredentials,
  url: string,
  options: { transactionId?: string; nowMs?: number } = {},
): Record<string, string> {
  return signRequestDetailed(c, url, options).headers;
}

/**
 * Like `signRequest`, with what went into the MAC (for debugging an integration: show `maskedMacString(input)`,
 * never the input itself, which holds both keys).
 *
 * @example
 * const { headers, input, algorithm } = signRequestDetailed(creds, url);
 * console.log(maskedMacString(input, algorithm));
 */
export function signRequestDetailed(
  c: MacCredentials,
  url: string,
  options: { transactionId?: string; nowMs?: number } = {},
): { headers: Record<string, string>; input: MacInput; algorithm: MacAlgorithm } {
  const u = new URL(url);
  const base = `${u.protocol}//${u.host}`;
  const algorithm = c.algorithm ?? 'SHA256';
  const now = options.nowMs ?? Date.now();
  const input: MacInput = {
    url: base + decodeURIComponent(u.pathname + u.search),
    sender: c.sender ?? 'Vaultgate client',
    customerId: c.customerId,
    timestamp: formatMacTimestamp(now),
    language: c.language ?? 'EN',
    organisationId: c.organisationId,
    transactionId: options.transactionId ?? randomUUID(),
    timestampUnix: algorithm === 'HMACSHA256' ? String(Math.floor(now / 1000)) : undefined,
    customerKey: c.customerKey,
    partnerKey: c.partnerKey,
  };
  const mac = computeMac(input, algorithm);
  return { headers: buildMacHeaders(input, { partnerId: c.partnerId, algorithm, mac, useHttpStatusCodes: true }), input, algorithm };
}
