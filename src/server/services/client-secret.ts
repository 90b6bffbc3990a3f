import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/*
 * OAuth client secrets: 256 random bits, shown once, stored as a salted SHA-256. A slow password hash buys nothing
 * for a secret of this entropy (nobody can enumerate 2^256 candidates) and would put tens of milliseconds of CPU on
 * every token request; this is the same choice as API-key services such as Unkey and GitHub tokens make.
 */

/** A new client secret (`vgs_` + 43 base64url characters). */
export const newClientSecret = (): string => `vgs_${randomBytes(32).toString('base64url')}`;

const digest = (salt: Buffer, secret: string): Buffer => createHash('sha256').update(salt).update(secret, 'utf8').digest();

/** `sha256$<salt>$<hash>`, base64url. */
export function hashClientSecret(secret: string): string {
  const salt = randomBytes(16);
  return `sha256$${salt.toString('base64url')}$${digest(salt, secret).toString('base64url')}`;
}

/** Compares in constant time; false for a malformed stored hash. */
export function verifyClientSecret(secret: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'sha256' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = digest(Buffer.from(salt, 'base64url'), secret);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
