import { connect } from 'node:net';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildMacHeaders, computeMac, formatMacTimestamp } from '../../src/protocol/index.js';
import { macRequest } from '../helpers/mac-request.js';
import { adminCall, createTenant, spawnServer, tempDir, type ServerProcess, type Tenant } from '../helpers/servers.js';

const dirs: string[] = [];
const children: ServerProcess[] = [];
afterAll(() => {
  for (const c of children) c.child.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function serverWithTenant(dataDir = tempDir()): Promise<{ srv: ServerProcess; t: Tenant; dataDir: string; token: string }> {
  dirs.push(dataDir);
  const srv = await spawnServer({ VAULTGATE_DATA_DIR: dataDir });
  children.push(srv);
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  const t = await createTenant((m, p, b) => adminCall(srv.url, token, m, p, b));
  return { srv, t, dataDir, token };
}

async function vaultIds(url: string, t: Tenant): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const r = await macRequest({ baseUrl: url, target: `/vault/v1/messages?limit=1000${cursor ? `&cursor=${cursor}` : ''}`, creds: t.reader });
    expect(r.status, r.text).toBe(200);
    ids.push(...r.json().items.map((m: { messageId: string }) => m.messageId));
    cursor = r.json().nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

describe('process lifecycle', () => {
  it('a process killed with SIGKILL right after its 200s has every acknowledged message after a restart', async () => {
    const { srv, t, dataDir } = await serverWithTenant();
    const acked: { id: string; body: string }[] = [];
    const sends = Array.from({ length: 20 }, (_, i) => {
      const body = JSON.stringify({ i, marker: `crash-${i}` });
      return macRequest({ baseUrl: srv.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body, headers: { 'content-type': 'application/json' } })
        .then((r) => {
          if (r.status === 200) acked.push({ id: r.json().messageId, body });
          // The first acknowledgement kills the server on the spot; later requests may or may not have been answered.
          if (acked.length === 1) srv.child.kill('SIGKILL');
        }, () => undefined);
    });
    await Promise.all(sends);
    expect(await srv.exited).toBe(null);
    expect(acked.length).toBeGreaterThan(0);

    const again = await spawnServer({ VAULTGATE_DATA_DIR: dataDir });
    children.push(again);
    const ids = await vaultIds(again.url, t);
    for (const a of acked) {
      expect(ids).toContain(a.id);
      const r = await macRequest({ baseUrl: again.url, target: `/vault/v1/messages/${a.id}`, creds: t.reader });
      expect(r.text).toBe(a.body);
    }
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });

  it('SIGTERM finishes a request in flight (its commit included), refuses new connections, and exits 0', async () => {
    const { srv, t, dataDir } = await serverWithTenant();
    const u = new URL(srv.url);
    const target = `/ingestion/${t.channelId}`;
    const body = Buffer.from(JSON.stringify({ slow: true, pad: 'x'.repeat(2000) }));
    const now = Date.now();
    const input = {
      url: srv.url + target, sender: 'slow client', customerId: t.sender.customerId, timestamp: formatMacTimestamp(now),
      language: 'EN', organisationId: t.sender.organisationId, transactionId: `slow-${now}`,
      customerKey: t.sender.customerKey, partnerKey: t.sender.partnerKey,
    };
    const headers = { ...buildMacHeaders(input, { partnerId: t.sender.partnerId, algorithm: 'SHA256', mac: computeMac(input, 'SHA256'), useHttpStatusCodes: true }), accept: 'application/json', 'content-type': 'application/json', 'content-length': String(body.length), host: u.host };
    const socket = connect(Number(u.port), u.hostname);
    await new Promise((r) => socket.once('connect', r));
    const response = new Promise<string>((resolve) => {
      let data = '';
      socket.on('data', (d) => (data += d.toString('utf8')));
      socket.on('close', () => resolve(data));
    });
    socket.write(`POST ${target} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\nconnection: close\r\n\r\n`);
    socket.write(body.subarray(0, 1000));
    await new Promise((r) => setTimeout(r, 300));
    srv.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    // The listener is closed: a new connection is refused.
    const refused = await new Promise<boolean>((resolve) => {
      const c = connect(Number(u.port), u.hostname);
      c.once('connect', () => { c.destroy(); resolve(false); });
      c.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
    socket.write(body.subarray(1000));
    const raw = await response;
    expect(raw).toMatch(/^HTTP\/1\.1 200/);
    const messageId = /"messageId":"([^"]+)"/.exec(raw)![1]!;
    expect(await srv.exited).toBe(0);
    expect(srv.logs()).toMatch(/"code":"STOPPED"/);

    const again = await spawnServer({ VAULTGATE_DATA_DIR: dataDir });
    children.push(again);
    const read = await macRequest({ baseUrl: again.url, target: `/vault/v1/messages/${messageId}`, creds: t.reader });
    expect(read.body.equals(body)).toBe(true);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });

  it('logs JSON lines with request ids, and never a key, a MAC, the admin token or the string to hash', async () => {
    const { srv, t, token } = await serverWithTenant();
    const ok = await macRequest({ baseUrl: srv.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body: '{}', headers: { 'content-type': 'application/json' }, transactionId: 'tx-log-1' });
    expect(ok.status).toBe(200);
    const dup = await macRequest({ baseUrl: srv.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body: '{}', headers: { 'content-type': 'application/json' }, transactionId: 'tx-log-1' });
    expect(dup.json().code).toBe('REQUEST_NOT_UNIQUE');
    const bad = await macRequest({ baseUrl: srv.url, target: `/ingestion/${t.channelId}`, creds: { ...t.sender, customerKey: 'F'.repeat(64) }, body: '{}', headers: { 'content-type': 'application/json' } });
    expect(bad.json().code).toBe('AUTHENTICATION_FAILED');
    const stringToHash = bad.json().stringToHash as string;
    srv.child.kill('SIGTERM');
    await srv.exited;

    const lines = srv.logs().split('\n').filter(Boolean);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.some((l) => l.reqId === ok.headers['x-request-id'])).toBe(true);
    expect(parsed.some((l) => l.code === 'REQUEST_NOT_UNIQUE')).toBe(true);
    expect(parsed.some((l) => l.code === 'AUTHENTICATION_FAILED' && l.reason === 'MAC mismatch')).toBe(true);
    const all = srv.logs();
    for (const secret of [t.sender.partnerKey, t.sender.customerKey, t.reader.customerKey, token, stringToHash, 'F'.repeat(64)]) {
      expect(all.includes(secret)).toBe(false);
    }
    // No request headers are logged at all, so no MAC value either.
    expect(all.toLowerCase()).not.toContain('x-netvisor-authentication-mac');
    expect(all.toLowerCase()).not.toContain('authorization');
  });
});
