// The CPU cost of each part of the ingestion hot path, measured alone in this process (process.cpuUsage over many
// iterations, so it is robust to other load on the machine): what one accepted request costs besides HTTP itself.
// Run: node bench/hot-path-budget.mjs (after npm run build), or BENCH=budget npm run bench.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Counter, Histogram, Registry } from 'prom-client';
import {
  buildMacHeaders, canonicalUrls, checkMacTimestamp, computeMac, formatMacTimestamp, newId, parseMacHeaders,
  resolveMacAlgorithm, verifyMac,
} from '../dist/protocol/index.js';
import { loadKeyring } from '../dist/server/crypto/keyring.js';
import { VaultCrypto } from '../dist/server/crypto/vault-crypto.js';
import { openSqliteKeyStore, openSqliteStore } from '../dist/store/index.js';

const BODY = Buffer.from(JSON.stringify({ order: 'A-1', filler: 'x'.repeat(1024 - 30) }).slice(0, 1024));

/** CPU µs per call of `fn` (sync or async), over `n` calls after `n / 10` warm-up calls. */
async function cost(n, fn) {
  for (let i = 0; i < n / 10; i++) await fn(i);
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn(i);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

export async function benchHotPathBudget() {
  const dir = mkdtempSync(join(tmpdir(), 'vg-bench-budget-'));
  const parts = {};
  try {
    // MAC: parse the headers, verify SHA256 and HMACSHA256 over the canonical URL, check the timestamp.
    const keys = { partnerKey: 'P'.repeat(64), customerKey: 'C'.repeat(64) };
    for (const algorithm of ['SHA256', 'HMACSHA256']) {
      const now = Date.now();
      const input = {
        url: 'http://127.0.0.1:8080/ingestion/ch_test_01abcdefghjkmnpqrstvwxyz0', sender: 'bench', customerId: 'cid_test_01abc',
        timestamp: formatMacTimestamp(now), language: 'EN', organisationId: '1967543-8', transactionId: randomUUID(),
        timestampUnix: String(Math.floor(now / 1000)), ...keys,
      };
      const headers = Object.fromEntries(Object.entries(buildMacHeaders(input, { partnerId: 'pid_test_01abc', algorithm, mac: computeMac(input, algorithm), useHttpStatusCodes: true })).map(([k, v]) => [k.toLowerCase(), v]));
      parts[`mac${algorithm}`] = await cost(20000, () => {
        const h = parseMacHeaders(headers);
        const a = resolveMacAlgorithm(h.value.algorithm, false);
        if (!verifyMac(h.value, a, canonicalUrls('http://127.0.0.1:8080', '/ingestion/ch_test_01abcdefghjkmnpqrstvwxyz0'), keys).ok) throw new Error('bench MAC did not verify');
        checkMacTimestamp(h.value, now, 300);
      });
    }

    // Seal: SHA-256 of the body, a message id, AES-256-GCM under the vault's (cached) data key.
    const { keyring } = loadKeyring({ file: join(dir, 'master.key') });
    const keyStore = openSqliteKeyStore({ file: join(dir, 'keys.db') });
    const crypto = new VaultCrypto(keyStore, keyring, { now: () => Date.now() }, 'test');
    await crypto.seal('co_test_1', BODY, 'warm');
    parts.sealAndHash = await cost(20000, async () => {
      const id = newId('message', 'test');
      createHash('sha256').update(BODY).digest('hex');
      await crypto.seal('co_test_1', BODY, `message:co_test_1:${id}`);
    });

    // Store: durable commits of 50 messages each, as the server runs them (in the process at synchronous=NORMAL, the
    // batch answered after one fdatasync of the WAL; the checkpointer thread beside it).
    const sealed = await crypto.seal('co_test_1', BODY, 'x');
    for (const name of ['storePerMessage']) {
      const store = openSqliteStore({ file: join(dir, `${name}.db`) });
      const at = new Date().toISOString();
      await store.createCompany({ id: 'co_test_1', name: 'Bench Oy', businessId: '1967543-8', createdAt: at });
      await store.createParty({ id: 'tp_test_1', name: 'Bench', status: 'active', createdAt: at, disabledAt: null });
      await store.createChannel({ id: 'ch_test_1', companyId: 'co_test_1', partyId: 'tp_test_1', messageTypes: [], status: 'active', createdAt: at, disabledAt: null });
      const message = () => ({
        message: {
          id: newId('message', 'test'), companyId: 'co_test_1', channelId: 'ch_test_1', partyId: 'tp_test_1', messageType: 'Bench',
          mediaType: 'application/json', contentType: 'application/json', size: BODY.length, sha256: 'a'.repeat(64), receivedAt: at,
          transactionId: randomUUID(), bodyCiphertext: sealed, keyVersion: 2,
        },
      });
      parts[name] = (await cost(400, () => store.ingest(Array.from({ length: 50 }, message)))) / 50;
      await store.close();
    }
    await keyStore.close();

    // One JSON log line per request, and the request metrics.
    const log = pino({ base: { service: 'vaultgate' } }, pino.destination({ dest: openSync('/dev/null', 'w'), sync: false }));
    parts.logLine = await cost(50000, (i) => log.info({ reqId: randomUUID(), method: 'POST', url: '/ingestion/ch_test_1', remoteAddress: '127.0.0.1', statusCode: 200, responseTime: i % 10 }, 'request completed'));
    const registry = new Registry();
    const requests = new Counter({ name: 'r', help: 'r', labelNames: ['route', 'method', 'code'], registers: [registry] });
    const duration = new Histogram({ name: 'd', help: 'd', labelNames: ['route'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10], registers: [registry] });
    parts.metrics = await cost(100000, (i) => {
      requests.inc({ route: '/ingestion/:channelId', method: 'POST', code: 'OK' });
      duration.observe({ route: '/ingestion/:channelId' }, (i % 10) / 1000);
    });
    parts.randomUuid = await cost(100000, () => randomUUID());
    parts.randomBytes12 = await cost(100000, () => randomBytes(12));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('hot-path CPU budget (µs of CPU per call, measured alone in one process):');
  for (const [name, us] of Object.entries(parts)) console.log(`  ${name.padEnd(16)} ${us.toFixed(1).padStart(7)} µs`);
  return { name: 'budget', cpuUsPerCall: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, +v.toFixed(1)])) };
}

if (import.meta.url === `file://${process.argv[1]}`) await benchHotPathBudget();
