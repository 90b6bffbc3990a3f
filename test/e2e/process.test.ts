/**
 * `vaultgate serve` as a real process: durability across SIGKILL, graceful SIGTERM, and what it writes to its log.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { request as httpRequest, Agent } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { macRequest, rawRequest } from '../helpers/mac-request.js';
import {
  adminOf, connectionRefused, exitWithin, logLines, ProcessPool, signedHeaders, waitFor,
} from '../helpers/processes.js';
import { createTenant, type ServerProcess, type Tenant } from '../helpers/servers.js';

const pool = new ProcessPool();
afterAll(() => pool.cleanup());

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Every message in the tenant's vault: id → bytes (listing paged to the end, each message read back). */
async function vaultContents(url: string, t: Tenant): Promise<Map<string, Buffer>> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const r = await macRequest({ baseUrl: url, target: `/vault/v1/messages?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, creds: t.reader });
    expect(r.status, r.text).toBe(200);
    ids.push(...r.json().items.map((m: { messageId: string }) => m.messageId));
    cursor = r.json().nextCursor ?? undefined;
  } while (cursor);
  const out = new Map<string, Buffer>();
  for (const id of ids) {
    const r = await macRequest({ baseUrl: url, target: `/vault/v1/messages/${id}`, creds: t.reader });
    expect(r.status, r.text).toBe(200);
    out.set(id, r.body);
  }
  return out;
}

/** A message body that is not valid UTF-8, so any re-encoding on the way would show. */
const binaryBody = (label: string): Buffer => Buffer.concat([Buffer.from(`{"m":"${label}","city":"Jyväskylä"}`), randomBytes(64), Buffer.from([0x00, 0xff, 0xe4])]);

describe('durability across SIGKILL', () => {
  it('a message acknowledged with 200 survives SIGKILL the instant the 200 arrives, and so does every one of 20 concurrent ones', async () => {
    const dataDir = pool.dir();
    const first = await pool.spawn({ VAULTGATE_DATA_DIR: dataDir });
    const t = await createTenant(adminOf(first.url, dataDir));
    const target = `/ingestion/${t.channelId}`;
    const post = (srv: ServerProcess, body: Buffer, onHead: (status: number) => void) =>
      rawRequest({
        method: 'POST', url: srv.url + target, body, onHead,
        headers: { ...signedHeaders({ baseUrl: srv.url, target, creds: t.sender }), 'content-type': 'application/json' },
      });

    // One message: killed on the spot when its status line arrives.
    const one = binaryBody('single');
    let killedAt: number | undefined;
    const r1 = await post(first, one, (status) => {
      if (status === 200) {
        first.child.kill('SIGKILL');
        killedAt = Date.now();
      }
    });
    expect(r1.status, r1.text).toBe(200);
    expect(killedAt).toBeDefined();
    expect(await first.exited).toBe(null);
    expect(first.child.signalCode).toBe('SIGKILL');
    const oneId = r1.json().messageId as string;

    const second = await pool.spawn({ VAULTGATE_DATA_DIR: dataDir });
    const afterFirst = await vaultContents(second.url, t);
    expect([...afterFirst.keys()]).toEqual([oneId]);
    expect(afterFirst.get(oneId)!.equals(one)).toBe(true);

    // Twenty at once; the first 200 kills the process. Every 200 the clients saw must be stored byte for byte.
    const bodies = Array.from({ length: 20 }, (_, i) => binaryBody(`burst-${i}`));
    const acked = new Map<string, Buffer>();
    let killed = false;
    const outcomes = await Promise.allSettled(bodies.map((body) =>
      post(second, body, (status) => {
        if (status === 200 && !killed) {
          killed = true;
          second.child.kill('SIGKILL');
        }
      }).then((r) => {
        if (r.status === 200) acked.set(r.json().messageId as string, body);
        else throw new Error(`unexpected ${r.status}: ${r.text}`);
      })));
    expect(killed).toBe(true);
    expect(await second.exited).toBe(null);
    // A request either got its 200 or lost its connection; nothing else.
    for (const o of outcomes) if (o.status === 'rejected') expect(String(o.reason)).not.toMatch(/unexpected/);
    expect(acked.size).toBeGreaterThan(0);

    const third = await pool.spawn({ VAULTGATE_DATA_DIR: dataDir });
    const after = await vaultContents(third.url, t);
    expect(after.get(oneId)?.equals(one)).toBe(true);
    for (const [id, body] of acked) {
      expect(after.has(id), `acknowledged ${id} is missing after restart`).toBe(true);
      expect(sha(after.get(id)!)).toBe(sha(body));
    }
    // Whatever else was stored is one of the bodies sent, whole: no torn or foreign message.
    const sent = new Set([one, ...bodies].map(sha));
    for (const b of after.values()) expect(sent.has(sha(b))).toBe(true);
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  });
});

describe('graceful shutdown on SIGTERM', () => {
  /** Opens a connection, writes a signed POST's headers and the first half of its body. */
  async function startSlowPost(srv: ServerProcess, t: Tenant, body: Buffer, keepAlive: boolean) {
    const u = new URL(srv.url);
    const target = `/ingestion/${t.channelId}`;
    const headers: Record<string, string> = {
      host: u.host, ...signedHeaders({ baseUrl: srv.url, target, creds: t.sender }),
      'content-type': 'application/json', 'content-length': String(body.length), ...(keepAlive ? {} : { connection: 'close' }),
    };
    const socket = connect(Number(u.port), u.hostname);
    await new Promise((r) => socket.once('connect', r));
    let raw = '';
    socket.on('data', (d: Buffer) => (raw += d.toString('latin1')));
    const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(raw)));
    socket.write(`POST ${target} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
    const half = Math.floor(body.length / 2);
    socket.write(body.subarray(0, half));
    return { finish: () => socket.write(body.subarray(half)), closed, response: () => raw };
  }

  it('finishes requests in flight (keep-alive or not), stores them, refuses new connections and exits 0 promptly', async () => {
    const dataDir = pool.dir();
    const srv = await pool.spawn({ VAULTGATE_DATA_DIR: dataDir });
    const t = await createTenant(adminOf(srv.url, dataDir));
    const bodies = [binaryBody('slow-keep-alive'), binaryBody('slow-close')];
    const slow = [await startSlowPost(srv, t, bodies[0]!, true), await startSlowPost(srv, t, bodies[1]!, false)];
    await new Promise((r) => setTimeout(r, 200));

    const termAt = Date.now();
    srv.child.kill('SIGTERM');
    await waitFor(() => /"code":"SHUTDOWN"/.test(srv.logs()), 'the SHUTDOWN log line');
    expect(await connectionRefused(srv.url)).toBe(true);
    expect(srv.child.exitCode).toBe(null); // still running: two requests are in flight

    for (const s of slow) s.finish();
    // Each connection is closed by the server once answered (bounded: a lingering one fails here, not by timeout).
    const responses = await Promise.all(slow.map((s) => Promise.race([
      s.closed, new Promise<string>((r) => setTimeout(() => r(`still open after 5 s: ${s.response()}`), 5_000)),
    ])));
    const ids = responses.map((raw) => {
      expect(raw, 'the server kept an answered connection open during shutdown').not.toMatch(/^still open/);
      expect(raw).toMatch(/^HTTP\/1\.1 200 /);
      return /"messageId":"([^"]+)"/.exec(raw)![1]!;
    });
    // The keep-alive client is told the connection ends, and the process does not wait for it to go away.
    expect(responses[0]).toMatch(/\r\nconnection: close\r\n/i);
    expect(await exitWithin(srv, 5_000)).toBe(0);
    expect(Date.now() - termAt).toBeLessThan(5_000);
    expect(srv.logs()).toMatch(/"code":"STOPPED"/);
    expect(srv.logs()).not.toMatch(/SHUTDOWN_TIMEOUT/);

    const again = await pool.spawn({ VAULTGATE_DATA_DIR: dataDir });
    for (const [i, id] of ids.entries()) {
      const read = await macRequest({ baseUrl: again.url, target: `/vault/v1/messages/${id}`, creds: t.reader });
      expect(read.status, read.text).toBe(200);
      expect(read.body.equals(bodies[i]!)).toBe(true);
    }

    // An idle keep-alive connection does not hold up the exit either.
    const agent = new Agent({ keepAlive: true });
    const status = await new Promise<number>((resolve, reject) => {
      httpRequest(`${again.url}/healthz`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      }).on('error', reject).end();
    });
    expect(status).toBe(200);
    const idleTermAt = Date.now();
    again.child.kill('SIGTERM');
    expect(await exitWithin(again, 3_000)).toBe(0);
    expect(Date.now() - idleTermAt).toBeLessThan(3_000);
    agent.destroy();
  });

  it('exits 0 promptly on SIGTERM and on SIGINT when idle', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const srv = await pool.spawn({ VAULTGATE_DATA_DIR: pool.dir() });
      const at = Date.now();
      srv.child.kill(signal);
      expect(await exitWithin(srv, 2_000)).toBe(0);
      expect(Date.now() - at).toBeLessThan(2_000);
      expect(logLines(srv).find((l) => l.code === 'SHUTDOWN')?.signal).toBe(signal);
      expect(srv.logs()).toMatch(/"code":"STOPPED"/);
    }
  });
});

