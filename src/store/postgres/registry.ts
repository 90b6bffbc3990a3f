import type pg from 'pg';
import { VaultgateError } from '../../protocol/index.js';
import type { AuditAppend, RegistryStore } from '../port.js';
import { appendPgAudit, audited } from './audit.js';
import { checkLimit, decodeCursor, toPage } from '../sqlite/cursor.js';
import { channelListSql, CHANNEL_COLUMNS } from '../sqlite/list-queries.js';
import {
  toChannel,
  toCompany,
  toCustomerCredential,
  toPartnerCredential,
  toParty,
  type ChannelRow,
  type CompanyRow,
  type CustomerCredentialRow,
  type PartnerCredentialRow,
  type PartyRow,
} from '../sqlite/rows.js';
import { isUniqueViolation, run, transaction } from './pg-db.js';

/*
 * The registry on PostgreSQL. Rows come back with the same column names as SQLite's, so the row mappers and the
 * cursor encoding are shared; the SQL uses @name parameters (see run()). Every registry change is one statement or
 * one transaction, visible to every gateway process at its commit.
 */

const COMPANY_COLUMNS = 'seq, id, name, business_id, created_at, deleted_at';
const PARTY_COLUMNS = 'seq, id, name, status, created_at, disabled_at';
const PARTNER_COLUMNS = 'seq, partner_id, party_id, status, created_at, disabled_at, key_ciphertext';
const CUSTOMER_COLUMNS = 'seq, customer_id, company_id, name, scopes, status, created_at, disabled_at, key_ciphertext';

/** Disabling keeps the first disabled_at, so disabling twice is harmless; rowCount says whether the row exists. */
const disableSql = (table: string, key: string): string =>
  `UPDATE ${table} SET status = 'disabled', disabled_at = COALESCE(disabled_at, @at) WHERE ${key} = @id`;
const cascadeSql = (table: string, key: string): string =>
  `UPDATE ${table} SET status = 'disabled', disabled_at = @at WHERE ${key} = @id AND status = 'active'`;

const bytes = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

