import type Database from 'better-sqlite3';
import type { AuditAppend, ChannelIntegrityRecord, IntegrityStore, SignatureAlgorithm, SignatureKeyRecord, Status } from '../port.js';

/*
 * The body-integrity section of the SQLite adapter (issue 17): signature keys per party and a channel's
 * Content-Digest rule. The SQL text, row shapes and mappers are shared with the PostgreSQL adapter
 * (postgres/integrity.ts).
 */

export interface SignatureKeyRow {
  id: string; party_id: string; algorithm: SignatureAlgorithm; label: string; secret_ciphertext: Uint8Array | null; public_jwk: string | null;
  status: Status; created_at: string; created_by: string; disabled_at: string | null;
}
export const toSignatureKey = (r: SignatureKeyRow): SignatureKeyRecord => ({
  id: r.id, partyId: r.party_id, algorithm: r.algorithm, label: r.label,
  secretCiphertext: r.secret_ciphertext === null ? null : new Uint8Array(r.secret_ciphertext), publicJwk: r.public_jwk,
  status: r.status, createdAt: r.created_at, createdBy: r.created_by, disabledAt: r.disabled_at,
});
export interface ChannelIntegrityRow { channel_id: string; require_content_digest: number; updated_at: string; updated_by: string }
export const toChannelIntegrity = (r: ChannelIntegrityRow): ChannelIntegrityRecord => ({
  channelId: r.channel_id, requireContentDigest: r.require_content_digest === 1, updatedAt: r.updated_at, updatedBy: r.updated_by,
});
export const keyParams = (k: SignatureKeyRecord): P => ({ ...k, secretCiphertext: k.secretCiphertext && Buffer.from(k.secretCiphertext) });
export const integrityParams = (r: ChannelIntegrityRecord): P => ({ ...r, requireContentDigest: r.requireContentDigest ? 1 : 0 });

const KEY_COLS = 'id, party_id, algorithm, label, secret_ciphertext, public_jwk, status, created_at, created_by, disabled_at';

/** Every statement of the integrity section, with `@name` parameters (both adapters). */
export const INTEGRITY_SQL_TEXT = {
  insertKey: `INSERT INTO signature_keys (${KEY_COLS})
    VALUES (@id, @partyId, @algorithm, @label, @secretCiphertext, @publicJwk, @status, @createdAt, @createdBy, @disabledAt)`,
  getKey: `SELECT ${KEY_COLS} FROM signature_keys WHERE id = @id`,
  listKeys: `SELECT ${KEY_COLS} FROM signature_keys WHERE party_id = @partyId ORDER BY seq LIMIT 1000`,
  disableKey: `UPDATE signature_keys SET status = 'disabled', disabled_at = @at WHERE id = @id AND party_id = @partyId AND status = 'active'`,
  channelExists: 'SELECT 1 AS one FROM channels WHERE id = @channelId',
  upsertIntegrity: `INSERT INTO channel_integrity (channel_id, require_content_digest, updated_at, updated_by)
    VALUES (@channelId, @requireContentDigest, @updatedAt, @updatedBy)
    ON CONFLICT (channel_id) DO UPDATE SET require_content_digest = excluded.require_content_digest,
    updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  getIntegrity: 'SELECT channel_id, require_content_digest, updated_at, updated_by FROM channel_integrity WHERE channel_id = @channelId',
} as const;

type P = Record<string, unknown>;
type Statements = { [K in keyof typeof INTEGRITY_SQL_TEXT]: Database.Statement<[P], unknown> };

export class SqliteIntegrityStore implements IntegrityStore {
  readonly #s: Statements;

  constructor(db: Database.Database, private readonly audited: <T>(change: () => T, audit: AuditAppend) => T) {
    this.#s = Object.fromEntries(Object.entries(INTEGRITY_SQL_TEXT).map(([k, sql]) => [k, db.prepare<[P]>(sql)])) as Statements;
  }

  async insertSignatureKey(k: SignatureKeyRecord, audit: AuditAppend): Promise<void> {
    this.audited(() => this.#s.insertKey.run(keyParams(k)), audit);
  }

  async getSignatureKey(id: string): Promise<SignatureKeyRecord | undefined> {
    const row = this.#s.getKey.get({ id }) as SignatureKeyRow | undefined;
    return row && toSignatureKey(row);
  }

  async listSignatureKeys(partyId: string): Promise<SignatureKeyRecord[]> {
    return (this.#s.listKeys.all({ partyId }) as SignatureKeyRow[]).map(toSignatureKey);
  }

  async disableSignatureKey(partyId: string, id: string, at: string, audit: AuditAppend): Promise<boolean> {
    return this.audited(() => this.#s.disableKey.run({ partyId, id, at }).changes === 1, audit);
  }

  async setChannelIntegrity(r: ChannelIntegrityRecord, audit: AuditAppend): Promise<boolean> {
    return this.audited(() => {
      if (this.#s.channelExists.get({ channelId: r.channelId }) === undefined) return false;
      this.#s.upsertIntegrity.run(integrityParams(r));
      return true;
    }, audit);
  }

  async getChannelIntegrity(channelId: string): Promise<ChannelIntegrityRecord | undefined> {
    const row = this.#s.getIntegrity.get({ channelId }) as ChannelIntegrityRow | undefined;
    return row && toChannelIntegrity(row);
  }
}
