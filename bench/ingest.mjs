// Ingestion throughput: Vaultgate on its embedded store and on PostgreSQL, and two baselines, each server on its own
// core, driven from this process (core 0) by bench/load.mjs over 50 keep-alive connections, 1 KiB JSON bodies.
//
// Baselines: a bare node:http server (bench/baseline-server.mjs) receiving (1) the plain request (content-type and
// body only) and (2) byte-identical signed requests (the MAC SHA256 case's headers and body: same request line, Host,
// the ~700 bytes of X-Netvisor-* headers). Each Vaultgate case is reported as a ratio to both.
//
// Every signed request is prepared before the measured window: a pool sized from the warm-up's rate (× the window,
// with a margin), signed just before the window (fresh timestamps), each request sent once with its own transaction
// id (MAC) or Idempotency-Key (bearer). The generator's own CPU over the window is printed (% of one core); a case is
// INVALID when it reached LOADGEN_SATURATED_PCT: its figure then says more about the client than the server.
// Every acknowledged message is durably committed: nothing is relaxed to win.
//
// webhooks (issue 15): the MAC SHA256 case again on a gateway with 10 active webhook endpoints (HTTPS receivers on
// localhost, bench/webhook-receivers.mjs, not pinned), reported beside the plain macSHA256 figure of the same run with
// the deliveries made during the window: dispatch reads by position and must not slow ingestion. BENCH_WEBHOOK_RATE
// overrides the per-endpoint delivery rate (default: the shipped 50/s).
//
// batch (issue 17): messages/s in batches of 100 and 1,000 beside the single-message macSHA256 figure of the same run
// (bench/ingest-batch.mjs); BENCH_CASES=batch runs macSHA256 and the batches only.
//
// BENCH_CASES=mac,bearer,postgres,webhooks,batch chooses the Vaultgate cases (default: all); BENCH_DURATION_S, BENCH_WARMUP_S the
// window and warm-up; BENCH_POOL_MAX caps a pool (default 1,000,000 requests).
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { buildMacHeaders, computeMac, formatMacTimestamp } from '../dist/protocol/index.js';
import { benchBatches, reportBatches } from './ingest-batch.mjs';
import { adminCall, CLI, cpuMicros, memory, pinning, startProcess, stopProcess, TICKS_PER_S } from './lib.mjs';
import { LOADGEN_SATURATED_PCT, requestHead, requestPool, runLoad } from './load.mjs';
import { backendsCpu, backendsCpuDelta, backendsOf, benchSchema, dropSchemas, PG_URL, pgUnavailable } from './postgres.mjs';

const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 3);
const POOL_MAX = Number(process.env.BENCH_POOL_MAX ?? 1_000_000);
/** The measured pool holds this many times the warm-up's rate × the window (a server faster after warm-up). */
const POOL_MARGIN = 1.5;
const BODY = Buffer.from(JSON.stringify({ order: 'A-1', filler: 'x'.repeat(1024 - 30) }).slice(0, 1024));

/** The 1-minute load average of the machine (the other work on it), from /proc/loadavg. */
const loadAverage = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

/** The commit batch histogram's sum and count, from GET /metrics. */
async function commitBatches(url, { token }) {
  const res = await request(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.body.text();
  const read = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { sum: read('vaultgate_commit_batch_size_sum'), count: read('vaultgate_commit_batch_size_count') };
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

/**
 * CPU time of each thread of a process so far (from /proc/<pid>/task/<tid>/stat), µs of user and system time by
 * thread name (threads of one name summed: libuv's pool threads are all `libuv-worker`, V8's `V8 Worker`, …).
 */
function threadCpu(pid) {
  const out = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended
    }
    const name = tid === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const t = (out[name] ??= { user: 0, system: 0 });
    t.user += (Number(f[11]) * 1e6) / TICKS_PER_S;
    t.system += (Number(f[12]) * 1e6) / TICKS_PER_S;
  }
  return out;
}

/** Per thread name: µs of user and system CPU per request over a window (names that used none are left out). */
function threadCpuPerRequest(before, after, requests) {
  const out = {};
  for (const [name, t] of Object.entries(after)) {
    const b = before[name] ?? { user: 0, system: 0 };
    const user = Math.round((t.user - b.user) / Math.max(1, requests));
    const system = Math.round((t.system - b.system) / Math.max(1, requests));
    if (user + system > 0) out[name] = { user, system };
  }
  return out;
}

