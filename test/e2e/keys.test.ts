import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, systemClock } from '../../src/protocol/index.js';
import { addFileMasterKey, Keyring, kekIdOf, loadKeyring, parseMasterKey } from '../../src/server/crypto/keyring.js';
import { VaultCrypto } from '../../src/server/crypto/vault-crypto.js';
import { openSqliteKeyStore } from '../../src/store/index.js';
import { macRequest, type MacCredentials } from '../helpers/mac-request.js';
import { expectRefusal, STATUS_MODES } from '../helpers/refusals.js';
import { createTenant, startTestServer, type Tenant, type TestServer, businessIds } from '../helpers/servers.js';

const JSON_MODE = STATUS_MODES[0]!;

interface Sent { id: string; body: Buffer; tenant: Tenant }

async function send(url: string, t: Tenant, body: Buffer): Promise<Sent> {
  const r = await macRequest({ baseUrl: url, target: `/ingestion/${t.channelId}`, creds: t.sender, body, headers: { 'content-type': 'application/json' } });
  expect(r.status, r.text).toBe(200);
  return { id: r.json().messageId, body, tenant: t };
}

const read = (url: string, creds: MacCredentials, id: string) => macRequest({ baseUrl: url, target: `/vault/v1/messages/${id}`, creds });

async function expectAllReadable(url: string, sent: Sent[]): Promise<void> {
  for (const m of sent) {
    const r = await read(url, m.tenant.reader, m.id);
    expect(r.status, r.text).toBe(200);
    expect(r.body.equals(m.body)).toBe(true);
  }
}

const total = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);

/** Every byte of the files of the database and the key store (with their WAL). */
function filesAtRest(dir: string): Buffer {
  return Buffer.concat(readdirSync(dir).filter((f) => /^(vaultgate|keystore)\.db/.test(f)).map((f) => readFileSync(join(dir, f))));
}

async function seed(s: TestServer, ids: string[], perTenant = 2): Promise<{ tenants: Tenant[]; sent: Sent[]; marker: string }> {
  const marker = `KEYS-MARKER-${randomBytes(6).toString('hex')}`;
  const tenants: Tenant[] = [];
  const sent: Sent[] = [];
  for (const businessId of ids) {
    const t = await createTenant(s.admin, { businessId });
    tenants.push(t);
    for (let n = 0; n < perTenant; n++) sent.push(await send(s.url, t, Buffer.from(JSON.stringify({ n, marker, city: 'Jyväskylä' }))));
  }
  return { tenants, sent, marker };
}

