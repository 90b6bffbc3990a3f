// The cost of audited vault reads (issue 13 §6): every list, get or export request appends one event to the audit
// chain (durably, before the answer) while ingestion appends none. Measured on one server process:
//   - vault list (limit 10) and vault get: requests/s with 8 concurrent clients and the server's CPU µs per request;
//   - the baseline in the same run and process: GET /vault/v1/audit?limit=10, the same authentication (bearer) and
//     an indexed read of about as many rows, without an append;
//   - in this process, appendAudit alone on a SQLite store, one after another: CPU µs and wall µs per append (a commit
//     at synchronous=NORMAL made durable by an fdatasync of the WAL off the event loop, as the server does).
// BENCH_CLI=<dist/cli/main.js of another build> measures that build (e.g. main's, without the audit trail) instead.
// Run: BENCH=audit npm run bench, or node bench/audit-reads.mjs after npm run build.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { buildMacHeaders, computeMac, formatMacTimestamp } from '../dist/protocol/index.js';
import { openSqliteStore } from '../dist/store/index.js';
import { adminCall, CLI, cpuMicros, median, pinning, startProcess, stopProcess } from './lib.mjs';

const DURATION_MS = Number(process.env.BENCH_AUDIT_MS ?? 5000);
const CONNECTIONS = 8;

/** Requests/s and server CPU µs per request of `path`, sent by CONNECTIONS loops for DURATION_MS. */
async function measure(vg, path, headers) {
  const url = `${vg.url}${path}`;
  const once = async () => {
    const res = await request(url, { headers });
    await res.body.arrayBuffer();
    if (res.statusCode !== 200) throw new Error(`${path}: HTTP ${res.statusCode}`);
  };
  for (let i = 0; i < 50; i++) await once();
  const cpu0 = cpuMicros(vg.pid);
  const t0 = performance.now();
  let n = 0;
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (performance.now() - t0 < DURATION_MS) {
      await once();
      n++;
    }
  }));
  const s = (performance.now() - t0) / 1000;
  return { rps: n / s, cpuUsPerRequest: (cpuMicros(vg.pid) - cpu0) / n };
}

