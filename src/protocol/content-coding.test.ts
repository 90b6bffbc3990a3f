import { describe, expect, it } from 'vitest';
import { ACCEPTED_CONTENT_CODINGS, parseContentEncoding, refuseContentCodings } from './content-coding.js';
import { VaultgateError } from './errors.js';

describe('parseContentEncoding (RFC 9110 §8.4)', () => {
  it('lists the codings in the order applied, case-insensitively, x-gzip as gzip, identity and empty elements dropped', () => {
    expect(parseContentEncoding(undefined)).toEqual([]);
    expect(parseContentEncoding('')).toEqual([]);
    expect(parseContentEncoding('identity')).toEqual([]);
    expect(parseContentEncoding('GZIP')).toEqual(['gzip']);
    expect(parseContentEncoding('x-gzip')).toEqual(['gzip']);
    expect(parseContentEncoding('deflate , identity,, Br')).toEqual(['deflate', 'br']);
  });

  it('refuses any other coding with 415 CONTENT_ENCODING_UNSUPPORTED and Accept-Encoding naming the accepted ones', () => {
    for (const value of ['compress', 'zstd', 'gzip, zstd', 'x-compress', 'toString', '__proto__']) {
      try {
        parseContentEncoding(value);
        expect.unreachable(value);
      } catch (e) {
        expect(e).toBeInstanceOf(VaultgateError);
        const err = e as VaultgateError;
        expect(err.code).toBe('CONTENT_ENCODING_UNSUPPORTED');
        expect(err.status).toBe(415);
        expect(err.headers).toEqual({ 'accept-encoding': ACCEPTED_CONTENT_CODINGS });
        expect(err.detail).toMatch(/accepted: gzip, deflate, br, identity/);
      }
    }
  });

  it('refuses more than four codings (each one decoded costs a decompressor)', () => {
    expect(parseContentEncoding('gzip, gzip, gzip, gzip')).toHaveLength(4);
    expect(() => parseContentEncoding('gzip, gzip, gzip, gzip, gzip')).toThrow(/At most 4 content codings/);
  });

  it('refuseContentCodings lets identity through and refuses any coding with Accept-Encoding: identity', () => {
    expect(() => refuseContentCodings(undefined)).not.toThrow();
    expect(() => refuseContentCodings('identity, ')).not.toThrow();
    for (const value of ['gzip', 'br', 'zstd']) {
      try {
        refuseContentCodings(value);
        expect.unreachable(value);
      } catch (e) {
        expect((e as VaultgateError).code).toBe('CONTENT_ENCODING_UNSUPPORTED');
        expect((e as VaultgateError).headers).toEqual({ 'accept-encoding': 'identity' });
      }
    }
  });
});
