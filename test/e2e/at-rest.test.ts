import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { macRequest } from '../helpers/mac-request.js';
import { createTenant, startTestServer, type Tenant, type TestServer } from '../helpers/servers.js';

describe('what is at rest in the data directory', () => {
  let s: TestServer;
  let t: Tenant;
  const marker = `UNIQUE-MARKER-${Date.now()}-Jyväskylä`;
  const ids: string[] = [];
  beforeAll(async () => {
    s = await startTestServer();
    t = await createTenant(s.admin);
    for (const n of [1, 2]) {
      const r = await macRequest({ baseUrl: s.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body: JSON.stringify({ n, marker }), headers: { 'content-type': 'application/json' } });
      expect(r.status, r.text).toBe(200);
      ids.push(r.json().messageId);
    }
  });
  afterAll(() => s.stop());

  const read = (id: string) => macRequest({ baseUrl: s.url, target: `/vault/v1/messages/${id}`, creds: t.reader });

  it('the database files hold no message body and no partner or customer key', () => {
    const files = readdirSync(s.dataDir).filter((f) => f.startsWith('vaultgate.db'));
    expect(files).toContain('vaultgate.db');
    const bytes = Buffer.concat(files.map((f) => readFileSync(join(s.dataDir, f))));
    for (const secret of [marker, 'UNIQUE-MARKER', t.sender.partnerKey, t.sender.customerKey, t.reader.customerKey, s.adminToken]) {
      expect(bytes.includes(Buffer.from(secret, 'utf8')), secret.slice(0, 12)).toBe(false);
      expect(bytes.includes(Buffer.from(secret, 'latin1')), secret.slice(0, 12)).toBe(false);
    }
  });

  it('a ciphertext altered by one byte is refused with DATA_INTEGRITY_ERROR, never wrong bytes', async () => {
    const db = new Database(join(s.dataDir, 'vaultgate.db'));
    try {
      const row = db.prepare('SELECT body_ciphertext AS c FROM messages WHERE id = ?').get(ids[0]) as { c: Buffer };
      const altered = Buffer.from(row.c);
      altered[altered.length - 1]! ^= 0x01;
      db.prepare('UPDATE messages SET body_ciphertext = ? WHERE id = ?').run(altered, ids[0]);
    } finally {
      db.close();
    }
    const r = await read(ids[0]!);
    expect(r.status).toBe(500);
    expect(r.json().code).toBe('DATA_INTEGRITY_ERROR');
    expect(r.json().detail).toBeUndefined();
    expect(r.text).not.toContain(marker);
  });

  it('a ciphertext moved onto another message is refused, never returned as that message', async () => {
    const db = new Database(join(s.dataDir, 'vaultgate.db'));
    try {
      const other = db.prepare('SELECT body_ciphertext AS c FROM messages WHERE id = ?').get(ids[0]) as { c: Buffer };
      const good = db.prepare('SELECT body_ciphertext AS c FROM messages WHERE id = ?').get(ids[1]) as { c: Buffer };
      expect(other.c.equals(good.c)).toBe(false);
      db.prepare('UPDATE messages SET body_ciphertext = ? WHERE id = ?').run(good.c, ids[0]);
    } finally {
      db.close();
    }
    const r = await read(ids[0]!);
    expect(r.json().code).toBe('DATA_INTEGRITY_ERROR');
    const intact = await read(ids[1]!);
    expect(intact.status).toBe(200);
    expect(JSON.parse(intact.text)).toEqual({ n: 2, marker });
  });
});
