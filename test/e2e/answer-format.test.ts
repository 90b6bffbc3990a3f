/**
 * Issue 11 §5: every answer the server sends is in the documented format. A sweep over every route of the OpenAPI
 * document × the error kinds a client can cause (no or bad credentials, a wrong method, bad or control characters
 * and overlong ids in the path, a malformed or oversized body), in the JSON style and in the four MAC answer modes,
 * plus what node:http would answer itself (parser errors, 414, 417, 431, unknown methods, CONNECT, timeouts).
 * Every XML answer is checked by a real XML parser (fast-xml-parser); every JSON answer must carry a catalogue
 * `code` and a `status` equal to the HTTP status (RFC 9457 §3.1.2). Real sockets throughout.
 */
import { connect } from 'node:net';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, FAMILY_STATUS, type ErrorCode } from '../../src/protocol/index.js';
import { macRequest, rawRequest, type MacCredentials, type RawResponse } from '../helpers/mac-request.js';
import { signedHeaders } from '../helpers/processes.js';
import { socketRequest } from '../helpers/raw-http.js';
import { STATUS_MODES, type StatusMode } from '../helpers/refusals.js';
import { createTenant, startTestServer, type Tenant, type TestServer } from '../helpers/servers.js';

let s: TestServer;
let t: Tenant;
let routes: { method: string; path: string }[];

beforeAll(async () => {
  s = await startTestServer({ VAULTGATE_MAX_BODY_BYTES: '1024' });
  t = await createTenant(s.admin);
  const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase(), path })));
});
afterAll(async () => s?.stop());

const xml = new XMLParser({ ignoreAttributes: false, parseTagValue: false });

interface Checked {
  code: ErrorCode | 'OK';
  status: number;
}

/**
 * Checks one answer's format and returns its code. `mode` is the MAC answer mode the request asked for (undefined:
 * not a MAC request). Throws with `label` on any departure from the documented format.
 */
function checkAnswer(res: RawResponse, label: string, mode?: StatusMode): Checked {
  const where = `${label}: ${res.status} ${res.headers['content-type']} ${res.text.slice(0, 300)}`;
  const type = String(res.headers['content-type'] ?? '');
  // A success that is neither the envelope nor a problem (a stored message, metrics, a list) is not an error answer.
  if (res.status < 400 && !/^text\/xml|^application\/problem\+json/.test(type)) return { code: 'OK', status: res.status };
  if (/^text\/xml/.test(type)) {
    expect(XMLValidator.validate(res.text), where).toBe(true);
    const doc = xml.parse(res.text) as { Root: { ResponseStatus: { Status: string | string[] } } };
    const statuses = [doc.Root.ResponseStatus.Status].flat();
    if (statuses[0] === 'OK') return { code: 'OK', status: res.status };
    expect(statuses[0], where).toBe('FAILED');
    const m = /^([A-Z_]+) :: .*\(([A-Z0-9_]+)\)/s.exec(statuses[1] ?? '');
    expect(m, where).not.toBeNull();
    const code = m![2] as ErrorCode;
    expect(ERROR_CATALOGUE[code], where).toBeDefined();
    expect(m![1], where).toBe(ERROR_CATALOGUE[code].family);
    if (mode) expect(res.status, where).toBe(mode.useHttpStatusCodes ? FAMILY_STATUS[ERROR_CATALOGUE[code].family] : 200);
    return { code, status: res.status };
  }
  expect(type, where).toMatch(/^application\/(problem\+)?json/);
  const body = JSON.parse(res.text) as Record<string, unknown>;
  const code = body.code as ErrorCode;
  expect(ERROR_CATALOGUE[code], where).toBeDefined();
  expect(body.status, where).toBe(res.status);
  expect(body.requestId, where).toBe(res.headers['x-request-id']);
  if (/problem\+json/.test(type)) {
    expect(body, where).toMatchObject({ type: `urn:vaultgate:error:${code}`, family: ERROR_CATALOGUE[code].family, remedy: ERROR_CATALOGUE[code].remedy.en });
  }
  if (mode) expect(res.status, where).toBe(mode.useHttpStatusCodes ? FAMILY_STATUS[ERROR_CATALOGUE[code].family] : 200);
  else expect(res.status, where).toBe(ERROR_CATALOGUE[code].status);
  return { code, status: res.status };
}

/** The route's path with every {param} replaced by `value` (already percent-encoded as it goes on the wire). */
const fill = (path: string, value: string): string => path.replace(/\{[^}]+\}/g, value);

const BOGUS: MacCredentials = {
  partnerId: 'pid_test_0000000000000000000000000a', partnerKey: 'p'.repeat(32), customerId: 'cid_test_0000000000000000000000000a',
  customerKey: 'c'.repeat(32), organisationId: '1967543-8',
};