describe('master-key rotation on a key-file deployment', () => {
  let s: TestServer;
  let tenants: Tenant[];
  let sent: Sent[];
  let marker: string;
  const masterKeysSeen: Buffer[] = [];
  const keyFile = (): string => join(s.dataDir, 'master.key');
  const keyFileLines = (): string[] => readFileSync(keyFile(), 'utf8').split('\n').filter(Boolean);

  beforeAll(async () => {
    s = await startTestServer();
    ({ tenants, sent, marker } = await seed(s, businessIds(1100000, 2)));
    masterKeysSeen.push(Buffer.from(keyFileLines()[0]!, 'base64'));
  });
  afterAll(() => s.stop());

  it('GET /keys shows the key file\'s master key by id only, wrapping one data key per vault plus the system key', async () => {
    const r = await s.admin('GET', '/keys');
    expect(r.status).toBe(200);
    const current = kekIdOf(masterKeysSeen[0]!);
    expect(r.body).toEqual({ currentMasterKey: current, previousMasterKeys: [], source: 'file', dataKeysByMasterKey: { [current]: 3 } });
    expect(JSON.stringify(r.body)).not.toContain(masterKeysSeen[0]!.toString('base64'));
    expect(statSync(keyFile()).mode & 0o777).toBe(0o600);
  });

  it('rotate-master with newKey: a new key wraps every data key, the file then holds only it, every message reads', async () => {
    const old = kekIdOf(masterKeysSeen[0]!);
    const r = await s.admin('POST', '/keys/rotate-master', { newKey: true });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const current = r.body.currentMasterKey as string;
    expect(current).toMatch(/^kek_[0-9a-f]{16}$/);
    expect(current).not.toBe(old);
    expect(r.body).toMatchObject({ previousMasterKeys: [], source: 'file', dataKeysByMasterKey: { [current]: 3 } });
    expect(Object.keys(r.body.dataKeysByMasterKey)).toEqual([current]);

    const lines = keyFileLines();
    expect(lines).toHaveLength(1);
    masterKeysSeen.push(Buffer.from(lines[0]!, 'base64'));
    expect(kekIdOf(masterKeysSeen[1]!)).toBe(current);
    expect(statSync(keyFile()).mode & 0o777).toBe(0o600);
    expect(existsSync(`${keyFile()}.tmp`)).toBe(false);

    const status = await s.admin('GET', '/keys');
    expect(status.body).toEqual({ currentMasterKey: current, previousMasterKeys: [], source: 'file', dataKeysByMasterKey: { [current]: 3 } });
    await expectAllReadable(s.url, sent);
    // New data keys (a new vault) are wrapped by the new master key.
    const third = await seed(s, businessIds(1100100, 1), 1);
    sent.push(...third.sent);
    tenants.push(...third.tenants);
    expect((await s.admin('GET', '/keys')).body.dataKeysByMasterKey).toEqual({ [current]: 4 });

    const audit = await s.admin('GET', '/audit?action=keys.rotate-master');
    expect(audit.body.items).toEqual([
      expect.objectContaining({ actor: { kind: 'operator', id: 'operator' }, action: 'keys.rotate-master', subject: old, details: { newKey: true, stage: 'started' } }),
      expect.objectContaining({ action: 'keys.rotate-master', outcome: 'success', details: { newKey: true, stage: 'done', rewrapped: 3, from: [old], currentMasterKey: current } }),
    ]);
  });

  it('running rotate-master again re-wraps nothing (idempotent)', async () => {
    const before = (await s.admin('GET', '/keys')).body;
    for (const body of [{}, { newKey: false }]) {
      const r = await s.admin('POST', '/keys/rotate-master', body);
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ ...before, rewrapped: 0 });
    }
    expect(keyFileLines()).toHaveLength(1);
  });

  it('refuses a malformed body with INVALID_REQUEST and changes nothing', async () => {
    const before = (await s.admin('GET', '/keys')).body;
    for (const body of [{ newKey: 'yes' }, { other: 1 }]) {
      const r = await s.admin('POST', '/keys/rotate-master', body);
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('INVALID_REQUEST');
    }
    expect((await s.admin('GET', '/keys')).body).toEqual(before);
  });

  it('a restart reads every message with the new key from the file', async () => {
    await s.close();
    s = await startTestServer({}, s.dataDir);
    await expectAllReadable(s.url, sent);
  });

  it('a newKey rotation interrupted half-way (file holds new + old) is resumed on restart and then prunes the old key', async () => {
    await s.close();
    // What a crash in the middle of rotate-master {newKey:true} leaves: both keys in the file, some data keys re-wrapped.
    const added = addFileMasterKey(loadKeyring({ file: keyFile() }).keyring);
    const keyStore = openSqliteKeyStore({ file: join(s.dataDir, 'keystore.db') });
    const crypto = new VaultCrypto(keyStore, added, systemClock, 'test');
    await expect(crypto.rewrapAll({ batch: 1, onBatch: () => { throw new Error('crash'); } })).rejects.toThrow('crash');
    await keyStore.close();
    masterKeysSeen.push(added.current.key);
    const [newId_, oldId] = [added.current.id, added.previous[0]!.id];
    expect(keyFileLines()).toHaveLength(2);

    s = await startTestServer({}, s.dataDir);
    expect((await s.admin('GET', '/keys')).body).toEqual({
      currentMasterKey: newId_, previousMasterKeys: [oldId], source: 'file', dataKeysByMasterKey: { [newId_]: 1, [oldId]: 3 },
    });
    await expectAllReadable(s.url, sent);

    const r = await s.admin('POST', '/keys/rotate-master', {});
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ currentMasterKey: newId_, previousMasterKeys: [], source: 'file', dataKeysByMasterKey: { [newId_]: 4 }, rewrapped: 3 });
    expect(keyFileLines()).toEqual([added.current.key.toString('base64')]);
    await expectAllReadable(s.url, sent);
  });

  it('no file at rest holds a message body, a partner or customer key, or a master key', () => {
    const bytes = filesAtRest(s.dataDir);
    const secrets = [marker, ...tenants.flatMap((t) => [t.sender.partnerKey, t.sender.customerKey, t.reader.customerKey])];
    for (const secret of secrets) {
      expect(bytes.includes(Buffer.from(secret, 'utf8')), secret.slice(0, 12)).toBe(false);
      expect(bytes.includes(Buffer.from(secret, 'latin1')), secret.slice(0, 12)).toBe(false);
    }
    for (const k of masterKeysSeen) {
      expect(bytes.includes(k)).toBe(false);
      expect(bytes.includes(Buffer.from(k.toString('base64')))).toBe(false);
    }
  });
});

