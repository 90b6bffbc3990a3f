import type Database from 'better-sqlite3';
import type {
  AuditAppend, ChannelRecord, ChannelRequestRecord, ChannelRequestStatus, MessageTypeAgreement, Page, PreviousSecretRecord, SelfServiceStore,
} from '../port.js';
import { PEOPLE_SCHEMA_VERSION } from './people-migration.js';
import { checkLimit, decodeCursor, toPage } from './cursor.js';

/*
 * The self-service section of the SQLite adapter (issue 14): the previous secret of a rotated credential (accepted
 * until the end of its overlap window) and vendors' channel requests. SQL text, rows and mappers are shared with the
 * PostgreSQL adapter (postgres/selfserv.ts): `@name` parameters, the same column names, upserts both dialects read.
 */

/** The SQLite schema version of this step: the one after the people step. */
export const SELFSERV_SCHEMA_VERSION = PEOPLE_SCHEMA_VERSION + 1;

/**
 * previous_secrets: one row per credential that was rotated (its latest previous secret). channel_requests: no
 * foreign keys to companies/parties so that a company's tombstone keeps its requests readable; channel_id names the
 * channel the approval created.
 */
export const SELFSERV_SQL_SCHEMA = (blob: string, seq: string) => `
CREATE TABLE previous_secrets (
  credential_id TEXT PRIMARY KEY,
  key_ciphertext ${blob},
  secret_hash TEXT,
  rotated_at TEXT NOT NULL,
  valid_until TEXT NOT NULL,
  CHECK ((key_ciphertext IS NULL) <> (secret_hash IS NULL))
);
CREATE TABLE channel_requests (
  seq ${seq},
  id TEXT NOT NULL UNIQUE,
  party_id TEXT NOT NULL,
  company_id TEXT NOT NULL,
  message_types TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined')),
  requested_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  decided_at TEXT,
  decided_by TEXT,
  channel_id TEXT
);
CREATE INDEX channel_requests_party ON channel_requests (party_id, seq);
CREATE INDEX channel_requests_company ON channel_requests (company_id, seq);
`;
export const SELFSERV_SCHEMA_SQL = SELFSERV_SQL_SCHEMA('BLOB', 'INTEGER PRIMARY KEY');

export interface PreviousSecretRow { credential_id: string; key_ciphertext: Buffer | null; secret_hash: string | null; rotated_at: string; valid_until: string }
export interface ChannelRequestRow {
  seq: number; id: string; party_id: string; company_id: string; message_types: string; status: ChannelRequestStatus; requested_by: string;
  created_at: string; decided_at: string | null; decided_by: string | null; channel_id: string | null;
}
export const toPreviousSecret = (r: PreviousSecretRow): PreviousSecretRecord => ({
  credentialId: r.credential_id, keyCiphertext: r.key_ciphertext ? new Uint8Array(r.key_ciphertext) : null, secretHash: r.secret_hash,
  rotatedAt: r.rotated_at, validUntil: r.valid_until,
});
export const toChannelRequest = (r: ChannelRequestRow): ChannelRequestRecord => ({
  id: r.id, partyId: r.party_id, companyId: r.company_id, messageTypes: JSON.parse(r.message_types) as MessageTypeAgreement[], status: r.status,
  requestedBy: r.requested_by, createdAt: r.created_at, decidedAt: r.decided_at, decidedBy: r.decided_by, channelId: r.channel_id,
});
export const previousParams = (p: PreviousSecretRecord): Record<string, unknown> => ({ ...p, keyCiphertext: p.keyCiphertext ? Buffer.from(p.keyCiphertext) : null });
export const channelParams = (c: ChannelRecord): Record<string, unknown> => ({ ...c, messageTypes: JSON.stringify(c.messageTypes) });
export const requestParams = (r: ChannelRequestRecord): Record<string, unknown> => ({ ...r, messageTypes: JSON.stringify(r.messageTypes) });

const REQ_COLS = 'seq, id, party_id, company_id, message_types, status, requested_by, created_at, decided_at, decided_by, channel_id';

