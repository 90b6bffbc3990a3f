import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describePostgres, dropSchemas, PG_URL, uniqueSchema } from '../../test/helpers/postgres.js';
import { cipherBytes, createFixtures } from './conformance/fixtures.js';
import type { Store } from './port.js';
import { applyPgMigrations, PG_STORE_MIGRATIONS } from './postgres/migrations.js';
import { createPool, run } from './postgres/pg-db.js';
import { openPgStore } from './postgres/pg-store.js';
import { PG_ACCOUNTS_SCHEMA_VERSION } from './postgres/accounts-migration.js';
import { ACCOUNTS_SCHEMA_VERSION } from './sqlite/accounts-migration.js';
import { PG_SESSION_METHOD_SCHEMA_VERSION } from './postgres/session-method-migration.js';
import { SESSION_METHOD_SCHEMA_VERSION } from './sqlite/session-method-migration.js';
import { PG_API_TOKEN_METHOD_SCHEMA_VERSION } from './postgres/api-token-method-migration.js';
import { API_TOKEN_METHOD_SCHEMA_VERSION } from './sqlite/api-token-method-migration.js';
import { applyMigrations, MIGRATIONS } from './sqlite/migrations.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';

/*
 * The accounts schema step on a populated database (issue 14), SQLite and PostgreSQL: every company and party
 * becomes an organisation with its id (a deleted company or disabled party a suspended one), and nothing else
 * changes: credentials, channels and messages read back as they were. The session-method and token-method steps after
 * it: a session started, or a personal API token made, before them reads as `password` (the stricter reading for an
 * organisation requiring TOTP).
 */

type Exec = (sql: string, params: Record<string, unknown>) => Promise<unknown>;

/** A message row where messages name their company, channel and party by id (PostgreSQL). */
const TEXT_ID_MESSAGE = `INSERT INTO messages (id, company_id, channel_id, party_id, message_type, media_type, content_type, size, sha256, received_at, transaction_id, body_ciphertext, key_version)
    VALUES (@id, @companyId, @channelId, @partyId, @messageType, @mediaType, @contentType, @size, @sha256, @receivedAt, @transactionId, @body, @keyVersion)`;
/** The same in SQLite's lean schema (step 3), where they are named by seq. */
const LEAN_MESSAGE = `INSERT INTO messages (id, company_seq, channel_seq, party_seq, message_type, media_type, content_type, size, sha256, received_at, transaction_id, body_ciphertext, key_version)
    SELECT @id, co.seq, ch.seq, p.seq, @messageType, @mediaType, @contentType, @size, @sha256, @receivedAt, @transactionId, @body, @keyVersion
    FROM companies co, channels ch, parties p WHERE co.id = @companyId AND ch.id = @channelId AND p.id = @partyId`;

/** Writes rows as the previous schema holds them (the store of this build cannot open that schema without migrating). */
async function populate(exec: Exec, messageSql: string) {
  const fx = createFixtures();
  const company = fx.company();
  const gone = fx.company();
  const party = fx.party();
  const off = fx.party({ status: 'disabled', disabledAt: '2026-01-02T00:00:00.000Z' });
  const credential = fx.customerCredential(company.id);
  const channel = fx.channel(company.id, party.id);
  const message = fx.message(channel, { bodyCiphertext: cipherBytes(400) });
  for (const c of [company, gone]) await exec('INSERT INTO companies (id, name, business_id, created_at, deleted_at) VALUES (@id, @name, @businessId, @createdAt, @deletedAt)', { ...c, deletedAt: c === gone ? c.createdAt : null });
  for (const p of [party, off]) await exec('INSERT INTO parties (id, name, status, created_at, disabled_at) VALUES (@id, @name, @status, @createdAt, @disabledAt)', { ...p });
  await exec(`INSERT INTO customer_credentials (customer_id, company_id, name, scopes, status, created_at, disabled_at, key_ciphertext)
    VALUES (@customerId, @companyId, @name, @scopes, @status, @createdAt, @disabledAt, @keyCiphertext)`, { ...credential, scopes: JSON.stringify(credential.scopes), keyCiphertext: Buffer.from(credential.keyCiphertext) });
  await exec(`INSERT INTO channels (id, company_id, party_id, message_types, status, created_at, disabled_at)
    VALUES (@id, @companyId, @partyId, @messageTypes, @status, @createdAt, @disabledAt)`, { ...channel, messageTypes: JSON.stringify(channel.messageTypes) });
  await exec(messageSql, { ...message, body: Buffer.from(message.bodyCiphertext) });
  return { fx, company, gone, party, off, credential, channel, message };
}

