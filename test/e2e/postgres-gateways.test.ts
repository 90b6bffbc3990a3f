import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decodeProtectedHeader } from 'jose';
import { macRequest, type MacCredentials, type RawResponse } from '../helpers/mac-request.js';
import { bearerRequest, fetchToken } from '../helpers/oauth.js';
import { describePostgres, dropSchemas, PG_URL, pgQuery, uniqueSchema } from '../helpers/postgres.js';
import { adminCall, CLI, createTenant, spawnServer, tempDir, type ServerProcess, type Tenant } from '../helpers/servers.js';
import { PG_STORE_MIGRATIONS } from '../../src/store/postgres/migrations.js';

/*
 * Several stateless gateway processes on one PostgreSQL database, as docs/deploy.md describes: the same master
 * key, admin token and public URL; every request is signed for the public URL (the load balancer's) and sent to
 * whichever process the test picks. Correctness must not depend on which process a request reaches.
 */
const PUBLIC = 'http://gateway.vaultgate.test';
const TOKEN = randomBytes(24).toString('base64url');
const schema = uniqueSchema('gw');
// Trust authentication ignores the password; it is there to show that no log line carries it.
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
const DATABASE_URL = PG_URL.replace('@', `:${PASSWORD}@`);
const MASTER_KEY = randomBytes(32).toString('base64');
const dirs: string[] = [];
let gateways: ServerProcess[] = [];
let t: Tenant;

const admin = (gw: ServerProcess, method: 'GET' | 'POST', path: string, body?: unknown) => adminCall(gw.url, TOKEN, method, path, body);

function send(gw: ServerProcess, creds: MacCredentials, body: string, transactionId: string): Promise<RawResponse> {
  const target = `/ingestion/${t.channelId}`;
  return macRequest({ baseUrl: gw.url, signedUrl: PUBLIC + target, target, creds, body, transactionId, headers: { 'content-type': 'application/json' } });
}

function read(gw: ServerProcess, target: string): Promise<RawResponse> {
  return macRequest({ baseUrl: gw.url, signedUrl: PUBLIC + decodeURIComponent(target), target, creds: t.reader });
}

