import type Database from 'better-sqlite3';
import type {
  ChannelRow,
  CompanyRow,
  CustomerCredentialRow,
  MessageRow,
  PartnerCredentialRow,
  PartyRow,
} from './rows.js';
import { CHANNEL_COLUMNS, CHANNEL_SEQ, COMPANY_SEQ, LEAN_MESSAGE_COLUMNS, LEAN_MESSAGE_FROM } from './list-queries.js';

/* Every fixed statement the store runs, prepared once when the store opens. */

type Params = Record<string, unknown>;
type Stmt<R = unknown> = Database.Statement<[Params], R>;

export interface Statements {
  insertCompany: Stmt;
  getCompany: Stmt<CompanyRow>;
  getCompanyByBusinessId: Stmt<CompanyRow>;
  listCompanies: Stmt<CompanyRow>;

  insertParty: Stmt;
  getParty: Stmt<PartyRow>;
  listParties: Stmt<PartyRow>;
  disableParty: Stmt;
  disablePartyCredentials: Stmt;
  disablePartyChannels: Stmt;

  insertPartnerCredential: Stmt;
  getPartnerCredential: Stmt<PartnerCredentialRow>;
  listPartnerCredentials: Stmt<PartnerCredentialRow>;
  disablePartnerCredential: Stmt;

  insertCustomerCredential: Stmt;
  getCustomerCredential: Stmt<CustomerCredentialRow>;
  listCustomerCredentials: Stmt<CustomerCredentialRow>;
  disableCustomerCredential: Stmt;

  insertChannel: Stmt;
  getChannel: Stmt<ChannelRow>;
  disableChannel: Stmt;

  deleteCompany: Stmt;
  disableCompanyCredentials: Stmt;
  disableCompanyChannels: Stmt;
  deleteCompanyMessages: Stmt;
  listDeletedCompanies: Stmt<{ id: string }>;
  deleteOlderMessages: Stmt;
  deleteBeyondNewest: Stmt;

  insertMessage: Stmt;
  getMessage: Stmt<MessageRow>;
}

const COMPANY_COLUMNS = 'seq, id, name, business_id, created_at, deleted_at';
const PARTY_COLUMNS = 'seq, id, name, status, created_at, disabled_at';
const PARTNER_COLUMNS = 'seq, partner_id, party_id, status, created_at, disabled_at, key_ciphertext';
const CUSTOMER_COLUMNS =
  'seq, customer_id, company_id, name, scopes, status, created_at, disabled_at, key_ciphertext';

/*
 * Disabling keeps the first disabled_at (COALESCE) so that disabling twice is harmless; the single-row updates
 * match on id alone, so `changes` says whether the row exists. The cascade only touches rows still active.
 */
function disableSql(table: string, key: string): string {
  return `UPDATE ${table} SET status = 'disabled', disabled_at = COALESCE(disabled_at, @at) WHERE ${key} = @id`;
}

/** A message's row: its company, channel and party by seq (lean-migration.ts); unknown ones fail NOT NULL. */
export const INSERT_MESSAGE_SQL = `INSERT INTO messages (id, company_seq, channel_seq, party_seq, message_type, media_type,
    content_type, size, sha256, received_at, transaction_id, body_ciphertext, key_version)
  VALUES (@id, ${COMPANY_SEQ('company_id')}, ${CHANNEL_SEQ('channel_id')}, (SELECT seq FROM parties WHERE id = @party_id),
    @message_type, @media_type, @content_type, @size, @sha256, @received_at, @transaction_id, @body_ciphertext, @key_version)`;

/* Retention of one channel and type: the company's stretch of messages_list, filtered on the index entries. */
const CHANNEL_TYPE_WHERE = `company_seq = (SELECT co.seq FROM channels ch JOIN companies co ON co.id = ch.company_id
  WHERE ch.id = @channelId) AND channel_seq = ${CHANNEL_SEQ('channelId')} AND message_type = @messageType`;