async function expectMigrated(store: Store, p: Awaited<ReturnType<typeof populate>>): Promise<void> {
  expect(await store.getOrganisation(p.company.id)).toEqual({
    id: p.company.id, name: p.company.name, companyId: p.company.id, partyId: null, businessId: p.company.businessId, status: 'active', requireTotp: false, createdAt: p.company.createdAt,
  });
  expect(await store.getOrganisation(p.party.id)).toEqual({
    id: p.party.id, name: p.party.name, companyId: null, partyId: p.party.id, businessId: null, status: 'active', requireTotp: false, createdAt: p.party.createdAt,
  });
  expect(await store.getOrganisation(p.gone.id)).toMatchObject({ companyId: p.gone.id, status: 'suspended' });
  expect(await store.getOrganisation(p.off.id)).toMatchObject({ partyId: p.off.id, status: 'suspended' });
  // Nothing else changed: ids, credentials, channels and messages as they were.
  expect(await store.getCompany(p.company.id)).toMatchObject({ id: p.company.id, businessId: p.company.businessId });
  expect(await store.getCustomerCredential(p.credential.customerId)).toMatchObject({ customerId: p.credential.customerId, companyId: p.company.id, status: 'active' });
  expect(await store.getChannel(p.channel.id)).toMatchObject({ id: p.channel.id, companyId: p.company.id, partyId: p.party.id, status: 'active' });
  const m = await store.getMessage(p.company.id, p.message.id);
  expect(m?.sha256).toBe(p.message.sha256);
  expect(Buffer.from(m!.bodyCiphertext).equals(Buffer.from(p.message.bodyCiphertext))).toBe(true);
  // A company added after the step gets its organisation from the trigger.
  const later = p.fx.company();
  await store.createCompany(later);
  expect(await store.getOrganisation(later.id)).toMatchObject({ companyId: later.id, businessId: later.businessId, status: 'active' });
}

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vaultgate-accounts-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the accounts schema step on SQLite', () => {
  it('makes an organisation of every existing company and party, keeping ids and data', async () => {
    const file = join(root, 'populated.db');
    const db = new Database(file);
    applyMigrations(db, MIGRATIONS.filter((m) => m.version < ACCOUNTS_SCHEMA_VERSION));
    const rows = await populate(async (sql, params) => db.prepare(sql).run(params), LEAN_MESSAGE);
    db.close();
    const store = openSqliteStore({ file });
    try {
      expect(store.appliedMigrations).toEqual(MIGRATIONS.map((m) => m.version).filter((v) => v >= ACCOUNTS_SCHEMA_VERSION)); // and the steps after it
      await expectMigrated(store, rows);
    } finally {
      await store.close();
    }
  });
});

describePostgres('the accounts schema step on PostgreSQL', () => {
  const schema = uniqueSchema('acctmig');
  afterAll(() => dropSchemas([schema]));

  it('makes an organisation of every existing company and party, keeping ids and data', async () => {
    const pool = createPool({ url: PG_URL, schema, poolSize: 1 });
    let rows;
    try {
      await applyPgMigrations(pool, schema, PG_STORE_MIGRATIONS.filter((m) => m.version < PG_ACCOUNTS_SCHEMA_VERSION));
      rows = await populate((sql, params) => run(pool, sql, params), TEXT_ID_MESSAGE);
    } finally {
      await pool.end();
    }
    const store = await openPgStore({ url: PG_URL, schema, poolSize: 2, migrate: true });
    try {
      expect(store.migration.applied).toEqual(PG_STORE_MIGRATIONS.map((m) => m.version).filter((v) => v >= PG_ACCOUNTS_SCHEMA_VERSION)); // and the steps after it
      await expectMigrated(store, rows);
    } finally {
      await store.close();
    }
  });
});

