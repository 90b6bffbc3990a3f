import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { VaultgateError } from './errors.js';
import { findRepeatedHeader, isSingleValuedHeader, refuseRepeatedHeaders, repeatedHeaderOfParserError } from './repeated-headers.js';

describe('findRepeatedHeader (RFC 9110 §5.3)', () => {
  it('finds a single-valued field sent twice, in any letter case, and counts its lines', () => {
    expect(findRepeatedHeader(['Idempotency-Key', 'K', 'idempotency-key', 'K'])).toEqual({ name: 'Idempotency-Key', count: 2 });
    expect(findRepeatedHeader(['AUTHORIZATION', 'Bearer a', 'Host', 'h', 'authorization', 'Bearer b', 'Authorization', 'x'])).toEqual({ name: 'Authorization', count: 3 });
    for (const name of ['Content-Type', 'Content-Length', 'Content-Encoding', 'X-Message-Type', 'Host']) {
      expect(findRepeatedHeader([name, 'a', name.toUpperCase(), 'a'])?.name).toBe(name);
    }
  });

  it('treats every X-Netvisor-* field as single-valued and names it as first sent', () => {
    expect(findRepeatedHeader(['x-netvisor-authentication-mac', 'm', 'X-Netvisor-Authentication-MAC', 'm']))
      .toEqual({ name: 'x-netvisor-authentication-mac', count: 2 });
    expect(isSingleValuedHeader('X-Netvisor-Some-Future-Header')).toBe(true);
  });

  it('leaves list fields and fields sent once alone', () => {
    expect(findRepeatedHeader(['Accept', 'text/xml', 'Accept', 'application/json', 'Accept-Language', 'fi', 'accept-language', 'en'])).toBeUndefined();
    expect(findRepeatedHeader(['Transfer-Encoding', 'gzip', 'Transfer-Encoding', 'chunked', 'X-Forwarded-For', 'a', 'X-Forwarded-For', 'b'])).toBeUndefined();
    expect(findRepeatedHeader(['Authorization', 'a', 'Content-Type', 'b', 'Idempotency-Key', 'c'])).toBeUndefined();
    expect(findRepeatedHeader([])).toBeUndefined();
  });

  it('refuseRepeatedHeaders throws DUPLICATE_HEADER with the name in the detail and the problem body', () => {
    expect(() => refuseRepeatedHeaders(['Host', 'a'])).not.toThrow();
    expect(() => refuseRepeatedHeaders(undefined)).not.toThrow();
    try {
      refuseRepeatedHeaders(['X-Message-Type', 'A', 'x-message-type', 'B']);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(VaultgateError);
      const err = e as VaultgateError;
      expect(err.code).toBe('DUPLICATE_HEADER');
      expect(err.status).toBe(400);
      expect(err.detail).toBe('X-Message-Type was sent 2 times; send it once.');
      expect(err.extra).toEqual({ header: 'X-Message-Type' });
    }
  });

  it('refuseRepeatedHeaders with the count of distinct names node parsed: skips the scan only when no name came twice', () => {
    const once = ['Host', 'a', 'Content-Type', 'application/json', 'X-Netvisor-Authentication-Sender', 's'];
    expect(() => refuseRepeatedHeaders(once, 3)).not.toThrow();
    // Node parses X-Message-Type twice into one key: 2 names for 3 lines, so the lines are scanned and the repeat found.
    const twice = ['Host', 'a', 'X-Message-Type', 'A', 'x-message-type', 'B'];
    expect(() => refuseRepeatedHeaders(twice, 2)).toThrow(/X-Message-Type was sent 2 times/);
    // A repeated list field is scanned too, and allowed.
    expect(() => refuseRepeatedHeaders(['Accept', 'a', 'accept', 'b'], 1)).not.toThrow();
  });

  it('repeatedHeaderOfParserError recognises the error Node\'s parser raises for a repeated Content-Length, and only it', async () => {
    // The error objects of the real parser (llhttp), not guessed ones.
    const parserError = (request: string): Promise<{ code?: unknown; reason?: unknown }> => new Promise((resolve) => {
      const server = createServer(() => undefined);
      server.on('clientError', (err, socket) => {
        socket.destroy();
        server.close();
        resolve(err as { code?: unknown; reason?: unknown });
      });
      server.listen(0, '127.0.0.1', () => {
        const sock = connect((server.address() as AddressInfo).port, '127.0.0.1', () => sock.end(request));
        sock.on('error', () => undefined);
      });
    });
    const twice = await parserError('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab');
    const err = repeatedHeaderOfParserError(twice);
    expect(err?.code).toBe('DUPLICATE_HEADER');
    expect(err?.extra).toEqual({ header: 'Content-Length' });
    expect(err?.detail).toMatch(/^Content-Length was sent more than once/);
    const other = await parserError('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n');
    expect(repeatedHeaderOfParserError(other)).toBeUndefined();
  });
});
