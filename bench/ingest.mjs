// Ingestion throughput: a bare node:http server (baseline) and Vaultgate on its embedded store, each on its own
// core, driven by autocannon from this process: 1 KiB JSON bodies, 50 connections, a warm-up, then a measured
// run, a fresh transaction id on every request. Every acknowledged message is durably committed
// (SQLite WAL, synchronous=FULL): nothing is relaxed to win.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { request } from 'undici';
import { buildMacHeaders, computeMac, formatMacTimestamp } from '../dist/protocol/index.js';
import { adminCall, CLI, cpuMicros, memory, pinning, startProcess, stopProcess } from './lib.mjs';

const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 3);
const BODY = Buffer.from(JSON.stringify({ order: 'A-1', filler: 'x'.repeat(1024 - 30) }).slice(0, 1024));

function drive(url, setupRequest) {
  return new Promise((resolve, reject) => {
    autocannon({
      url, connections: CONNECTIONS, duration: DURATION_S, method: 'POST', body: BODY,
      headers: { 'content-type': 'application/json' },
      requests: setupRequest ? [{ setupRequest }] : undefined,
    }, (err, r) => (err ? reject(err) : resolve(r)));
  });
}

async function warm(url, setupRequest) {
  await new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration: WARMUP_S, method: 'POST', body: BODY, headers: { 'content-type': 'application/json' }, requests: setupRequest ? [{ setupRequest }] : undefined }, (e, r) => (e ? reject(e) : resolve(r)));
  });
}

function figures(r, pid, cpu) {
  return {
    requestsPerS: Math.round(r.requests.average),
    // CPU time (user + system, all threads) the server spent per request answered in the measured run: robust to
    // other load on the machine, unlike req/s.
    cpuUsPerRequest: Math.round((cpu.end - cpu.start) / Math.max(1, r.requests.total)),
    p50Ms: r.latency.p50, p99Ms: r.latency.p99, maxMs: r.latency.max,
    errors: r.errors + r.timeouts, non2xx: r.non2xx, peakRssMiB: +memory(pid).peakMiB.toFixed(1),
  };
}

async function measure(url, pid, setupRequest) {
  const start = cpuMicros(pid);
  const r = await drive(url, setupRequest);
  return figures(r, pid, { start, end: cpuMicros(pid) });
}

/** The commit batch histogram's sum and count, from GET /metrics. */
async function commitBatches(url, token) {
  const res = await request(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.body.text();
  const read = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { sum: read('vaultgate_commit_batch_size_sum'), count: read('vaultgate_commit_batch_size_count') };
}

/** A setupRequest hook that signs each request with a fresh transaction id. */
function macSigner(url, creds, algorithm) {
  const u = new URL(url);
  return (req) => {
    const now = Date.now();
    const input = {
      url: `${u.protocol}//${u.host}${u.pathname}`, sender: 'bench', customerId: creds.customerId, timestamp: formatMacTimestamp(now),
      language: 'EN', organisationId: creds.organisationId, transactionId: randomUUID(),
      timestampUnix: String(Math.floor(now / 1000)), customerKey: creds.customerKey, partnerKey: creds.partnerKey,
    };
    const headers = buildMacHeaders(input, { partnerId: creds.partnerId, algorithm, mac: computeMac(input, algorithm), useHttpStatusCodes: true });
    return { ...req, headers: { ...req.headers, ...headers, accept: 'application/json' } };
  };
}

export async function benchIngest() {
  const pin = pinning();
  const results = {};

  const base = await startProcess([new URL('./baseline-server.mjs', import.meta.url).pathname], {}, pin.server);
  try {
    await warm(base.url);
    results.baseline = await measure(base.url, base.pid);
  } finally {
    await stopProcess(base);
  }

  const dataDir = mkdtempSync(join(tmpdir(), 'vg-bench-ingest-'));
  const token = 'B'.repeat(48);
  // BENCH_PROFILE=<dir>: write a V8 CPU profile of the Vaultgate server there (node --cpu-prof).
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  // BENCH_CLI=<path to dist/cli/main.js of another build>: measure that build instead (before/after comparisons).
  const vg = await startProcess([...profile, process.env.BENCH_CLI ?? CLI, 'serve'], {
    VAULTGATE_DATA_DIR: dataDir, VAULTGATE_PORT: '0', VAULTGATE_ADMIN_TOKEN: token, VAULTGATE_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info', VAULTGATE_RETENTION_SWEEP_S: '0',
  }, pin.server);
  try {
    const a = (m, p, b) => adminCall(vg.url, token, m, p, b);
    const co = await a('POST', '/companies', { name: 'Bench Oy', businessId: '1967543-8' });
    const tp = await a('POST', '/parties', { name: 'Bench vendor' });
    const pc = await a('POST', `/parties/${tp.id}/partner-credentials`);
    const cc = await a('POST', `/companies/${co.id}/customer-credentials`, { name: 'bench' });
    const ch = await a('POST', '/channels', { companyId: co.id, partyId: tp.id, messageTypes: [{ name: 'Bench', mediaTypes: ['application/json'] }] });
    const creds = { partnerId: pc.partnerId, partnerKey: pc.partnerKey, customerId: cc.customerId, customerKey: cc.customerKey, organisationId: '1967543-8' };
    // BENCH_ORDER=HMACSHA256,SHA256 measures the cases in another order (the first measured case has been the
    // slower one in this build whichever it is; see docs/performance.md).
    for (const algorithm of (process.env.BENCH_ORDER ?? 'SHA256,HMACSHA256').split(',')) {
      const sign = macSigner(ch.url, creds, algorithm);
      await warm(ch.url, sign);
      const before = await commitBatches(vg.url, token);
      results[`mac${algorithm}`] = await measure(ch.url, vg.pid, sign);
      const after = await commitBatches(vg.url, token);
      // Messages per durable commit in the measured run (from the server's own metrics).
      results[`mac${algorithm}`].meanBatch = +((after.sum - before.sum) / Math.max(1, after.count - before.count)).toFixed(1);
    }
  } finally {
    await stopProcess(vg);
    rmSync(dataDir, { recursive: true, force: true });
  }

  console.log(`ingestion (1 KiB JSON, ${CONNECTIONS} connections, ${DURATION_S} s after ${WARMUP_S} s warm-up; ${pin.note})`);
  for (const [name, r] of Object.entries(results)) {
    const ratio = (r.requestsPerS / results.baseline.requestsPerS).toFixed(2);
    const batch = r.meanBatch === undefined ? '' : `  batch ${r.meanBatch}`;
    console.log(`  ${name.padEnd(14)} ${String(r.requestsPerS).padStart(6)} req/s  cpu ${r.cpuUsPerRequest} µs/req${batch}  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  max ${r.maxMs} ms  errors ${r.errors}  non-2xx ${r.non2xx}  peak RSS ${r.peakRssMiB} MiB  ratio ${ratio}`);
    r.ratioToBaseline = Number(ratio);
  }
  return { name: 'ingest', connections: CONNECTIONS, durationS: DURATION_S, pinning: pin.note, ...results };
}
