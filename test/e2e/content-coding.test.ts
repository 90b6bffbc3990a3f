import { createHash, randomUUID } from 'node:crypto';
import { brotliCompressSync, constants, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, type ErrorCode } from '../../src/protocol/index.js';
import { macRequest, rawRequest, type RawResponse } from '../helpers/mac-request.js';
import { fetchToken } from '../helpers/oauth.js';
import { expectRefusal, listVault, refusedInEveryMode, STATUS_MODES } from '../helpers/refusals.js';
import { createTenant, startTestServer, type Tenant, type TestServer } from '../helpers/servers.js';

/*
 * Issue 11 §3: a body sent with Content-Encoding is decoded (RFC 9110 §8.4: the codings in the order applied,
 * decoded in reverse), and the decoded message is what is bounded by the body limit, hashed in the receipt, stored
 * and read back. Bombs are 413, broken bodies 400, other codings 415 with Accept-Encoding; nothing is stored by a
 * refusal. Both HTTP paths of POST /ingestion/{channelId}, both schemes.
 */
const MAX = 64 * 1024;
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('content codings on POST /ingestion/{channelId} (issue 11 §3)', () => {
  let s: TestServer;
  let t: Tenant;
  let token = '';
  const fastTarget = (): string => `/ingestion/${t.channelId}`;
  // A percent-encoded "_" leaves the lean path and reaches the Fastify route with the same channel and MAC.
  const fastifyTarget = (): string => `/ingestion/${t.channelId.replace('_', '%5F')}`;

  beforeAll(async () => {
    s = await startTestServer({ VAULTGATE_MAX_BODY_BYTES: String(MAX) });
    t = await createTenant(s.admin);
    const client = (await s.admin('POST', `/parties/${t.partyId}/clients`, { name: 'erp' })).body;
    token = await fetchToken(s.url, client.clientId, client.clientSecret);
  });
  afterAll(() => s.stop());

  const stored = async (): Promise<number> => (await listVault(s.url, t.reader)).length;

  type Scheme = 'mac' | 'bearer';
  const send = (
    scheme: Scheme, target: string, body: Buffer, encoding: string | undefined,
    o: { transactionId?: string; useHttpStatusCodes?: boolean; json?: boolean } = {},
  ): Promise<RawResponse> => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(encoding === undefined ? {} : { 'content-encoding': encoding }) };
    if (scheme === 'mac') {
      return macRequest({
        baseUrl: s.url, target, creds: t.sender, body, headers, ...(o.transactionId ? { transactionId: o.transactionId } : {}),
        useHttpStatusCodes: o.useHttpStatusCodes ?? true, json: o.json ?? true,
      });
    }
    return rawRequest({
      method: 'POST', url: s.url + target, body,
      headers: { ...headers, authorization: `Bearer ${token}`, ...(o.transactionId ? { 'idempotency-key': o.transactionId } : {}) },
    });
  };

  /**
   * The refusal `code` as problem+json: the code's own HTTP status for bearer, the MAC scheme's status rules for MAC
   * (expectRefusal); the problem body is returned.
   */
  const expectCoded = (scheme: Scheme, res: RawResponse, code: ErrorCode, what: string): any => {
    if (scheme === 'mac') return expectRefusal(res, code, STATUS_MODES[0]!).problem;
    expect(res.status, `${what}: ${res.text}`).toBe(ERROR_CATALOGUE[code].status);
    expect(res.json().code).toBe(code);
    return res.json();
  };

  const MESSAGE = Buffer.from(JSON.stringify({ order: 'A-1', note: 'Hyvää päivää', lines: Array.from({ length: 300 }, (_, i) => ({ sku: `X${i}`, qty: i })) }));
  const encoded: [string, Buffer][] = [
    ['gzip', gzipSync(MESSAGE)],
    ['x-gzip', gzipSync(MESSAGE)],
    ['deflate', deflateSync(MESSAGE)],
    ['deflate', deflateRawSync(MESSAGE)], // raw deflate, as .NET's DeflateStream sends it
    ['br', brotliCompressSync(MESSAGE)],
    ['GZip', gzipSync(MESSAGE)],
    ['deflate, br', brotliCompressSync(deflateSync(MESSAGE))],
    ['gzip, identity, gzip', gzipSync(gzipSync(MESSAGE))],
    ['identity', MESSAGE],
  ];

  for (const [path, target] of [['lean node:http path', fastTarget], ['Fastify route', fastifyTarget]] as const) {
    for (const scheme of ['mac', 'bearer'] as const) {
      describe(`${path}, ${scheme}`, () => {
        it('stores, hashes and returns the decoded message for gzip, x-gzip, deflate (zlib and raw), br and lists of them', async () => {
          for (const [encoding, body] of encoded) {
            const res = await send(scheme, target(), body, encoding);
            expect(res.status, `${encoding}: ${res.text}`).toBe(200);
            const receipt = res.json();
            expect(receipt, encoding).toMatchObject({ size: MESSAGE.length, sha256: sha256(MESSAGE), mediaType: 'application/json' });
            const read = await macRequest({ baseUrl: s.url, target: `/vault/v1/messages/${receipt.messageId}`, creds: t.reader });
            expect(read.status).toBe(200);
            expect(read.headers['content-type']).toBe('application/json');
            expect(read.headers['content-encoding']).toBeUndefined();
            expect(read.body.equals(MESSAGE), `${encoding}: read back ${read.body.subarray(0, 16).toString('hex')}`).toBe(true);
            expect(read.headers['repr-digest']).toBe(`sha-256=:${createHash('sha256').update(MESSAGE).digest('base64')}:`);
          }
        });

        it('decodes a body sent in chunks (Transfer-Encoding: chunked, no Content-Length) alike', async () => {
          const headers = { 'content-type': 'application/json', 'content-encoding': 'gzip', 'transfer-encoding': 'chunked' };
          const res = scheme === 'mac'
            ? await macRequest({ baseUrl: s.url, target: target(), creds: t.sender, body: gzipSync(MESSAGE), headers })
            : await rawRequest({ method: 'POST', url: s.url + target(), body: gzipSync(MESSAGE), headers: { ...headers, authorization: `Bearer ${token}` } });
          expect(res.status, res.text).toBe(200);
          expect(res.json()).toMatchObject({ size: MESSAGE.length, sha256: sha256(MESSAGE) });
        });

        it('refuses a decompression bomb with 413 BODY_TOO_LARGE (10 MB of zeros in ~10 KB, nested, br, 1 GiB in 3 KB) without inflating it; nothing stored', async () => {
          const zeros = Buffer.alloc(10_000_000);
          const before = await stored();
          const bombs: [string, Buffer][] = [
            ['gzip', gzipSync(zeros)],
            ['gzip, gzip', gzipSync(gzipSync(zeros))],
            ['br', brotliCompressSync(zeros, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } })],
            ['deflate', deflateSync(Buffer.alloc(MAX + 1, 0x20))], // one byte over the limit
          ];
          for (const [encoding, body] of bombs) {
            expect(body.length, encoding).toBeLessThan(MAX); // within the limit as sent: only decoding finds it out
            const res = await send(scheme, target(), body, encoding);
            expect(expectCoded(scheme, res, 'BODY_TOO_LARGE', encoding)).toMatchObject({ detail: `Limit: ${MAX} bytes, decoded.` });
          }
          // 1 GiB of zeros in 3 KB: 1024 gzip members of 1 MiB each, gzipped again. The server (in this process) is
          // cut off at the limit: inflated whole, the bomb alone would take 1 GiB of buffers.
          const member = gzipSync(Buffer.alloc(1024 * 1024));
          const gib = gzipSync(Buffer.concat(Array.from({ length: 1024 }, () => member)));
          expect(gib.length).toBeLessThan(8 * 1024);
          const buffersBefore = process.memoryUsage().arrayBuffers;
          const big = await send(scheme, target(), gib, 'gzip, gzip');
          expect(expectCoded(scheme, big, 'BODY_TOO_LARGE', '1 GiB bomb').detail).toBe(`Limit: ${MAX} bytes, decoded.`);
          expect(process.memoryUsage().arrayBuffers - buffersBefore).toBeLessThan(256 * 1024 * 1024);
          const exact = await send(scheme, target(), gzipSync(Buffer.alloc(MAX, 0x20)), 'gzip');
          expect(exact.status, exact.text).toBe(200);
          expect(exact.json().size).toBe(MAX);
          expect(await stored()).toBe(before + 1);
        });

        it('refuses another coding with 415 CONTENT_ENCODING_UNSUPPORTED and Accept-Encoding: gzip, deflate, br', async () => {
          const before = await stored();
          for (const encoding of ['compress', 'zstd', 'gzip, zstd', 'gzip, gzip, gzip, gzip, gzip']) {
            const res = await send(scheme, target(), gzipSync(MESSAGE), encoding);
            const p = expectCoded(scheme, res, 'CONTENT_ENCODING_UNSUPPORTED', encoding);
            expect(res.headers['accept-encoding']).toBe('gzip, deflate, br');
            expect(p.remedy).toMatch(/gzip, deflate or br/);
          }
          expect(await stored()).toBe(before);
        });

        it('refuses a corrupt or truncated body with 400 CONTENT_ENCODING_INVALID, and the transaction id is not burned', async () => {
          const before = await stored();
          const gz = gzipSync(MESSAGE);
          const id = randomUUID();
          for (const [encoding, body] of [
            ['gzip', MESSAGE],
            ['gzip', gz.subarray(0, gz.length - 12)],
            ['br', Buffer.from('certainly not brotli')],
            ['deflate', Buffer.from([0x78, 0x9c, 0xff, 0xff, 0xff, 0xff])],
          ] as [string, Buffer][]) {
            const res = await send(scheme, target(), body, encoding, { transactionId: id });
            expect(expectCoded(scheme, res, 'CONTENT_ENCODING_INVALID', encoding).remedy).toMatch(/RFC 1952/);
          }
          expect(await stored()).toBe(before);
          const ok = await send(scheme, target(), gz, 'gzip', { transactionId: id });
          expect(ok.status, ok.text).toBe(200);
          expect(ok.json().transactionId).toBe(id);
        });
      });
    }
  }

  it('MAC: the refusals are in the scheme\'s answer format, every status mode, on both paths', async () => {
    const before = await stored();
    for (const target of [fastTarget(), fastifyTarget()]) {
      const send1 = (encoding: string, body: Buffer) => (mode: (typeof STATUS_MODES)[number]) =>
        send('mac', target, body, encoding, { useHttpStatusCodes: mode.useHttpStatusCodes, json: mode.json });
      await refusedInEveryMode(send1('gzip', gzipSync(Buffer.alloc(10_000_000))), 'BODY_TOO_LARGE');
      const unsupported = await refusedInEveryMode(send1('compress', MESSAGE), 'CONTENT_ENCODING_UNSUPPORTED');
      for (const r of unsupported) expect(r.res.headers['accept-encoding']).toBe('gzip, deflate, br');
      expect(unsupported[2]!.failure).toMatch(/Content-Encoding "compress" is not accepted; accepted: gzip, deflate, br, identity/);
      await refusedInEveryMode(send1('gzip', MESSAGE), 'CONTENT_ENCODING_INVALID');
    }
    expect(await stored()).toBe(before);
  });

  it('routes that take no coded bodies refuse one with 415 and Accept-Encoding: identity instead of misreading it', async () => {
    const parties = (await s.admin('GET', '/parties?limit=1000')).body.items.length;
    const admin = await rawRequest({
      method: 'POST', url: `${s.url}/admin/v1/parties`, body: gzipSync('{"name":"Gzip Oy"}'),
      headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    expect(admin.status, admin.text).toBe(415);
    expect(admin.headers['accept-encoding']).toBe('identity');
    expect(admin.json()).toMatchObject({ code: 'CONTENT_ENCODING_UNSUPPORTED', detail: expect.stringMatching(/without Content-Encoding/) });
    expect((await s.admin('GET', '/parties?limit=1000')).body.items.length).toBe(parties);
    const plain = await rawRequest({
      method: 'POST', url: `${s.url}/admin/v1/parties`, body: '{"name":"Plain Oy"}',
      headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json', 'content-encoding': 'identity' },
    });
    expect(plain.status, plain.text).toBe(201);
    // A request without a body is not refused for naming a coding it does not use.
    const list = await rawRequest({ method: 'GET', url: `${s.url}/admin/v1/parties`, headers: { authorization: `Bearer ${s.adminToken}`, 'content-encoding': 'gzip' } });
    expect(list.status, list.text).toBe(200);

    const token = await rawRequest({
      method: 'POST', url: `${s.url}/oauth2/token`, body: gzipSync('grant_type=client_credentials'),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip' },
    });
    expect(token.status, token.text).toBe(415);
    expect(token.headers['accept-encoding']).toBe('identity');
    expect(token.headers['cache-control']).toBe('no-store');
    expect(token.json()).toMatchObject({ error: 'invalid_request', code: 'CONTENT_ENCODING_UNSUPPORTED' });
  });

  it('checks the coding before the body is read: an unsupported one is refused with the body never sent', async () => {
    // Content-Length promises a body that never comes; the 415 must not wait for it.
    const res = await expectRefusalWithoutBody('compress');
    expect(res.status).toBe(415);
    expect(res.json().code).toBe('CONTENT_ENCODING_UNSUPPORTED');
  });

  async function expectRefusalWithoutBody(encoding: string): Promise<RawResponse> {
    const { request } = await import('node:http');
    return new Promise((resolve, reject) => {
      const req = request(s.url + fastTarget(), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-encoding': encoding, 'content-length': '1000', accept: 'application/json' },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          req.destroy();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8'), json: () => JSON.parse(body.toString('utf8')) });
        });
      });
      req.on('error', reject);
      req.flushHeaders();
    });
  }
});