describe('rotating a vault\'s data key (POST /admin/v1/companies/{id}/rotate-key)', () => {
  let s: TestServer;
  let a: Tenant;
  let b: Tenant;
  let sent: Sent[];
  beforeAll(async () => {
    s = await startTestServer();
    const seeded = await seed(s, businessIds(1200000, 2));
    [a, b] = seeded.tenants as [Tenant, Tenant];
    sent = seeded.sent;
  });
  afterAll(() => s.stop());

  const ciphertextOf = (id: string): Buffer => {
    const db = new Database(join(s.dataDir, 'vaultgate.db'), { readonly: true });
    try {
      return (db.prepare('SELECT body_ciphertext AS c FROM messages WHERE id = ?').get(id) as { c: Buffer }).c;
    } finally {
      db.close();
    }
  };
  const dataKeyCount = async (): Promise<number> => total((await s.admin('GET', '/keys')).body.dataKeysByMasterKey);

  it('new messages use a new data key; old ones stay readable under theirs; another vault is untouched', async () => {
    const keysBefore = await dataKeyCount();
    expect(keysBefore).toBe(3);
    const r = await s.admin('POST', `/companies/${a.companyId}/rotate-key`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({ companyId: a.companyId, dataKeyId: expect.stringMatching(/^dek_test_[0-9a-z]{26}$/), createdAt: expect.any(String) });
    const first = r.body.dataKeyId as string;
    expect(await dataKeyCount()).toBe(keysBefore + 1);

    const newA = await send(s.url, a, Buffer.from('{"after":"rotation 1"}'));
    const newB = await send(s.url, b, Buffer.from('{"b":"after a rotated"}'));
    const label = (dek: string) => Buffer.from(`${a.companyId}:${dek}`, 'latin1');
    expect(ciphertextOf(newA.id).includes(label(first))).toBe(true);
    for (const old of sent.filter((m) => m.tenant === a)) expect(ciphertextOf(old.id).includes(label(first))).toBe(false);
    // B's new message still uses B's only key, the same as B's older ones.
    const bOld = ciphertextOf(sent.find((m) => m.tenant === b)!.id);
    const bNew = ciphertextOf(newB.id);
    expect(bNew.subarray(0, 2 + bNew[1]!).equals(bOld.subarray(0, 2 + bOld[1]!))).toBe(true);

    const again = await s.admin('POST', `/companies/${a.companyId}/rotate-key`);
    expect(again.body.dataKeyId).not.toBe(first);
    expect(await dataKeyCount()).toBe(keysBefore + 2);
    const newest = await send(s.url, a, Buffer.from('{"after":"rotation 2"}'));
    expect(ciphertextOf(newest.id).includes(label(again.body.dataKeyId))).toBe(true);
    sent.push(newA, newB, newest);
    await expectAllReadable(s.url, sent);

    const audit = await s.admin('GET', `/audit?tenant=${a.companyId}&action=keys.rotate-vault`);
    expect(audit.body.items.map((e: any) => [e.action, e.details.stage, e.details.dataKeyId])).toEqual([
      ['keys.rotate-vault', 'started', undefined], ['keys.rotate-vault', 'done', first],
      ['keys.rotate-vault', 'started', undefined], ['keys.rotate-vault', 'done', again.body.dataKeyId],
    ]);
  });

  it('the rotated keys survive a restart, and rotate-master re-wraps them all', async () => {
    await s.close();
    s = await startTestServer({}, s.dataDir);
    await expectAllReadable(s.url, sent);
    const r = await s.admin('POST', '/keys/rotate-master', { newKey: true });
    expect(r.body.rewrapped).toBe(5);
    await expectAllReadable(s.url, sent);
  });

  it('a ciphertext moved into another vault is refused with DATA_INTEGRITY_ERROR, never read as that vault\'s message', async () => {
    const fromA = sent.find((m) => m.tenant === a)!;
    const victim = sent.find((m) => m.tenant === b)!;
    const db = new Database(join(s.dataDir, 'vaultgate.db'));
    try {
      db.prepare('UPDATE messages SET body_ciphertext = ? WHERE id = ?').run(ciphertextOf(fromA.id), victim.id);
    } finally {
      db.close();
    }
    const r = await read(s.url, b.reader, victim.id);
    const { problem } = expectRefusal(r, 'DATA_INTEGRITY_ERROR', JSON_MODE);
    expect(problem.detail).toBeUndefined();
    expect(r.body.includes(fromA.body)).toBe(false);
    // The export opens a page of bodies at once with the company's own keys: it refuses the same way, before any line.
    const exp = await macRequest({ baseUrl: s.url, target: '/vault/v1/export', creds: b.reader });
    expectRefusal(exp, 'DATA_INTEGRITY_ERROR', JSON_MODE);
    expect(exp.body.includes(fromA.body)).toBe(false);
    expect(exp.text).not.toContain('"complete":true');
    // The source message itself is intact.
    expect((await read(s.url, a.reader, fromA.id)).body.equals(fromA.body)).toBe(true);
    sent.splice(sent.indexOf(victim), 1);
  });

  it('an unknown company is NOT_FOUND and creates no key', async () => {
    const before = await dataKeyCount();
    const r = await s.admin('POST', `/companies/${newId('company', 'test')}/rotate-key`);
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('NOT_FOUND');
    expect(await dataKeyCount()).toBe(before);
  });
});

describe('master key from configuration (VAULTGATE_MASTER_KEY)', () => {
  const K1 = randomBytes(32).toString('base64');
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ VAULTGATE_MASTER_KEY: K1 });
    await seed(s, businessIds(1300000, 1), 1);
  });
  afterAll(() => s.stop());

  it('keeps no master.key in the data directory and reports source configuration', async () => {
    expect(existsSync(join(s.dataDir, 'master.key'))).toBe(false);
    const id = parseMasterKey(K1, 'x').id;
    expect((await s.admin('GET', '/keys')).body).toEqual({ currentMasterKey: id, previousMasterKeys: [], source: 'configuration', dataKeysByMasterKey: { [id]: 2 } });
  });

  it('rotate-master with newKey is STATE_CONFLICT (409) and changes nothing; without it, nothing to re-wrap', async () => {
    const before = (await s.admin('GET', '/keys')).body;
    const r = await s.admin('POST', '/keys/rotate-master', { newKey: true });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: 'STATE_CONFLICT', status: 409 });
    expect(r.body.detail).toMatch(/VAULTGATE_MASTER_KEY_PREVIOUS/);
    expect(existsSync(join(s.dataDir, 'master.key'))).toBe(false);
    expect((await s.admin('GET', '/keys')).body).toEqual(before);
    const ok = await s.admin('POST', '/keys/rotate-master', {});
    expect(ok.body).toEqual({ ...before, rewrapped: 0 });
  });
});