/** A user, a live session and a personal API token written as the schema before the session-method step holds them. */
async function populateSession(exec: Exec): Promise<{ tokenHash: string; userId: string; apiTokenHash: string }> {
  const at = '2026-01-02T00:00:00.000Z';
  const userId = 'usr_test_000000000000000000000001';
  await exec(`INSERT INTO users (id, email, email_key, display_name, language, password_hash, platform_role, status, created_at)
    VALUES (@userId, @email, @email, 'A', 'fi', NULL, NULL, 'active', @at)`, { userId, at, email: 'a@example.fi' });
  await exec(`INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, revoked_at, client_address)
    VALUES ('hash-of-an-old-session', @userId, @at, @at, '2026-01-03T00:00:00.000Z', NULL, NULL)`, { userId, at });
  // A party (its trigger makes its organisation) and a token of the user for it.
  await exec(`INSERT INTO parties (id, name, status, created_at, disabled_at) VALUES ('tp_test_000000000000000000000001', 'P', 'active', @at, NULL)`, { at });
  await exec(`INSERT INTO api_tokens (id, token_hash, user_id, organisation_id, role, name, created_at, expires_at, revoked_at)
    VALUES ('pat_test_000000000000000000000001', 'hash-of-an-old-token', @userId, 'tp_test_000000000000000000000001', 'viewer', 'old', @at, '2027-01-01T00:00:00.000Z', NULL)`, { userId, at });
  return { tokenHash: 'hash-of-an-old-session', userId, apiTokenHash: 'hash-of-an-old-token' };
}

describe('the session-method step on SQLite', () => {
  it('a session and a personal API token from before the steps are password ones', async () => {
    const file = join(root, 'sessions.db');
    const db = new Database(file);
    applyMigrations(db, MIGRATIONS.filter((m) => m.version < SESSION_METHOD_SCHEMA_VERSION));
    const old = await populateSession(async (sql, params) => db.prepare(sql).run(params));
    db.close();
    const store = openSqliteStore({ file });
    try {
      expect(store.appliedMigrations).toEqual(MIGRATIONS.map((m) => m.version).filter((v) => v >= SESSION_METHOD_SCHEMA_VERSION));
      expect(store.appliedMigrations).toContain(API_TOKEN_METHOD_SCHEMA_VERSION);
      expect(await store.getSession(old.tokenHash)).toMatchObject({ userId: old.userId, signInMethod: 'password' });
      expect(await store.getApiTokenByHash(old.apiTokenHash)).toMatchObject({ userId: old.userId, signInMethod: 'password' });
    } finally {
      await store.close();
    }
  });
});

describePostgres('the session-method step on PostgreSQL', () => {
  const schema = uniqueSchema('sessmig');
  afterAll(() => dropSchemas([schema]));

  it('a session and a personal API token from before the steps are password ones', async () => {
    const pool = createPool({ url: PG_URL, schema, poolSize: 1 });
    let old;
    try {
      await applyPgMigrations(pool, schema, PG_STORE_MIGRATIONS.filter((m) => m.version < PG_SESSION_METHOD_SCHEMA_VERSION));
      old = await populateSession((sql, params) => run(pool, sql, params));
    } finally {
      await pool.end();
    }
    const store = await openPgStore({ url: PG_URL, schema, poolSize: 2, migrate: true });
    try {
      expect(store.migration.applied).toEqual(PG_STORE_MIGRATIONS.map((m) => m.version).filter((v) => v >= PG_SESSION_METHOD_SCHEMA_VERSION));
      expect(store.migration.applied).toContain(PG_API_TOKEN_METHOD_SCHEMA_VERSION);
      expect(await store.getSession(old.tokenHash)).toMatchObject({ userId: old.userId, signInMethod: 'password' });
      expect(await store.getApiTokenByHash(old!.apiTokenHash)).toMatchObject({ userId: old!.userId, signInMethod: 'password' });
    } finally {
      await store.close();
    }
  });
});
