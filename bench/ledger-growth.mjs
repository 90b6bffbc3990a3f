// The cost per message of the ingest path as the transaction-id ledger grows (issue 12 §2), for the old design
// (schema version 2: TEXT ids, four message indexes and the UNIQUE id, one random-keyed ledger b-tree with a
// created_at index) and the new one (version 3: lean messages, partitioned ledger with Bloom filters of sealed
// partitions), in the same run, alternating per size so both see the same machine.
//
// For each size both ledgers are first filled to that many remembered ids (random transaction ids, as clients
// send them; bulk inserts, not measured), then group commits of 256 messages with fresh random ids go through
// the ingest path as the server runs it: in the process at synchronous=NORMAL, each batch answered after one
// fdatasync of the WAL, the checkpointer thread beside it. The new design is the store itself; the old one is the
// same connection setup, WAL syncer and checkpointer over the version-2 schema with the old two statements.
// Reported per message: CPU µs of this process (robust to other load), wall µs, and WAL pages written (in a
// second pass without checkpoints: what the checkpointer then has to copy).
//
//   BENCH_LEDGER_SIZES=10000,100000,1000000,10000000 node bench/ledger-growth.mjs [--batches 40]
//
// 10M ids take minutes to fill and ~2 GB of disk per design: run it on a quiet machine. Needs `npm run build`.
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../dist/store/index.js';
import { BloomFilter, hashKey } from '../dist/store/sqlite/bloom.js';
import { CheckpointerThread } from '../dist/store/sqlite/checkpointer-thread.js';
import { createPartitionSql, LEDGER_PARTITION_ROWS, LedgerFilters, PartitionedLedger } from '../dist/store/sqlite/ledger.js';
import { applyMigrations, MIGRATIONS } from '../dist/store/sqlite/migrations.js';
import { messageParams } from '../dist/store/sqlite/rows.js';
import { WalSyncer } from '../dist/store/sqlite/wal-sync.js';

const { values: opt } = parseArgs({ options: { batches: { type: 'string', default: '40' } } });
const sizes = (process.env.BENCH_LEDGER_SIZES ?? '10000,100000,1000000,10000000').split(',').map(Number);
const BATCH = 256;
const batches = Number(opt.batches);
const base = Date.UTC(2026, 0, 1);
// Every remembered id lies within the last day before the measured messages: all of them are inside the window.
const at = (ms) => new Date(base + ms).toISOString();
const MEASURE_AT = base + 86_400_000;

const company = { id: 'co_test_bench0000000000000000001', name: 'Bench Oy', businessId: '1967543-8', createdAt: at(0) };
const party = { id: 'tp_test_bench0000000000000000001', name: 'Vendor', status: 'active', createdAt: at(0), disabledAt: null };
const channel = { id: 'ch_test_bench0000000000000000001', companyId: company.id, partyId: party.id, messageTypes: [{ name: 't', mediaTypes: ['application/json'] }], status: 'active', createdAt: at(0), disabledAt: null };
const body = randomBytes(1024 + 28);
let n = 0;
const message = () => ({
  id: `msg_test_${String(++n).padStart(26, '0')}`, companyId: company.id, channelId: channel.id, partyId: party.id,
  messageType: 't', mediaType: 'application/json', contentType: 'application/json', size: 1024, sha256: 'ab'.repeat(32),
  receivedAt: at(MEASURE_AT - base + n), transactionId: randomUUID(), bodyCiphertext: body, keyVersion: 1,
});

/**
 * The fill commits at synchronous=OFF; its pages must be on disk before measuring, or the measured phase's first
 * checkpoint (which syncs the database file) pays for writing back the whole fill.
 */
