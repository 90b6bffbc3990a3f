import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/protocol/index.js';
import type { MessageTypeAgreement } from '../../src/store/index.js';
import { macRequest } from '../helpers/mac-request.js';
import { listVault } from '../helpers/refusals.js';
import { createTenant, startTestServer, type Tenant, type TestServer, businessIds } from '../helpers/servers.js';

async function send(url: string, t: Tenant, channelId: string, messageType: string, n: number): Promise<string> {
  const r = await macRequest({
    baseUrl: url, target: `/ingestion/${channelId}`, creds: t.sender, body: JSON.stringify({ messageType, n }),
    headers: { 'content-type': 'application/json', 'x-message-type': messageType },
  });
  expect(r.status, r.text).toBe(200);
  return r.json().messageId;
}

async function sendMany(url: string, t: Tenant, channelId: string, messageType: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  // One at a time: keepLast counts by arrival order.
  for (let n = 0; n < count; n++) ids.push(await send(url, t, channelId, messageType, n));
  return ids;
}

function withDb<T>(dir: string, fn: (db: Database.Database) => T): T {
  const db = new Database(join(dir, 'vaultgate.db'));
  db.pragma('busy_timeout = 5000');
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const daysAgo = (d: number): string => new Date(Date.now() - d * 86_400_000).toISOString();

/** Sets received_at of messages directly in the database file, as if they had arrived then. */
function backdate(dir: string, ids: string[], at: string): void {
  withDb(dir, (db) => {
    const stmt = db.prepare('UPDATE messages SET received_at = ? WHERE id = ?');
    for (const id of ids) expect(stmt.run(at, id).changes).toBe(1);
  });
}

const sorted = (xs: string[]): string[] => [...xs].sort();

async function addChannel(s: TestServer, t: Tenant, messageTypes: MessageTypeAgreement[]): Promise<string> {
  const r = await s.admin('POST', '/channels', { companyId: t.companyId, partyId: t.partyId, messageTypes });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id;
}

describe('retention per message type (sweep on demand)', () => {
  let s: TestServer;
  let t: Tenant;
  beforeAll(async () => {
    // The background sweep off: each test runs it when it wants.
    s = await startTestServer({ VAULTGATE_RETENTION_SWEEP_S: '0' });
    t = await createTenant(s.admin, { businessId: businessIds(4100000, 1)[0]! });
  });
  afterAll(() => s.stop());

  const sweep = async (): Promise<{ expired: number; purged: number; transactionIds: number }> => {
    const r = await s.admin('POST', '/retention/sweep');
    expect(r.status).toBe(200);
    return r.body;
  };
  const remaining = async (channelId: string): Promise<string[]> => (await listVault(s.url, t.reader, `channelId=${channelId}`)).map((x) => x.messageId);

  it('channel message types keep their retention in the registry; a bad one is INVALID_REQUEST', async () => {
    const ch = await addChannel(s, t, [{ name: 'A', mediaTypes: ['application/json'], retention: { days: 7, keepLast: 3 } }, { name: 'B', mediaTypes: ['application/json'] }]);
    expect((await s.admin('GET', `/channels/${ch}`)).body.messageTypes).toEqual([
      { name: 'A', mediaTypes: ['application/json'], retention: { days: 7, keepLast: 3 } },
      { name: 'B', mediaTypes: ['application/json'] },
    ]);
    for (const retention of [{}, { days: 0 }, { keepLast: 0 }, { days: 1.5 }, { days: -1 }, { hours: 3 }]) {
      const r = await s.admin('POST', '/channels', { companyId: t.companyId, partyId: t.partyId, messageTypes: [{ name: 'A', mediaTypes: ['application/json'], retention }] });
      expect(r.status, JSON.stringify(retention)).toBe(400);
      expect(r.body.code).toBe('INVALID_REQUEST');
    }
    await s.admin('POST', `/channels/${ch}/disable`);
  });

  it('keepLast=2 keeps the newest 2 per channel, only for that message type', async () => {
    const types: MessageTypeAgreement[] = [
      { name: 'Status', mediaTypes: ['application/json'], retention: { keepLast: 2 } },
      { name: 'Order', mediaTypes: ['application/json'] },
    ];
    const ch1 = await addChannel(s, t, types);
    const ch2 = await addChannel(s, t, types);
    const status1 = await sendMany(s.url, t, ch1, 'Status', 5);
    const orders1 = await sendMany(s.url, t, ch1, 'Order', 3);
    const status2 = await sendMany(s.url, t, ch2, 'Status', 4);
    const status1Late = await sendMany(s.url, t, ch1, 'Status', 1); // newest of ch1, after the orders
    const status2Few = await sendMany(s.url, t, ch2, 'Order', 1);

    expect(await sweep()).toEqual({ expired: 4 + 2, purged: 0, transactionIds: 0 });
    expect(sorted(await remaining(ch1))).toEqual(sorted([status1[4]!, status1Late[0]!, ...orders1]));
    expect(sorted(await remaining(ch2))).toEqual(sorted([status2[2]!, status2[3]!, ...status2Few]));
    // Rows are gone from the database, not just hidden.
    const gone = [...status1.slice(0, 4), ...status2.slice(0, 2)];
    withDb(s.dataDir, (db) => {
      const stmt = db.prepare('SELECT COUNT(*) AS n FROM messages WHERE id = ?');
      for (const id of gone) expect((stmt.get(id) as { n: number }).n).toBe(0);
    });
    const read = await macRequest({ baseUrl: s.url, target: `/vault/v1/messages/${status1[0]}`, creds: t.reader });
    expect(read.json().code).toBe('NOT_FOUND');

    // Nothing more to do: a second sweep deletes nothing. A new message pushes out the oldest kept one.
    expect(await sweep()).toEqual({ expired: 0, purged: 0, transactionIds: 0 });
    const newest = await send(s.url, t, ch1, 'Status', 99);
    expect((await sweep()).expired).toBe(1);
    expect(sorted(await remaining(ch1))).toEqual(sorted([status1Late[0]!, newest, ...orders1]));
  });

  it('days=1 removes exactly the messages whose received_at is more than a day back, only for that type', async () => {
    const ch = await addChannel(s, t, [
      { name: 'Event', mediaTypes: ['application/json'], retention: { days: 1 } },
      { name: 'Order', mediaTypes: ['application/json'] },
    ]);
    const events = await sendMany(s.url, t, ch, 'Event', 5);
    const orders = await sendMany(s.url, t, ch, 'Order', 2);
    backdate(s.dataDir, [events[0]!, events[2]!], daysAgo(2));
    backdate(s.dataDir, [events[3]!], daysAgo(400));
    backdate(s.dataDir, [events[1]!], daysAgo(23 / 24)); // 23 hours: not yet
    backdate(s.dataDir, [orders[0]!], daysAgo(30)); // no retention for Order

    expect(await sweep()).toEqual({ expired: 3, purged: 0, transactionIds: 0 });
    expect(sorted(await remaining(ch))).toEqual(sorted([events[1]!, events[4]!, ...orders]));
    expect(await sweep()).toEqual({ expired: 0, purged: 0, transactionIds: 0 });
  });

  it('days and keepLast together: a message goes when either rule says so', async () => {
    const ch = await addChannel(s, t, [{ name: 'Both', mediaTypes: ['application/json'], retention: { days: 1, keepLast: 3 } }]);
    const ids = await sendMany(s.url, t, ch, 'Both', 6);
    backdate(s.dataDir, [ids[0]!], daysAgo(2)); // too old; ids[1] and ids[2] are beyond the newest 3
    expect(await sweep()).toEqual({ expired: 3, purged: 0, transactionIds: 0 });
    expect(sorted(await remaining(ch))).toEqual(sorted(ids.slice(3)));
    // Old enough now, though among the newest 3 (received_at follows arrival, so all three are).
    backdate(s.dataDir, ids.slice(3, 5), daysAgo(2));
    expect(await sweep()).toEqual({ expired: 2, purged: 0, transactionIds: 0 });
    expect(await remaining(ch)).toEqual([ids[5]]);
  });

  it('ingestion keeps working during a sweep of a few thousand rows; exactly the expired rows go', async () => {
    const ch = await addChannel(s, t, [
      { name: 'Event', mediaTypes: ['application/json'], retention: { days: 1 } },
      { name: 'Order', mediaTypes: ['application/json'] },
    ]);
    const [seed] = await sendMany(s.url, t, ch, 'Event', 1);
    const BULK = 4000;
    withDb(s.dataDir, (db) => {
      const copy = db.prepare(`INSERT INTO messages (id, company_seq, channel_seq, party_seq, message_type, media_type, content_type, size, sha256,
        received_at, transaction_id, body_ciphertext, key_version)
        SELECT @id, company_seq, channel_seq, party_seq, message_type, media_type, content_type, size, sha256, @at, NULL, body_ciphertext, key_version
        FROM messages WHERE id = @seed`);
      db.transaction(() => {
        for (let i = 0; i < BULK; i++) copy.run({ id: newId('message', 'test'), at: daysAgo(3), seed });
      })();
    });
    const before = await listVault(s.url, t.reader, `channelId=${ch}`);
    expect(before).toHaveLength(BULK + 1);

    let swept = false;
    let storedWhileSweeping = 0;
    const sweeping = sweep().then((r) => {
      swept = true;
      return r;
    });
    const during = await Promise.all(Array.from({ length: 30 }, async (_, n) => {
      const id = await send(s.url, t, ch, n % 2 ? 'Event' : 'Order', n);
      if (!swept) storedWhileSweeping++;
      return id;
    }));
    const result = await sweeping;
    expect(result).toEqual({ expired: BULK, purged: 0, transactionIds: 0 });
    // The sweep yields between its batches: messages were stored (durably) before it finished.
    expect(storedWhileSweeping).toBeGreaterThan(0);
    expect(sorted(await remaining(ch))).toEqual(sorted([seed!, ...during]));
    // Each message sent during the sweep reads back.
    for (const id of during.slice(0, 3)) {
      const r = await macRequest({ baseUrl: s.url, target: `/vault/v1/messages/${id}`, creds: t.reader });
      expect(r.status).toBe(200);
    }
  });

  it('the sweep needs the admin token', async () => {
    const r = await fetch(`${s.url}/admin/v1/retention/sweep`, { method: 'POST' });
    expect(r.status).toBe(401);
  });
});

describe('the background sweep (VAULTGATE_RETENTION_SWEEP_S)', () => {
  let s: TestServer;
  afterAll(() => s.stop());

  it('runs on its own every interval', async () => {
    s = await startTestServer({ VAULTGATE_RETENTION_SWEEP_S: '1' });
    const t = await createTenant(s.admin, {
      businessId: businessIds(4200000, 1)[0]!,
      messageTypes: [{ name: 'Status', mediaTypes: ['application/json'], retention: { keepLast: 1 } }] as MessageTypeAgreement[],
    });
    const ids = await sendMany(s.url, t, t.channelId, 'Status', 3);
    const deadline = Date.now() + 5000;
    let left = ids;
    while (Date.now() < deadline) {
      left = (await listVault(s.url, t.reader)).map((x) => x.messageId);
      if (left.length === 1) break;
      await sleep(100);
    }
    expect(left).toEqual([ids[2]]);
  });
});