/*
 * Fair use (issue 17 §3): the bench's one party would be refused at the default rate limits, so the gateways run
 * with limits in force but out of reach (BENCH_RATE_LIMIT messages per 10 s, default 100,000,000): every request
 * pays for the counting, none is refused. BENCH_RATE_LIMIT=0 turns them off. The `nolimits` case measures macSHA256
 * (and postgresMacSHA256 when chosen) again on a gateway with the limits off, in the same run: the cost of counting.
 */
const RATE_LIMIT = process.env.BENCH_RATE_LIMIT ?? '100000000';
const rateLimitEnv = (quota = RATE_LIMIT) => ({ VAULTGATE_RATE_LIMIT_PARTY_MESSAGES: quota, VAULTGATE_RATE_LIMIT_CHANNEL_MESSAGES: quota, VAULTGATE_RATE_LIMIT_WINDOW_S: '10' });

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
      VAULTGATE_DATA_DIR: dataDir, VAULTGATE_PORT: '0', VAULTGATE_ADMIN_TOKEN: token, VAULTGATE_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info', VAULTGATE_RETENTION_SWEEP_S: '0', ...rateLimitEnv(), ...env,
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


/**
 * Where the requests go and how they are signed: the channel URL of a Vaultgate server and its credentials. The
 * baselines receive requests prepared for the same URL, so their bytes are those the gateway receives.
 */
function target(channelUrl, creds) {
  const u = new URL(channelUrl);
  const common = { host: u.host, 'content-type': 'application/json', accept: 'application/json' };
  return {
    url: `${u.protocol}//${u.host}${u.pathname}`, path: u.pathname, creds, common,
    plainHead: requestHead('POST', u.pathname, common, BODY.length),
  };
}

/** `n` requests signed now (MAC, `algorithm`), each with its own transaction id. */
function macHeads(t, algorithm, n) {
  const heads = new Array(n);
  const c = t.creds;
  for (let i = 0; i < n; i++) {
    const now = Date.now();
    const input = {
      url: t.url, sender: 'bench', customerId: c.customerId, timestamp: formatMacTimestamp(now), language: 'EN',
      organisationId: c.organisationId, transactionId: randomUUID(), timestampUnix: String(Math.floor(now / 1000)),
      customerKey: c.customerKey, partnerKey: c.partnerKey,
    };
    const mac = buildMacHeaders(input, { partnerId: c.partnerId, algorithm, mac: computeMac(input, algorithm), useHttpStatusCodes: true });
    heads[i] = requestHead('POST', t.path, { ...t.common, ...mac }, BODY.length);
  }
  return heads;
}

/** `n` bearer requests: one token for all (as an integration reuses it), a fresh Idempotency-Key on each. */
function bearerHeads(t, accessToken, n) {
  const heads = new Array(n);
  const authorization = `Bearer ${accessToken}`;
  for (let i = 0; i < n; i++) heads[i] = requestHead('POST', t.path, { ...t.common, authorization, 'idempotency-key': randomUUID() }, BODY.length);
  return heads;
}

const poolSize = (rate, seconds, margin) => Math.min(POOL_MAX, Math.ceil(rate * seconds * margin) + 2 * CONNECTIONS);

/**
 * One case: a warm-up (its own pool, sized from `hintRate`), then a pool sized from the warm-up's rate, prepared,
 * then the measured window. `heads(n)` prepares n requests (undefined: the plain request, repeated).
 */
