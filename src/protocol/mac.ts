import { timingSafeEqual } from 'node:crypto';
import { Buffer } from 'node:buffer';
import { digestMacString } from './mac-digest.js';

/** The MAC algorithms of the signed-header scheme. MD5 is legacy and refused unless a deployment enables it. */
export type MacAlgorithm = 'SHA256' | 'HMACSHA256' | 'MD5';

export const MAC_ALGORITHMS: readonly MacAlgorithm[] = ['SHA256', 'HMACSHA256', 'MD5'];

/** The strings that go into a MAC, each exactly as sent on the wire (keys excepted: they never travel). */
export interface MacInput {
  /** The canonical (decoded) URL the client addressed. */
  url: string;
  sender: string;
  customerId: string;
  timestamp: string;
  language: string;
  organisationId: string;
  transactionId: string;
  /** Required for HMACSHA256, ignored otherwise. */
  timestampUnix?: string | undefined;
  customerKey: string;
  partnerKey: string;
}

/** Thrown when a string cannot be encoded as ISO-8859-1 and so cannot be signed. */
export class Latin1Error extends Error {
  constructor(readonly field: string) {
    super(`${field} contains a character above U+00FF, which ISO-8859-1 cannot encode`);
    this.name = 'Latin1Error';
  }
}

// eslint-disable-next-line no-control-regex
const NON_LATIN1 = /[^\u0000-\u00ff]/;

/** True when every character of `s` is in ISO-8859-1. */
export function isLatin1(s: string): boolean {
  return !NON_LATIN1.test(s);
}

/** ISO-8859-1 bytes of `s`; refuses characters above U+00FF instead of mangling them. */
export function latin1Bytes(s: string, field = 'value'): Buffer {
  if (!isLatin1(s)) throw new Latin1Error(field);
  return Buffer.from(s, 'latin1');
}

function parts(input: MacInput, algorithm: MacAlgorithm, mask: boolean): string[] {
  const p = [
    input.url,
    input.sender,
    input.customerId,
    input.timestamp,
    input.language,
    input.organisationId,
    input.transactionId,
  ];
  if (algorithm === 'HMACSHA256') {
    if (input.timestampUnix === undefined) throw new Error('HMACSHA256 needs timestampUnix');
    p.push(input.timestampUnix);
  }
  p.push(mask ? '<CustomerKey>' : input.customerKey, mask ? '<PartnerKey>' : input.partnerKey);
  return p;
}

/**
 * The string that is hashed: the nine (HMACSHA256: ten) fields joined with `&`.
 *
 * @example
 * macString({ url: 'https://h/x', sender: 'S', customerId: 'C', timestamp: 't', language: 'EN',
 *   organisationId: '1967543-8', transactionId: 'T', customerKey: 'ck', partnerKey: 'pk' }, 'SHA256');
 * // 'https://h/x&S&C&t&EN&1967543-8&T&ck&pk'
 */
export function macString(input: MacInput, algorithm: MacAlgorithm): string {
  return parts(input, algorithm, false).join('&');
}

/**
 * The string to hash with both keys replaced by `<CustomerKey>` and `<PartnerKey>`: safe to show an integrator
 * (outside `live`) or print for debugging.
 *
 * @example
 * maskedMacString(input, 'SHA256'); // '…&T&<CustomerKey>&<PartnerKey>'
 */
export function maskedMacString(input: MacInput, algorithm: MacAlgorithm): string {
  return parts(input, algorithm, true).join('&');
}

/**
 * Computes the MAC as lowercase hex. Throws `Latin1Error` when a field holds a character ISO-8859-1 cannot encode.
 *
 * @example
 * computeMac(input, 'SHA256'); // 'aada3ce1…'
 */
export function computeMac(input: MacInput, algorithm: MacAlgorithm): string {
  const joined = macString(input, algorithm);
  if (!isLatin1(joined)) throw new Latin1Error('MAC input');
  const key = `${input.customerKey}&${input.partnerKey}`;
  if (algorithm === 'HMACSHA256' && !isLatin1(key)) throw new Latin1Error('key');
  return digestMacString(joined, key, algorithm, 'latin1');
}

const HEX = /^[0-9a-fA-F]+$/;

/**
 * Compares a received hex MAC with the expected one in constant time (for equal lengths), case-insensitively.
 *
 * @example
 * macEquals('ABCD', 'abcd'); // true
 */
export function macEquals(received: string, expected: string): boolean {
  if (received.length !== expected.length) return false;
  const a = macBytes(received);
  return a !== undefined && macBytesEqual(a, Buffer.from(expected, 'hex'));
}

/**
 * A received hex MAC as bytes (any case), or undefined when it is not an even number of hex digits: decoded once,
 * then compared with each candidate digest by macBytesEqual.
 *
 * @example
 * macBytes('ABcd'); // <Buffer ab cd>
 * macBytes('abc'); // undefined
 */
export function macBytes(received: string): Buffer | undefined {
  return HEX.test(received) && received.length % 2 === 0 ? Buffer.from(received, 'hex') : undefined;
}

/**
 * Constant-time comparison (for equal lengths) of a received MAC's bytes (macBytes) with a computed digest.
 *
 * @example
 * macBytesEqual(macBytes(h.mac)!, digestMacBytes(joined, key, 'SHA256', 'latin1'));
 */
export function macBytesEqual(received: Uint8Array, expected: Uint8Array): boolean {
  return received.length === expected.length && timingSafeEqual(received, expected);
}
