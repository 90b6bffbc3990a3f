import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../protocol/audit-chain.js';
import { AUDIT_SCHEMA_VERSION } from './audit-migration.js';
import { applyMigrations, MIGRATIONS } from './migrations.js';
import { openSqliteStore } from './sqlite-store.js';

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vaultgate-audit-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the audit schema step on SQLite', () => {
  it('imports the version-1 audit_events rows into the chain, in order, and drops that table', async () => {
    const file = join(root, 'legacy.db');
    const db = new Database(file);
    applyMigrations(db, MIGRATIONS.filter((m) => m.version < AUDIT_SCHEMA_VERSION));
    const insert = db.prepare('INSERT INTO audit_events (at, actor, action, subject_id, details) VALUES (?, ?, ?, ?, ?)');
    insert.run('2026-01-01T00:00:00.000Z', 'operator', 'company.delete', 'co_test_01jabcdefghjkmnpqrstvwxyz0', '{"businessId":"1234567-1"}');
    insert.run('2026-01-02T00:00:00.000Z', 'operator', 'keys.rotate-master', 'kek1', '{"rewrapped":3}');
    db.close();

    const store = openSqliteStore({ file });
    try {
      expect(store.appliedMigrations[0]).toBe(AUDIT_SCHEMA_VERSION);
      const chain = await store.readAuditChain(0, 10);
      expect(chain).toMatchObject([
        { seq: 1, action: 'company.delete', environment: 'test', tenants: ['co_test_01jabcdefghjkmnpqrstvwxyz0'], details: { businessId: '1234567-1', importedFrom: 'audit_events' } },
        { seq: 2, action: 'keys.rotate-master', environment: 'unknown', tenants: [], details: { rewrapped: 3, importedFrom: 'audit_events' } },
      ]);
      expect(verifyAuditChain(chain, [], []).ok).toBe(true);
    } finally {
      await store.close();
    }
    const again = new Database(file, { readonly: true });
    expect(again.prepare("SELECT name FROM sqlite_master WHERE name = 'audit_events'").get()).toBeUndefined();
    again.close();
  });
});