async function runCase(server, heads, hintRate, opts = {}) {
  const { hostname: host, port } = new URL(server.url);
  const pool = (n) => (heads ? requestPool(heads(n), BODY) : requestPool([opts.plainHead], BODY, { reuse: true }));
  const warm = await runLoad({ host, port, pool: pool(poolSize(hintRate, WARMUP_S, 1.2)), connections: CONNECTIONS, durationS: WARMUP_S });
  const prepStart = performance.now();
  // A short warm-up runs partly before the JIT has warmed up: size from the faster of its rate and the hint.
  const measured = pool(poolSize(Math.max(warm.requestsPerS, hintRate), DURATION_S, POOL_MARGIN));
  const prepareS = +((performance.now() - prepStart) / 1000).toFixed(2);
  const dbPids = opts.dbPids ? await opts.dbPids() : undefined;
  const batchesBefore = opts.metrics ? await commitBatches(opts.metrics.url, opts.metrics) : undefined;
  const load = loadAverage();
  const cpuStart = cpuMicros(server.pid);
  const threadsStart = threadCpu(server.pid);
  const dbStart = dbPids && backendsCpu(dbPids);
  const r = await runLoad({ host, port, pool: measured, connections: CONNECTIONS, durationS: DURATION_S });
  const cpu = cpuMicros(server.pid) - cpuStart;
  const threads = threadCpuPerRequest(threadsStart, threadCpu(server.pid), r.requests);
  const f = {
    loadAverage: load, requestsPerS: r.requestsPerS, requests: r.requests, windowS: r.seconds,
    // CPU time (user + system, all threads) the server spent per request answered in the window.
    cpuUsPerRequest: Math.round(cpu / Math.max(1, r.requests)),
    p50Ms: r.p50Ms, p99Ms: r.p99Ms, maxMs: r.maxMs, errors: r.errors, non2xx: r.non2xx, peakRssMiB: +memory(server.pid).peakMiB.toFixed(1),
    loadGenCpuPct: r.loadGenCpuPct, loadGenCpuUsPerRequest: r.loadGenCpuUsPerRequest,
    pool: heads ? { size: measured.size, used: measured.used, exhausted: r.poolExhausted, preparedInS: prepareS } : undefined,
    valid: r.loadGenCpuPct < LOADGEN_SATURATED_PCT,
    threads,
  };
  if (!f.valid) f.invalidReason = `load generator at ${r.loadGenCpuPct} % of its core (limit ${LOADGEN_SATURATED_PCT} %)`;
  // PostgreSQL's backends serving this gateway: their CPU per request, counted apart from the gateway's.
  if (dbPids) f.dbCpuUsPerRequest = Math.round(backendsCpuDelta(dbStart, backendsCpu(dbPids)) / Math.max(1, r.requests));
  if (opts.metrics) {
    const after = await commitBatches(opts.metrics.url, opts.metrics);
    // Messages per durable commit in the measured run (from the server's own metrics).
    f.meanBatch = +((after.sum - batchesBefore.sum) / Math.max(1, after.count - batchesBefore.count)).toFixed(1);
  }
  return f;
}

const TARGETS = {
  macToSignedBaseline: 0.5, macCpuUsPerRequest: 100, macP99Ms: 20, macMaxMs: 60,
  bearerToMac: 1, postgresToEmbedded: 0.3,
};

async function startPostgresGateway(pin, extraEnv = {}) {
  const schema = benchSchema();
  try {
    const gw = await startGateway(pin, {
      ...extraEnv,
      VAULTGATE_DATABASE_URL: PG_URL, VAULTGATE_DATABASE_SCHEMA: schema, VAULTGATE_KEYSTORE_URL: PG_URL,
      VAULTGATE_KEYSTORE_SCHEMA: `${schema}_keys`, VAULTGATE_MASTER_KEY: randomBytes(32).toString('base64'),
    });
    return { ...gw, stop: async () => { try { await gw.stop(); } finally { await dropSchemas([schema, `${schema}_keys`]); } } };
  } catch (err) {
    await dropSchemas([schema, `${schema}_keys`]);
    throw err;
  }
}

