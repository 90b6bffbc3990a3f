/**
 * Issue 11 §6: what an unauthenticated client can make the server read. A request refused before its body is read
 * is answered with `Connection: close` and its connection is closed once the answer is out: the server never reads
 * (drains) a body it has refused. `Expect: 100-continue` (RFC 9110 §10.1.1) gets the refusal instead of `100 Continue`
 * when the headers already decide it, and `100` then the answer when they do not. Real sockets; no timing asserts.
 */
import { request as httpRequest, STATUS_CODES, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedHeaders } from '../helpers/processes.js';
import { createTenant, startTestServer, type Tenant, type TestServer } from '../helpers/servers.js';

let srv: TestServer;
let t: Tenant;

beforeAll(async () => {
  srv = await startTestServer();
  t = await createTenant(srv.admin);
});
afterAll(async () => srv?.stop());

/** Far more than any socket buffer between the two ends (loopback buffers are a few MiB); the server read it all if reached. */
const CEILING = 256 * 1024 * 1024;
/** What the kernel buffers may hold on both ends before the writer blocks; well under CEILING. */
const BUFFERED_AT_MOST = 64 * 1024 * 1024;

interface EndlessResult {
  head: string;
  headers: Record<string, string>;
  body: string;
  /** Bytes of body the socket took from us before the server closed the connection (or we gave up at CEILING). */
  written: number;
  closedByServer: boolean;
  /** The server half-closed (FIN) after its answer. */
  fin: boolean;
}

/**
 * Sends `head` (a request head declaring Transfer-Encoding: chunked) and then an endless chunked body, 64 KiB chunks
 * as fast as the socket takes them, until the server closes the connection or CEILING is reached.
 */
function endlessChunkedBody(head: string): Promise<EndlessResult> {
  const u = new URL(srv.url);
  const chunk = Buffer.concat([Buffer.from('10000\r\n'), Buffer.alloc(0x10000, 0x61), Buffer.from('\r\n')]);
  return new Promise((resolve) => {
    // allowHalfOpen: like a hostile client, keep sending after the server's FIN (a polite one stops there).
    const sock = connect({ host: u.hostname, port: Number(u.port), allowHalfOpen: true });
    const received: Buffer[] = [];
    let closedByServer = true;
    let fin = false;
    sock.on('end', () => (fin = true));
    let stopped = false;
    // One chunk per turn of the event loop, so that what the server answers is read before the next write (a
    // write that meets the server's close ends this socket, and with it anything not yet read).
    const pump = (): void => {
      if (stopped || !sock.writable) return;
      if (sock.bytesWritten > CEILING) {
        closedByServer = false;
        sock.destroy();
        return;
      }
      if (sock.write(chunk)) setImmediate(pump);
      else sock.once('drain', pump);
    };
    sock.on('connect', () => {
      sock.write(head);
      pump();
    });
    sock.on('data', (d: Buffer) => received.push(d));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      stopped = true;
      const all = Buffer.concat(received).toString('latin1');
      const split = all.indexOf('\r\n\r\n');
      const [statusLine, ...lines] = all.slice(0, split).split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
      resolve({ head: statusLine ?? '', headers, body: all.slice(split + 4), written: sock.bytesWritten - head.length, closedByServer, fin });
    });
  });
}

const requestHead = (method: string, target: string, headers: Record<string, string> = {}): string =>
  `${method} ${target} HTTP/1.1\r\nHost: ${new URL(srv.url).host}\r\nTransfer-Encoding: chunked\r\n` +
  Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';