export function prepareStatements(db: Database.Database): Statements {
  const prep = <R = unknown>(sql: string): Stmt<R> => db.prepare<[Params], R>(sql);
  return {
    deleteCompany: prep('UPDATE companies SET deleted_at = COALESCE(deleted_at, @at) WHERE id = @id'),
    disableCompanyCredentials: prep(
      `UPDATE customer_credentials SET status = 'disabled', disabled_at = @at WHERE company_id = @id AND status = 'active'`,
    ),
    disableCompanyChannels: prep(
      `UPDATE channels SET status = 'disabled', disabled_at = @at WHERE company_id = @id AND status = 'active'`,
    ),
    deleteCompanyMessages: prep(
      `DELETE FROM messages WHERE seq IN (SELECT seq FROM messages WHERE company_seq = ${COMPANY_SEQ('companyId')} ORDER BY seq LIMIT @limit)`,
    ),
    listDeletedCompanies: prep(
      'SELECT c.id FROM companies c WHERE c.deleted_at IS NOT NULL AND EXISTS (SELECT 1 FROM messages m WHERE m.company_seq = c.seq)',
    ),
    deleteOlderMessages: prep(
      `DELETE FROM messages WHERE seq IN (SELECT seq FROM messages WHERE ${CHANNEL_TYPE_WHERE}
         AND received_at < @before ORDER BY seq LIMIT @limit)`,
    ),
    deleteBeyondNewest: prep(
      `DELETE FROM messages WHERE seq IN (SELECT seq FROM messages WHERE ${CHANNEL_TYPE_WHERE}
         ORDER BY seq DESC LIMIT @limit OFFSET @keepLast)`,
    ),
    insertCompany: prep(
      'INSERT INTO companies (id, name, business_id, created_at) VALUES (@id, @name, @businessId, @createdAt)',
    ),
    getCompany: prep(`SELECT ${COMPANY_COLUMNS} FROM companies WHERE id = @id`),
    getCompanyByBusinessId: prep(`SELECT ${COMPANY_COLUMNS} FROM companies WHERE business_id = @businessId AND deleted_at IS NULL`),
    listCompanies: prep(`SELECT ${COMPANY_COLUMNS} FROM companies WHERE seq > @after ORDER BY seq LIMIT @limit`),

    insertParty: prep(
      `INSERT INTO parties (id, name, status, created_at, disabled_at)
       VALUES (@id, @name, @status, @createdAt, @disabledAt)`,
    ),
    getParty: prep(`SELECT ${PARTY_COLUMNS} FROM parties WHERE id = @id`),
    listParties: prep(`SELECT ${PARTY_COLUMNS} FROM parties WHERE seq > @after ORDER BY seq LIMIT @limit`),
    disableParty: prep(disableSql('parties', 'id')),
    disablePartyCredentials: prep(
      `UPDATE partner_credentials SET status = 'disabled', disabled_at = @at
       WHERE party_id = @id AND status = 'active'`,
    ),
    disablePartyChannels: prep(
      `UPDATE channels SET status = 'disabled', disabled_at = @at WHERE party_id = @id AND status = 'active'`,
    ),

    insertPartnerCredential: prep(
      `INSERT INTO partner_credentials (partner_id, party_id, status, created_at, disabled_at, key_ciphertext)
       VALUES (@partnerId, @partyId, @status, @createdAt, @disabledAt, @keyCiphertext)`,
    ),
    getPartnerCredential: prep(`SELECT ${PARTNER_COLUMNS} FROM partner_credentials WHERE partner_id = @id`),
    listPartnerCredentials: prep(
      `SELECT ${PARTNER_COLUMNS} FROM partner_credentials
       WHERE party_id = @partyId AND seq > @after ORDER BY seq LIMIT @limit`,
    ),
    disablePartnerCredential: prep(disableSql('partner_credentials', 'partner_id')),

    insertCustomerCredential: prep(
      `INSERT INTO customer_credentials
         (customer_id, company_id, name, scopes, status, created_at, disabled_at, key_ciphertext)
       VALUES (@customerId, @companyId, @name, @scopes, @status, @createdAt, @disabledAt, @keyCiphertext)`,
    ),
    getCustomerCredential: prep(`SELECT ${CUSTOMER_COLUMNS} FROM customer_credentials WHERE customer_id = @id`),
    listCustomerCredentials: prep(
      `SELECT ${CUSTOMER_COLUMNS} FROM customer_credentials
       WHERE company_id = @companyId AND seq > @after ORDER BY seq LIMIT @limit`,
    ),
    disableCustomerCredential: prep(disableSql('customer_credentials', 'customer_id')),

    insertChannel: prep(
      `INSERT INTO channels (id, company_id, party_id, message_types, status, created_at, disabled_at)
       VALUES (@id, @companyId, @partyId, @messageTypes, @status, @createdAt, @disabledAt)`,
    ),
    getChannel: prep(`SELECT ${CHANNEL_COLUMNS} FROM channels WHERE id = @id`),
    disableChannel: prep(disableSql('channels', 'id')),

    insertMessage: prep(INSERT_MESSAGE_SQL),
    getMessage: prep(`SELECT ${LEAN_MESSAGE_COLUMNS} FROM ${LEAN_MESSAGE_FROM} WHERE m.id = @id AND m.company_seq = ${COMPANY_SEQ('companyId')}`),
  };
}