export async function benchIngest() {
  const pin = pinning();
  const cases = new Set((process.env.BENCH_CASES ?? 'mac,bearer,postgres,webhooks,batch').split(','));
  let batch;
  const results = {};
  const skipped = {};
  const pgWhy = cases.has('postgres') ? await pgUnavailable() : 'not chosen (BENCH_CASES)';
  if (cases.has('postgres') && pgWhy) skipped.postgresMacSHA256 = pgWhy;

  // The gateway whose channel URL and credentials every request is prepared for (it idles while the baselines run).
  let embedded = cases.has('mac') || cases.has('bearer') || cases.has('batch') ? await startGateway(pin, {}) : undefined;
  let pgGateway = !embedded && !pgWhy ? await startPostgresGateway(pin) : undefined;
  try {
    const first = embedded ?? pgGateway;
    const t = first
      ? target(first.channelUrl, first.creds)
      : target('http://127.0.0.1:1/ingestion/chn_test_bench', { partnerId: 'p', partnerKey: 'k'.repeat(32), customerId: 'c', customerKey: 'k'.repeat(32), organisationId: '1967543-8' });

    const base = await startProcess([new URL('./baseline-server.mjs', import.meta.url).pathname], {}, pin.server);
    try {
      results.baselinePlain = await runCase({ url: base.url, pid: base.pid }, undefined, 0, { plainHead: t.plainHead });
      results.baselineSigned = await runCase({ url: base.url, pid: base.pid }, (n) => macHeads(t, 'SHA256', n), results.baselinePlain.requestsPerS);
    } finally {
      await stopProcess(base);
    }
    const hint = results.baselineSigned.requestsPerS / 2;

    if (embedded) {
      const server = { url: embedded.vg.url, pid: embedded.vg.pid };
      // BENCH_ORDER=HMACSHA256,SHA256 measures the MAC cases in another order (the first measured case has been
      // the slower one whichever it is; see docs/performance.md).
      for (const algorithm of cases.has('mac') ? (process.env.BENCH_ORDER ?? 'SHA256,HMACSHA256').split(',') : cases.has('batch') ? ['SHA256'] : []) {
        results[`mac${algorithm}`] = await runCase({ ...server, url: embedded.channelUrl }, (n) => macHeads(t, algorithm, n), hint, { metrics: { url: embedded.vg.url, token: embedded.token } });
      }
      if (cases.has('bearer')) {
        const accessToken = await fetchToken(embedded.vg.url, await embedded.oauthClient());
        results.bearer = await runCase({ ...server, url: embedded.channelUrl }, (n) => bearerHeads(t, accessToken, n), hint, { metrics: { url: embedded.vg.url, token: embedded.token } });
      }
      // Issue 17: the batch cases on the same gateway, after the single-message cases they are compared with.
      if (cases.has('batch')) batch = await benchBatches(embedded, BODY);
      await embedded.stop();
      embedded = undefined;
      // The same MAC case with the rate limits off (fair use, issue 17 §3): what counting costs per request.
      if (cases.has('nolimits') && cases.has('mac')) {
        embedded = await startGateway(pin, rateLimitEnv('0'));
        const tn = target(embedded.channelUrl, embedded.creds);
        results.macSHA256NoLimits = await runCase({ url: embedded.channelUrl, pid: embedded.vg.pid }, (n) => macHeads(tn, 'SHA256', n), hint, { metrics: { url: embedded.vg.url, token: embedded.token } });
        await embedded.stop();
        embedded = undefined;
      }
    }

    if (cases.has('webhooks')) results.macSHA256Webhooks = await runWebhooksCase(pin, t, hint);

    if (cases.has('postgres') && !pgWhy) {
      pgGateway ??= await startPostgresGateway(pin);
      const tp = target(pgGateway.channelUrl, pgGateway.creds);
      results.postgresMacSHA256 = await runCase({ url: pgGateway.channelUrl, pid: pgGateway.vg.pid }, (n) => macHeads(tp, 'SHA256', n), hint, {
        metrics: { url: pgGateway.vg.url, token: pgGateway.token }, dbPids: () => backendsOf(pgGateway.vg.pid),
      });
      if (cases.has('nolimits')) {
        const done = pgGateway;
        pgGateway = undefined;
        await done.stop();
        pgGateway = await startPostgresGateway(pin, rateLimitEnv('0'));
        const tq = target(pgGateway.channelUrl, pgGateway.creds);
        results.postgresNoLimits = await runCase({ url: pgGateway.channelUrl, pid: pgGateway.vg.pid }, (n) => macHeads(tq, 'SHA256', n), hint, {
          metrics: { url: pgGateway.vg.url, token: pgGateway.token }, dbPids: () => backendsOf(pgGateway.vg.pid),
        });
      }
    }
  } finally {
    if (embedded) await embedded.stop();
    if (pgGateway) await pgGateway.stop();
  }
  const out = report(pin, results, skipped);
  if (batch) {
    reportBatches(batch, results.macSHA256);
    out.batch = batch;
  }
  return out;
}

/**
 * The MAC SHA256 case on a fresh embedded gateway with WEBHOOK_ENDPOINTS endpoints of the tenant's company, each at
 * its own HTTPS receiver (self-signed, trusted through VAULTGATE_WEBHOOK_CA; 127.0.0.1 allowed explicitly), with the
 * shipped defaults (50 deliveries/s per endpoint, dispatch every 500 ms); BENCH_WEBHOOK_RATE=<n> sets the per-endpoint
 * rate (e.g. 100000: dispatch flat out, the worst case for ingestion beside it).
 */
