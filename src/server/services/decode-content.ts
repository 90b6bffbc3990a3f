import { Readable, Writable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import { VaultgateError, type ContentCoding } from '../../protocol/index.js';

/**
 * The message a client sent with a Content-Encoding: `body` decoded with each coding in the reverse order of
 * `codings` (RFC 9110 §8.4: they are listed in the order applied), streamed through node:zlib. At most `maxBytes`
 * come out: the moment the decoded size crosses it the streams are destroyed and BODY_TOO_LARGE (413) is thrown, so
 * a decompression bomb (10 MB of zeros is ~10 KB gzipped; nested codings multiply it) costs at most `maxBytes` of
 * memory, never its full size. Every intermediate layer streams within the same bound. A body that is not valid in
 * its coding (corrupt, truncated) is CONTENT_ENCODING_INVALID (400). Without codings the body is returned as is.
 *
 * `deflate` is the zlib format (RFC 9110 §8.4.1.2, RFC 1950); a raw deflate stream (RFC 1951, what .NET's
 * DeflateStream and some other clients send under that name) is recognised by its missing zlib header and accepted.
 */
export async function decodeContent(body: Buffer, codings: readonly ContentCoding[], maxBytes: number): Promise<Buffer> {
  if (codings.length === 0) return body;
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > maxBytes) {
        tooLarge = true;
        callback(new VaultgateError('BODY_TOO_LARGE', { detail: `Limit: ${maxBytes} bytes, decoded.` }));
        return;
      }
      chunks.push(chunk);
      callback();
    },
  });
  // Decode the last coding applied first. A layer's input is the previous layer's output, so a raw-deflate sniff
  // is only possible on the outermost layer; inner `deflate` layers are taken as zlib.
  const decoders: Transform[] = [];
  for (let i = codings.length - 1; i >= 0; i--) decoders.push(decoder(codings[i]!, i === codings.length - 1 ? body : undefined));
  try {
    await pipeline([Readable.from([body]), ...decoders, sink]);
  } catch (error) {
    if (tooLarge) throw new VaultgateError('BODY_TOO_LARGE', { detail: `Limit: ${maxBytes} bytes, decoded.` });
    throw new VaultgateError('CONTENT_ENCODING_INVALID', {
      detail: `The body is not valid ${codings.join(', ')} (${(error as Error).message}).`,
      logReason: (error as { code?: string }).code,
    });
  }
  return Buffer.concat(chunks, size);
}

/** A zlib stream's own chunk size: the output is handed on (and counted) in pieces this big. */
const CHUNK = 64 * 1024;

function decoder(coding: ContentCoding, input: Buffer | undefined): Transform {
  switch (coding) {
    case 'gzip':
      return createGunzip({ chunkSize: CHUNK });
    case 'br':
      return createBrotliDecompress({ chunkSize: CHUNK });
    case 'deflate':
      return input !== undefined && !hasZlibHeader(input) ? createInflateRaw({ chunkSize: CHUNK }) : createInflate({ chunkSize: CHUNK });
  }
}

/** RFC 1950 §2.2: CM = 8 (deflate), CINFO ≤ 7, and the first two bytes a multiple of 31. */
function hasZlibHeader(b: Buffer): boolean {
  return b.length >= 2 && (b[0]! & 0x0f) === 8 && b[0]! >> 4 <= 7 && ((b[0]! << 8) | b[1]!) % 31 === 0;
}
