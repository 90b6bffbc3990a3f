import { brotliCompressSync, constants, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { VaultgateError } from '../../protocol/index.js';
import { decodeContent } from './decode-content.js';

const MESSAGE = Buffer.from('{"order":"A-1","lines":[' + '{"sku":"X","qty":1},'.repeat(200) + '{}]}');
const MiB = 1024 * 1024;

async function refusal(p: Promise<unknown>): Promise<VaultgateError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(VaultgateError);
    return e as VaultgateError;
  }
  throw new Error('not refused');
}

describe('decodeContent (RFC 9110 §8.4)', () => {
  it('decodes gzip, zlib deflate, raw deflate, br, and codings applied on top of each other in reverse order', async () => {
    expect(await decodeContent(MESSAGE, [], 10)).toBe(MESSAGE);
    expect((await decodeContent(gzipSync(MESSAGE), ['gzip'], MiB)).equals(MESSAGE)).toBe(true);
    expect((await decodeContent(deflateSync(MESSAGE), ['deflate'], MiB)).equals(MESSAGE)).toBe(true);
    expect((await decodeContent(deflateRawSync(MESSAGE), ['deflate'], MiB)).equals(MESSAGE)).toBe(true);
    expect((await decodeContent(brotliCompressSync(MESSAGE), ['br'], MiB)).equals(MESSAGE)).toBe(true);
    // "Content-Encoding: deflate, br": deflated first, then br; decoded br first.
    expect((await decodeContent(brotliCompressSync(deflateSync(MESSAGE)), ['deflate', 'br'], MiB)).equals(MESSAGE)).toBe(true);
    expect((await decodeContent(gzipSync(gzipSync(MESSAGE)), ['gzip', 'gzip'], MiB)).equals(MESSAGE)).toBe(true);
  });

  it('allows exactly the limit decoded and refuses one byte more with BODY_TOO_LARGE', async () => {
    const exact = Buffer.alloc(1000, 7);
    expect((await decodeContent(gzipSync(exact), ['gzip'], 1000)).length).toBe(1000);
    expect((await refusal(decodeContent(gzipSync(Buffer.alloc(1001, 7)), ['gzip'], 1000))).code).toBe('BODY_TOO_LARGE');
  });

  it('stops a bomb at the limit: 1 GiB of zeros in 1 MB of gzip members never comes out whole', async () => {
    const member = gzipSync(Buffer.alloc(MiB));
    const bomb = Buffer.concat(Array.from({ length: 1024 }, () => member)); // a multi-member gzip of 1 GiB
    const before = process.memoryUsage().arrayBuffers;
    const err = await refusal(decodeContent(bomb, ['gzip'], 4 * MiB));
    expect(err.code).toBe('BODY_TOO_LARGE');
    expect(err.detail).toMatch(/decoded/);
    // Inflated whole it would be 1 GiB; cut at the limit it is a few MiB of chunks at most.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(256 * MiB);
  });

  it('stops nested and br bombs at the limit too', async () => {
    const zeros = Buffer.alloc(16 * MiB);
    expect((await refusal(decodeContent(gzipSync(gzipSync(zeros)), ['gzip', 'gzip'], 4 * MiB))).code).toBe('BODY_TOO_LARGE');
    const br = brotliCompressSync(zeros, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } });
    expect((await refusal(decodeContent(br, ['br'], 4 * MiB))).code).toBe('BODY_TOO_LARGE');
  });

  it('refuses a body that is not valid in its coding with CONTENT_ENCODING_INVALID', async () => {
    const gz = gzipSync(MESSAGE);
    for (const [body, codings] of [
      [MESSAGE, ['gzip']], // not gzip at all
      [gz.subarray(0, gz.length - 10), ['gzip']], // truncated
      [Buffer.concat([gz.subarray(0, 20), Buffer.alloc(20, 0xff), gz.subarray(40)]), ['gzip']], // corrupt
      [Buffer.from('not brotli at all, certainly'), ['br']],
      [Buffer.from([0x78, 0x9c, 0xff, 0xff, 0xff]), ['deflate']],
      [gzipSync(MESSAGE), ['gzip', 'gzip']], // one layer claimed too many
    ] as [Buffer, ('gzip' | 'br' | 'deflate')[]][]) {
      const err = await refusal(decodeContent(body, codings, MiB));
      expect(err.code, `${codings} ${body.subarray(0, 8).toString('hex')}`).toBe('CONTENT_ENCODING_INVALID');
      expect(err.status).toBe(400);
    }
  });
});
