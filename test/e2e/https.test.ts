/**
 * `vaultgate serve` speaking HTTPS itself (VAULTGATE_TLS_CERT/VAULTGATE_TLS_KEY), with a self-signed certificate
 * the test makes with openssl.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { macRequest, rawRequest } from '../helpers/mac-request.js';
import { logLines, ProcessPool, type AdminFn } from '../helpers/processes.js';
import { createTenant, type ServerProcess, type Tenant } from '../helpers/servers.js';

const pool = new ProcessPool();
let srv: ServerProcess;
let ca: Buffer;
let admin: AdminFn;
let t: Tenant;

beforeAll(async () => {
  const certs = pool.dir('vg-certs-');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-days', '1', '-keyout', join(certs, 'key.pem'), '-out', join(certs, 'cert.pem'),
  ], { stdio: 'ignore' });
  ca = readFileSync(join(certs, 'cert.pem'));
  const dataDir = pool.dir();
  srv = await pool.spawn({ VAULTGATE_DATA_DIR: dataDir, VAULTGATE_TLS_CERT: join(certs, 'cert.pem'), VAULTGATE_TLS_KEY: join(certs, 'key.pem') });
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  admin = async (method, path, body) => {
    const r = await rawRequest({
      method, url: `${srv.url}/admin/v1${path}`, ca,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, body: r.text ? r.json() : undefined };
  };
  t = await createTenant(admin);
});
afterAll(() => pool.cleanup());

describe('HTTPS', () => {
  it('listens on https and issues https:// channel URLs', async () => {
    expect(srv.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const listening = logLines(srv).find((l) => l.code === 'LISTENING')!;
    expect(listening.publicUrl).toBe(srv.url);
    expect(t.channelUrl).toBe(`${srv.url}/ingestion/${t.channelId}`);
    const got = await admin('GET', `/channels/${t.channelId}`);
    expect(got.status).toBe(200);
    expect(got.body.url).toMatch(/^https:\/\//);
    const health = await rawRequest({ method: 'GET', url: `${srv.url}/healthz`, ca });
    expect(health.status).toBe(200);
    expect(health.json().status).toBe('ok');
  });

  it('takes a signed message over TLS and gives the owner the same bytes back', async () => {
    const body = Buffer.concat([Buffer.from('{"over":"tls","city":"Jyväskylä","bytes":"'), Buffer.from([0xe4, 0x00, 0xff]), Buffer.from('"}')]);
    const sent = await macRequest({ baseUrl: srv.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body, ca, headers: { 'content-type': 'application/json' } });
    expect(sent.status, sent.text).toBe(200);
    const receipt = sent.json();
    expect(receipt.sha256).toBe(createHash('sha256').update(body).digest('hex'));
    const list = await macRequest({ baseUrl: srv.url, target: `/vault/v1/messages?channelId=${t.channelId}`, creds: t.reader, ca });
    expect(list.status, list.text).toBe(200);
    expect(list.json().items.map((m: { messageId: string }) => m.messageId)).toContain(receipt.messageId);
    const read = await macRequest({ baseUrl: srv.url, target: `/vault/v1/messages/${receipt.messageId}`, creds: t.reader, ca });
    expect(read.status, read.text).toBe(200);
    expect(read.body.equals(body)).toBe(true);
  });

  it('binds the MAC to the https URL: the same request signed over http:// is refused', async () => {
    const target = `/ingestion/${t.channelId}`;
    const r = await macRequest({
      baseUrl: srv.url, target, creds: t.sender, body: '{}', ca, headers: { 'content-type': 'application/json' },
      signedUrl: `${srv.url.replace('https:', 'http:')}${target}`,
    });
    expect(r.status).toBe(401);
    expect(r.json().code).toBe('AUTHENTICATION_FAILED');
    expect(r.json().stringToHash).toMatch(/^https:\/\//);
  });

  it('refuses plain HTTP on the TLS port and a client that does not trust the certificate', async () => {
    const plain = await new Promise<{ status?: number; error?: Error }>((resolve) => {
      const req = httpRequest(`${srv.url.replace('https:', 'http:')}/healthz`, { agent: false, timeout: 5_000 }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0 });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error) => resolve({ error }));
      req.end();
    });
    // The TLS listener drops the connection: no HTTP response at all, let alone a served resource.
    expect(plain.status).toBeUndefined();
    expect(plain.error?.message).toMatch(/socket hang up|ECONNRESET|EPIPE/);
    await expect(rawRequest({ method: 'GET', url: `${srv.url}/healthz` })).rejects.toThrow(/self[- ]signed|certificate/i);
  });
});
