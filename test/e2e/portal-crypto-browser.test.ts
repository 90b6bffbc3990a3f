import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { transformWithOxc } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, REPO, startTestServer, tempDir, type Tenant, type TestServer } from '../helpers/servers.js';

/*
 * The portal's browser crypto (src/portal/lib) in a real Chromium: it signs with WebCrypto, fetch sends the headers,
 * and a real server accepts them; it verifies a real audit export with WebCrypto Ed25519. The page is served by a
 * small HTTP front that also forwards every other request to the server (the server's public URL is the front's,
 * as behind a reverse proxy), so the page and the API share one origin, as the portal and the server will. The
 * front records the raw bytes of the Sender header Chromium sent.
 */

const CHROMIUM = '/usr/bin/chromium';
const LIB = join(REPO, 'src/portal/lib');

/** The scenario the page runs; its results are POSTed to /__result. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>portal crypto</title><script type="module">
import { signMacRequest, getBearerToken, bearerHeaders, MacSignError } from '/lib/mac-sign.js';
import { verifyAuditExport, fetchAuditKeys, ndjsonLines } from '/lib/audit-verify.js';
const out = { userAgent: navigator.userAgent };
try {
  const p = await (await fetch('/__params')).json();
  const form = (o) => ({ method: 'POST', url: p.channelUrl + '?messageType=TransportOrder', sender: 'Demokäyttäjä', customerId: p.sender.customerId,
    partnerId: p.sender.partnerId, customerKey: p.sender.customerKey, partnerKey: p.sender.partnerKey, language: 'FI', organisationId: p.sender.organisationId, ...o });
  const send = async (s) => { const r = await fetch(s.url, { method: s.method, headers: { ...s.headers, 'content-type': 'application/json', accept: 'application/json' }, body: '{"from":"browser"}' }); return { status: r.status, body: await r.json() }; };
  out.sent = [];
  for (const algorithm of ['SHA256', 'HMACSHA256']) {
    const s = await signMacRequest(form({ algorithm, transactionId: 'selain-ä-' + algorithm + '-' + crypto.randomUUID() }));
    out.sent.push({ algorithm, masked: s.stringToHashMasked, ...(await send(s)) });
  }
  const wrong = await signMacRequest(form({ algorithm: 'HMACSHA256', partnerKey: p.sender.partnerKey + 'x' }));
  out.wrongKey = { masked: wrong.stringToHashMasked, ...(await send(wrong)) };
  try { await signMacRequest(form({ algorithm: 'SHA256', sender: 'Acme €' })); out.euro = 'signed'; } catch (e) { out.euro = { name: e.name, problem: e.problem, field: e.field, isMacSignError: e instanceof MacSignError }; }
  try { new Headers({ 'x-a': 'Acme €' }); out.fetchEuro = 'accepted'; } catch (e) { out.fetchEuro = e.name; }
  const token = await getBearerToken({ clientId: p.client.clientId, clientSecret: p.client.clientSecret, scope: 'ingest' });
  const bearer = await fetch(p.channelUrl + '?messageType=TransportOrder', { method: 'POST', headers: { ...bearerHeaders(token.accessToken), 'content-type': 'application/json' }, body: '{"from":"browser, bearer"}' });
  out.bearer = { status: bearer.status, body: await bearer.json() };
  const keys = await fetchAuditKeys();
  const res = await fetch('/admin/v1/audit/export', { headers: { authorization: 'Bearer ' + p.adminToken } });
  let progressCalls = 0;
  out.audit = await verifyAuditExport(ndjsonLines(res.body), { keys, onProgress: () => progressCalls++, progressEvery: 3 });
  out.audit.progressCalls = progressCalls;
  out.tampered = await verifyAuditExport(p.tampered.split('\\n'), { keys });
} catch (e) {
  out.error = String(e && e.stack || e);
}
await fetch('/__result', { method: 'POST', body: JSON.stringify(out) });
</script>`;

/** The front: the page, the portal modules (TypeScript stripped by Vite's oxc transform), else the server. */
function startFront(o: { target: () => string; params: () => unknown; onResult: (r: any) => void; onSender: (raw: Buffer) => void }): Promise<Server> {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    if (path === '/page.html') return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    if (path === '/__params') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(o.params()));
    if (path === '/__result') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      o.onResult(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      return res.writeHead(204).end();
    }
    const lib = /^\/lib\/([a-z-]+)\.js$/.exec(path);
    if (lib && existsSync(join(LIB, `${lib[1]}.ts`))) {
      const { code } = await transformWithOxc(readFileSync(join(LIB, `${lib[1]}.ts`), 'utf8'), `${lib[1]}.ts`);
      return res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(code);
    }
    forward(req, res, o.target(), o.onSender);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Forwards a request unchanged: header values as Node read them (one character per byte) are written back as bytes. */