/** A MAC-scheme request in `mode` with the given credentials; the URL signed is the public base + the raw target. */
const macIn = (mode: StatusMode, method: string, target: string, creds: MacCredentials, extra: { body?: string; headers?: Record<string, string> } = {}) =>
  macRequest({
    method, baseUrl: s.url, target, signedUrl: s.publicUrl + target, creds, useHttpStatusCodes: mode.useHttpStatusCodes, json: mode.json,
    ...(extra.body !== undefined ? { body: extra.body } : {}), headers: extra.headers ?? {},
  });

describe('every route × error kind, JSON and MAC styles', () => {
  it('the OpenAPI document lists the routes swept', () => {
    expect(routes.length).toBeGreaterThan(20);
    expect(routes).toContainEqual({ method: 'POST', path: '/ingestion/{channelId}' });
    expect(routes).toContainEqual({ method: 'GET', path: '/vault/v1/messages/{messageId}' });
  });

  it('no credentials, bad MACs, wrong methods, bad and control characters and overlong ids in the path', async () => {
    const seen = new Map<string, number>();
    const note = (c: Checked): void => void seen.set(c.code, (seen.get(c.code) ?? 0) + 1);
    const methodsOf = (path: string): string[] => routes.filter((r) => r.path === path).map((r) => r.method);
    for (const r of routes) {
      const body = r.method === 'POST' ? '{"x":' : undefined;
      const wrong = ['PUT', 'PATCH', 'DELETE', 'POST', 'GET'].find((m) => !methodsOf(r.path).includes(m))!;
      // (The token endpoint answers in RFC 6749 §5.2's format whatever scheme headers come along.)
      const tokenEndpoint = r.path === '/oauth2/token';
      const variants = [fill(r.path, 'x_test_0000000000000000000000000a'), fill(r.path, '%01'), fill(r.path, '%zz'), fill(r.path, 'a'.repeat(150))];
      // The requests of one route go out together (each on its own connection); their answers are checked below.
      const sent: { label: string; mode?: StatusMode; wrongMethod?: boolean; res: Promise<RawResponse> }[] = [];
      for (const target of [...new Set(variants)]) {
        const label = `${r.method} ${target.slice(0, 60)}`;
        const wrongLabel = `${wrong} ${target.slice(0, 60)}`;
        // JSON style: no credentials; the operator token (reaches validation: the broken JSON body, unknown ids).
        sent.push({ label: `${label} (no credentials)`, res: rawRequest({ method: r.method, url: s.url + target, ...(body ? { body, headers: { 'content-type': 'application/json' } } : {}) }) });
        sent.push({
          label: `${label} (operator token)`,
          res: rawRequest({ method: r.method, url: s.url + target, headers: { authorization: `Bearer ${s.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body } : {}) }),
        });
        // A method the path does not have: 405 with Allow naming the ones it has.
        sent.push({ label: `${wrongLabel} (wrong method)`, wrongMethod: true, res: rawRequest({ method: wrong, url: s.url + target }) });
        // The MAC scheme with credentials nobody issued, in its four answer modes, right and wrong method.
        for (const mode of STATUS_MODES) {
          sent.push({ label: `${label} (MAC, ${mode.label})`, ...(tokenEndpoint ? {} : { mode }), res: macIn(mode, r.method, target, BOGUS, body ? { body, headers: { 'content-type': 'application/json' } } : {}) });
          sent.push({ label: `${wrongLabel} (MAC, ${mode.label})`, mode, wrongMethod: true, res: macIn(mode, wrong, target, BOGUS) });
        }
      }
      for (const x of sent) {
        const res = await x.res;
        const c = checkAnswer(res, x.label, x.mode);
        note(c);
        if (x.wrongMethod && c.code === 'METHOD_NOT_ALLOWED') {
          // Allow names every method of the path (another route's pattern may match the same URL too), never this one.
          const allow = String(res.headers.allow).split(', ');
          expect(allow, x.label).toEqual(expect.arrayContaining([...methodsOf(r.path), ...(methodsOf(r.path).includes('GET') ? ['HEAD'] : [])]));
          expect(allow, x.label).not.toContain(wrong);
        }
      }
    }
    for (const code of ['AUTHENTICATION_FAILED', 'ADMIN_UNAUTHORIZED', 'METHOD_NOT_ALLOWED', 'URL_MALFORMED', 'URI_TOO_LONG', 'INVALID_REQUEST', 'NOT_FOUND']) {
      expect(seen.get(code), `${code} among ${JSON.stringify([...seen])}`).toBeGreaterThan(0);
    }
  }, 300_000);

  it('POST /ingestion/%01 with an X-Netvisor header answers a well-formed envelope (the raw 0x01 is replaced)', async () => {
    for (const mode of STATUS_MODES) {
      const res = await macIn(mode, 'POST', '/ingestion/%01', BOGUS, { body: '{}', headers: { 'content-type': 'application/json' } });
      checkAnswer(res, `POST /ingestion/%01 (${mode.label})`, mode);
      expect(res.text).not.toContain('\u0001');
    }
  });

  it('an oversized body on the MAC path: the JSON status equals the HTTP status in every mode (was 400 with "status":413)', async () => {
    const target = `/ingestion/${t.channelId}`;
    for (const mode of STATUS_MODES) {
      const res = await macIn(mode, 'POST', target, t.sender, { body: 'x'.repeat(2048), headers: { 'content-type': 'application/json' } });
      expect(checkAnswer(res, `oversized (${mode.label})`, mode).code).toBe('BODY_TOO_LARGE');
    }
    const plain = await rawRequest({ method: 'POST', url: `${s.url}/admin/v1/parties`, headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' }, body: `{"name":"${'x'.repeat(2 * 1024 * 1024)}"}` });
    expect(checkAnswer(plain, 'oversized admin body')).toEqual({ code: 'BODY_TOO_LARGE', status: 413 });
  });
});

/** Writes raw bytes and reads the answer until the server closes (socketRequest); the host is the server's. */
const raw = (text: string): Promise<RawResponse> => socketRequest(s.url, Buffer.from(text, 'latin1'));

describe('answers node:http would write itself', () => {
  const host = (): string => new URL(s.url).host;
  it.each([
    ['a header line without a colon', () => `GET /healthz HTTP/1.1\r\nHost: ${host()}\r\nNot a header\r\n\r\n`, 'REQUEST_MALFORMED'],
    ['two different Content-Lengths', () => `POST /admin/v1/parties HTTP/1.1\r\nHost: ${host()}\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx`, 'DUPLICATE_HEADER'],
    ['a bad chunk size', () => `POST /ingestion/${t.channelId} HTTP/1.1\r\nHost: ${host()}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`, 'REQUEST_MALFORMED'],
    ['an unknown method', () => `BREW /healthz HTTP/1.1\r\nHost: ${host()}\r\n\r\n`, 'METHOD_NOT_IMPLEMENTED'],
    ['CONNECT', () => `CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n`, 'METHOD_NOT_IMPLEMENTED'],
    ['a 20 KiB request line', () => `GET /healthz?${'q'.repeat(20_000)} HTTP/1.1\r\nHost: ${host()}\r\n\r\n`, 'URI_TOO_LONG'],
    ['20 KiB of header fields', () => `GET /healthz HTTP/1.1\r\nHost: ${host()}\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`, 'HEADERS_TOO_LARGE'],
    ['an Expect other than 100-continue', () => `GET /healthz HTTP/1.1\r\nHost: ${host()}\r\nExpect: the-unexpected\r\n\r\n`, 'EXPECTATION_FAILED'],
    ['an id over 100 characters (router limit)', () => `GET /vault/v1/messages/${'m'.repeat(101)} HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`, 'URI_TOO_LONG'],
    ['bad percent-encoding', () => `GET /vault/v1/messages/%zz HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`, 'URL_MALFORMED'],
    ['an OPTIONS request', () => `OPTIONS /ingestion/${t.channelId} HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`, 'METHOD_NOT_ALLOWED'],
    ['no route at all', () => `GET /nowhere HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`, 'NOT_FOUND'],
  ])('%s', async (_name, request, code) => {
    const res = await raw(request());
    expect(checkAnswer(res, _name).code).toBe(code);
    expect(res.headers.connection).toMatch(/close/i);
  });

  it('a request the client stops sending is answered 408 REQUEST_TIMEOUT in the catalogue format', async () => {
    const slow = await startTestServer({ VAULTGATE_REQUEST_TIMEOUT_S: '1' });
    try {
      const u = new URL(slow.url);
      const tenant = await createTenant(slow.admin);
      const target = `/ingestion/${tenant.channelId}`;
      const signed = Object.entries(signedHeaders({ baseUrl: slow.publicUrl, target, creds: tenant.sender })).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      for (const partial of [
        `GET /healthz HTTP/1.1\r\nHost: ${u.host}\r\n`,
        // The lean ingestion path, authenticated, waiting for the rest of its body.
        `POST ${target} HTTP/1.1\r\nHost: ${u.host}\r\n${signed}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"na`,
        `POST /admin/v1/parties HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: Bearer ${slow.adminToken}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"na`,
      ]) {
        const res = await new Promise<RawResponse>((resolve, reject) => {
          const chunks: Buffer[] = [];
          const sock = connect({ host: u.hostname, port: Number(u.port) }, () => sock.write(partial));
          sock.on('data', (c: Buffer) => chunks.push(c));
          sock.on('error', reject);
          sock.on('close', () => {
            const all = Buffer.concat(chunks).toString('utf8');
            const split = all.indexOf('\r\n\r\n');
            const headers: Record<string, string> = {};
            for (const l of all.slice(0, split).split('\r\n').slice(1)) headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
            const text = all.slice(split + 4);
            resolve({ status: Number(all.slice(9, 12)), headers, body: Buffer.from(text), text, json: () => JSON.parse(text) });
          });
        });
        expect(checkAnswer(res, `stalled: ${partial.slice(0, 30)}`).code).toBe('REQUEST_TIMEOUT');
      }
    } finally {
      await slow.stop();
    }
  });
});