function settle(db, file) {
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function progress(label, done, total) {
  if (total >= 1_000_000) process.stdout.write(`\r  filling ${label}: ${done.toLocaleString('en')} / ${total.toLocaleString('en')} ids`);
  if (done === total && total >= 1_000_000) process.stdout.write('\n');
}

/** The old design: the version-2 schema, driven as the old store drove it. */
function openOld(file) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  applyMigrations(db, MIGRATIONS.filter((m) => m.version <= 2));
  db.prepare('INSERT OR IGNORE INTO companies (id, name, business_id, created_at) VALUES (@id, @name, @businessId, @createdAt)').run(company);
  db.prepare('INSERT OR IGNORE INTO parties (id, name, status, created_at, disabled_at) VALUES (@id, @name, @status, @createdAt, @disabledAt)').run(party);
  db.prepare('INSERT OR IGNORE INTO channels (id, company_id, party_id, message_types, status, created_at, disabled_at) VALUES (@id, @companyId, @partyId, @messageTypes, @status, @createdAt, @disabledAt)')
    .run({ ...channel, messageTypes: JSON.stringify(channel.messageTypes) });
  return db;
}

const oldDesign = {
  name: 'old (v2)',
  fill(file, from, to) {
    const db = openOld(file);
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -1000000');
    const fill = db.prepare('INSERT INTO transaction_ledger (party_id, transaction_id, message_id, created_at) VALUES (?, ?, NULL, ?)');
    const many = db.transaction((a, b) => { for (let i = a; i < b; i++) fill.run(party.id, randomUUID(), at((i * 86_400_000) / to)); });
    for (let i = from; i < to; i += 100_000) {
      many(i, Math.min(to, i + 100_000));
      progress(this.name, Math.min(to, i + 100_000), to);
    }
    settle(db, file);
  },
  async measure(file, { checkpoints = true } = {}) {
    const db = openOld(file);
    db.pragma('synchronous = NORMAL');
    db.pragma('wal_autocheckpoint = 0');
    db.pragma('foreign_keys = ON');
    const insertLedger = db.prepare(`INSERT INTO transaction_ledger (party_id, transaction_id, message_id, created_at)
      VALUES (@partyId, @transactionId, @messageId, @at) ON CONFLICT DO NOTHING`);
    const insertMessage = db.prepare(`INSERT INTO messages (id, company_id, channel_id, party_id, message_type, media_type, content_type, size,
      sha256, received_at, transaction_id, body_ciphertext, key_version) VALUES (@id, @company_id, @channel_id, @party_id, @message_type,
      @media_type, @content_type, @size, @sha256, @received_at, @transaction_id, @body_ciphertext, @key_version)`);
    const batch = db.transaction((ms) => {
      for (const m of ms) {
        if (insertLedger.run({ partyId: m.partyId, transactionId: m.transactionId, messageId: m.id, at: m.receivedAt }).changes === 0) throw new Error('a fresh transaction id was refused');
        insertMessage.run(messageParams(m));
      }
    });
    const syncer = new WalSyncer({ walPath: `${file}-wal` });
    const checkpointer = checkpoints ? new CheckpointerThread({ file, checkpointIntervalMs: 1000, walLimitBytes: 16 * 1024 * 1024 }) : undefined;
    checkpointer?.start();
    const r = await (checkpoints ? timed : walPages)(async (ms) => { batch.immediate(ms); await syncer.sync(); }, file);
    await checkpointer?.close();
    syncer.close();
    db.close();
    return r;
  },
};

