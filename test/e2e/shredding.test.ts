import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/protocol/index.js';
import { macRequest, type MacCredentials } from '../helpers/mac-request.js';
import { expectRefusal, listVault, STATUS_MODES } from '../helpers/refusals.js';
import { createTenant, startTestServer, tempDir, type Tenant, type TestServer, businessIds } from '../helpers/servers.js';

const JSON_MODE = STATUS_MODES[0]!;

interface Sent { id: string; body: Buffer }

async function send(url: string, t: Tenant, body: string): Promise<Sent> {
  const r = await macRequest({ baseUrl: url, target: `/ingestion/${t.channelId}`, creds: t.sender, body, headers: { 'content-type': 'application/json' } });
  expect(r.status, r.text).toBe(200);
  return { id: r.json().messageId, body: Buffer.from(body) };
}

const read = (url: string, creds: MacCredentials, id: string) => macRequest({ baseUrl: url, target: `/vault/v1/messages/${id}`, creds });

async function del(s: TestServer, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${s.url}/admin/v1${path}`, { method: 'DELETE', headers: { authorization: `Bearer ${s.adminToken}` } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

function withDb<T>(file: string, fn: (db: Database.Database) => T): T {
  const db = new Database(file);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const filesOf = (dir: string, base: string): Buffer =>
  Buffer.concat(['', '-wal'].filter((s) => existsSync(join(dir, base + s))).map((s) => readFileSync(join(dir, base + s))));

describe('deleting a company: crypto-shredding', () => {
  let s: TestServer;
  let backup: TestServer | undefined;
  let a: Tenant;
  let b: Tenant;
  const sentA: Sent[] = [];
  const sentB: Sent[] = [];
  const backupDir = tempDir('vg-backup-');
  let wrappedA: Buffer[] = [];
  let deletedAt: string;
  const [idA, idB] = businessIds(2100000, 2) as [string, string];

  const rowsOf = (companyId: string): number =>
    withDb(join(s.dataDir, 'vaultgate.db'), (db) => (db.prepare('SELECT COUNT(*) AS n FROM messages WHERE company_seq = (SELECT seq FROM companies WHERE id = ?)').get(companyId) as { n: number }).n);
  const dataKeyCount = async (): Promise<number> =>
    Object.values((await s.admin('GET', '/keys')).body.dataKeysByMasterKey as Record<string, number>).reduce((x, y) => x + y, 0);

  beforeAll(async () => {
    s = await startTestServer();
    a = await createTenant(s.admin, { businessId: idA });
    b = await createTenant(s.admin, { businessId: idB });
    for (const n of [1, 2]) sentA.push(await send(s.url, a, JSON.stringify({ n, secret: 'A-SHRED-MARKER' })));
    // A second data key for A: the deletion must destroy every one of them.
    expect((await s.admin('POST', `/companies/${a.companyId}/rotate-key`)).status).toBe(200);
    for (const n of [3, 4]) sentA.push(await send(s.url, a, JSON.stringify({ n, secret: 'A-SHRED-MARKER' })));
    for (const n of [1, 2]) sentB.push(await send(s.url, b, JSON.stringify({ n, owner: 'B' })));
  });
  afterAll(async () => {
    await backup?.stop();
    rmSync(backupDir, { recursive: true, force: true });
    await s.stop();
  });

  it('refuses without confirm, with a wrong or empty confirm: INVALID_REQUEST, and destroys nothing', async () => {
    const keysBefore = await dataKeyCount();
    for (const q of ['', `?confirm=${idB}`, '?confirm=', `?confirm=${encodeURIComponent(`${idA} `)}`, `?confirm=${a.companyId}`]) {
      const r = await del(s, `/companies/${a.companyId}${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.code, q).toBe('INVALID_REQUEST');
    }
    const wrong = await del(s, `/companies/${a.companyId}?confirm=${idB}`);
    expect(wrong.body.detail).toContain(`confirm=${idA}`);
    expect((await s.admin('GET', `/companies/${a.companyId}`)).body.deletedAt ?? null).toBeNull();
    expect(await dataKeyCount()).toBe(keysBefore);
    // Nothing was deleted: the company's key events are only the rotation's (started, done).
    expect((await s.admin('GET', `/audit?tenant=${a.companyId}&action=keys.`)).body.items.map((e: any) => e.action)).toEqual(['keys.rotate-vault', 'keys.rotate-vault']);
    expect((await s.admin('GET', `/audit?tenant=${a.companyId}&action=company.delete`)).body.items).toEqual([]);
    for (const m of sentA) expect((await read(s.url, a.reader, m.id)).body.equals(m.body)).toBe(true);
    const unknown = await del(s, `/companies/${newId('company', 'test')}?confirm=${idA}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('NOT_FOUND');
  });

  it('deletes with confirm=<business id> (after a backup of the database is taken): deletedAt set, every data key destroyed', async () => {
    // The backup: the database file after a checkpoint, and its WAL if any is left.
    withDb(join(s.dataDir, 'vaultgate.db'), (db) => db.pragma('wal_checkpoint(TRUNCATE)'));
    for (const f of ['vaultgate.db', 'vaultgate.db-wal']) if (existsSync(join(s.dataDir, f))) copyFileSync(join(s.dataDir, f), join(backupDir, f));
    wrappedA = withDb(join(s.dataDir, 'keystore.db'), (db) => (db.prepare('SELECT wrapped FROM data_keys WHERE owner_id = ?').all(a.companyId) as { wrapped: Buffer }[]).map((r) => r.wrapped));
    expect(wrappedA).toHaveLength(2);
    const keysBefore = await dataKeyCount();

    const r = await del(s, `/companies/${a.companyId}?confirm=${idA}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ id: a.companyId, businessId: idA, environment: 'test', dataKeysDestroyed: 2 });
    deletedAt = r.body.deletedAt;
    expect(new Date(deletedAt).toISOString()).toBe(deletedAt);
    expect((await s.admin('GET', `/companies/${a.companyId}`)).body.deletedAt).toBe(deletedAt);
    expect(await dataKeyCount()).toBe(keysBefore - 2);
    // Destroyed means gone from the key store's files too (overwritten, WAL truncated), not just unlinked.
    const keystore = filesOf(s.dataDir, 'keystore.db');
    for (const w of wrappedA) expect(keystore.includes(w)).toBe(false);
    expect(keystore.includes(Buffer.from(`${a.companyId}:`, 'latin1'))).toBe(false);
  });

  it('disables its channels and customer credentials: ingestion and vault reads are refused', async () => {
    const creds = await s.admin('GET', `/companies/${a.companyId}/customer-credentials`);
    expect(creds.body.items).toHaveLength(2);
    for (const c of creds.body.items) expect(c).toMatchObject({ status: 'disabled', disabledAt: deletedAt });
    const channels = await s.admin('GET', `/channels?companyId=${a.companyId}`);
    expect(channels.body.items.map((c: any) => c.status)).toEqual(['disabled']);

    const ingest = await macRequest({ baseUrl: s.url, target: `/ingestion/${a.channelId}`, creds: a.sender, body: '{"late":true}', headers: { 'content-type': 'application/json' } });
    expect(['CHANNEL_DISABLED', 'AUTHENTICATION_FAILED']).toContain(ingest.json().code);
    expectRefusal(ingest, ingest.json().code, JSON_MODE);
    expect(rowsOf(a.companyId)).toBe(4);
    for (const m of sentA.slice(0, 2)) {
      const r = await read(s.url, a.reader, m.id);
      expectRefusal(r, 'AUTHENTICATION_FAILED', JSON_MODE);
      expect(r.body.includes(m.body)).toBe(false);
    }
    // Nothing can be added to it any more.
    expect((await s.admin('POST', `/companies/${a.companyId}/rotate-key`)).body.code).toBe('STATE_CONFLICT');
    expect((await s.admin('POST', `/companies/${a.companyId}/customer-credentials`, { name: 'x' })).body.code).toBe('STATE_CONFLICT');
    expect((await s.admin('POST', '/channels', { companyId: a.companyId, partyId: a.partyId, messageTypes: [{ name: 'X', mediaTypes: ['application/json'] }] })).body.code).toBe('STATE_CONFLICT');
  });

  it('the audit trail records company.delete and company.keys-destroy (started before the keys go, done with the count)', async () => {
    const audit = await s.admin('GET', `/audit?tenant=${a.companyId}&action=company.`);
    expect(audit.status).toBe(200);
    expect(audit.body.items.map((e: any) => [e.action, e.outcome, e.details])).toEqual([
      ['company.create', 'success', { businessId: idA, name: `Company ${idA}` }],
      ['company.delete', 'success', { businessId: idA, name: `Company ${idA}` }],
      ['company.keys-destroy', 'success', { stage: 'started' }],
      ['company.keys-destroy', 'success', { stage: 'done', dataKeysDestroyed: 2 }],
    ]);
    const del = audit.body.items[1];
    expect(del).toMatchObject({ at: deletedAt, actor: { kind: 'operator', id: 'operator' }, subject: a.companyId, tenants: [a.companyId], requestId: expect.any(String) });
    const all = await s.admin('GET', '/audit?action=company.');
    expect(all.body.items.map((e: any) => e.action)).toEqual(expect.arrayContaining(['company.delete', 'company.keys-destroy']));
  });

  it('another company is untouched: its data reads and it keeps ingesting', async () => {
    for (const m of sentB) expect((await read(s.url, b.reader, m.id)).body.equals(m.body)).toBe(true);
    sentB.push(await send(s.url, b, '{"n":3,"owner":"B"}'));
    expect((await read(s.url, b.reader, sentB[2]!.id)).status).toBe(200);
    expect((await s.admin('GET', `/companies/${b.companyId}`)).body.deletedAt ?? null).toBeNull();
    expect((await s.admin('GET', `/channels?companyId=${b.companyId}`)).body.items.map((c: any) => c.status)).toEqual(['active']);
  });

  it('the retention sweep purges its message rows, and only its', async () => {
    expect(rowsOf(a.companyId)).toBe(4);
    const r = await s.admin('POST', '/retention/sweep');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ expired: 0, purged: 4, transactionIds: 0 });
    expect(rowsOf(a.companyId)).toBe(0);
    expect(rowsOf(b.companyId)).toBe(3);
    expect((await s.admin('POST', '/retention/sweep')).body).toEqual({ expired: 0, purged: 0, transactionIds: 0 });
    expect((await listVault(s.url, b.reader)).map((m) => m.messageId)).toEqual(sentB.map((m) => m.id));
  });

  it('a backup of the database taken before the deletion, with the current key store: DATA_KEY_DESTROYED (410)', async () => {
    for (const f of ['keystore.db', 'keystore.db-wal', 'master.key', 'admin-token']) {
      if (existsSync(join(s.dataDir, f))) copyFileSync(join(s.dataDir, f), join(backupDir, f));
    }
    backup = await startTestServer({}, backupDir);
    // In the backup A is still a live company with active credentials: only its keys are gone.
    expect((await backup.admin('GET', `/companies/${a.companyId}`)).body.deletedAt ?? null).toBeNull();
    expect(withDb(join(backupDir, 'vaultgate.db'), (db) => (db.prepare('SELECT COUNT(*) AS n FROM messages WHERE company_seq = (SELECT seq FROM companies WHERE id = ?)').get(a.companyId) as { n: number }).n)).toBe(4);
    for (const m of sentA) {
      const r = await read(backup.url, a.reader, m.id);
      const { problem } = expectRefusal(r, 'DATA_KEY_DESTROYED', JSON_MODE);
      // UseHTTPResponseStatusCodes: 1 answers the family's status (INVALID_DATA: 400), and the body says the same.
      expect([r.status, problem.status]).toEqual([400, 400]);
      expect(r.body.includes(Buffer.from('A-SHRED-MARKER'))).toBe(false);
    }
    // Every status mode reports the same code.
    for (const mode of STATUS_MODES) {
      const r = await macRequest({ baseUrl: backup.url, target: `/vault/v1/messages/${sentA[3]!.id}`, creds: a.reader, useHttpStatusCodes: mode.useHttpStatusCodes, json: mode.json });
      expectRefusal(r, 'DATA_KEY_DESTROYED', mode);
    }
    // The export cannot yield its bodies either.
    const exp = await macRequest({ baseUrl: backup.url, target: '/vault/v1/export', creds: a.reader });
    expectRefusal(exp, 'DATA_KEY_DESTROYED', JSON_MODE);
    expect(exp.text).not.toContain('A-SHRED-MARKER');
    expect(exp.text).not.toContain('"complete":true');
    // B's messages in the backup are intact.
    for (const m of sentB.slice(0, 2)) expect((await read(backup.url, b.reader, m.id)).body.equals(m.body)).toBe(true);
  });

  it('the deleted business id can be registered again, as a new company', async () => {
    const r = await s.admin('POST', '/companies', { name: 'Reborn Oy', businessId: idA });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.id).not.toBe(a.companyId);
    expect((await s.admin('GET', `/companies?businessId=${idA}`)).body.items.map((c: any) => c.id)).toEqual([r.body.id]);
    expect((await s.admin('POST', `/companies/${r.body.id}/customer-credentials`, { name: 'new' })).status).toBe(201);
    // A second live company with that id is still refused.
    expect((await s.admin('POST', '/companies', { name: 'Twin Oy', businessId: idA })).status).toBe(409);
  });

  it('delete is idempotent: again returns the same deletedAt, destroys nothing more, records no second event', async () => {
    const r = await del(s, `/companies/${a.companyId}?confirm=${idA}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: a.companyId, deletedAt, dataKeysDestroyed: 0 });
    const actions = (await s.admin('GET', `/audit?tenant=${a.companyId}&action=company.`)).body.items.map((e: any) => e.action);
    expect(actions).toEqual(['company.create', 'company.delete', 'company.keys-destroy', 'company.keys-destroy']);
    expect(rowsOf(a.companyId)).toBe(0);
  });
});
