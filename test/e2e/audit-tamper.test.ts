import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describePostgres, dropSchemas, PG_URL, pgQuery, uniqueSchema } from '../helpers/postgres.js';
import { CLI, createTenant, startTestServer, tempDir, type TestServer } from '../helpers/servers.js';
import { macRequest } from '../helpers/mac-request.js';

/*
 * Tampering with a stored audit chain is detected by the offline `vaultgate audit verify` (issue 13 §3), on a
 * SQLite file and on a PostgreSQL schema: deleting, editing or reordering an event, truncating the tail behind the
 * last checkpoint, and a forged checkpoint. Each kind runs on its own copy of the same intact chain, which itself
 * verifies. The verdict names the first event where the chain breaks.
 */

const run = promisify(execFile);
async function verify(args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await run(process.execPath, [CLI, 'audit', 'verify', ...args]);
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

/** Each tampering as SQL over the three audit tables (the same text runs on SQLite and PostgreSQL). */
const TAMPERING: { kind: string; sql: (head: number, lastCheckpoint: number) => string[]; breaksAt: (head: number, lastCheckpoint: number) => number; says: RegExp }[] = [
  { kind: 'delete an event', sql: () => ['DELETE FROM audit_log WHERE seq = 3'], breaksAt: () => 3, says: /missing/ },
  { kind: 'edit an event', sql: () => [`UPDATE audit_log SET details = '{"name":"Someone Else Oy"}' WHERE seq = 2`], breaksAt: () => 2, says: /edited/ },
  { kind: 'edit an event’s actor', sql: () => ["UPDATE audit_log SET actor_id = 'nobody' WHERE seq = 4"], breaksAt: () => 4, says: /edited/ },
  {
    kind: 'reorder two events', breaksAt: () => 2, says: /prevHash|edited/,
    sql: () => ['UPDATE audit_log SET seq = -1 WHERE seq = 2', 'UPDATE audit_log SET seq = 2 WHERE seq = 3', 'UPDATE audit_log SET seq = 3 WHERE seq = -1'],
  },
  { kind: 'truncate the tail behind the last checkpoint', sql: (_h, cp) => [`DELETE FROM audit_log WHERE seq >= ${cp - 1}`], breaksAt: (_h, cp) => cp - 1, says: /truncated/ },
  { kind: 'forge a checkpoint', sql: () => ['UPDATE audit_checkpoints SET head_hash = (SELECT hash FROM audit_log WHERE seq = 1)'], breaksAt: () => 0, says: /checkpoint/ },
];

/** Makes a chain through the server: registry changes, reads, a checkpoint in the middle and one at the end. */
async function makeChain(s: TestServer): Promise<{ head: number; lastCheckpoint: number; keysFile: string }> {
  const t = await createTenant(s.admin, { businessId: '1967543-8' });
  await macRequest({ baseUrl: s.url, target: '/vault/v1/messages', creds: t.reader });
  expect((await s.admin('POST', '/audit/checkpoints')).status).toBe(201);
  await s.admin('POST', '/parties', { name: 'After Oy' });
  await macRequest({ baseUrl: s.url, target: '/vault/v1/export', creds: t.reader });
  const cp = await s.admin('POST', '/audit/checkpoints');
  const keysFile = join(s.dataDir, '..', `audit-keys-${Date.now()}.json`);
  writeFileSync(keysFile, await (await fetch(`${s.url}/.well-known/vaultgate-audit-keys`)).text());
  return { head: cp.body.seq, lastCheckpoint: cp.body.seq, keysFile };
}

function expectBroken(r: { code: number; out: string }, seq: number, says: RegExp): void {
  expect(r.code, r.out).toBe(3);
  if (seq > 0) expect(r.out).toMatch(new RegExp(`^BROKEN at seq ${seq}: `));
  expect(r.out).toMatch(says);
}

describe('tampering with a SQLite audit chain is detected offline', () => {
  let s: TestServer;
  let chain: { head: number; lastCheckpoint: number; keysFile: string };
  let intact = '';
  let exported = '';
  const dir = tempDir('vg-tamper-');

  beforeAll(async () => {
    s = await startTestServer({}, tempDir('vg-tamper-data-'));
    chain = await makeChain(s);
    const keysCopy = join(dir, 'keys.json');
    copyFileSync(chain.keysFile, keysCopy);
    chain.keysFile = keysCopy;
    exported = join(dir, 'export.ndjson');
    const env = { ...process.env, VAULTGATE_URL: s.url, VAULTGATE_ADMIN_TOKEN: s.adminToken };
    await run(process.execPath, [CLI, 'admin', 'audit', 'export', '--out', exported], { env });
    const online = await run(process.execPath, [CLI, 'admin', 'audit', 'verify'], { env });
    expect(online.stdout).toMatch(/^ok: /);
    await s.close();
    intact = join(dir, 'intact.db');
    copyFileSync(join(s.dataDir, 'vaultgate.db'), intact);
  });
  afterAll(() => s.stop().catch(() => undefined));

  it('the intact chain verifies, against the published keys, from the database file and from an export', async () => {
    const r = await verify(['--database', intact, '--public-key', chain.keysFile]);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toContain(`ok: ${chain.head} events`);
    expect(r.out).toContain('2 checkpoints verified');
    const json = JSON.parse((await verify(['--database', intact, '--public-key', chain.keysFile, '--json'])).out);
    expect(json).toMatchObject({ ok: true, lastSeq: chain.head, lastCheckpointSeq: chain.lastCheckpoint, firstBreak: null, keysFrom: 'given' });
    const fromExport = await verify(['--export', exported, '--public-key', chain.keysFile]);
    expect(fromExport.code, fromExport.out + fromExport.err).toBe(0);
    expect(fromExport.out).toContain(`ok: ${chain.head} events`);
    // Without --public-key the keys stored with the chain are used, and the verdict says it proves less.
    expect((await verify(['--database', intact])).err).toMatch(/warning: .*--public-key/);
  });

  for (const t of TAMPERING) {
    it(`detects: ${t.kind}`, async () => {
      const file = join(dir, `${t.kind.replace(/\W+/g, '-')}.db`);
      copyFileSync(intact, file);
      const db = new Database(file);
      for (const sql of t.sql(chain.head, chain.lastCheckpoint)) db.exec(sql);
      db.close();
      expectBroken(await verify(['--database', file, '--public-key', chain.keysFile]), t.breaksAt(chain.head, chain.lastCheckpoint), t.says);
    });
  }

  it('detects an edited or cut export', async () => {
    const lines = readFileSync(exported, 'utf8').trim().split('\n');
    const edited = lines.map((l) => (l.includes('"seq":5,') && l.includes('"type":"event"') ? l.replace(/"outcome":"\w+"/, '"outcome":"failure"') : l));
    writeFileSync(join(dir, 'edited.ndjson'), `${edited.join('\n')}\n`);
    expectBroken(await verify(['--export', join(dir, 'edited.ndjson'), '--public-key', chain.keysFile]), 5, /edited/);
    writeFileSync(join(dir, 'cut.ndjson'), `${lines.slice(0, -1).join('\n')}\n`);
    // No event is missing at seq head + 1: the break lies after the last event, and the verdict says so.
    const cut = await verify(['--export', join(dir, 'cut.ndjson'), '--public-key', chain.keysFile]);
    expect(cut).toMatchObject({ code: 3, out: `BROKEN after seq ${chain.head}: the export ends without its end line (it was cut short)\n` });
  });

  it('a checkpoint signed by another key is refused', async () => {
    const other = join(dir, 'other-keys.json');
    const keys = JSON.parse(readFileSync(chain.keysFile, 'utf8'));
    keys.keys[0].x = Buffer.alloc(32, 7).toString('base64url');
    writeFileSync(other, JSON.stringify(keys));
    expectBroken(await verify(['--database', intact, '--public-key', other]), 0, /signature does not verify/);
  });
});

describePostgres('tampering with a PostgreSQL audit chain is detected offline', () => {
  let s: TestServer;
  let chain: { head: number; lastCheckpoint: number; keysFile: string };
  const schema = uniqueSchema('audit');
  const copies: string[] = [];

  beforeAll(async () => {
    s = await startTestServer({
      VAULTGATE_DATABASE_URL: PG_URL, VAULTGATE_DATABASE_SCHEMA: schema, VAULTGATE_KEYSTORE_URL: PG_URL, VAULTGATE_KEYSTORE_SCHEMA: `${schema}_keys`,
      VAULTGATE_MASTER_KEY: randomBytes(32).toString('base64'), VAULTGATE_ADMIN_TOKEN: randomBytes(24).toString('base64url'),
    });
    chain = await makeChain(s);
  });
  afterAll(async () => {
    await s?.stop();
    await dropSchemas([schema, `${schema}_keys`, ...copies]);
  });

  /** A schema holding copies of the three audit tables. */
  async function copyOf(name: string): Promise<string> {
    const copy = uniqueSchema(name);
    copies.push(copy);
    await pgQuery(`CREATE SCHEMA ${copy}; ${['audit_log', 'audit_checkpoints', 'audit_keys'].map((t) => `CREATE TABLE ${copy}.${t} AS SELECT * FROM ${schema}.${t};`).join(' ')}`);
    return copy;
  }

  it('the intact chain verifies', async () => {
    const r = await verify(['--database-url', PG_URL, '--database-schema', schema, '--public-key', chain.keysFile]);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toContain(`ok: ${chain.head} events`);
  });

  for (const t of TAMPERING) {
    it(`detects: ${t.kind}`, async () => {
      const copy = await copyOf('tamper');
      await pgQuery(t.sql(chain.head, chain.lastCheckpoint).map((sql) => `SET search_path = ${copy}; ${sql};`).join(' '));
      expectBroken(await verify(['--database-url', PG_URL, '--database-schema', copy, '--public-key', chain.keysFile]), t.breaksAt(chain.head, chain.lastCheckpoint), t.says);
    });
  }
});