const newDesign = {
  name: 'new (v3)',
  async fill(file, from, to) {
    if (from === 0) {
      const store = openSqliteStore({ file });
      await store.createCompany(company);
      await store.createParty(party);
      await store.createChannel(channel);
      await store.close();
    }
    // Partitions as the store leaves them: full ones sealed with their filter, and the newest one taking inserts,
    // half full (the average over its life) with ids of the last minute, so that it is not sealed for its age.
    const db = new Database(file);
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -1000000');
    const current = () => db.prepare('SELECT id, rows FROM transaction_ledger_partitions ORDER BY id DESC LIMIT 1').get();
    const seal = () => {
      const p = current();
      if (p.rows === 0) return;
      const f = new BloomFilter(p.rows);
      for (const [party, t] of db.prepare(`SELECT party_id, transaction_id FROM transaction_ledger_${p.id}`).raw(true).iterate()) f.add(hashKey(party, t));
      db.prepare('UPDATE transaction_ledger_partitions SET filter = ? WHERE id = ?').run(f.toBytes(), p.id);
      db.exec(createPartitionSql(Number(db.prepare('INSERT INTO transaction_ledger_partitions (rows) VALUES (0)').run().lastInsertRowid)));
    };
    const put = (count, time) => {
      for (let done = 0; done < count; ) {
        const p = current();
        const k = Math.min(count - done, LEDGER_PARTITION_ROWS - p.rows);
        const insert = db.prepare(`INSERT INTO transaction_ledger_${p.id} (party_id, transaction_id, message_id, created_at) VALUES (?, ?, NULL, ?)`);
        db.transaction(() => {
          for (let j = 0; j < k; j++) insert.run(party.id, randomUUID(), time(done + j));
          db.prepare(`UPDATE transaction_ledger_partitions SET rows = rows + ?, min_at = MIN(COALESCE(min_at, ?), ?),
            max_at = MAX(COALESCE(max_at, ?), ?) WHERE id = ?`).run(k, time(done), time(done), time(done + k - 1), time(done + k - 1), p.id);
          if (p.rows + k === LEDGER_PARTITION_ROWS) seal();
        })();
        done += k;
        progress(this.name, from + done, to);
      }
    };
    const recent = Math.min(to - from, LEDGER_PARTITION_ROWS / 2);
    db.transaction(seal)();
    put(to - from - recent, (j) => at(((from + j) * 86_400_000) / to));
    db.transaction(seal)();
    const tail = MEASURE_AT - base - 60_000;
    put(recent, (j) => at(tail + Math.floor((j * 60_000) / recent)));
    settle(db, file);
  },
  async measure(file, { checkpoints = true } = {}) {
    // Without checkpoints: the checkpointer's first one comes after 10 minutes (the power-loss test's switch).
    // Every sealed partition in the generation filters before measuring (the warm-up batch scans them): the
    // steady state. What that costs after a restart is measured by restart() below.
    const store = openSqliteStore({ file, ledger: { coverRowsPerBatch: Infinity }, ...(checkpoints ? {} : { testOnly: { checkpointIntervalMs: 600_000 } }) });
    const r = await (checkpoints ? timed : walPages)(async (ms) => {
      const outcomes = await store.ingest(ms.map((m) => ({ message: m })));
      if (!outcomes.every((o) => o.ok)) throw new Error('a fresh transaction id was refused');
    }, file);
    await store.close();
    return r;
  },
};

/**
 * What a restart costs the new design: a fresh ledger's first batch, which reads the catalog and every stored
 * partition filter and scans every sealed partition into the generation filters (coverRowsPerBatch: Infinity; by
 * default that work is spread over batches), and the memory of all filters then. Then the ledger's own cost per
 * fresh id, without the message row, the WAL sync or the checkpointer: `batches` committed batches of 256 ids
 * (synchronous=OFF), CPU µs per id.
 */
function restart(file) {
  const db = new Database(file);
  try {
    db.pragma('synchronous = OFF');
    const filters = new LedgerFilters();
    const ledger = new PartitionedLedger(db, filters, { coverRowsPerBatch: Infinity });
    const time = at(MEASURE_AT - base + n);
    db.exec('BEGIN IMMEDIATE');
    const t0 = performance.now();
    ledger.begin(time);
    const ms = performance.now() - t0;
    db.exec('ROLLBACK');
    const memory = { restartMs: Math.round(ms), filterMiB: +(filters.bytes() / 2 ** 20).toFixed(1), generations: filters.generations.length, sealedPartitions: filters.sealed.size };
    const batch = db.transaction((ids) => {
      ledger.begin(time);
      for (const t of ids) if (ledger.consume(party.id, t, null, time) !== undefined) throw new Error('a fresh transaction id was refused');
      ledger.end();
    });
    const ids = () => Array.from({ length: BATCH }, () => randomUUID());
    batch.immediate(ids());
    const all = Array.from({ length: batches }, ids);
    const cpu0 = process.cpuUsage();
    for (const b of all) batch.immediate(b);
    const cpu = process.cpuUsage(cpu0);
    return { ...memory, ledgerCpuUs: +((cpu.user + cpu.system) / (batches * BATCH)).toFixed(2) };
  } finally {
    db.close();
  }
}