const WEBHOOK_ENDPOINTS = 10;
async function runWebhooksCase(pin, t, hint) {
  const dir = mkdtempSync(join(tmpdir(), 'vg-bench-webhooks-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const receivers = await startProcess([new URL('./webhook-receivers.mjs', import.meta.url).pathname], { WEBHOOK_CERT: cert, WEBHOOK_KEY: key, WEBHOOK_RECEIVERS: String(WEBHOOK_ENDPOINTS) });
  const control = async (path) => (await (await request(`${receivers.url}${path}`)).body.json());
  let gw;
  try {
    gw = await startGateway(pin, {
      VAULTGATE_WEBHOOK_ALLOW_CIDRS: '127.0.0.1', VAULTGATE_WEBHOOK_CA: cert,
      ...(process.env.BENCH_WEBHOOK_RATE ? { VAULTGATE_WEBHOOK_RATE_LIMIT_PER_S: process.env.BENCH_WEBHOOK_RATE } : {}),
    });
    const companyId = (await adminCall(gw.vg.url, gw.token, 'GET', '/companies?limit=1')).items[0].id;
    for (const port of await control('/ports')) {
      const res = await request(`${gw.vg.url}/api/v1/organisations/${companyId}/webhook-endpoints`, {
        method: 'POST', headers: { authorization: `Bearer ${gw.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ url: `https://127.0.0.1:${port}/hook` }),
      });
      if (res.statusCode !== 201) throw new Error(`webhook endpoint: ${res.statusCode} ${await res.body.text()}`);
      await res.body.dump();
    }
    const tw = target(gw.channelUrl, gw.creds);
    const before = (await control('/count')).count;
    const started = performance.now();
    const r = await runCase({ url: gw.channelUrl, pid: gw.vg.pid }, (n) => macHeads(tw, 'SHA256', n), hint, { metrics: { url: gw.vg.url, token: gw.token } });
    // Deliveries made while the warm-up and the window ran (10 per message when dispatch keeps up).
    const delivered = (await control('/count')).count - before;
    r.webhooks = { endpoints: WEBHOOK_ENDPOINTS, delivered, deliveriesPerS: Math.round(delivered / ((performance.now() - started) / 1000)) };
    return r;
  } finally {
    if (gw) await gw.stop();
    await stopProcess(receivers);
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(pin, results, skipped) {
  const plain = results.baselinePlain.requestsPerS;
  const signed = results.baselineSigned.requestsPerS;
  console.log(`ingestion (1 KiB JSON, ${CONNECTIONS} connections, ${DURATION_S} s after ${WARMUP_S} s warm-up; ${pin.note}; requests prepared before each window; a case is INVALID when the load generator reached ${LOADGEN_SATURATED_PCT} % of its core)`);
  for (const [name, r] of Object.entries(results)) {
    r.ratioToSigned = +(r.requestsPerS / signed).toFixed(2);
    r.ratioToPlain = +(r.requestsPerS / plain).toFixed(2);
    const batch = r.meanBatch === undefined ? '' : `  batch ${r.meanBatch}`;
    const db = r.dbCpuUsPerRequest === undefined ? '' : ` + db ${r.dbCpuUsPerRequest} µs/req`;
    const pool = r.pool ? `  pool ${r.pool.used}/${r.pool.size}${r.pool.exhausted ? ' (used up: window cut to ' + r.windowS + ' s)' : ''}` : '';
    console.log(`  ${name.padEnd(17)} ${String(r.requestsPerS).padStart(6)} req/s  cpu ${r.cpuUsPerRequest} µs/req${db}${batch}  p50 ${r.p50Ms} p99 ${r.p99Ms} max ${r.maxMs} ms  errors ${r.errors}  non-2xx ${r.non2xx}  peak RSS ${r.peakRssMiB} MiB  ratio ${r.ratioToSigned.toFixed(2)} signed / ${r.ratioToPlain.toFixed(2)} plain  load-gen ${r.loadGenCpuPct} % (${r.loadGenCpuUsPerRequest} µs/req)${pool}  (load ${r.loadAverage})${r.valid ? '' : `  INVALID: ${r.invalidReason}`}`);
    // Where the CPU per request went, by thread: user + system µs (the kernel's share of fdatasync, writev, … is system).
    if (r.threads) console.log(`  ${''.padEnd(17)} threads: ${Object.entries(r.threads).map(([t, c]) => `${t} ${c.user}+${c.system}`).join(', ')} µs/req (user+system)`);
  }
  for (const [name, why] of Object.entries(skipped)) console.log(`  ${name.padEnd(17)} skipped: ${why}`);

  const targets = {};
  const validAll = (...rs) => rs.every((r) => r.valid);
  const mac = results.macSHA256;
  if (mac) {
    const ok = validAll(mac, results.baselineSigned);
    targets.macSHA256 = {
      ratioToSigned: mac.ratioToSigned, target: TARGETS.macToSignedBaseline, cpuUsPerRequest: mac.cpuUsPerRequest, targetCpuUsPerRequest: TARGETS.macCpuUsPerRequest,
      p99Ms: mac.p99Ms, targetP99Ms: TARGETS.macP99Ms, maxMs: mac.maxMs, targetMaxMs: TARGETS.macMaxMs,
      met: ok ? mac.ratioToSigned >= TARGETS.macToSignedBaseline && mac.cpuUsPerRequest <= TARGETS.macCpuUsPerRequest && mac.p99Ms <= TARGETS.macP99Ms && mac.maxMs <= TARGETS.macMaxMs : 'invalid',
    };
  }
  if (results.bearer && mac) {
    const value = +(results.bearer.requestsPerS / mac.requestsPerS).toFixed(2);
    targets.bearerToMac = { value, target: TARGETS.bearerToMac, met: validAll(results.bearer, mac) ? value >= TARGETS.bearerToMac : 'invalid' };
  }
  if (results.macSHA256Webhooks && mac) {
    const w = results.macSHA256Webhooks;
    w.ratioToPlainMac = +(w.requestsPerS / mac.requestsPerS).toFixed(2);
    console.log(`  webhooks: ${w.webhooks.endpoints} active endpoints, ${w.webhooks.delivered} deliveries (${w.webhooks.deliveriesPerS}/s) during warm-up and window; ingestion ${w.requestsPerS} req/s = ${w.ratioToPlainMac.toFixed(2)} of macSHA256 without endpoints (receivers not pinned)`);
  }
  for (const [on, off] of [['macSHA256', 'macSHA256NoLimits'], ['postgresMacSHA256', 'postgresNoLimits']]) {
    const a = results[on];
    const b = results[off];
    if (a && b) console.log(`  rate limits: ${on} ${a.requestsPerS} req/s with limits in force vs ${b.requestsPerS} off = ${(a.requestsPerS / b.requestsPerS).toFixed(2)}; cpu ${a.cpuUsPerRequest} vs ${b.cpuUsPerRequest} µs/req${a.dbCpuUsPerRequest === undefined ? '' : `; db ${a.dbCpuUsPerRequest} vs ${b.dbCpuUsPerRequest} µs/req`}`);
  }
  if (results.postgresMacSHA256 && mac) {
    const value = +(results.postgresMacSHA256.requestsPerS / mac.requestsPerS).toFixed(2);
    results.postgresMacSHA256.ratioToEmbedded = value;
    targets.postgresToEmbedded = { value, target: TARGETS.postgresToEmbedded, met: validAll(results.postgresMacSHA256, mac) ? value >= TARGETS.postgresToEmbedded : 'invalid' };
  }
  if (results.postgresMacSHA256) {
    console.log('  (postgres: the gateway on the server core; PostgreSQL on the same machine, not pinned; "db" is the CPU of its backends serving the gateway)');
  }
  if (Object.keys(targets).length) console.log('targets (this run):');
  const verdict = (m) => (m === 'invalid' ? 'INVALID (load generator saturated)' : m ? 'met' : 'NOT met');
  if (targets.macSHA256) {
    const m = targets.macSHA256;
    console.log(`  macSHA256              ${m.ratioToSigned.toFixed(2)} of the signed baseline (≥ ${m.target}), cpu ${m.cpuUsPerRequest} µs/req (≤ ${m.targetCpuUsPerRequest}), p99 ${m.p99Ms} ms (≤ ${m.targetP99Ms}), max ${m.maxMs} ms (≤ ${m.targetMaxMs}): ${verdict(m.met)}`);
  }
  if (targets.bearerToMac) console.log(`  bearerToMac            ${targets.bearerToMac.value.toFixed(2)} (target ≥ ${TARGETS.bearerToMac.toFixed(2)}): ${verdict(targets.bearerToMac.met)}`);
  if (targets.postgresToEmbedded) console.log(`  postgresToEmbedded     ${targets.postgresToEmbedded.value.toFixed(2)} (target ≥ ${TARGETS.postgresToEmbedded.toFixed(2)}): ${verdict(targets.postgresToEmbedded.met)}`);
  return { name: 'ingest', connections: CONNECTIONS, durationS: DURATION_S, warmupS: WARMUP_S, pinning: pin.note, loadGenSaturatedPct: LOADGEN_SATURATED_PCT, ...results, skipped, targets };
}
