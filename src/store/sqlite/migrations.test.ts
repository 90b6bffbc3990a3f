import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrations, LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrations.js';

const open: Database.Database[] = [];

function memoryDb(): Database.Database {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  open.push(db);
  return db;
}

function versions(db: Database.Database): number[] {
  return db.prepare<[], number>('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
}

function tables(db: Database.Database): string[] {
  return db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
}

afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

describe('migrations', () => {
  it('are numbered 1, 2, … without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('apply once to a fresh database and are a no-op afterwards', () => {
    const db = memoryDb();
    expect(applyMigrations(db)).toEqual(MIGRATIONS.map((m) => m.version));
    const schema = db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all();
    const recorded = db.prepare('SELECT * FROM schema_migrations').all();
    expect(applyMigrations(db)).toEqual([]);
    expect(db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all()).toEqual(schema);
    expect(db.prepare('SELECT * FROM schema_migrations').all()).toEqual(recorded);
    expect(tables(db)).toEqual(
      expect.arrayContaining([
        'channels',
        'companies',
        'customer_credentials',
        'messages',
        'partner_credentials',
        'parties',
        'schema_migrations',
        'transaction_ledger_1',
        'transaction_ledger_partitions',
      ]),
    );
  });

  it('apply only the newer steps to an older database', () => {
    const db = memoryDb();
    applyMigrations(db);
    const next: Migration = { version: LATEST_SCHEMA_VERSION + 1, sql: 'CREATE TABLE extra (a TEXT)' };
    expect(applyMigrations(db, [...MIGRATIONS, next])).toEqual([next.version]);
    expect(versions(db)).toEqual([...MIGRATIONS.map((m) => m.version), next.version]);
  });

  it('roll back every step of a run when one fails', () => {
    const db = memoryDb();
    const broken: Migration[] = [
      ...MIGRATIONS,
      { version: LATEST_SCHEMA_VERSION + 1, sql: 'CREATE TABLE extra (a TEXT)' },
      { version: LATEST_SCHEMA_VERSION + 2, sql: 'SELECT * FROM no_such_table' },
    ];
    expect(() => applyMigrations(db, broken)).toThrow(/no_such_table/);
    expect(tables(db)).toEqual([]);
  });

  it('refuse a database newer than the code, and migrations out of order', () => {
    const db = memoryDb();
    applyMigrations(db, [...MIGRATIONS, { version: LATEST_SCHEMA_VERSION + 1, sql: 'SELECT 1' }]);
    expect(() => applyMigrations(db)).toThrow(/newer than this build/);
    const unordered: Migration[] = [
      { version: 2, sql: 'SELECT 1' },
      { version: 1, sql: 'SELECT 1' },
    ];
    expect(() => applyMigrations(memoryDb(), unordered)).toThrow(/strictly increasing/);
  });
});
