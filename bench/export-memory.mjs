// Export in constant memory: the server's peak RSS while streaming a 100k-message vault, against the same
// server streaming a 10k-message vault in the same run (the baseline). Flat memory means a ratio near 1.
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

const CLI = new URL('../dist/cli/main.js', import.meta.url).pathname;
const BODY_BYTES = 1024;

function startServer(dataDir, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'serve'], {
    env: { PATH: process.env.PATH, VAULTGATE_DATA_DIR: dataDir, VAULTGATE_PORT: '0', VAULTGATE_LOG_LEVEL: 'info', VAULTGATE_RETENTION_SWEEP_S: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /"code":"LISTENING","url":"([^"]+)"/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.on('exit', (c) => reject(new Error(`server exited ${c}: ${out}`)));
  });
}
const stop = (s) => new Promise((r) => { s.child.removeAllListeners('exit'); s.child.once('exit', r); s.child.kill('SIGTERM'); });

/** VmRSS and VmHWM (peak) of a process, in MiB. */
function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

async function admin(url, token, method, path, body) {
  const res = await request(`${url}/admin/v1${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return res.body.json();
}

/** A data dir with one vault of `count` messages of 1 KiB JSON, filled through the store (fast), not over HTTP. */
async function prepare(count) {
  const dataDir = mkdtempSync(join(tmpdir(), 'vg-bench-'));
  const s = await startServer(dataDir);
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  const co = await admin(s.url, token, 'POST', '/companies', { name: 'Bench Oy', businessId: '1967543-8' });
  const tp = await admin(s.url, token, 'POST', '/parties', { name: 'Bench vendor' });
  const partner = await admin(s.url, token, 'POST', `/parties/${tp.id}/partner-credentials`);
  const reader = await admin(s.url, token, 'POST', `/companies/${co.id}/customer-credentials`, { name: 'reader', scopes: ['vault.read'] });
  const ch = await admin(s.url, token, 'POST', '/channels', { companyId: co.id, partyId: tp.id, messageTypes: [{ name: 'Bench', mediaTypes: ['application/json'] }] });
  await stop(s);

  const store = openSqliteStore({ file: join(dataDir, 'vaultgate.db') });
  const keys = openSqliteKeyStore({ file: join(dataDir, 'keystore.db') });
  const crypto = new VaultCrypto(keys, loadKeyring({ file: join(dataDir, 'master.key') }).keyring, { now: () => Date.now() }, 'test');
  const filler = 'x'.repeat(BODY_BYTES - 40);
  for (let i = 0; i < count; i += 1000) {
    const items = [];
    for (let j = i; j < Math.min(count, i + 1000); j++) {
      const body = Buffer.from(JSON.stringify({ n: j, filler }).slice(0, BODY_BYTES));
      const id = newId('message', 'test');
      items.push({ message: {
        id, companyId: co.id, channelId: ch.id, partyId: tp.id, messageType: 'Bench', mediaType: 'application/json',
        contentType: 'application/json', size: body.length, sha256: createHash('sha256').update(body).digest('hex'),
        receivedAt: new Date().toISOString(), transactionId: randomUUID(),
        bodyCiphertext: await crypto.seal(co.id, body, messageAad(co.id, id)), keyVersion: 2,
      } });
    }
    await store.ingest(items);
  }
  await store.close();
  await keys.close();
  return { dataDir, creds: { partnerId: partner.partnerId, partnerKey: partner.partnerKey, customerId: reader.customerId, customerKey: reader.customerKey, organisationId: '1967543-8' } };
}

async function measureExport(prepared, count, nodeArgs = []) {
  const { dataDir, creds } = prepared;
  const s = await startServer(dataDir, nodeArgs);
  try {
    const idle = memory(s.child.pid);
    const url = `${s.url}/vault/v1/export`;
    const started = process.hrtime.bigint();
    const res = await request(url, { headers: signRequest(creds, url) });
    if (res.statusCode !== 200) throw new Error(`export answered ${res.statusCode}: ${await res.body.text()}`);
    let bytes = 0;
    let lines = 0;
    let peak = idle.peak;
    const sampler = setInterval(() => { peak = Math.max(peak, memory(s.child.pid).peak); }, 50);
    for await (const chunk of res.body) {
      bytes += chunk.length;
      for (const b of chunk) if (b === 10) lines++;
    }
    clearInterval(sampler);
    peak = Math.max(peak, memory(s.child.pid).peak);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (lines !== count + 1) throw new Error(`expected ${count + 1} lines, got ${lines}`);
    return { count, idleRssMiB: +idle.rss.toFixed(1), peakRssMiB: +peak.toFixed(1), seconds: +seconds.toFixed(2), messagesPerS: Math.round(count / seconds), MiBPerS: +(bytes / 1048576 / seconds).toFixed(1) };
  } finally {
    await stop(s);
  }
}

const HEAP_CAP_MIB = 32;

export async function benchExportMemory() {
  const small = await prepare(10_000);
  const big = await prepare(100_000);
  try {
    const baseline = await measureExport(small, 10_000);
    const large = await measureExport(big, 100_000);
    // The same 100k export with V8's old space capped: it can only finish if the export's memory is bounded.
    const capped = await measureExport(big, 100_000, [`--max-old-space-size=${HEAP_CAP_MIB}`]);
    const ratio = +(large.peakRssMiB / baseline.peakRssMiB).toFixed(2);
    console.log('export memory (server peak RSS while streaming the whole vault, 1 KiB JSON bodies)');
    const show = (label, r) => console.log(`  ${label.padEnd(34)} idle ${r.idleRssMiB} MiB, peak ${r.peakRssMiB} MiB, ${r.seconds} s, ${r.messagesPerS} msg/s, ${r.MiBPerS} MiB/s`);
    show('10k messages (baseline)', baseline);
    show('100k messages', large);
    show(`100k messages, old space ${HEAP_CAP_MIB} MiB`, capped);
    console.log(`  peak RSS ratio 100k / 10k (same run): ${ratio}; 100k completes with the heap capped at ${HEAP_CAP_MIB} MiB (peak ${capped.peakRssMiB} MiB)`);
    return { name: 'export-memory', baseline, large, capped, heapCapMiB: HEAP_CAP_MIB, peakRatio: ratio };
  } finally {
    rmSync(small.dataDir, { recursive: true, force: true });
    rmSync(big.dataDir, { recursive: true, force: true });
  }
}