function forward(req: IncomingMessage, res: import('node:http').ServerResponse, target: string, onSender: (raw: Buffer) => void): void {
  const headers: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    if (name === 'x-netvisor-authentication-sender') onSender(Buffer.from(req.rawHeaders[i + 1]!, 'latin1'));
    headers[name] = headers[name] === undefined ? req.rawHeaders[i + 1]! : `${headers[name]}, ${req.rawHeaders[i + 1]}`;
  }
  const u = new URL(target);
  const up = request({ host: u.hostname, port: u.port, method: req.method, path: req.url, headers, agent: false }, (answer) => {
    res.writeHead(answer.statusCode!, answer.rawHeaders);
    answer.pipe(res);
  });
  up.on('error', () => res.destroy());
  req.pipe(up);
}

describe.runIf(existsSync(CHROMIUM))('portal crypto in a real Chromium', () => {
  let s: TestServer;
  let t: Tenant;
  let front: Server;
  let client: { clientId: string; clientSecret: string };
  let tampered = '';
  let chromium: ChildProcess | undefined;
  const profile = tempDir('vg-chromium-');
  const senders: Buffer[] = [];
  let result: any;

  beforeAll(async () => {
    let serverUrl = '';
    let done!: (r: unknown) => void;
    const finished = new Promise((r) => (done = r));
    front = await startFront({
      target: () => serverUrl,
      params: () => ({ channelUrl: t.channelUrl, sender: t.sender, client, adminToken: s.adminToken, tampered }),
      onResult: done,
      onSender: (raw) => senders.push(raw),
    });
    const frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
    s = await startTestServer({ VAULTGATE_PUBLIC_URL: frontUrl });
    serverUrl = s.url;
    t = await createTenant(s.admin, { businessId: '1967543-8' });
    client = (await s.admin('POST', `/parties/${t.partyId}/clients`, { name: 'browser form' })).body;
    expect((await s.admin('POST', '/audit/checkpoints')).status).toBe(201);
    const lines = (await (await fetch(`${s.url}/admin/v1/audit/export`, { headers: { authorization: `Bearer ${s.adminToken}` } })).text()).trim().split('\n');
    tampered = lines.map((l) => (l.includes('"type":"event"') && l.includes('"seq":3,') ? l.replace(/"outcome":"\w+"/, '"outcome":"refused"') : l)).join('\n');

    chromium = spawn(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${profile}`, `${frontUrl}/page.html`], { stdio: 'ignore', detached: true });
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('the page did not report within 45 s')), 45_000));
    result = await Promise.race([finished, timeout]);
  }, 60_000);

  afterAll(async () => {
    if (chromium?.pid) {
      try {
        process.kill(-chromium.pid, 'SIGKILL'); // the browser's own process group: it and its helpers
      } catch {
        // already gone
      }
    }
    await new Promise((r) => front?.close(r));
    await s?.stop();
    rmSync(profile, { recursive: true, force: true });
  });

  it('runs the page without error, in Chromium', () => {
    expect(result.error).toBeUndefined();
    expect(result.userAgent).toMatch(/Chrome\//);
  });

  it('signs SHA256 and HMACSHA256 with WebCrypto; the server accepts both; fetch sent ä as the one byte 0xE4', () => {
    for (const sent of result.sent) {
      expect(sent.status, JSON.stringify(sent.body)).toBe(200);
      expect(sent.body).toMatchObject({ messageId: expect.stringMatching(/^msg_test_/), transactionId: expect.stringMatching(/^selain-ä-/) });
    }
    expect(senders.length).toBeGreaterThanOrEqual(2);
    for (const raw of senders) expect(raw.toString('hex')).toBe(Buffer.from('Demokäyttäjä', 'latin1').toString('hex'));
  });

  it('a wrong key is refused, and the server hashed the string the page showed (masked)', () => {
    expect(result.wrongKey).toMatchObject({ status: 401, body: { code: 'AUTHENTICATION_FAILED', stringToHash: result.wrongKey.masked } });
    expect(JSON.stringify(result)).not.toContain(t.sender.partnerKey + 'x');
  });

  it('refuses a character fetch cannot send, before fetch would throw', () => {
    expect(result.euro).toEqual({ name: 'MacSignError', problem: 'not-latin1', field: 'sender', isMacSignError: true });
    expect(result.fetchEuro).toBe('TypeError');
  });

  it('sends with a bearer token from the same-origin token endpoint', () => {
    expect(result.bearer.status, JSON.stringify(result.bearer.body)).toBe(200);
    expect(result.bearer.body.messageId).toMatch(/^msg_test_/);
  });

  it('verifies the real audit export with WebCrypto Ed25519, streamed, and finds the edited event', () => {
    expect(result.audit).toMatchObject({ ok: true, anchored: true, firstSeq: 1, checkpoints: 1, problems: [] });
    expect(result.audit.progressCalls).toBeGreaterThan(1);
    expect(result.tampered).toMatchObject({ ok: false, problems: [{ seq: 3, kind: 'edited' }] });
  });
});