/** appendAudit alone, in this process: CPU and wall µs per append on a SQLite file (each one a durable commit). */
async function appendCost() {
  const dir = mkdtempSync(join(os.tmpdir(), 'vg-bench-audit-'));
  const store = openSqliteStore({ file: join(dir, 'audit.db') });
  try {
    const event = (i) => ({
      id: `ae_test_bench${String(i).padStart(21, '0')}`, at: new Date().toISOString(), environment: 'test', actor: { kind: 'oauth-client', id: 'oc_test_bench' },
      action: 'vault.list', subject: 'co_test_bench', tenants: ['co_test_bench'], clientAddress: '127.0.0.1', requestId: 'req-bench', outcome: 'success',
      details: { selection: {}, cursor: null, nextCursor: 'Y3Vyc29yOjEw', count: 10, firstMessageId: 'msg_test_a', lastMessageId: 'msg_test_b' },
    });
    for (let i = 0; i < 100; i++) await store.appendAudit(event(i));
    const n = 2000;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 100; i < 100 + n; i++) await store.appendAudit(event(i));
    const wall = ((performance.now() - t0) * 1000) / n;
    const used = process.cpuUsage(cpu0);
    return { cpuUs: (used.user + used.system) / n, wallUs: wall };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchAuditReads() {
  const pin = pinning();
  const dataDir = mkdtempSync(join(os.tmpdir(), 'vg-bench-audit-srv-'));
  const token = randomBytes(24).toString('base64url');
  const vg = await startProcess([process.env.BENCH_CLI ?? CLI, 'serve'], {
    VAULTGATE_DATA_DIR: dataDir, VAULTGATE_PORT: '0', VAULTGATE_ADMIN_TOKEN: token, VAULTGATE_LOG_LEVEL: 'info', VAULTGATE_RETENTION_SWEEP_S: '0',
    VAULTGATE_AUTH_THROTTLE_CREDENTIAL_FAILURES: '0', VAULTGATE_AUTH_THROTTLE_ADDRESS_FAILURES: '0',
    VAULTGATE_RATE_LIMIT_PARTY_MESSAGES: '0', VAULTGATE_RATE_LIMIT_CHANNEL_MESSAGES: '0',
  }, pin.server);
  const rounds = { list: [], get: [], baseline: [] };
  let append;
  try {
    const a = (m, p, b) => adminCall(vg.url, token, m, p, b);
    const co = await a('POST', '/companies', { name: 'Bench Oy', businessId: '1967543-8' });
    const tp = await a('POST', '/parties', { name: 'Bench vendor' });
    const pc = await a('POST', `/parties/${tp.id}/partner-credentials`);
    const cc = await a('POST', `/companies/${co.id}/customer-credentials`, { name: 'bench' });
    const ch = await a('POST', '/channels', { companyId: co.id, partyId: tp.id, messageTypes: [{ name: 'Bench', mediaTypes: ['application/json'] }] });
    // 200 messages of 1 KiB to read.
    let messageId;
    for (let i = 0; i < 200; i++) {
      const now = Date.now();
      const input = {
        url: ch.url, sender: 'bench', customerId: cc.customerId, timestamp: formatMacTimestamp(now), language: 'EN', organisationId: '1967543-8',
        transactionId: `bench-${i}-${randomBytes(6).toString('hex')}`, timestampUnix: String(Math.floor(now / 1000)), partnerKey: pc.partnerKey, customerKey: cc.customerKey,
      };
      const headers = buildMacHeaders(input, { partnerId: pc.partnerId, algorithm: 'SHA256', mac: computeMac(input, 'SHA256'), useHttpStatusCodes: true });
      const res = await request(ch.url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ i, pad: 'x'.repeat(1000) }) });
      const sent = await res.body.json();
      if (res.statusCode !== 200) throw new Error(`ingest: ${JSON.stringify(sent)}`);
      messageId = sent.messageId;
    }
    const client = await a('POST', `/companies/${co.id}/clients`, { name: 'bench reader', roles: ['vault.read'] });
    const tok = await request(`${vg.url}/oauth2/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, scope: 'vault.read' }).toString(),
    });
    const bearer = { authorization: `Bearer ${(await tok.body.json()).access_token}` };
    // Build without the audit trail (BENCH_CLI=main's): it has no /vault/v1/audit; the baseline is then a 404-free list of 1.
    const baselinePath = (await request(`${vg.url}/vault/v1/audit?limit=10`, { headers: bearer }).then(async (r) => (await r.body.arrayBuffer(), r.statusCode))) === 200
      ? '/vault/v1/audit?limit=10' : '/vault/v1/messages?limit=1';
    // Three alternating rounds: other load on the machine affects each kind alike.
    for (let r = 0; r < 3; r++) {
      rounds.baseline.push(await measure(vg, baselinePath, bearer));
      rounds.list.push(await measure(vg, '/vault/v1/messages?limit=10', bearer));
      rounds.get.push(await measure(vg, `/vault/v1/messages/${messageId}`, bearer));
    }
    append = await appendCost().catch((err) => ({ error: err.message }));
  } finally {
    await stopProcess(vg);
    rmSync(dataDir, { recursive: true, force: true });
  }
  const med = (xs, k) => median(xs.map((x) => x[k]));
  const result = Object.fromEntries(Object.entries(rounds).map(([k, xs]) => [k, { rps: +med(xs, 'rps').toFixed(0), cpuUsPerRequest: +med(xs, 'cpuUsPerRequest').toFixed(0) }]));
  console.log(`audited vault reads (${pin.note}; ${CONNECTIONS} clients, ${DURATION_MS / 1000} s x 3 rounds, median; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}):`);
  for (const [k, v] of Object.entries(result)) console.log(`  ${k.padEnd(9)} ${String(v.rps).padStart(6)} req/s  ${String(v.cpuUsPerRequest).padStart(6)} µs CPU/request`);
  console.log(`  list vs baseline: ${(result.list.rps / result.baseline.rps).toFixed(2)}x req/s, +${result.list.cpuUsPerRequest - result.baseline.cpuUsPerRequest} µs CPU/request`);
  if (append && !append.error) console.log(`  appendAudit alone (SQLite: NORMAL commit + WAL fdatasync, sequential): ${append.cpuUs.toFixed(0)} µs CPU, ${append.wallUs.toFixed(0)} µs wall per event`);
  return { name: 'audit', ...result, append, loadAverage: os.loadavg() };
}

if (import.meta.url === `file://${process.argv[1]}`) await benchAuditReads();
