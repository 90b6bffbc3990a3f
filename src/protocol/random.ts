import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;

/**
 * `n` cryptographically random bytes (n ≤ 256) drawn from a pool refilled 4 KiB at a time, for values that are
 * random but not secret (AES-GCM IVs, the random part of ids): one call into the CSPRNG per few hundred uses
 * instead of one each. Keys are drawn with `randomBytes` directly, never from here.
 *
 * @example
 * const iv = randomNonSecretBytes(12);
 */
export function randomNonSecretBytes(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > 256) throw new RangeError('randomNonSecretBytes: 0 ≤ n ≤ 256');
  if (offset + n > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = Buffer.from(pool.subarray(offset, offset + n));
  // Each byte is handed out once.
  offset += n;
  return out;
}