/** One warm-up batch, then `batches` measured ones. */
async function timed(runBatch) {
  await runBatch(Array.from({ length: BATCH }, message));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let b = 0; b < batches; b++) await runBatch(Array.from({ length: BATCH }, message));
  const wall = ((performance.now() - t0) * 1000) / (batches * BATCH);
  const cpu = process.cpuUsage(cpu0);
  return { cpuUs: +((cpu.user + cpu.system) / (batches * BATCH)).toFixed(1), wallUs: +wall.toFixed(1) };
}

/**
 * WAL pages written per message (what the checkpointer later copies into the database): one warm-up batch, the
 * WAL emptied, 8 batches with no checkpoint, then the WAL's size in frames (4 KiB page + 24-byte header).
 */
async function walPages(runBatch, file) {
  await runBatch(Array.from({ length: BATCH }, message));
  const plain = new Database(file);
  try {
    plain.pragma('wal_checkpoint(TRUNCATE)');
    const pageSize = plain.pragma('page_size', { simple: true });
    for (let b = 0; b < 8; b++) await runBatch(Array.from({ length: BATCH }, message));
    return { walPagesPerMessage: +((statSync(`${file}-wal`).size - 32) / (pageSize + 24) / (8 * BATCH)).toFixed(2) };
  } finally {
    plain.close();
  }
}

// BENCH_LEDGER_DESIGNS=new (or old) measures one design only (e.g. to profile it with --cpu-prof).
const designs = [oldDesign, newDesign].filter((d) => (process.env.BENCH_LEDGER_DESIGNS ?? 'old,new').split(',').includes(d === oldDesign ? 'old' : 'new'));
const dir = mkdtempSync(join(tmpdir(), 'vg-bench-ledger-'));
const results = [];
try {
  const filled = new Map();
  for (const size of sizes) {
    const row = { rememberedIds: size };
    for (const design of designs) {
      const file = join(dir, `${design === oldDesign ? 'old' : 'new'}.db`);
      // Ids the measured batches added count as remembered too.
      const have = filled.get(design) ?? 0;
      if (have < size) await design.fill(file, have, size);
      const r = await design.measure(file);
      const pages = await design.measure(file, { checkpoints: false });
      filled.set(design, Math.max(have, size) + (batches + 10) * BATCH + (design === newDesign ? (batches + 1) * BATCH : 0));
      row[design === oldDesign ? 'old' : 'new'] = { ...r, ...pages, ...(design === newDesign ? restart(file) : {}), load: +loadavg()[0].toFixed(2) };
    }
    results.push(row);
    const show = (name) => {
      const r = row[name];
      if (!r) return '';
      const extra = r.restartMs === undefined ? '' : `, ledger alone ${r.ledgerCpuUs} µs CPU, restart ${r.restartMs} ms, filters ${r.filterMiB} MiB (${r.generations} generations, ${r.sealedPartitions} sealed partitions)`;
      return `${name} ${r.cpuUs} µs CPU, ${r.wallUs} µs wall, ${r.walPagesPerMessage} WAL pages${extra}, load ${r.load}`;
    };
    console.log(`${String(size).padStart(9)} ids, per message: ${[show('old'), show('new')].filter(Boolean).join('; ')}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify({ ledgerGrowth: results }));
