import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The ingestion bench's load generator (bench/load.mjs): its figures are only worth something if it sends every
// prepared request exactly once, byte for byte, and counts the answers right. No timing is asserted.
import { LOADGEN_SATURATED_PCT, requestHead, requestPool, runLoad } from '../bench/load.mjs';

describe('bench load generator (bench/load.mjs) against a real node:http server', () => {
  let server: Server;
  let port: number;
  const seen: { id: string; method: string; url: string; host: string | undefined; digest: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const hash = createHash('sha256');
      req.on('data', (c: Buffer) => hash.update(c));
      req.on('end', () => {
        const id = String(req.headers['x-request'] ?? '');
        seen.push({ id, method: req.method!, url: req.url!, host: req.headers.host, digest: hash.digest('hex') });
        // Every 7th request is refused, some answers are chunked: the generator must count both right.
        if (Number(id) % 7 === 0) {
          res.writeHead(409, { 'content-type': 'application/json' }).end('{"code":"REQUEST_NOT_UNIQUE"}');
        } else if (Number(id) % 3 === 0) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{"ok":');
          res.end('true}');
        } else {
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends each prepared request once, with its own headers and the shared body, until the pool is used up', async () => {
    const body = Buffer.from(JSON.stringify({ filler: 'x'.repeat(1000) }));
    const heads = Array.from({ length: 300 }, (_, i) =>
      requestHead('POST', '/ingestion/chn_test_x', { host: 'gateway.example:8443', 'content-type': 'application/json', 'x-request': String(i + 1) }, body.length));
    const pool = requestPool(heads, body);
    seen.length = 0;
    const r = await runLoad({ host: '127.0.0.1', port, pool, connections: 8, durationS: 60 });

    expect(r.poolExhausted).toBe(true);
    expect(r.requests).toBe(300);
    expect(seen.map((s) => Number(s.id)).sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    const digest = createHash('sha256').update(body).digest('hex');
    for (const s of seen) expect(s).toMatchObject({ method: 'POST', url: '/ingestion/chn_test_x', host: 'gateway.example:8443', digest });
    // 1..300: the multiples of 7 were refused.
    expect(r.non2xx).toBe(Math.floor(300 / 7));
    expect(r.errors).toBe(0);
    expect(r.p50Ms).toBeLessThanOrEqual(r.p99Ms);
    expect(r.p99Ms).toBeLessThanOrEqual(r.maxMs);
    expect(r.loadGenCpuPct).toBeGreaterThanOrEqual(0);
    expect(r.loadGenCpuUsPerRequest).toBeGreaterThan(0);
    expect(LOADGEN_SATURATED_PCT).toBe(90);
  });

  it('repeats the one plain request for the whole window when the pool is reused', async () => {
    const body = Buffer.from('{"plain":true}');
    const pool = requestPool([requestHead('POST', '/plain', { host: 'h', 'x-request': '1' }, body.length)], body, { reuse: true });
    seen.length = 0;
    const r = await runLoad({ host: '127.0.0.1', port, pool, connections: 4, durationS: 0.3 });
    expect(r.poolExhausted).toBe(false);
    expect(r.requests).toBe(seen.length);
    expect(r.requests).toBeGreaterThan(0);
    expect(new Set(seen.map((s) => s.url))).toEqual(new Set(['/plain']));
  });

  it('counts a connection the server drops mid-request as an error, and ends', async () => {
    const dropper = createServer((req) => req.socket.destroy());
    await new Promise<void>((r) => dropper.listen(0, '127.0.0.1', r));
    try {
      const body = Buffer.from('{}');
      const heads = Array.from({ length: 3 }, () => requestHead('POST', '/x', { host: 'h' }, body.length));
      const r = await runLoad({ host: '127.0.0.1', port: (dropper.address() as AddressInfo).port, pool: requestPool(heads, body), connections: 1, durationS: 5 });
      expect(r.requests).toBe(0);
      expect(r.errors).toBeGreaterThanOrEqual(1);
    } finally {
      await new Promise<void>((r) => dropper.close(() => r()));
    }
  });
});