describe('rotation by configuration: VAULTGATE_MASTER_KEY=new, VAULTGATE_MASTER_KEY_PREVIOUS=old, interrupted and resumed', () => {
  const OLD = randomBytes(32).toString('base64');
  const NEW = randomBytes(32).toString('base64');
  const oldId = parseMasterKey(OLD, 'x').id;
  const newId_ = parseMasterKey(NEW, 'x').id;
  let s: TestServer;
  let sent: Sent[];
  beforeAll(async () => {
    s = await startTestServer({ VAULTGATE_MASTER_KEY: OLD });
    ({ sent } = await seed(s, businessIds(1400000, 3)));
    await s.close();
    // A rotate-master that re-wrapped one key and then died.
    const keyStore = openSqliteKeyStore({ file: join(s.dataDir, 'keystore.db') });
    const crypto = new VaultCrypto(keyStore, new Keyring(parseMasterKey(NEW, 'x'), [parseMasterKey(OLD, 'x')], undefined), systemClock, 'test');
    await expect(crypto.rewrapAll({ batch: 1, onBatch: () => { throw new Error('killed'); } })).rejects.toThrow('killed');
    await keyStore.close();
  });
  afterAll(() => s.stop());

  it('before the rotation finishes, a server holding both keys reads every message', async () => {
    s = await startTestServer({ VAULTGATE_MASTER_KEY: NEW, VAULTGATE_MASTER_KEY_PREVIOUS: OLD }, s.dataDir);
    expect((await s.admin('GET', '/keys')).body).toEqual({
      currentMasterKey: newId_, previousMasterKeys: [oldId], source: 'configuration', dataKeysByMasterKey: { [newId_]: 1, [oldId]: 3 },
    });
    await expectAllReadable(s.url, sent);
  });

  it('rotate-master (newKey false) re-wraps the rest under the new key; a second run re-wraps nothing', async () => {
    const r = await s.admin('POST', '/keys/rotate-master', { newKey: false });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ currentMasterKey: newId_, source: 'configuration', dataKeysByMasterKey: { [newId_]: 4 }, rewrapped: 3 });
    expect((await s.admin('POST', '/keys/rotate-master', {})).body.rewrapped).toBe(0);
    await expectAllReadable(s.url, sent);
  });

  it('a restart with only the new key reads everything', async () => {
    await s.close();
    s = await startTestServer({ VAULTGATE_MASTER_KEY: NEW }, s.dataDir);
    expect((await s.admin('GET', '/keys')).body).toEqual({ currentMasterKey: newId_, previousMasterKeys: [], source: 'configuration', dataKeysByMasterKey: { [newId_]: 4 } });
    await expectAllReadable(s.url, sent);
  });

  it('a restart with only the old key cannot read: a coded error, and no bytes', async () => {
    await s.close();
    s = await startTestServer({ VAULTGATE_MASTER_KEY: OLD }, s.dataDir);
    for (const m of sent.slice(0, 2)) {
      const r = await read(s.url, m.tenant.reader, m.id);
      const { problem } = expectRefusal(r, 'TECHNICAL_ERROR', JSON_MODE);
      expect(problem.detail).toBeUndefined();
      expect(r.body.includes(m.body)).toBe(false);
    }
    // The data keys are still there, wrapped by a key this server lacks.
    expect((await s.admin('GET', '/keys')).body.dataKeysByMasterKey).toEqual({ [newId_]: 4 });
    // rotate-master cannot help without the key: it fails with a coded error and changes nothing.
    const r = await s.admin('POST', '/keys/rotate-master', {});
    expect(r.status).toBe(500);
    expect(r.body.code).toBe('TECHNICAL_ERROR');
    expect((await s.admin('GET', '/keys')).body.dataKeysByMasterKey).toEqual({ [newId_]: 4 });
  });
});
