import { createHash, timingSafeEqual } from 'node:crypto';
import { parseDictionary } from 'structured-headers';
import { VaultgateError } from './errors.js';

/*
 * Content-Digest (RFC 9530 §2): a Structured Field dictionary (RFC 9651) of `algorithm=:base64 digest:`. The digest
 * is over the content as sent (§2: after any content coding, before it is decoded), so the body is hashed as it came
 * off the wire. Parsing uses `structured-headers` (RFC 8941/9651; pure, no I/O) rather than a hand-written parser.
 */

/** The algorithms verified (RFC 9530 §5 "Active"), with their Node hash name and digest length in bytes. */
export const CONTENT_DIGEST_ALGORITHMS = { 'sha-256': { hash: 'sha256', bytes: 32 }, 'sha-512': { hash: 'sha512', bytes: 64 } } as const;
export type ContentDigestAlgorithm = keyof typeof CONTENT_DIGEST_ALGORITHMS;

/** `Want-Content-Digest` (RFC 9530 §4) sent with CONTENT_DIGEST_REQUIRED: sha-256 preferred over sha-512. */
export const WANT_CONTENT_DIGEST = 'sha-256=10, sha-512=3';

/** The known digests a Content-Digest field carries, in the order given; unknown algorithms are left out. */
export type ContentDigests = Array<{ algorithm: ContentDigestAlgorithm; digest: Buffer }>;

const MAX_FIELD_CHARS = 4096;

/**
 * Parses a Content-Digest field value. Returns the known digests (possibly none: unknown or deprecated algorithms
 * such as md5 or sha are ignored, RFC 9530 §3 and §5), or undefined when the field is absent.
 *
 * Errors: CONTENT_DIGEST_INVALID when the value is not a Structured Field dictionary, is over 4 KiB, or a known
 * algorithm's value is not a byte sequence of the algorithm's length.
 *
 * @example
 * parseContentDigest('sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:');
 * // → [{ algorithm: 'sha-256', digest: <Buffer 5f 8f …> }]
 */
export function parseContentDigest(value: string | string[] | undefined): ContentDigests | undefined {
  if (value === undefined) return undefined;
  // Repeated field lines combine into one list (RFC 9110 §5.3); a dictionary allows that.
  const text = Array.isArray(value) ? value.join(', ') : value;
  if (text.length > MAX_FIELD_CHARS) throw new VaultgateError('CONTENT_DIGEST_INVALID', { detail: `Content-Digest is over ${MAX_FIELD_CHARS} characters.` });
  let dict: ReturnType<typeof parseDictionary>;
  try {
    dict = parseDictionary(text);
  } catch {
    throw new VaultgateError('CONTENT_DIGEST_INVALID', { detail: 'Content-Digest is not a Structured Field dictionary (RFC 9651), e.g. sha-256=:<base64>:.' });
  }
  const digests: ContentDigests = [];
  for (const [key, member] of dict) {
    if (!(key in CONTENT_DIGEST_ALGORITHMS)) continue;
    const algorithm = key as ContentDigestAlgorithm;
    const item = member[0];
    if (!(item instanceof ArrayBuffer) || item.byteLength !== CONTENT_DIGEST_ALGORITHMS[algorithm].bytes) {
      throw new VaultgateError('CONTENT_DIGEST_INVALID', {
        detail: `${algorithm} must be a byte sequence (:base64:) of ${CONTENT_DIGEST_ALGORITHMS[algorithm].bytes} bytes.`,
      });
    }
    digests.push({ algorithm, digest: Buffer.from(item) });
  }
  return digests;
}

/**
 * Checks the body against every known digest (all must match: one wrong digest means the content or the field was
 * changed). `content` is the body exactly as received (still content-coded). No known digest passes, as when the
 * field is absent: requiring one is the caller's policy (CONTENT_DIGEST_REQUIRED).
 *
 * Errors: CONTENT_DIGEST_MISMATCH naming the algorithm that does not match.
 *
 * @example
 * verifyContentDigest(parseContentDigest(headers['content-digest']), body);
 */
export function verifyContentDigest(digests: ContentDigests | undefined, content: Buffer): void {
  for (const { algorithm, digest } of digests ?? []) {
    const actual = createHash(CONTENT_DIGEST_ALGORITHMS[algorithm].hash).update(content).digest();
    if (!timingSafeEqual(actual, digest)) {
      throw new VaultgateError('CONTENT_DIGEST_MISMATCH', { detail: `The ${algorithm} digest does not match the body as sent.` });
    }
  }
}

/**
 * The Content-Digest field value for `content` (as it will be sent, after any content coding).
 *
 * @example
 * contentDigestHeader(Buffer.from('{"hello": "world"}')); // 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:'
 */
export function contentDigestHeader(content: Buffer | Uint8Array, algorithm: ContentDigestAlgorithm = 'sha-256'): string {
  return `${algorithm}=:${createHash(CONTENT_DIGEST_ALGORITHMS[algorithm].hash).update(content).digest('base64')}:`;
}