describe('the log', () => {
  it('is JSON lines with a reqId per request, echoed as x-request-id, and never holds a key, a MAC, the admin token or the string to hash', async () => {
    const dataDir = pool.dir();
    const srv = await pool.spawn({ VAULTGATE_DATA_DIR: dataDir });
    const adminToken = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const masterKey = readFileSync(join(dataDir, 'master.key'), 'utf8').trim();
    const t = await createTenant(adminOf(srv.url, dataDir));
    const target = `/ingestion/${t.channelId}`;
    const macs: string[] = [];
    const send = (creds = t.sender, transactionId?: string, extra: Record<string, string> = {}) => {
      const headers: Record<string, string> = { ...signedHeaders({ baseUrl: srv.url, target, creds, ...(transactionId ? { transactionId } : {}) }), 'content-type': 'application/json', ...extra };
      macs.push(headers['X-Netvisor-Authentication-MAC']!);
      return rawRequest({ method: 'POST', url: srv.url + target, headers, body: '{"log":"test"}' });
    };

    const ok = await send(t.sender, 'tx-log-1');
    expect(ok.status, ok.text).toBe(200);
    const dup = await send(t.sender, 'tx-log-1');
    expect(dup.json().code).toBe('REQUEST_NOT_UNIQUE');
    const wrongKey = 'F'.repeat(64);
    const bad = await send({ ...t.sender, customerKey: wrongKey });
    expect(bad.status).toBe(401);
    expect(bad.json().code).toBe('AUTHENTICATION_FAILED');
    const stringToHash = bad.json().stringToHash as string;
    expect(stringToHash).toContain('<CustomerKey>');
    const chosen = await send(t.sender, undefined, { 'x-request-id': 'client-chosen-id-0001' });
    expect(chosen.headers['x-request-id']).toBe('client-chosen-id-0001');
    const read = await macRequest({ baseUrl: srv.url, target: `/vault/v1/messages/${ok.json().messageId}`, creds: t.reader });
    expect(read.status).toBe(200);
    expect(macs.every((m) => typeof m === 'string' && m.length >= 64)).toBe(true);

    srv.child.kill('SIGTERM');
    expect(await srv.exited).toBe(0);

    const lines = logLines(srv); // throws if any line is not JSON
    expect(lines.length).toBeGreaterThan(5);
    // stderr carries at most Node's own warnings, never a request or a secret.
    expect(srv.stderr()).not.toMatch(/reqId|netvisor/i);
    const completed = lines.filter((l) => l.msg === 'request completed');
    // Six admin calls for the tenant, four ingestions and a read: one line each.
    expect(completed.length).toBe(11);
    for (const l of completed) {
      expect(typeof l.reqId).toBe('string');
      expect(l.reqId.length).toBeGreaterThanOrEqual(8);
      expect(typeof l.statusCode).toBe('number');
    }
    expect(new Set(completed.map((l) => l.reqId)).size).toBe(completed.length);
    for (const [res, status] of [[ok, 200], [dup, 400], [bad, 401], [chosen, 200], [read, 200]] as const) {
      const id = res.headers['x-request-id'];
      expect(typeof id).toBe('string');
      expect(completed.find((l) => l.reqId === id)?.statusCode).toBe(status);
    }
    const byReq = (id: unknown) => lines.filter((l) => l.reqId === id);
    expect(byReq(dup.headers['x-request-id']).some((l) => l.code === 'REQUEST_NOT_UNIQUE')).toBe(true);
    expect(byReq(bad.headers['x-request-id']).some((l) => l.code === 'AUTHENTICATION_FAILED')).toBe(true);

    const all = srv.logs();
    const secrets: Record<string, string> = {
      'partner key': t.sender.partnerKey, 'ingest customer key': t.sender.customerKey, 'reader customer key': t.reader.customerKey,
      'wrong customer key': wrongKey, 'admin token': adminToken, 'master key': masterKey, 'masked string to hash': stringToHash,
    };
    macs.forEach((m, i) => (secrets[`MAC #${i}`] = m));
    for (const [what, value] of Object.entries(secrets)) {
      expect(all.includes(value), `log contains the ${what}`).toBe(false);
      expect(srv.stderr().includes(value), `stderr contains the ${what}`).toBe(false);
    }
    expect(all).not.toMatch(/<CustomerKey>|<PartnerKey>/);
  });
});
