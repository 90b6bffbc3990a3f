import Database from 'better-sqlite3';
import { VaultgateError } from '../../protocol/index.js';
import type {
  AuditAppend,
  ExternalClientLinkRecord,
  ListQuery,
  OAuthClientRecord,
  OAuthOwnerKind,
  OAuthStore,
  Page,
  Scope,
  SigningKeyRecord,
  Status,
} from '../port.js';
import { checkLimit, decodeCursor, toPage } from './cursor.js';

/*
 * The OAuth part of the SQLite adapter (issue 4), kept apart from the registry and vault statements. The row shapes
 * and mappers are shared with the PostgreSQL adapter (postgres/oauth.ts), whose columns have the same names.
 */

export interface ClientRow {
  seq: number;
  client_id: string;
  owner_kind: OAuthOwnerKind;
  owner_id: string;
  name: string;
  roles: string;
  status: Status;
  created_at: string;
  disabled_at: string | null;
  secret_hash: string | null;
  public_jwk: string | null;
}

export interface LinkRow {
  seq: number;
  id: string;
  issuer: string;
  client_id: string;
  owner_kind: OAuthOwnerKind;
  owner_id: string;
  roles: string;
  status: Status;
  created_at: string;
  disabled_at: string | null;
}

export interface KeyRow {
  kid: string;
  alg: string;
  public_jwk: string;
  private_key_ciphertext: Buffer;
  created_at: string;
  retired_at: string | null;
  publish_until: string | null;
}

export const toClient = (r: ClientRow): OAuthClientRecord => ({
  clientId: r.client_id, ownerKind: r.owner_kind, ownerId: r.owner_id, name: r.name, roles: JSON.parse(r.roles) as Scope[],
  status: r.status, createdAt: r.created_at, disabledAt: r.disabled_at, secretHash: r.secret_hash, publicJwk: r.public_jwk,
});

export const toLink = (r: LinkRow): ExternalClientLinkRecord => ({
  id: r.id, issuer: r.issuer, clientId: r.client_id, ownerKind: r.owner_kind, ownerId: r.owner_id,
  roles: JSON.parse(r.roles) as Scope[], status: r.status, createdAt: r.created_at, disabledAt: r.disabled_at,
});

export const toKey = (r: KeyRow): SigningKeyRecord => ({
  kid: r.kid, alg: r.alg, publicJwk: r.public_jwk, privateKeyCiphertext: new Uint8Array(r.private_key_ciphertext),
  createdAt: r.created_at, retiredAt: r.retired_at, publishUntil: r.publish_until,
});

export const CLIENT_COLS = 'seq, client_id, owner_kind, owner_id, name, roles, status, created_at, disabled_at, secret_hash, public_jwk';
export const LINK_COLS = 'seq, id, issuer, client_id, owner_kind, owner_id, roles, status, created_at, disabled_at';

type P = Record<string, unknown>;

/** OAuth clients, external client links and signing keys on a better-sqlite3 connection. */
export class SqliteOAuthStore implements OAuthStore {
  readonly #s;
  readonly #addKey: Database.Transaction<(k: SigningKeyRecord, publishOldUntil: string) => void>;

  /** Runs a change with its audit event in one transaction (SqliteStore.audited). */
  readonly #audited: <T>(change: () => T, audit: AuditAppend | undefined) => T;