export function pgRegistry(pool: pg.Pool): RegistryStore {
  const one = async <R extends pg.QueryResultRow>(sql: string, params: Record<string, unknown>): Promise<R | undefined> =>
    (await run<R>(pool, sql, params)).rows[0];
  const changed = (sql: string, params: Record<string, unknown>, audit?: AuditAppend): Promise<boolean> =>
    audited(pool, audit, async (db) => ((await run(db, sql, params)).rowCount ?? 0) > 0);
  const page = async <R extends pg.QueryResultRow & { seq: number }, T>(
    sql: string, params: Record<string, unknown>, q: { cursor?: string | undefined; limit: number }, map: (r: R) => T,
  ) => {
    const limit = checkLimit(q.limit);
    const rows = (await run<R>(pool, sql, { ...params, after: decodeCursor(q.cursor), limit: limit + 1 })).rows;
    return toPage(rows, limit, map);
  };

  return {
    async createCompany(c, audit) {
      try {
        await audited(pool, audit, (db) => run(db, 'INSERT INTO companies (id, name, business_id, created_at) VALUES (@id, @name, @businessId, @createdAt)', { ...c }));
      } catch (err) {
        if (isUniqueViolation(err, 'companies_business_id')) throw new VaultgateError('BUSINESS_ID_TAKEN', { cause: err });
        throw err;
      }
    },
    async getCompany(id) {
      const r = await one<CompanyRow>(`SELECT ${COMPANY_COLUMNS} FROM companies WHERE id = @id`, { id });
      return r && toCompany(r);
    },
    async getCompanyByBusinessId(businessId) {
      const r = await one<CompanyRow>(`SELECT ${COMPANY_COLUMNS} FROM companies WHERE business_id = @businessId AND deleted_at IS NULL`, { businessId });
      return r && toCompany(r);
    },
    listCompanies: (q) => page<CompanyRow, ReturnType<typeof toCompany>>(
      `SELECT ${COMPANY_COLUMNS} FROM companies WHERE seq > @after ORDER BY seq LIMIT @limit`, {}, q, toCompany),

    async createParty(p, audit) {
      await audited(pool, audit, (db) => run(db, 'INSERT INTO parties (id, name, status, created_at, disabled_at) VALUES (@id, @name, @status, @createdAt, @disabledAt)', { ...p }));
    },
    async getParty(id) {
      const r = await one<PartyRow>(`SELECT ${PARTY_COLUMNS} FROM parties WHERE id = @id`, { id });
      return r && toParty(r);
    },
    listParties: (q) => page<PartyRow, ReturnType<typeof toParty>>(
      `SELECT ${PARTY_COLUMNS} FROM parties WHERE seq > @after ORDER BY seq LIMIT @limit`, {}, q, toParty),
    disableParty: (id, at, audit) => transaction(pool, async (client) => {
      if (((await run(client, disableSql('parties', 'id'), { id, at })).rowCount ?? 0) === 0) return false;
      await run(client, cascadeSql('partner_credentials', 'party_id'), { id, at });
      await run(client, cascadeSql('channels', 'party_id'), { id, at });
      if (audit) await appendPgAudit(client, audit);
      return true;
    }),

    async createPartnerCredential(c, audit) {
      await audited(pool, audit, (db) => run(db, `INSERT INTO partner_credentials (partner_id, party_id, status, created_at, disabled_at, key_ciphertext)
        VALUES (@partnerId, @partyId, @status, @createdAt, @disabledAt, @keyCiphertext)`, { ...c, keyCiphertext: bytes(c.keyCiphertext) }));
    },
    async getPartnerCredential(partnerId) {
      const r = await one<PartnerCredentialRow>(`SELECT ${PARTNER_COLUMNS} FROM partner_credentials WHERE partner_id = @id`, { id: partnerId });
      return r && toPartnerCredential(r);
    },
    listPartnerCredentials: (partyId, q) => page<PartnerCredentialRow, ReturnType<typeof toPartnerCredential>>(
      `SELECT ${PARTNER_COLUMNS} FROM partner_credentials WHERE party_id = @partyId AND seq > @after ORDER BY seq LIMIT @limit`,
      { partyId }, q, toPartnerCredential),
    disablePartnerCredential: (partnerId, at, audit) => changed(disableSql('partner_credentials', 'partner_id'), { id: partnerId, at }, audit),

    async createCustomerCredential(c, audit) {
      await audited(pool, audit, (db) => run(db, `INSERT INTO customer_credentials (customer_id, company_id, name, scopes, status, created_at, disabled_at, key_ciphertext)
        VALUES (@customerId, @companyId, @name, @scopes, @status, @createdAt, @disabledAt, @keyCiphertext)`,
      { ...c, scopes: JSON.stringify(c.scopes), keyCiphertext: bytes(c.keyCiphertext) }));
    },
    async getCustomerCredential(customerId) {
      const r = await one<CustomerCredentialRow>(`SELECT ${CUSTOMER_COLUMNS} FROM customer_credentials WHERE customer_id = @id`, { id: customerId });
      return r && toCustomerCredential(r);
    },
    listCustomerCredentials: (companyId, q) => page<CustomerCredentialRow, ReturnType<typeof toCustomerCredential>>(
      `SELECT ${CUSTOMER_COLUMNS} FROM customer_credentials WHERE company_id = @companyId AND seq > @after ORDER BY seq LIMIT @limit`,
      { companyId }, q, toCustomerCredential),
    disableCustomerCredential: (customerId, at, audit) => changed(disableSql('customer_credentials', 'customer_id'), { id: customerId, at }, audit),

    deleteCompany: (id, at, audit) => transaction(pool, async (client) => {
      if (((await run(client, 'UPDATE companies SET deleted_at = COALESCE(deleted_at, @at) WHERE id = @id', { id, at })).rowCount ?? 0) === 0) return false;
      await run(client, cascadeSql('customer_credentials', 'company_id'), { id, at });
      await run(client, cascadeSql('channels', 'company_id'), { id, at });
      await appendPgAudit(client, audit);
      return true;
    }),

    async createChannel(c, audit) {
      await audited(pool, audit, (db) => run(db, `INSERT INTO channels (id, company_id, party_id, message_types, status, created_at, disabled_at)
        VALUES (@id, @companyId, @partyId, @messageTypes, @status, @createdAt, @disabledAt)`, { ...c, messageTypes: JSON.stringify(c.messageTypes) }));
    },
    async getChannel(id) {
      const r = await one<ChannelRow>(`SELECT ${CHANNEL_COLUMNS} FROM channels WHERE id = @id`, { id });
      return r && toChannel(r);
    },
    listChannels: (q) => page<ChannelRow, ReturnType<typeof toChannel>>(
      channelListSql({ companyId: q.companyId !== undefined, partyId: q.partyId !== undefined }),
      { companyId: q.companyId, partyId: q.partyId }, q, toChannel),
    disableChannel: (id, at, audit) => changed(disableSql('channels', 'id'), { id, at }, audit),
  };
}
