import { describe, expect, it } from 'vitest';
import { contentDigestHeader, parseContentDigest, verifyContentDigest } from './content-digest.js';
import { VaultgateError } from './errors.js';

// RFC 9530 §2 / Appendix B: the content {"hello": "world"} and its digests, as printed in the RFC.
const HELLO = Buffer.from('{"hello": "world"}');
const RFC_SHA256 = 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:';
const RFC_SHA512 = 'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:';

const code = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    return e instanceof VaultgateError ? e.code : String(e);
  }
};

describe('Content-Digest (RFC 9530)', () => {
  it('verifies the RFC examples for sha-256, sha-512 and both together', () => {
    for (const v of [RFC_SHA256, RFC_SHA512, `${RFC_SHA256}, ${RFC_SHA512}`]) {
      const parsed = parseContentDigest(v)!;
      expect(parsed.length).toBeGreaterThan(0);
      expect(code(() => verifyContentDigest(parsed, HELLO))).toBeUndefined();
    }
    expect(contentDigestHeader(HELLO)).toBe(RFC_SHA256);
    expect(contentDigestHeader(HELLO, 'sha-512')).toBe(RFC_SHA512);
  });

  it('refuses a changed body, and one wrong digest among right ones', () => {
    expect(code(() => verifyContentDigest(parseContentDigest(RFC_SHA256), Buffer.from('{"hello": "World"}')))).toBe('CONTENT_DIGEST_MISMATCH');
    const wrong512 = contentDigestHeader(Buffer.from('x'), 'sha-512');
    expect(code(() => verifyContentDigest(parseContentDigest(`${RFC_SHA256}, ${wrong512}`), HELLO))).toBe('CONTENT_DIGEST_MISMATCH');
  });

  it('ignores unknown and deprecated algorithms; none known is as if absent', () => {
    expect(parseContentDigest('md5=:XrY7u+Ae7tCTyyK7j1rNww==:, unixsum=:AAA=:')).toEqual([]);
    expect(parseContentDigest(`md5=:XrY7u+Ae7tCTyyK7j1rNww==:, ${RFC_SHA256}`)).toHaveLength(1);
    expect(parseContentDigest(undefined)).toBeUndefined();
    expect(code(() => verifyContentDigest([], HELLO))).toBeUndefined();
  });

  it('combines repeated field lines', () => {
    expect(parseContentDigest([RFC_SHA256, RFC_SHA512])).toHaveLength(2);
  });

  it('refuses malformed values with CONTENT_DIGEST_INVALID', () => {
    for (const v of ['sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=', 'sha-256=:AAAA:', 'sha-256=:not base64!:', 'sha-256=1', '===', 'a'.repeat(5000)]) {
      expect(code(() => parseContentDigest(v)), v.slice(0, 40)).toBe('CONTENT_DIGEST_INVALID');
    }
  });
});
