// Ingestion throughput: a bare node:http server (baseline) and Vaultgate, on its embedded store and on PostgreSQL,
// each on its own core, driven by autocannon from this process: 1 KiB JSON bodies, 50 connections, a warm-up, then
// a measured run, a fresh transaction id (MAC) or Idempotency-Key (bearer) on every request. Every acknowledged
// message is durably committed (SQLite WAL, synchronous=FULL; PostgreSQL synchronous_commit=on): nothing is
// relaxed to win. BENCH_CASES=mac,bearer,postgres chooses the Vaultgate cases (default: all).
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { request } from 'undici';
import { buildMacHeaders, computeMac, formatMacTimestamp } from '../dist/protocol/index.js';
import { adminCall, CLI, cpuMicros, memory, pinning, startProcess, stopProcess } from './lib.mjs';
import { backendsCpu, backendsCpuDelta, backendsOf, benchSchema, dropSchemas, PG_URL, pgUnavailable } from './postgres.mjs';

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

/** The 1-minute load average of the machine (the other work on it), from /proc/loadavg. */
const loadAverage = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

function figures(r, pid, cpu) {
  return {
    loadAverage: cpu.load,
    requestsPerS: Math.round(r.requests.average),
    // CPU time (user + system, all threads) the server spent per request answered in the measured run: robust to
    // other load on the machine, unlike req/s.
    cpuUsPerRequest: Math.round((cpu.end - cpu.start) / Math.max(1, r.requests.total)),
    p50Ms: r.latency.p50, p99Ms: r.latency.p99, maxMs: r.latency.max,
    errors: r.errors + r.timeouts, non2xx: r.non2xx, peakRssMiB: +memory(pid).peakMiB.toFixed(1),
  };
}

