import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { macRequest, rawRequest } from '../helpers/mac-request.js';
import { createTenant, spawnServer, tempDir, type ServerProcess } from '../helpers/servers.js';

describe('HTTPS with a self-signed certificate made by the test', () => {
  const dir = tempDir();
  const certs = tempDir();
  let srv: ServerProcess;
  let ca: Buffer;
  beforeAll(async () => {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout', join(certs, 'key.pem'), '-out', join(certs, 'cert.pem'),
    ], { stdio: 'ignore' });
    ca = readFileSync(join(certs, 'cert.pem'));
    srv = await spawnServer({ VAULTGATE_DATA_DIR: dir, VAULTGATE_TLS_CERT: join(certs, 'cert.pem'), VAULTGATE_TLS_KEY: join(certs, 'key.pem') });
  });
  afterAll(async () => {
    srv.child.kill('SIGTERM');
    await srv.exited;
    rmSync(dir, { recursive: true, force: true });
    rmSync(certs, { recursive: true, force: true });
  });

  it('serves the whole loop over TLS, with https channel URLs', async () => {
    expect(srv.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    const admin = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
      const r = await rawRequest({ method, url: `${srv.url}/admin/v1${path}`, ca, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      return { status: r.status, body: r.json() };
    };
    const t = await createTenant(admin);
    expect(t.channelUrl).toBe(`${srv.url}/ingestion/${t.channelId}`);
    const body = '{"over":"tls","city":"Jyväskylä"}';
    const sent = await macRequest({ baseUrl: srv.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body, ca, headers: { 'content-type': 'application/json' } });
    expect(sent.status, sent.text).toBe(200);
    const read = await macRequest({ baseUrl: srv.url, target: `/vault/v1/messages/${sent.json().messageId}`, creds: t.reader, ca });
    expect(read.text).toBe(body);
  });

  it('refuses a client that does not trust the certificate, and plain HTTP on the TLS port', async () => {
    await expect(rawRequest({ method: 'GET', url: `${srv.url}/healthz` })).rejects.toThrow(/self[- ]signed|certificate/i);
    const plain = await rawRequest({ method: 'GET', url: `${srv.url.replace('https:', 'http:')}/healthz` }).catch((e: Error) => e);
    expect(plain instanceof Error || (plain as { status: number }).status === 400).toBe(true);
  });
});