/** Every statement of the section (both adapters). */
export const SELFSERV_SQL = {
  rotatePartnerKey: "UPDATE partner_credentials SET key_ciphertext = @key WHERE partner_id = @id AND status = 'active'",
  rotateCustomerKey: "UPDATE customer_credentials SET key_ciphertext = @key WHERE customer_id = @id AND status = 'active'",
  rotateClientSecret: "UPDATE oauth_clients SET secret_hash = @secretHash WHERE client_id = @id AND status = 'active' AND secret_hash IS NOT NULL",
  putPrevious: `INSERT INTO previous_secrets (credential_id, key_ciphertext, secret_hash, rotated_at, valid_until)
    VALUES (@credentialId, @keyCiphertext, @secretHash, @rotatedAt, @validUntil)
    ON CONFLICT (credential_id) DO UPDATE SET key_ciphertext = excluded.key_ciphertext, secret_hash = excluded.secret_hash,
      rotated_at = excluded.rotated_at, valid_until = excluded.valid_until`,
  getPrevious: 'SELECT credential_id, key_ciphertext, secret_hash, rotated_at, valid_until FROM previous_secrets WHERE credential_id = @id',
  insertRequest: `INSERT INTO channel_requests (id, party_id, company_id, message_types, status, requested_by, created_at, decided_at, decided_by, channel_id)
    VALUES (@id, @partyId, @companyId, @messageTypes, @status, @requestedBy, @createdAt, @decidedAt, @decidedBy, @channelId)`,
  getRequest: `SELECT ${REQ_COLS} FROM channel_requests WHERE id = @id`,
  listRequests: `SELECT ${REQ_COLS} FROM channel_requests WHERE seq > @after AND (CAST(@partyId AS TEXT) IS NULL OR party_id = @partyId)
    AND (CAST(@companyId AS TEXT) IS NULL OR company_id = @companyId) AND (CAST(@status AS TEXT) IS NULL OR status = @status) ORDER BY seq LIMIT @limit`,
  decideRequest: `UPDATE channel_requests SET status = @status, decided_at = @at, decided_by = @decidedBy, channel_id = @channelId
    WHERE id = @id AND status = 'pending'`,
  insertChannel: `INSERT INTO channels (id, company_id, party_id, message_types, status, created_at, disabled_at)
    VALUES (@id, @companyId, @partyId, @messageTypes, @status, @createdAt, @disabledAt)`,
} as const;

export const listRequestParams = (q: Parameters<SelfServiceStore['listChannelRequests']>[0], limit: number): Record<string, unknown> => ({
  after: decodeCursor(q.cursor), partyId: q.partyId ?? null, companyId: q.companyId ?? null, status: q.status ?? null, limit: limit + 1,
});

type P = Record<string, unknown>;
type Statements = { [K in keyof typeof SELFSERV_SQL]: Database.Statement<[P], unknown> };

export class SqliteSelfServiceStore implements SelfServiceStore {
  readonly #s: Statements;

  constructor(db: Database.Database, private readonly audited: <T>(change: () => T, audit: AuditAppend) => T) {
    this.#s = Object.fromEntries(Object.entries(SELFSERV_SQL).map(([k, sql]) => [k, db.prepare<[P]>(sql)])) as Statements;
  }

  async rotateCredentialKey(kind: 'partner' | 'customer', id: string, key: Uint8Array, previous: PreviousSecretRecord, audit: AuditAppend): Promise<boolean> {
    const stmt = kind === 'partner' ? this.#s.rotatePartnerKey : this.#s.rotateCustomerKey;
    return this.audited(() => {
      if (stmt.run({ id, key: Buffer.from(key) }).changes === 0) return false;
      this.#s.putPrevious.run(previousParams(previous));
      return true;
    }, audit);
  }

  async rotateOAuthClientSecret(clientId: string, secretHash: string, previous: PreviousSecretRecord, audit: AuditAppend): Promise<boolean> {
    return this.audited(() => {
      if (this.#s.rotateClientSecret.run({ id: clientId, secretHash }).changes === 0) return false;
      this.#s.putPrevious.run(previousParams(previous));
      return true;
    }, audit);
  }

  async getPreviousSecret(credentialId: string): Promise<PreviousSecretRecord | undefined> {
    const row = this.#s.getPrevious.get({ id: credentialId }) as PreviousSecretRow | undefined;
    return row && toPreviousSecret(row);
  }

  async createChannelRequest(r: ChannelRequestRecord, audit: AuditAppend): Promise<void> {
    this.audited(() => this.#s.insertRequest.run(requestParams(r)), audit);
  }

  async getChannelRequest(id: string): Promise<ChannelRequestRecord | undefined> {
    const row = this.#s.getRequest.get({ id }) as ChannelRequestRow | undefined;
    return row && toChannelRequest(row);
  }

  async listChannelRequests(q: Parameters<SelfServiceStore['listChannelRequests']>[0]): Promise<Page<ChannelRequestRecord>> {
    const limit = checkLimit(q.limit);
    return toPage(this.#s.listRequests.all(listRequestParams(q, limit)) as ChannelRequestRow[], limit, toChannelRequest);
  }

  async decideChannelRequest(id: string, d: Parameters<SelfServiceStore['decideChannelRequest']>[1], audit: AuditAppend): Promise<boolean> {
    return this.audited(() => {
      if (this.#s.decideRequest.run({ id, status: d.status, at: d.at, decidedBy: d.decidedBy, channelId: d.channel?.id ?? null }).changes === 0) return false;
      if (d.channel) this.#s.insertChannel.run(channelParams(d.channel));
      return true;
    }, audit);
  }
}
