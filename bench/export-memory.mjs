// Export throughput and memory, and the idle server's memory as the vault grows.
//
// One data directory is filled through the store (bulk inserts of sealed 1 KiB messages, not over HTTP) in steps:
// BENCH_VAULT_SIZES (default 10000,100000,1000000). At each size a fresh server is started pinned to the server core
// and left idle: its RSS is read (idle RSS must stay flat, within 10 %, from the smallest to the largest vault). At
// the sizes in BENCH_EXPORT_SIZES (default 10000,100000) the whole vault is then exported over HTTP: throughput in
// messages/s and MiB/s, the server's CPU time per message, its peak RSS; the largest export runs a second time with
// V8's old space capped at 32 MiB (it can only finish if the export's memory is bounded).
// BENCH_PROFILE=<dir> writes a V8 CPU profile of each exporting server there.
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { newId } from '../dist/protocol/index.js';
import { signRequest } from '../dist/sdk/index.js';
import { openSqliteKeyStore, openSqliteStore } from '../dist/store/index.js';
import { loadKeyring } from '../dist/server/crypto/keyring.js';
import { VaultCrypto } from '../dist/server/crypto/vault-crypto.js';
import { messageAad } from '../dist/server/services/ingest-message.js';
import { cpuMicros, memory, pinning } from './lib.mjs';

const CLI = new URL('../dist/cli/main.js', import.meta.url).pathname;
const BODY_BYTES = 1024;
const HEAP_CAP_MIB = 32;
const sizes = (name, fallback) => (process.env[name] ?? fallback).split(',').map(Number).filter((n) => n > 0).sort((a, b) => a - b);
const TARGETS = { exportMessagesPerS: 100_000, idleRssGrowth: 0.1 };