  constructor(db: Database.Database, audited: <T>(change: () => T, audit: AuditAppend | undefined) => T = (change) => change()) {
    this.#audited = audited;
    const prep = <R = unknown>(sql: string) => db.prepare<[P], R>(sql);
    this.#s = {
      insertClient: prep(`INSERT INTO oauth_clients (client_id, owner_kind, owner_id, name, roles, status, created_at, disabled_at, secret_hash, public_jwk)
        VALUES (@clientId, @ownerKind, @ownerId, @name, @roles, @status, @createdAt, @disabledAt, @secretHash, @publicJwk)`),
      getClient: prep<ClientRow>(`SELECT ${CLIENT_COLS} FROM oauth_clients WHERE client_id = @id`),
      listClients: prep<ClientRow>(`SELECT ${CLIENT_COLS} FROM oauth_clients WHERE owner_kind = @kind AND owner_id = @id AND seq > @after ORDER BY seq LIMIT @limit`),
      disableClient: prep(`UPDATE oauth_clients SET status = 'disabled', disabled_at = @at WHERE client_id = @id AND status = 'active'`),
      insertLink: prep(`INSERT INTO external_client_links (id, issuer, client_id, owner_kind, owner_id, roles, status, created_at, disabled_at)
        VALUES (@id, @issuer, @clientId, @ownerKind, @ownerId, @roles, @status, @createdAt, @disabledAt)`),
      getLink: prep<LinkRow>(`SELECT ${LINK_COLS} FROM external_client_links WHERE id = @id`),
      findLink: prep<LinkRow>(`SELECT ${LINK_COLS} FROM external_client_links WHERE issuer = @issuer AND client_id = @clientId AND status = 'active'`),
      listLinks: prep<LinkRow>(`SELECT ${LINK_COLS} FROM external_client_links WHERE owner_kind = @kind AND owner_id = @id AND seq > @after ORDER BY seq LIMIT @limit`),
      disableLink: prep(`UPDATE external_client_links SET status = 'disabled', disabled_at = @at WHERE id = @id AND status = 'active'`),
      retireKeys: prep(`UPDATE token_signing_keys SET retired_at = @at, publish_until = @until WHERE retired_at IS NULL`),
      insertKey: prep(`INSERT INTO token_signing_keys (kid, alg, public_jwk, private_key_ciphertext, created_at, retired_at, publish_until)
        VALUES (@kid, @alg, @publicJwk, @privateKeyCiphertext, @createdAt, NULL, NULL)`),
      listKeys: prep<KeyRow>(`SELECT kid, alg, public_jwk, private_key_ciphertext, created_at, retired_at, publish_until FROM token_signing_keys
        WHERE publish_until IS NULL OR publish_until > @now ORDER BY seq DESC`),
    };
    this.#addKey = db.transaction((k: SigningKeyRecord, publishOldUntil: string) => {
      this.#s.retireKeys.run({ at: k.createdAt, until: publishOldUntil });
      this.#s.insertKey.run({ ...k, privateKeyCiphertext: Buffer.from(k.privateKeyCiphertext) });
    });
  }

  async createOAuthClient(c: OAuthClientRecord, audit?: AuditAppend): Promise<void> {
    this.#audited(() => this.#s.insertClient.run({ ...c, roles: JSON.stringify(c.roles) }), audit);
  }

  async getOAuthClient(clientId: string): Promise<OAuthClientRecord | undefined> {
    const row = this.#s.getClient.get({ id: clientId });
    return row && toClient(row);
  }

  async listOAuthClients(owner: { kind: OAuthOwnerKind; id: string }, q: ListQuery): Promise<Page<OAuthClientRecord>> {
    const limit = checkLimit(q.limit);
    return toPage(this.#s.listClients.all({ ...owner, after: decodeCursor(q.cursor), limit: limit + 1 }), limit, toClient);
  }

  async disableOAuthClient(clientId: string, at: string, audit?: AuditAppend): Promise<boolean> {
    return this.#audited(() => this.#s.disableClient.run({ id: clientId, at }).changes > 0, audit);
  }

  async createExternalClientLink(l: ExternalClientLinkRecord, audit?: AuditAppend): Promise<void> {
    try {
      this.#audited(() => this.#s.insertLink.run({ ...l, roles: JSON.stringify(l.roles) }), audit);
    } catch (err) {
      if (err instanceof Database.SqliteError && err.code === 'SQLITE_CONSTRAINT_UNIQUE' && err.message.includes('external_client_links.issuer')) {
        throw new VaultgateError('EXTERNAL_CLIENT_ALREADY_LINKED', { detail: `${l.clientId} of ${l.issuer} is already linked.`, cause: err });
      }
      throw err;
    }
  }

  async getExternalClientLink(id: string): Promise<ExternalClientLinkRecord | undefined> {
    const row = this.#s.getLink.get({ id });
    return row && toLink(row);
  }

  async findExternalClientLink(issuer: string, clientId: string): Promise<ExternalClientLinkRecord | undefined> {
    const row = this.#s.findLink.get({ issuer, clientId });
    return row && toLink(row);
  }

  async listExternalClientLinks(owner: { kind: OAuthOwnerKind; id: string }, q: ListQuery): Promise<Page<ExternalClientLinkRecord>> {
    const limit = checkLimit(q.limit);
    return toPage(this.#s.listLinks.all({ ...owner, after: decodeCursor(q.cursor), limit: limit + 1 }), limit, toLink);
  }

  async disableExternalClientLink(id: string, at: string, audit?: AuditAppend): Promise<boolean> {
    return this.#audited(() => this.#s.disableLink.run({ id, at }).changes > 0, audit);
  }

  async addSigningKey(k: SigningKeyRecord, publishOldUntil: string, audit?: AuditAppend): Promise<void> {
    if (audit) this.#audited(() => this.#addKey(k, publishOldUntil), audit);
    else this.#addKey.immediate(k, publishOldUntil);
  }

  async listSigningKeys(now: string): Promise<SigningKeyRecord[]> {
    return this.#s.listKeys.all({ now }).map(toKey);
  }
}