async function measure(url, pid, setupRequest, dbPids) {
  const load = loadAverage();
  const start = cpuMicros(pid);
  const dbStart = dbPids && backendsCpu(dbPids);
  const r = await drive(url, setupRequest);
  const f = figures(r, pid, { start, end: cpuMicros(pid), load });
  // PostgreSQL's backends serving this gateway: their CPU per request, counted apart from the gateway's.
  if (dbPids) f.dbCpuUsPerRequest = Math.round(backendsCpuDelta(dbStart, backendsCpu(dbPids)) / Math.max(1, r.requests.total));
  return f;
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

/** A setupRequest hook for bearer ingestion: one token for every request, a fresh Idempotency-Key on each. */
function bearerSigner(accessToken) {
  const auth = `Bearer ${accessToken}`;
  return (req) => ({ ...req, headers: { ...req.headers, authorization: auth, 'idempotency-key': randomUUID(), accept: 'application/json' } });
}

/** Fetches one access token from the built-in endpoint, as an integration does before it starts sending. */
async function fetchToken(url, client) {
  const res = await request(`${url}/oauth2/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }).toString(),
  });
  const body = await res.body.json();
  if (res.statusCode !== 200) throw new Error(`token endpoint answered ${res.statusCode}: ${JSON.stringify(body)}`);
  return body.access_token;
}

/** Starts a Vaultgate server (BENCH_CLI: another build) with a fresh data directory and one tenant. */
async function startGateway(pin, env) {
  const dataDir = mkdtempSync(join(tmpdir(), 'vg-bench-ingest-'));
  const token = 'B'.repeat(48);
  // BENCH_PROFILE=<dir>: write a V8 CPU profile of the Vaultgate server there (node --cpu-prof).
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  // BENCH_CLI=<path to dist/cli/main.js of another build>: measure that build instead (before/after comparisons).
  let vg;
  try {
    vg = await startProcess([...profile, process.env.BENCH_CLI ?? CLI, 'serve'], {
      VAULTGATE_DATA_DIR: dataDir, VAULTGATE_PORT: '0', VAULTGATE_ADMIN_TOKEN: token, VAULTGATE_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info', VAULTGATE_RETENTION_SWEEP_S: '0', ...env,
    }, pin.server);
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const a = (m, p, b) => adminCall(vg.url, token, m, p, b);
  const gw = { vg, token, stop: async () => { await stopProcess(vg); rmSync(dataDir, { recursive: true, force: true }); } };
  try {
    const co = await a('POST', '/companies', { name: 'Bench Oy', businessId: '1967543-8' });
    const tp = await a('POST', '/parties', { name: 'Bench vendor' });
    const pc = await a('POST', `/parties/${tp.id}/partner-credentials`);
    const cc = await a('POST', `/companies/${co.id}/customer-credentials`, { name: 'bench' });
    const ch = await a('POST', '/channels', { companyId: co.id, partyId: tp.id, messageTypes: [{ name: 'Bench', mediaTypes: ['application/json'] }] });
    gw.channelUrl = ch.url;
    gw.creds = { partnerId: pc.partnerId, partnerKey: pc.partnerKey, customerId: cc.customerId, customerKey: cc.customerKey, organisationId: '1967543-8' };
    gw.oauthClient = () => a('POST', `/parties/${tp.id}/clients`, { name: 'bench' });
    return gw;
  } catch (err) {
    await gw.stop();
    throw err;
  }
}

/** Warms a case up, then measures it, with the mean commit batch of the measured run. */
async function runCase(gw, setupRequest, dbPids) {
  await warm(gw.channelUrl, setupRequest);
  const pids = dbPids ? await dbPids() : undefined;
  const before = await commitBatches(gw.vg.url, gw.token);
  const r = await measure(gw.channelUrl, gw.vg.pid, setupRequest, pids);
  const after = await commitBatches(gw.vg.url, gw.token);
  // Messages per durable commit in the measured run (from the server's own metrics).
  r.meanBatch = +((after.sum - before.sum) / Math.max(1, after.count - before.count)).toFixed(1);
  return r;
}

const TARGETS = { macToBaseline: 0.5, macP99Ms: 10, bearerToBaseline: 0.45, postgresToEmbedded: 0.3 };

export async function benchIngest() {
  const pin = pinning();
  const cases = new Set((process.env.BENCH_CASES ?? 'mac,bearer,postgres').split(','));
  const results = {};
  const skipped = {};

  const base = await startProcess([new URL('./baseline-server.mjs', import.meta.url).pathname], {}, pin.server);
  try {
    await warm(base.url);
    results.baseline = await measure(base.url, base.pid);
  } finally {
    await stopProcess(base);
  }

  if (cases.has('mac') || cases.has('bearer')) {
    const gw = await startGateway(pin, {});
    try {
      // BENCH_ORDER=HMACSHA256,SHA256 measures the MAC cases in another order (the first measured case has been
      // the slower one whichever it is; see docs/performance.md).
      for (const algorithm of cases.has('mac') ? (process.env.BENCH_ORDER ?? 'SHA256,HMACSHA256').split(',') : []) {
        results[`mac${algorithm}`] = await runCase(gw, macSigner(gw.channelUrl, gw.creds, algorithm));
      }
      if (cases.has('bearer')) {
        const accessToken = await fetchToken(gw.vg.url, await gw.oauthClient());
        results.bearer = await runCase(gw, bearerSigner(accessToken));
      }
    } finally {
      await gw.stop();
    }
  }

  if (cases.has('postgres')) {
    const why = await pgUnavailable();
    if (why) {
      skipped.postgresMacSHA256 = why;
    } else {
      const schema = benchSchema();
      try {
        const gw = await startGateway(pin, {
          VAULTGATE_DATABASE_URL: PG_URL, VAULTGATE_DATABASE_SCHEMA: schema, VAULTGATE_KEYSTORE_URL: PG_URL,
          VAULTGATE_KEYSTORE_SCHEMA: `${schema}_keys`, VAULTGATE_MASTER_KEY: randomBytes(32).toString('base64'),
        });
        try {
          results.postgresMacSHA256 = await runCase(gw, macSigner(gw.channelUrl, gw.creds, 'SHA256'), () => backendsOf(gw.vg.pid));
        } finally {
          await gw.stop();
        }
      } finally {
        await dropSchemas([schema, `${schema}_keys`]);
      }
    }
  }

  console.log(`ingestion (1 KiB JSON, ${CONNECTIONS} connections, ${DURATION_S} s after ${WARMUP_S} s warm-up; ${pin.note})`);
  for (const [name, r] of Object.entries(results)) {
    r.ratioToBaseline = +(r.requestsPerS / results.baseline.requestsPerS).toFixed(2);
    const batch = r.meanBatch === undefined ? '' : `  batch ${r.meanBatch}`;
    const db = r.dbCpuUsPerRequest === undefined ? '' : ` + db ${r.dbCpuUsPerRequest} µs/req`;
    console.log(`  ${name.padEnd(17)} ${String(r.requestsPerS).padStart(6)} req/s  cpu ${r.cpuUsPerRequest} µs/req${db}${batch}  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  max ${r.maxMs} ms  errors ${r.errors}  non-2xx ${r.non2xx}  peak RSS ${r.peakRssMiB} MiB  ratio ${r.ratioToBaseline.toFixed(2)}  (load ${r.loadAverage})`);
  }
  for (const [name, why] of Object.entries(skipped)) console.log(`  ${name.padEnd(17)} skipped: ${why}`);

  const targets = {};
  const mac = results.macSHA256;
  if (mac) {
    targets.macSHA256ToBaseline = { value: mac.ratioToBaseline, target: TARGETS.macToBaseline, p99Ms: mac.p99Ms, targetP99Ms: TARGETS.macP99Ms, met: mac.ratioToBaseline >= TARGETS.macToBaseline && mac.p99Ms <= TARGETS.macP99Ms };
  }
  if (results.bearer) {
    targets.bearerToBaseline = { value: results.bearer.ratioToBaseline, target: TARGETS.bearerToBaseline, met: results.bearer.ratioToBaseline >= TARGETS.bearerToBaseline };
  }
  if (results.postgresMacSHA256 && mac) {
    const value = +(results.postgresMacSHA256.requestsPerS / mac.requestsPerS).toFixed(2);
    results.postgresMacSHA256.ratioToEmbedded = value;
    targets.postgresToEmbedded = { value, target: TARGETS.postgresToEmbedded, met: value >= TARGETS.postgresToEmbedded };
  }
  if (results.postgresMacSHA256) {
    console.log('  (postgres: the gateway on the server core; PostgreSQL on the same machine, not pinned; "db" is the CPU of its backends serving the gateway)');
  }
  if (Object.keys(targets).length) console.log('targets (ratios in this run):');
  for (const [name, t] of Object.entries(targets)) {
    const p99 = t.targetP99Ms === undefined ? '' : `, p99 ${t.p99Ms} ms (target ≤ ${t.targetP99Ms} ms)`;
    console.log(`  ${name.padEnd(22)} ${t.value.toFixed(2)} (target ≥ ${t.target.toFixed(2)})${p99}: ${t.met ? 'met' : 'NOT met'}`);
  }
  return { name: 'ingest', connections: CONNECTIONS, durationS: DURATION_S, pinning: pin.note, ...results, skipped, targets };
}