function startServer(dataDir, pin, nodeArgs = []) {
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  // BENCH_CLI=<another build>/dist/cli/main.js serves the exports and idle runs (before/after comparisons).
  const argv = [...pin.server, process.execPath, ...profile, ...nodeArgs, process.env.BENCH_CLI ?? CLI, 'serve'];
  const child = spawn(argv[0], argv.slice(1), {
    env: { PATH: process.env.PATH, VAULTGATE_DATA_DIR: dataDir, VAULTGATE_PORT: '0', VAULTGATE_LOG_LEVEL: 'info', VAULTGATE_RETENTION_SWEEP_S: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d) => {
      out += d;
      const m = /"code":"LISTENING","url":"([^"]+)"/.exec(out);
      if (m) {
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve({ child, url: m[1] });
      }
    };
    child.stdout.on('data', onData);
    child.on('exit', (c) => reject(new Error(`server exited ${c}: ${out}`)));
  });
}
const stop = (s) => new Promise((r) => { s.child.removeAllListeners('exit'); s.child.once('exit', r); s.child.kill('SIGTERM'); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function admin(url, token, method, path, body) {
  const res = await request(`${url}/admin/v1${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return res.body.json();
}

/** A data dir with one company, channel and reader credential, and an empty vault. */
async function prepare(pin) {
  const dataDir = mkdtempSync(join(tmpdir(), 'vg-bench-'));
  const s = await startServer(dataDir, pin);
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  const co = await admin(s.url, token, 'POST', '/companies', { name: 'Bench Oy', businessId: '1967543-8' });
  const tp = await admin(s.url, token, 'POST', '/parties', { name: 'Bench vendor' });
  const partner = await admin(s.url, token, 'POST', `/parties/${tp.id}/partner-credentials`);
  const reader = await admin(s.url, token, 'POST', `/companies/${co.id}/customer-credentials`, { name: 'reader', scopes: ['vault.read'] });
  const ch = await admin(s.url, token, 'POST', '/channels', { companyId: co.id, partyId: tp.id, messageTypes: [{ name: 'Bench', mediaTypes: ['application/json'] }] });
  await stop(s);
  return {
    dataDir, stored: 0, companyId: co.id, channelId: ch.id, partyId: tp.id,
    creds: { partnerId: partner.partnerId, partnerKey: partner.partnerKey, customerId: reader.customerId, customerKey: reader.customerKey, organisationId: '1967543-8' },
  };
}

/** Fills the vault up to `count` messages through the store: sealed like ingestion seals them, 1000 per commit. */
async function fillTo(v, count) {
  const store = openSqliteStore({ file: join(v.dataDir, 'vaultgate.db') });
  const keys = openSqliteKeyStore({ file: join(v.dataDir, 'keystore.db') });
  const crypto = new VaultCrypto(keys, loadKeyring({ file: join(v.dataDir, 'master.key') }).keyring, { now: () => Date.now() }, 'test');
  const filler = 'x'.repeat(BODY_BYTES - 40);
  try {
    while (v.stored < count) {
      const items = [];
      for (let j = v.stored; j < Math.min(count, v.stored + 1000); j++) {
        const body = Buffer.from(JSON.stringify({ n: j, filler }).slice(0, BODY_BYTES));
        const id = newId('message', 'test');
        items.push({ message: {
          id, companyId: v.companyId, channelId: v.channelId, partyId: v.partyId, messageType: 'Bench', mediaType: 'application/json',
          contentType: 'application/json', size: body.length, sha256: createHash('sha256').update(body).digest('hex'),
          receivedAt: new Date().toISOString(), transactionId: randomUUID(),
          bodyCiphertext: await crypto.seal(v.companyId, body, messageAad(v.companyId, id)), keyVersion: 2,
        } });
      }
      await store.ingest(items);
      v.stored += items.length;
    }
  } finally {
    await store.close();
    await keys.close();
  }
}

/** The idle server's RSS over a vault of v.stored messages: started, one authenticated read, then left alone. */
async function measureIdle(v, pin) {
  const s = await startServer(v.dataDir, pin);
  try {
    // One list request (page of 100) so the vault's statements and pages are touched as a live server's would be.
    const url = `${s.url}/vault/v1/messages`;
    const res = await request(url, { headers: signRequest(v.creds, url) });
    await res.body.dump();
    if (res.statusCode !== 200) throw new Error(`list answered ${res.statusCode}`);
    await sleep(2000);
    const m = memory(s.child.pid);
    return { count: v.stored, idleRssMiB: +m.rssMiB.toFixed(1) };
  } finally {
    await stop(s);
  }
}

async function measureExport(v, pin, nodeArgs = []) {
  const s = await startServer(v.dataDir, pin, nodeArgs);
  try {
    const idle = memory(s.child.pid);
    const url = `${s.url}/vault/v1/export`;
    const cpuStart = cpuMicros(s.child.pid);
    const clientStart = process.cpuUsage();
    const started = process.hrtime.bigint();
    const res = await request(url, { headers: signRequest(v.creds, url) });
    if (res.statusCode !== 200) throw new Error(`export answered ${res.statusCode}: ${await res.body.text()}`);
    let bytes = 0;
    let lines = 0;
    let peak = idle.peakMiB;
    const sampler = setInterval(() => { peak = Math.max(peak, memory(s.child.pid).peakMiB); }, 50);
    for await (const chunk of res.body) {
      bytes += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    }
    clearInterval(sampler);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = cpuMicros(s.child.pid) - cpuStart;
    const client = process.cpuUsage(clientStart);
    peak = Math.max(peak, memory(s.child.pid).peakMiB);
    if (lines !== v.stored + 1) throw new Error(`expected ${v.stored + 1} lines, got ${lines}`);
    return {
      count: v.stored, idleRssMiB: +idle.rssMiB.toFixed(1), peakRssMiB: +peak.toFixed(1), seconds: +seconds.toFixed(2),
      messagesPerS: Math.round(v.stored / seconds), MiBPerS: +(bytes / 1048576 / seconds).toFixed(1),
      // The server's CPU (all threads) per exported message; 1e6 / this is what one core could export.
      cpuUsPerMessage: +(cpu / v.stored).toFixed(2),
      // The reading client (this process) as % of one core: near 100 % it, not the server, set the pace.
      clientCpuPct: Math.round(((client.user + client.system) / (seconds * 1e6)) * 100),
    };
  } finally {
    await stop(s);
  }
}

export async function benchExportMemory() {
  const pin = pinning();
  const vaultSizes = sizes('BENCH_VAULT_SIZES', '10000,100000,1000000');
  const exportSizes = new Set(sizes('BENCH_EXPORT_SIZES', '10000,100000'));
  const v = await prepare(pin);
  const idle = [];
  const exports = [];
  let capped;
  try {
    for (const n of [...new Set([...vaultSizes, ...exportSizes])].sort((a, b) => a - b)) {
      const t = Date.now();
      await fillTo(v, n);
      const fillS = (Date.now() - t) / 1000;
      // Each figure is printed as it comes (the largest vaults take minutes to fill), and summed up below.
      if (vaultSizes.includes(n)) {
        idle.push({ ...(await measureIdle(v, pin)), fillS: +fillS.toFixed(1) });
        console.log(`  (idle RSS at ${n} messages: ${idle.at(-1).idleRssMiB} MiB, filled in ${idle.at(-1).fillS} s)`);
      }
      if (exportSizes.has(n)) {
        exports.push(await measureExport(v, pin));
        console.log(`  (export of ${n}: ${exports.at(-1).messagesPerS} msg/s, ${exports.at(-1).cpuUsPerMessage} µs/msg)`);
      }
      // The largest export again with the heap capped, on the same vault (before it grows further).
      if (n === Math.max(...exportSizes)) capped = await measureExport(v, pin, [`--max-old-space-size=${HEAP_CAP_MIB}`]);
    }
  } finally {
    rmSync(v.dataDir, { recursive: true, force: true });
  }

  console.log(`export (1 KiB JSON bodies, server ${pin.note}; whole vault over HTTP as NDJSON)`);
  const show = (label, r) => console.log(`  ${label.padEnd(34)} ${String(r.messagesPerS).padStart(7)} msg/s  ${r.MiBPerS} MiB/s  cpu ${r.cpuUsPerMessage} µs/msg  client ${r.clientCpuPct} %  ${r.seconds} s  idle ${r.idleRssMiB} MiB, peak ${r.peakRssMiB} MiB`);
  for (const r of exports) show(`${r.count} messages`, r);
  if (capped) show(`${capped.count} messages, old space ${HEAP_CAP_MIB} MiB`, capped);
  console.log('idle server RSS by stored messages (after one list request, 2 s idle)');
  for (const r of idle) console.log(`  ${String(r.count).padStart(8)} messages  ${r.idleRssMiB} MiB  (filled in ${r.fillS} s)`);

  const targets = {};
  const largest = exports.at(-1);
  if (largest) {
    targets.exportMessagesPerS = { value: largest.messagesPerS, target: TARGETS.exportMessagesPerS, count: largest.count, met: largest.messagesPerS >= TARGETS.exportMessagesPerS };
    targets.exportPeakRssRatio = { value: exports.length > 1 ? +(largest.peakRssMiB / exports[0].peakRssMiB).toFixed(2) : 1, note: `peak RSS ${largest.count} / ${exports[0].count} messages; capped run completed` };
  }
  if (idle.length > 1) {
    const growth = +(idle.at(-1).idleRssMiB / idle[0].idleRssMiB - 1).toFixed(3);
    targets.idleRssFlat = { value: growth, target: TARGETS.idleRssGrowth, from: idle[0].count, to: idle.at(-1).count, met: growth <= TARGETS.idleRssGrowth };
  }
  for (const [name, t] of Object.entries(targets)) {
    if (t.met === undefined) continue;
    const what = name === 'idleRssFlat' ? `growth ${(t.value * 100).toFixed(1)} % from ${t.from} to ${t.to} (target ≤ ${t.target * 100} %)` : `${t.value} msg/s at ${t.count} (target ≥ ${t.target})`;
    console.log(`  ${name.padEnd(22)} ${what}: ${t.met ? 'met' : 'NOT met'}`);
  }
  return { name: 'export-memory', pinning: pin.note, exports, capped, heapCapMiB: HEAP_CAP_MIB, idle, targets };
}
