// The transaction-id ledger's cost per insert as the number of remembered ids grows (issue 12 §2): for each size,
// the ledger is filled to that many ids (random transaction ids, as clients send them), then group commits of
// 256 messages with fresh random ids go through the store's real ingest path (ledger row + message, NORMAL +
// the WAL's fdatasync). Reported per message: CPU µs of this process (robust to other load on the machine) and
// wall µs, plus the ledger insert alone (its statement in a transaction, no message, no sync).
//
//   node bench/ledger-growth.mjs [--sizes 10000,100000,1000000,10000000] [--batches 40]
//
// The full claim is 10k to 10M; the fill of 10M ids takes minutes and ~1.5 GB of disk, so run it on a quiet
// machine. Needs `npm run build`.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../dist/store/index.js';

const { values: opt } = parseArgs({
  options: { sizes: { type: 'string', default: '10000,100000,1000000,10000000' }, batches: { type: 'string', default: '40' } },
});
const sizes = opt.sizes.split(',').map(Number);
const BATCH = 256;
const batches = Number(opt.batches);
const at = (s) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();

const dir = mkdtempSync(join(tmpdir(), 'vg-bench-ledger-'));
const file = join(dir, 'vault.db');
const results = [];
try {
  let store = openSqliteStore({ file });
  const company = { id: 'co_test_bench0000000000000000001', name: 'Bench Oy', businessId: '1967543-8', createdAt: at(0) };
  const party = { id: 'tp_test_bench0000000000000000001', name: 'Vendor', status: 'active', createdAt: at(0), disabledAt: null };
  const channel = { id: 'ch_test_bench0000000000000000001', companyId: company.id, partyId: party.id, messageTypes: [{ name: 't', mediaTypes: ['application/json'] }], status: 'active', createdAt: at(0), disabledAt: null };
  await store.createCompany(company);
  await store.createParty(party);
  await store.createChannel(channel);
  await store.close();

  let filled = 0;
  let n = 0;
  const body = randomBytes(1024 + 28);
  const message = () => ({
    id: `msg_test_${String(++n).padStart(26, '0')}`, companyId: company.id, channelId: channel.id, partyId: party.id,
    messageType: 't', mediaType: 'application/json', contentType: 'application/json', size: 1024, sha256: 'ab'.repeat(32),
    receivedAt: at(1000 + n), transactionId: randomUUID(), bodyCiphertext: body, keyVersion: 1,
  });
  for (const size of sizes) {
    // Fill the ledger to `size` ids with its own statement, in large transactions (the fill is not measured).
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    const fill = db.prepare('INSERT INTO transaction_ledger (party_id, transaction_id, message_id, created_at) VALUES (?, ?, NULL, ?)');
    const fillMany = db.transaction((k) => { for (let i = 0; i < k; i++) fill.run(party.id, randomUUID(), at(filled + i)); });
    while (filled < size) {
      const k = Math.min(100_000, size - filled);
      fillMany(k);
      filled += k;
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
    // The ledger insert alone.
    const insert = db.prepare('INSERT INTO transaction_ledger (party_id, transaction_id, message_id, created_at) VALUES (?, ?, NULL, ?) ON CONFLICT DO NOTHING');
    const one = db.transaction(() => { for (let i = 0; i < BATCH; i++) insert.run(party.id, randomUUID(), at(size + i)); });
    const c0 = process.cpuUsage();
    for (let b = 0; b < batches; b++) one();
    const c1 = process.cpuUsage(c0);
    const ledgerOnlyCpuUs = (c1.user + c1.system) / (batches * BATCH);
    filled += batches * BATCH;
    db.close();

    store = openSqliteStore({ file });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let b = 0; b < batches; b++) {
      const outcomes = await store.ingest(Array.from({ length: BATCH }, () => ({ message: message() })));
      if (!outcomes.every((o) => o.ok)) throw new Error('a fresh transaction id was refused');
    }
    const wallUs = ((performance.now() - t0) * 1000) / (batches * BATCH);
    const cpu = process.cpuUsage(cpu0);
    filled += batches * BATCH;
    await store.close();
    const r = { rememberedIds: size, ingestCpuUsPerMessage: +((cpu.user + cpu.system) / (batches * BATCH)).toFixed(1), ingestWallUsPerMessage: +wallUs.toFixed(1), ledgerInsertCpuUs: +ledgerOnlyCpuUs.toFixed(1) };
    results.push(r);
    console.log(`${String(size).padStart(9)} ids: ingest ${r.ingestCpuUsPerMessage} µs CPU, ${r.ingestWallUsPerMessage} µs wall per message; ledger insert alone ${r.ledgerInsertCpuUs} µs CPU`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify({ ledgerGrowth: results }));
