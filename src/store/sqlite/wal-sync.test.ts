import { execFileSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { fdatasync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createFixtures } from '../conformance/fixtures.js';
import { applyMigrations, MIGRATIONS } from './migrations.js';
import { messageParams } from './rows.js';
import { openSqliteStore } from './sqlite-store.js';
import { WalSyncer, type FdatasyncFn } from './wal-sync.js';

/*
 * The durability conditions of committing at synchronous=NORMAL with one asynchronous fdatasync of the WAL per
 * group commit (issue 12 §2), each on a real file: nothing derived from the database is answered before the sync
 * covering it; a failed sync stops the process; the fd follows the -wal file; SQLite keeps its own syncs.
 */
const root = mkdtempSync(join(tmpdir(), 'vg-walsync-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(root, `db-${++n}`, 'vault.db');

/** A real fdatasync that waits until the test releases it, recording when each one finished. */
function heldFdatasync(events: string[]): { fn: FdatasyncFn; release: () => void; calls: () => number } {
  const waiting: (() => void)[] = [];
  let calls = 0;
  let released = false;
  const fn: FdatasyncFn = (fd, cb) => {
    calls += 1;
    const go = (): void => fdatasync(fd, (err) => {
      events.push('synced');
      cb(err);
    });
    if (released) go();
    else waiting.push(go);
  };
  return { fn, calls: () => calls, release: () => { released = true; for (const w of waiting.splice(0)) w(); } };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('sqlite ingest: NORMAL + one fdatasync of the WAL per group commit', () => {
  it('commits ingest at NORMAL (not OFF: SQLite keeps its syncs at checkpoint, WAL restart and close) and the rest at FULL', async () => {
    const store = openSqliteStore({ file: fresh() });
    expect(store.connectionSettings()).toMatchObject({ journalMode: 'wal', synchronous: 2, ingestSynchronous: 1 });
    await store.close();
  });

  it('answers an ingest, a read of what it stored, and a duplicate naming it only after the fdatasync covering them', async () => {
    const events: string[] = [];
    const held = heldFdatasync(events);
    const store = openSqliteStore({ file: fresh(), testOnly: { fdatasync: held.fn } });
    const fx = createFixtures();
    const { company, channel } = await fx.seed(store);
    const message = fx.message(channel, { transactionId: 'tx-1' });
    const ingest = store.ingest([{ message }]).then((o) => (events.push('ingest answered'), o));
    await tick();
    // Committed (visible to the read connection) but not synced: nothing derived from it is answered yet.
    const read = store.getMessage(company.id, message.id).then((m) => (events.push('read answered'), m));
    const list = store.listMessages({ companyId: company.id, limit: 10 }).then((p) => (events.push('list answered'), p));
    const duplicate = store.ingest([{ message: fx.message(channel, { transactionId: 'tx-1' }) }]).then((o) => (events.push('duplicate answered'), o));
    for (let i = 0; i < 20; i++) await tick();
    expect(events).toEqual([]);
    expect(held.calls()).toBe(1);
    held.release();
    expect((await ingest)[0]!.ok).toBe(true);
    expect((await read)?.id).toBe(message.id);
    expect((await list).items.map((m) => m.id)).toEqual([message.id]);
    expect(await duplicate).toEqual([{ ok: false, reason: 'duplicate', existingMessageId: message.id }]);
    // Every answer came after the first sync; the duplicate after its own (its batch wrote to the WAL too).
    expect(events[0]).toBe('synced');
    expect(events.indexOf('duplicate answered')).toBeGreaterThan(events.lastIndexOf('synced'));
    await store.close();
  });

  it('a failed fdatasync fails the batch, calls the stop handler, and every later commit is refused', async () => {
    const failures: Error[] = [];
    const eio: FdatasyncFn = (_fd, cb) => cb(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    const store = openSqliteStore({ file: fresh(), testOnly: { fdatasync: eio }, onWalSyncFailure: (e) => failures.push(e) });
    const fx = createFixtures();
    const { channel } = await fx.seed(store);
    await expect(store.ingest([{ message: fx.message(channel) }])).rejects.toThrow(/fdatasync .* failed/);
    expect(failures).toHaveLength(1);
    expect((failures[0]!.cause as { code: string }).code).toBe('EIO');
    await expect(store.ingest([{ message: fx.message(channel) }])).rejects.toThrow(/fdatasync .* failed/);
    await store.close();
  });

  it('by default a failed fdatasync stops the process (exit 70, WAL_SYNC_FAILED on stderr)', () => {
    const file = fresh();
    const fx = createFixtures();
    const company = fx.company();
    const party = fx.party();
    const channel = fx.channel(company.id, party.id);
    const message = { ...fx.message(channel), bodyCiphertext: 'AAEC' };
    const script = `
      import { openSqliteStore } from ${JSON.stringify(join(process.cwd(), 'dist/store/index.js'))};
      const r = ${JSON.stringify({ company, party, channel, message })};
      const store = openSqliteStore({ file: ${JSON.stringify(file)}, testOnly: { fdatasync: (fd, cb) => cb(Object.assign(new Error('EIO'), { code: 'EIO' })) } });
      await store.createCompany(r.company);
      await store.createParty(r.party);
      await store.createChannel(r.channel);
      await store.ingest([{ message: { ...r.message, bodyCiphertext: Buffer.from(r.message.bodyCiphertext, 'base64') } }]).catch(() => undefined);
      setTimeout(() => console.log('still running'), 200);
    `;
    let status: number | null = 0;
    let stderr = '';
    let stdout = '';
    try {
      stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], { stdio: 'pipe' }).toString();
    } catch (err) {
      const e = err as { status: number | null; stderr: Buffer; stdout: Buffer };
      status = e.status;
      stderr = e.stderr.toString();
      stdout = e.stdout.toString();
    }
    expect(status).toBe(70);
    expect(stdout).not.toContain('still running');
    expect(JSON.parse(stderr.trim().split('\n').pop()!)).toMatchObject({ code: 'WAL_SYNC_FAILED' });
  });

  it('follows the -wal file when it is replaced: the next sync opens the new inode', async () => {
    const dir = join(root, `files-${++n}`);
    execFileSync('mkdir', ['-p', dir]);
    const wal = join(dir, 'x.db-wal');
    writeFileSync(wal, 'first');
    const syncer = new WalSyncer({ walPath: wal, onFailure: () => undefined });
    await syncer.sync();
    const first = syncer.inode;
    expect(first).toBe(statSync(wal, { bigint: true }).ino);
    // SQLite deletes the WAL when its last connection closes and creates it again on the next open.
    writeFileSync(join(dir, 'other'), 'second');
    unlinkSync(wal);
    renameSync(join(dir, 'other'), wal);
    await syncer.sync();
    expect(syncer.inode).toBe(statSync(wal, { bigint: true }).ino);
    expect(syncer.inode).not.toBe(first);
    syncer.close();
  });

  it('opens an existing populated database (rollback journal, FULL, as an older build or a copy may leave it): its messages read, its ledger still refuses, and new commits go through NORMAL + fdatasync', async () => {
    const file = fresh();
    execFileSync('mkdir', ['-p', join(file, '..')]);
    const fx = createFixtures();
    const company = fx.company();
    const party = fx.party();
    const channel = fx.channel(company.id, party.id);
    const old = Array.from({ length: 300 }, () => fx.message(channel));
    // Made by the schema before the lean one (version 2) through a plain connection, not this adapter.
    const plain = new Database(file);
    plain.pragma('journal_mode = DELETE');
    plain.pragma('synchronous = FULL');
    applyMigrations(plain, MIGRATIONS.slice(0, 2));
    plain.prepare('INSERT INTO companies (id, name, business_id, created_at) VALUES (@id, @name, @businessId, @createdAt)').run(company);
    plain.prepare('INSERT INTO parties (id, name, status, created_at, disabled_at) VALUES (@id, @name, @status, @createdAt, @disabledAt)').run(party);
    plain.prepare('INSERT INTO channels (id, company_id, party_id, message_types, status, created_at, disabled_at) VALUES (@id, @companyId, @partyId, @messageTypes, @status, @createdAt, @disabledAt)')
      .run({ ...channel, messageTypes: JSON.stringify(channel.messageTypes) });
    const insert = plain.prepare(`INSERT INTO messages (id, company_id, channel_id, party_id, message_type, media_type, content_type, size, sha256, received_at, transaction_id, body_ciphertext, key_version)
      VALUES (@id, @company_id, @channel_id, @party_id, @message_type, @media_type, @content_type, @size, @sha256, @received_at, @transaction_id, @body_ciphertext, @key_version)`);
    const ledger = plain.prepare('INSERT INTO transaction_ledger (party_id, transaction_id, message_id, created_at) VALUES (?, ?, ?, ?)');
    plain.transaction(() => {
      for (const m of old) {
        insert.run(messageParams(m));
        ledger.run(m.partyId, m.transactionId, m.id, m.receivedAt);
      }
    })();
    plain.close();

    const store = openSqliteStore({ file });
    expect(store.appliedMigrations).toEqual(MIGRATIONS.map((m) => m.version).filter((v) => v >= 3));
    expect(store.connectionSettings()).toMatchObject({ journalMode: 'wal', synchronous: 2, ingestSynchronous: 1 });
    expect((await store.getMessage(company.id, old[123]!.id))?.bodyCiphertext).toEqual(old[123]!.bodyCiphertext);
    const dup = fx.message(channel, { transactionId: old[7]!.transactionId });
    const fresh1 = fx.message(channel);
    expect(await store.ingest([{ message: dup }, { message: fresh1 }])).toEqual([
      { ok: false, reason: 'duplicate', existingMessageId: old[7]!.id },
      { ok: true, seq: 301 },
    ]);
    expect(await store.countTransactionIds()).toBe(301);
    await store.close();
  });
});
