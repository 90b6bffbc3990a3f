import { createHmac, hash } from 'node:crypto';
import { Buffer } from 'node:buffer';
import type { MacAlgorithm } from './mac.js';

/**
 * How the joined MAC string becomes bytes: `latin1` is the scheme's (mac-auth.md, step 3); `utf8` is what some
 * older clients hash and the server tolerates as a fallback (never produced by a signer, so not exported from the
 * package index).
 */
export type MacStringEncoding = 'latin1' | 'utf8';

/**
 * The hex digest of `joined` under `algorithm`, the string (and the HMAC key `CustomerKey&PartnerKey`) encoded as
 * `encoding`. The caller has checked that a `latin1` string holds only characters up to U+00FF.
 */
export function digestMacString(joined: string, hmacKey: string, algorithm: MacAlgorithm, encoding: MacStringEncoding): string {
  return digestMacBytes(joined, hmacKey, algorithm, encoding).toString('hex');
}

/**
 * digestMacString's digest as bytes (32 for SHA256 and HMACSHA256, 16 for MD5): what a verifier compares, without
 * the hex round trip. SHA256 and MD5 use node's one-shot `crypto.hash` (no Hash object per request).
 */
export function digestMacBytes(joined: string, hmacKey: string, algorithm: MacAlgorithm, encoding: MacStringEncoding): Buffer {
  const bytes = Buffer.from(joined, encoding);
  switch (algorithm) {
    case 'SHA256':
      return hash('sha256', bytes, 'buffer');
    case 'MD5':
      return hash('md5', bytes, 'buffer');
    case 'HMACSHA256':
      return createHmac('sha256', Buffer.from(hmacKey, encoding)).update(bytes).digest();
  }
}