describe('a request refused before its body is read: answered with Connection: close, the body not drained', () => {
  const cases: { name: string; head: () => string; status: number; code: string }[] = [
    { name: 'ingestion without credentials (lean path)', head: () => requestHead('POST', `/ingestion/${t.channelId}`, { 'content-type': 'application/json' }), status: 401, code: 'AUTHENTICATION_FAILED' },
    { name: 'ingestion with a forged bearer token (lean path)', head: () => requestHead('POST', `/ingestion/${t.channelId}`, { authorization: 'Bearer eyJhbGciOiJFUzI1NiJ9.e30.c2ln', 'content-type': 'application/json' }), status: 401, code: 'TOKEN_ISSUER_UNTRUSTED' },
    {
      name: 'ingestion, authenticated, over the body limit (lean path: reads up to the limit, then refuses)',
      head: () => requestHead('POST', `/ingestion/${t.channelId}`, { ...signedHeaders({ baseUrl: srv.publicUrl, target: `/ingestion/${t.channelId}`, creds: t.sender }), 'content-type': 'application/json' }),
      status: 400, code: 'BODY_TOO_LARGE', // the MAC scheme's status for the INVALID_DATA_SIZE family
    },
    { name: 'ingestion into an unknown channel (Fastify path, id longer than the lean path takes)', head: () => requestHead('POST', `/ingestion/ch_test_${'x'.repeat(95)}`), status: 414, code: 'URI_TOO_LONG' },
    { name: 'admin without the operator token (Fastify)', head: () => requestHead('POST', '/admin/v1/companies', { 'content-type': 'application/json' }), status: 401, code: 'ADMIN_UNAUTHORIZED' },
    { name: 'a path no route has (Fastify)', head: () => requestHead('POST', '/nowhere', { 'content-type': 'application/json' }), status: 404, code: 'NOT_FOUND' },
    { name: 'a method the path does not allow (Fastify)', head: () => requestHead('PUT', '/healthz', { 'content-type': 'application/json' }), status: 405, code: 'METHOD_NOT_ALLOWED' },
    { name: 'the token endpoint, over its body limit (Fastify reads at most 16 KiB, then refuses)', head: () => requestHead('POST', '/oauth2/token', { 'content-type': 'application/x-www-form-urlencoded' }), status: 400, code: 'OAUTH_INVALID_REQUEST' },
  ];

  it.each(cases)('$name', async ({ head, status, code }) => {
    const r = await endlessChunkedBody(head());
    expect(r.head, r.body).toBe(`HTTP/1.1 ${status} ${STATUS_CODES[status]}`);
    expect(r.headers.connection).toBe('close');
    expect(JSON.parse(r.body).code).toBe(code);
    // The server sent its answer and a FIN, then closed the connection; what it took meanwhile is what socket
    // buffers hold (it stopped reading), not the endless body.
    expect(r.fin).toBe(true);
    expect(r.closedByServer, `the server kept reading: ${r.written} bytes taken`).toBe(true);
    expect(r.written).toBeLessThan(BUFFERED_AT_MOST);
  });

  it('the server still answers afterwards (nothing left reading in the background)', async () => {
    const res = await fetch(`${srv.url}/healthz`);
    expect(res.status).toBe(200);
  });
});

interface ContinueResult {
  informational: number[];
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A request with Expect: 100-continue that sends its body only once the server says 100 Continue. */
function expectContinue(method: string, target: string, headers: Record<string, string>, body: string): Promise<ContinueResult> {
  const u = new URL(srv.url);
  return new Promise((resolve, reject) => {
    const informational: number[] = [];
    const req = httpRequest({
      method, hostname: u.hostname, port: u.port, path: target, agent: false,
      headers: { ...headers, expect: '100-continue', 'content-length': String(Buffer.byteLength(body)) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ informational, status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('information', (info) => informational.push(info.statusCode));
    req.on('continue', () => req.end(body));
    req.on('error', reject);
    req.flushHeaders();
  });
}

describe('Expect: 100-continue', () => {
  it('ingestion with a wrong MAC gets its 401, never 100 Continue (lean path)', async () => {
    const target = `/ingestion/${t.channelId}`;
    const r = await expectContinue('POST', target, { ...signedHeaders({ baseUrl: srv.publicUrl, target, creds: { ...t.sender, customerKey: 'wrong' } }), 'content-type': 'application/json' }, '{"a":1}');
    expect(r.informational).toEqual([]);
    expect(r.status).toBe(401);
    expect(r.headers.connection).toBe('close');
    expect(JSON.parse(r.body).code).toBe('AUTHENTICATION_FAILED');
  });

  it('ingestion with good credentials gets 100, then 200 and the message is stored (lean path)', async () => {
    const target = `/ingestion/${t.channelId}`;
    const r = await expectContinue('POST', target, { ...signedHeaders({ baseUrl: srv.publicUrl, target, creds: t.sender }), 'content-type': 'application/json' }, '{"expect":"continue"}');
    expect(r.informational).toEqual([100]);
    expect(r.status, r.body).toBe(200);
    expect(JSON.parse(r.body).messageId).toMatch(/^msg_test_/);
  });

  it('admin with a wrong token gets its 401, never 100 Continue (Fastify)', async () => {
    const r = await expectContinue('POST', '/admin/v1/parties', { authorization: 'Bearer wrong', 'content-type': 'application/json' }, '{"name":"X"}');
    expect(r.informational).toEqual([]);
    expect(r.status).toBe(401);
    expect(r.headers.connection).toBe('close');
    expect(JSON.parse(r.body).code).toBe('ADMIN_UNAUTHORIZED');
  });

  it('admin with the token gets 100, then 201 (Fastify)', async () => {
    const r = await expectContinue('POST', '/admin/v1/parties', { authorization: `Bearer ${srv.adminToken}`, 'content-type': 'application/json' }, '{"name":"Continue Oy"}');
    expect(r.informational).toEqual([100]);
    expect(r.status, r.body).toBe(201);
    expect(JSON.parse(r.body).name).toBe('Continue Oy');
  });

  it('any other expectation is 417 EXPECTATION_FAILED in the catalogue format', async () => {
    const u = new URL(srv.url);
    const r = await new Promise<{ status: number; body: string; headers: IncomingHttpHeaders }>((resolve, reject) => {
      const req = httpRequest({ method: 'GET', hostname: u.hostname, port: u.port, path: '/healthz', agent: false, headers: { expect: 'teapot' } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(r.status).toBe(417);
    expect(JSON.parse(r.body)).toMatchObject({ code: 'EXPECTATION_FAILED', status: 417, requestId: r.headers['x-request-id'] });
  });
});