async function vaultIds(gw: ServerProcess): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const r = await read(gw, `/vault/v1/messages?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    expect(r.status, r.text).toBe(200);
    ids.push(...r.json().items.map((m: { messageId: string }) => m.messageId));
    cursor = r.json().nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

describePostgres('three gateway processes on one PostgreSQL database', () => {
  beforeAll(async () => {
    const env = {
      VAULTGATE_DATABASE_URL: DATABASE_URL, VAULTGATE_DATABASE_SCHEMA: schema, VAULTGATE_DATABASE_POOL_SIZE: '4',
      VAULTGATE_KEYSTORE_URL: DATABASE_URL, VAULTGATE_KEYSTORE_SCHEMA: `${schema}_keys`,
      VAULTGATE_MASTER_KEY: MASTER_KEY, VAULTGATE_ADMIN_TOKEN: TOKEN, VAULTGATE_PUBLIC_URL: PUBLIC,
    };
    // All three start at once on an empty database: they migrate it once between them.
    gateways = await Promise.all([0, 1, 2].map(() => {
      const dir = tempDir('vg-pg-');
      dirs.push(dir);
      return spawnServer({ ...env, VAULTGATE_DATA_DIR: dir });
    }));
    t = await createTenant((m, p, b) => admin(gateways[0]!, m, p, b));
  }, 60_000);

  afterAll(async () => {
    for (const gw of gateways) gw.child.kill('SIGKILL');
    await Promise.all(gateways.map((gw) => gw.exited));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await dropSchemas([schema, `${schema}_keys`]);
  });

  it('migrates the new database exactly once while three processes start together', () => {
    const opened = gateways.map((gw) => gw.logs().split('\n').filter((l) => l.includes('"STORE_OPENED"')).map((l) => JSON.parse(l)));
    expect(opened.map((lines) => lines.length)).toEqual([1, 1, 1]);
    const applied = opened.map((lines) => [lines[0].database.applied, lines[0].keyStore.applied]);
    expect(applied.filter(([db]) => db.length > 0)).toEqual([[PG_STORE_MIGRATIONS.map((m) => m.version), expect.any(Array)]]);
    expect(applied.filter(([, keys]) => keys.length > 0)).toHaveLength(1);
    for (const lines of opened) expect(lines[0]).toMatchObject({ store: 'postgres', database: { version: PG_STORE_MIGRATIONS.at(-1)!.version }, keyStore: { version: 1 } });
  });

  it('stores exactly one message per transaction id when 1,000 requests with 100 ids race across the three', async () => {
    const txids = Array.from({ length: 100 }, (_, i) => `race-${schema}-${i}`);
    // Request i carries id i % 100 and goes to process i % 3: every id reaches every process (100 ≡ 1 mod 3).
    const requests = Array.from({ length: 1000 }, (_, i) => {
      const body = JSON.stringify({ request: i });
      return send(gateways[i % 3]!, t.sender, body, txids[i % 100]!).then((r) => ({ txid: txids[i % 100]!, body, r }));
    });
    const results = await Promise.all(requests);
    const stored = results.filter((x) => x.r.status === 200);
    const winners = new Map(stored.map((x) => [x.txid, { id: x.r.json().messageId as string, body: x.body }]));
    expect(stored).toHaveLength(100);
    expect(winners.size).toBe(100);
    const refused = results.filter((x) => x.r.status !== 200);
    expect(refused).toHaveLength(900);
    for (const x of refused) {
      expect(x.r.json()).toMatchObject({ code: 'REQUEST_NOT_UNIQUE', messageId: winners.get(x.txid)!.id });
    }
    expect((await vaultIds(gateways[2]!)).sort()).toEqual([...winners.values()].map((w) => w.id).sort());
    // Any process reads back what another stored, byte for byte.
    const [first] = winners.values();
    expect((await read(gateways[1]!, `/vault/v1/messages/${first!.id}`)).text).toBe(first!.body);
  });

  it('refuses a credential revoked through one process on every other within one second', async () => {
    const created = await admin(gateways[0]!, 'POST', `/companies/${t.companyId}/customer-credentials`, { name: 'revoked soon', scopes: ['ingest'] });
    expect(created.status).toBe(201);
    const creds = { ...t.sender, customerId: created.body.customerId, customerKey: created.body.customerKey };
    // Each process has the credential in its cache before the revocation.
    for (const gw of gateways) expect((await send(gw, creds, '{}', `warm-${randomBytes(6).toString('hex')}`)).status).toBe(200);

    const revoked = await admin(gateways[0]!, 'POST', `/customer-credentials/${creds.customerId}/disable`);
    expect(revoked.status).toBe(200);
    const at = Date.now();
    expect((await send(gateways[0]!, creds, '{}', `now-${randomBytes(6).toString('hex')}`)).json().code).toBe('AUTHENTICATION_FAILED');
    const wait = at + 1000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    for (const gw of gateways.slice(1)) {
      const r = await send(gw, creds, '{}', `late-${randomBytes(6).toString('hex')}`);
      expect(r.status, r.text).toBe(401);
      expect(r.json().code).toBe('AUTHENTICATION_FAILED');
    }
  });

  it('shares bearer tokens: issued by one process, accepted by the others, one Idempotency-Key across all, rotation and revocation seen everywhere', async () => {
    const client = await admin(gateways[0]!, 'POST', `/parties/${t.partyId}/clients`, { name: 'erp' });
    expect(client.status, JSON.stringify(client.body)).toBe(201);
    const { clientId, clientSecret } = client.body as { clientId: string; clientSecret: string };
    const ingest = (gw: ServerProcess, token: string, key: string) => bearerRequest(`${gw.url}/ingestion/${t.channelId}`, token, {
      body: '{"via":"bearer"}', headers: { 'content-type': 'application/json', 'idempotency-key': key },
    });

    const token = await fetchToken(gateways[1]!.url, clientId, clientSecret);
    const key = `bearer-${randomBytes(6).toString('hex')}`;
    const first = await ingest(gateways[2]!, token, key);
    expect(first.status, first.text).toBe(200);
    for (const gw of [gateways[0]!, gateways[1]!]) {
      const again = await ingest(gw, token, key);
      expect(again.status, again.text).toBe(409);
      expect(again.json).toMatchObject({ code: 'REQUEST_NOT_UNIQUE', messageId: first.json.messageId });
    }

    // A key rotated through one process signs its tokens at once; the others verify them (an unknown kid reloads the keys).
    const rotated = await admin(gateways[2]!, 'POST', '/oauth/signing-keys/rotate');
    expect(rotated.status).toBe(200);
    const fresh = await fetchToken(gateways[2]!.url, clientId, clientSecret);
    expect(decodeProtectedHeader(fresh).kid).toBe(rotated.body.kid);
    for (const gw of gateways) expect((await ingest(gw, fresh, `rot-${randomBytes(6).toString('hex')}`)).status).toBe(200);
    expect((await ingest(gateways[0]!, token, `old-${randomBytes(6).toString('hex')}`)).status).toBe(200); // tokens of the old key stay valid

    // A client disabled through one process is refused by every other within one second.
    expect((await admin(gateways[1]!, 'POST', `/clients/${clientId}/disable`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1000));
    for (const gw of gateways) {
      const r = await ingest(gw, fresh, `late-${randomBytes(6).toString('hex')}`);
      expect(r.status, r.text).toBe(401);
      expect(r.json.code).toMatch(/^TOKEN_CLIENT_(DISABLED|UNKNOWN)$/);
    }
  });

  it('appends to one audit chain from the three processes without forks, and the chain verifies offline', async () => {
    // All three share one checkpoint key (made once, kept sealed in the database).
    const jwks = await Promise.all(gateways.map(async (gw) => (await fetch(`${gw.url}/.well-known/vaultgate-audit-keys`)).json() as Promise<{ keys: { kid: string }[] }>));
    expect(new Set(jwks.map((j) => j.keys.map((k) => k.kid).join()))).toEqual(new Set([jwks[0]!.keys.map((k) => k.kid).join()]));
    expect(jwks[0]!.keys).toHaveLength(1);
    // Reads (one event each) and registry changes race across the three, with a checkpoint from each meanwhile.
    const work = Array.from({ length: 90 }, (_, i) => {
      const gw = gateways[i % 3]!;
      if (i % 10 === 0) return admin(gw, 'POST', '/audit/checkpoints').then((r) => expect(r.status).toBe(201));
      if (i % 3 === 0) return admin(gw, 'POST', '/parties', { name: `Racer ${i}` }).then((r) => expect(r.status).toBe(201));
      return read(gw, '/vault/v1/messages?limit=1').then((r) => expect(r.status, r.text).toBe(200));
    });
    await Promise.all(work);
    expect((await admin(gateways[1]!, 'POST', '/audit/checkpoints')).status).toBe(201);
    const rows = await pgQuery<{ seq: number }>(`SELECT seq::int AS seq FROM ${schema}.audit_log ORDER BY seq`);
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    const reads = await pgQuery<{ n: number }>(`SELECT COUNT(*)::int AS n FROM ${schema}.audit_log WHERE action = 'vault.list'`);
    expect(reads[0]!.n).toBeGreaterThanOrEqual(54);
    const keysFile = join(dirs[0]!, 'audit-keys.json');
    writeFileSync(keysFile, JSON.stringify(jwks[0]));
    const verified = await promisify(execFile)(process.execPath, [CLI, 'audit', 'verify', '--database-url', DATABASE_URL, '--database-schema', schema, '--public-key', keysFile, '--json']);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, firstSeq: 1, lastSeq: rows.length, checkpointsVerified: expect.any(Number), firstBreak: null });
    expect(JSON.parse(verified.stdout).checkpointsVerified).toBeGreaterThanOrEqual(10);
  });

  it('loses no acknowledged message when a process is killed with SIGKILL under load', async () => {
    const victim = gateways[2]!;
    const acked: { id: string; body: string; via: number }[] = [];
    let killed = false;
    // Eight clients per process send unique ids in a loop; the third process dies once 150 messages are acknowledged.
    const worker = async (g: number, w: number): Promise<void> => {
      for (let n = 0; !(killed && (g === 2 || acked.length >= 250)); n++) {
        const body = JSON.stringify({ g, w, n, pad: 'x'.repeat(500) });
        const r = await send(gateways[g]!, t.sender, body, `load-${schema}-${g}-${w}-${n}`).catch(() => undefined);
        if (r === undefined) return; // the connection died with the process: never acknowledged
        if (r.status === 200) acked.push({ id: r.json().messageId, body, via: g });
        if (!killed && acked.length >= 150) {
          killed = true;
          victim.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all([0, 1, 2].flatMap((g) => Array.from({ length: 8 }, (_, w) => worker(g, w))));
    expect(await victim.exited).toBe(null);
    expect(acked.filter((a) => a.via === 2).length).toBeGreaterThan(0);

    const ids = new Set(await vaultIds(gateways[0]!));
    for (const a of acked) expect(ids.has(a.id), a.id).toBe(true);
    for (const a of acked.filter((x) => x.via === 2).slice(0, 20)) {
      expect((await read(gateways[1]!, `/vault/v1/messages/${a.id}`)).text).toBe(a.body);
    }
  });

  it('deletes a company through one process: its keys are gone from the key store, and another process purges its messages', async () => {
    const keys = `${schema}_keys`;
    const ownerKeys = async (): Promise<number> => (await pgQuery<{ n: number }>(`SELECT COUNT(*)::int AS n FROM ${keys}.data_keys WHERE owner_id = $1`, [t.companyId]))[0]!.n;
    expect(await ownerKeys()).toBeGreaterThan(0);
    // The message database holds no key material: its schema has no key table.
    expect(await pgQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'data_keys'", [schema])).toEqual([]);

    const res = await fetch(`${gateways[0]!.url}/admin/v1/companies/${t.companyId}?confirm=${t.businessId}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status, await res.text()).toBe(200);
    expect(await ownerKeys()).toBe(0);
    const sweep = await admin(gateways[1]!, 'POST', '/retention/sweep');
    expect(sweep.status).toBe(200);
    expect(sweep.body.purged).toBeGreaterThan(100);
    expect(await pgQuery(`SELECT id FROM ${schema}.messages WHERE company_id = $1`, [t.companyId])).toEqual([]);
  });

  it('logs neither the database password, the master key, the admin token nor any credential key', () => {
    for (const gw of gateways) {
      const logs = gw.logs() + gw.stderr();
      expect(logs).toMatch(/"code":"UNSAFE_KEYSTORE_IN_MESSAGE_DATABASE"/);
      for (const secret of [PASSWORD, MASTER_KEY, TOKEN, t.sender.partnerKey, t.sender.customerKey, t.reader.customerKey]) {
        expect(logs.includes(secret)).toBe(false);
      }
    }
  });
});
