import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { macRequest } from '../helpers/mac-request.js';
import { createTenant, startTestServer, type Tenant, type TestServer } from '../helpers/servers.js';

describe('transaction-id retention', () => {
  let s: TestServer;
  let t: Tenant;
  beforeAll(async () => {
    s = await startTestServer({ VAULTGATE_RETENTION_SWEEP_S: '0' });
    t = await createTenant(s.admin);
  });
  afterAll(() => s.stop());

  const send = (transactionId: string) =>
    macRequest({ baseUrl: s.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body: '{}', headers: { 'content-type': 'application/json' }, transactionId });

  it('keeps a used transaction id refused for 24 h, then the sweep forgets it', async () => {
    for (const id of ['tx-25h', 'tx-23h']) expect((await send(id)).status).toBe(200);
    const db = new Database(join(s.dataDir, 'vaultgate.db'));
    try {
      const ago = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
      // The ledger is partitioned (src/store/sqlite/ledger.ts): backdate the row where it is, and the partition's
      // oldest time in the catalog with it.
      const backdate = (transactionId: string, when: string): void => {
        const tables = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'transaction_ledger_[0-9]*'").pluck().all();
        for (const t of tables) db.prepare(`UPDATE ${t} SET created_at = ? WHERE transaction_id = ?`).run(when, transactionId);
        db.prepare('UPDATE transaction_ledger_partitions SET min_at = ? WHERE min_at > ?').run(when, when);
      };
      backdate('tx-25h', ago(25));
      backdate('tx-23h', ago(23));
    } finally {
      db.close();
    }
    expect((await send('tx-25h')).json().code).toBe('REQUEST_NOT_UNIQUE');
    const sweep = await s.admin('POST', '/retention/sweep');
    expect(sweep.body).toMatchObject({ transactionIds: 1, expired: 0, purged: 0 });
    expect((await send('tx-25h')).status).toBe(200);
    expect((await send('tx-23h')).json().code).toBe('REQUEST_NOT_UNIQUE');
  });
});
