import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/protocol/index.js';
import { VaultgateClient, type MessageMeta } from '../../src/sdk/index.js';
import { CLI, createTenant, macCredentialEnv, startTestServer, tempDir, type Tenant, type TestServer } from '../helpers/servers.js';

/**
 * Issue 17 part 1 through the SDK (sendBatch, capability, fallback, retry after a lost answer) and the CLI
 * (`vaultgate send --ndjson <file|->`, a process). The clients talk to the server through a small HTTP proxy that
 * can play an older server (no batch route: 404) or lose the answer of the next batch after the server stored it.
 */
describe('batch ingestion through the SDK and the CLI', () => {
  let s: TestServer;
  let t: Tenant;
  let proxy: Server;
  let proxyUrl = '';
  let mode: 'pass' | 'old-server' | 'lose-next-batch-answer' = 'pass';
  const batchPosts: string[] = []; // the batch requests that reached the server, by mode
  const work = tempDir('vg-batch-');

  beforeAll(async () => {
    proxy = createServer((req, res) => {
      const isBatch = /\/batch(\?|$)/.test(req.url ?? '');
      if (isBatch && mode === 'old-server') {
        req.resume();
        res.writeHead(404, { 'content-type': 'application/problem+json' }).end('{"code":"NOT_FOUND","status":404}');
        return;
      }
      if (isBatch && req.method === 'POST') batchPosts.push(mode);
      const lose = isBatch && req.method === 'POST' && mode === 'lose-next-batch-answer';
      if (lose) mode = 'pass';
      const up = httpRequest({ host: '127.0.0.1', port: new URL(s.url).port, method: req.method, path: req.url, headers: req.headers }, (r) => {
        if (lose) {
          r.resume();
          r.on('end', () => res.destroy()); // stored and answered, but the client never sees it
          return;
        }
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    s = await startTestServer({ VAULTGATE_PUBLIC_URL: proxyUrl, VAULTGATE_MAX_BODY_BYTES: String(64 * 1024) });
    t = await createTenant(s.admin);
  });
  afterAll(async () => {
    proxy?.closeAllConnections();
    await new Promise((r) => proxy?.close(r));
    await s?.stop();
  });

  const client = (): VaultgateClient => new VaultgateClient({ baseUrl: proxyUrl, credentials: t.sender, retry: { baseDelayMs: 10 } });
  const vault = async (): Promise<MessageMeta[]> => {
    const reader = new VaultgateClient({ baseUrl: proxyUrl, credentials: t.reader });
    const out: MessageMeta[] = [];
    for await (const m of reader.listMessages({}, { pageSize: 1000 })) out.push(m);
    await reader.close();
    return out;
  };

  it('sendBatch: one request for many items, a result per item in order, refusals with code and remedy', async () => {
    const vg = client();
    expect(await vg.batchCapability(t.channelId)).toMatchObject({ maxItems: 1000, maxBytes: 64 * 1024 });
    const before = (await vault()).length;
    batchPosts.length = 0;
    const items = [
      ...Array.from({ length: 250 }, (_, i) => ({ body: JSON.stringify({ i }), mediaType: 'application/json' })),
      { body: new Uint8Array([0x3c, 0x61, 0x2f, 0x3e]), mediaType: 'application/xml' },
      { body: '{}', mediaType: 'text/csv' },
      { body: '{}', mediaType: 'application/json', messageType: 'Invoice' },
    ];
    const results = await vg.sendBatch(t.channelId, items);
    await vg.close();
    expect(batchPosts).toHaveLength(1);
    expect(results.map((r) => r.index)).toEqual(items.map((_, i) => i));
    expect(results.slice(0, 251).every((r) => r.status === 'stored' && !r.alreadyStored)).toBe(true);
    const refused = results.slice(251) as { code: string; remedy: string }[];
    expect(refused.map((r) => r.code)).toEqual(['MEDIA_TYPE_NOT_AGREED', 'MESSAGE_TYPE_NOT_AGREED']);
    expect(refused[0]!.remedy).toBe(ERROR_CATALOGUE.MEDIA_TYPE_NOT_AGREED.remedy.en);
    expect((await vault()).length).toBe(before + 251);
  });

  it('sendBatch splits by the server\'s byte limit and sends a line too large for a batch on its own', async () => {
    const vg = client();
    batchPosts.length = 0;
    const big = 'x'.repeat(40 * 1024); // under the message limit, two of them over the request limit
    const results = await vg.sendBatch(t.channelId, [
      { body: JSON.stringify({ a: big }), mediaType: 'application/json' },
      { body: JSON.stringify({ b: big }), mediaType: 'application/json' },
      { body: 'y'.repeat(70 * 1024), mediaType: 'application/json' }, // over every limit: refused by the single send
    ]);
    await vg.close();
    expect(batchPosts).toHaveLength(2);
    expect(results.map((r) => (r.status === 'stored' ? 'stored' : r.code))).toEqual(['stored', 'stored', 'BODY_TOO_LARGE']);
  });

  it('a batch whose answer was lost is retried: the items it stored come back as already stored, none twice', async () => {
    const vg = client();
    const before = (await vault()).length;
    batchPosts.length = 0;
    mode = 'lose-next-batch-answer';
    const results = await vg.sendBatch(t.channelId, Array.from({ length: 20 }, (_, i) => ({ body: `{"lost":${i}}`, mediaType: 'application/json' })));
    await vg.close();
    expect(batchPosts).toEqual(['lose-next-batch-answer', 'pass']);
    expect(results.every((r) => r.status === 'stored' && r.alreadyStored)).toBe(true);
    const stored = await vault();
    expect(stored.length).toBe(before + 20);
    for (const r of results) if (r.status === 'stored' && r.alreadyStored) expect(stored.some((m) => m.messageId === r.messageId && m.transactionId === r.transactionId)).toBe(true);
  });

  it('falls back to single messages on a server without batches', async () => {
    mode = 'old-server';
    try {
      const vg = client();
      expect(await vg.batchCapability(t.channelId)).toBeNull();
      batchPosts.length = 0;
      const before = (await vault()).length;
      const results = await vg.sendBatch(t.channelId, [
        { body: '{"old":1}', mediaType: 'application/json' },
        { body: '{"old":2}', mediaType: 'text/csv' },
      ]);
      await vg.close();
      expect(batchPosts).toHaveLength(0);
      expect(results[0]).toMatchObject({ index: 0, status: 'stored', alreadyStored: false });
      expect(results[1]).toMatchObject({ index: 1, status: 'refused', code: 'MEDIA_TYPE_NOT_AGREED', remedy: ERROR_CATALOGUE.MEDIA_TYPE_NOT_AGREED.remedy.en });
      expect((await vault()).length).toBe(before + 1);
    } finally {
      mode = 'pass';
    }
  });

  const vg = (args: string[], input?: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', HOME: work, VAULTGATE_URL: proxyUrl, ...macCredentialEnv(t.sender) }, maxBuffer: 16 << 20 },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
      if (input !== undefined) child.stdin!.end(input);
    });

  it('CLI send --ndjson uses batches: per-item results, exit 1 on a refused item, a re-run counts the stored ones', async () => {
    const lines = Array.from({ length: 120 }, (_, i) => JSON.stringify({ cli: i, pad: 'p'.repeat(100) }));
    lines.splice(60, 0, JSON.stringify({ big: 'z'.repeat(70 * 1024) })); // line 61: over the message limit
    const file = join(work, 'orders.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);
    batchPosts.length = 0;
    const run = await vg(['send', '--channel', t.channelId, '--ndjson', file, '--batch-size', '50', '--concurrency', '2']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^120 sent, 0 already stored, 1 failed, of 121 in /);
    expect(run.stderr).toContain('failed: line 61: BODY_TOO_LARGE');
    expect(batchPosts.length).toBeGreaterThanOrEqual(3);
    expect(batchPosts.length).toBeLessThanOrEqual(5);

    // From stdin, the same lines again: each keeps its transaction id (position and content), so all are known.
    const again = await vg(['send', '--channel', t.channelId, '--ndjson', '-', '--json'], `${lines.join('\n')}\n`);
    expect(again.code).toBe(1);
    const summary = JSON.parse(again.stdout);
    expect(summary).toMatchObject({ total: 121, sent: 0, alreadyStored: 120, failed: 1 });
    expect(summary.failures[0]).toMatchObject({ position: 'line 61', code: 'BODY_TOO_LARGE' });
  }, 60_000);

  it('CLI send --ndjson - with every line stored exits 0', async () => {
    const input = Array.from({ length: 30 }, (_, i) => JSON.stringify({ ok: i, at: Date.now() })).join('\n');
    const r = await vg(['send', '--channel', t.channelId, '--ndjson', '-'], input);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^30 sent, 0 already stored, 0 failed, of 30 in /);
  });
});
