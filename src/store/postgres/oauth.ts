import type pg from 'pg';
import { VaultgateError } from '../../protocol/index.js';
import type { AuditAppend, ExternalClientLinkRecord, OAuthClientRecord, OAuthStore } from '../port.js';
import { checkLimit, decodeCursor, toPage } from '../sqlite/cursor.js';
import {
  CLIENT_COLS, LINK_COLS, toClient, toKey, toLink, type ClientRow, type KeyRow, type LinkRow,
} from '../sqlite/oauth-store.js';
import { appendPgAudit, audited } from './audit.js';
import { isUniqueViolation, run, transaction } from './pg-db.js';

/*
 * OAuth clients, external client links and the built-in issuer's signing keys on PostgreSQL (schema step 2). Every
 * gateway process on the database signs with the same keys (sealed with the system data key) and sees a client's
 * revocation at its commit.
 */

const KEY_COLS = 'kid, alg, public_jwk, private_key_ciphertext, created_at, retired_at, publish_until';

export function pgOAuth(pool: pg.Pool): OAuthStore {
  const one = async <R extends pg.QueryResultRow>(sql: string, params: Record<string, unknown>): Promise<R | undefined> =>
    (await run<R>(pool, sql, params)).rows[0];
  const changed = (sql: string, params: Record<string, unknown>, audit?: AuditAppend): Promise<boolean> =>
    audited(pool, audit, async (db) => ((await run(db, sql, params)).rowCount ?? 0) > 0);
  /** One page of an owner's rows of `table`, in seq order after the cursor. */
  const ownerPage = async <R extends pg.QueryResultRow & { seq: number }, T>(
    table: string, cols: string, owner: { kind: string; id: string }, q: { cursor?: string | undefined; limit: number }, map: (r: R) => T,
  ) => {
    const limit = checkLimit(q.limit);
    const rows = (await run<R>(pool, `SELECT ${cols} FROM ${table} WHERE owner_kind = @kind AND owner_id = @id AND seq > @after ORDER BY seq LIMIT @limit`,
      { ...owner, after: decodeCursor(q.cursor), limit: limit + 1 })).rows;
    return toPage(rows, limit, map);
  };

  return {
    async createOAuthClient(c, audit) {
      await audited(pool, audit, (db) => run(db, `INSERT INTO oauth_clients (client_id, owner_kind, owner_id, name, roles, status, created_at, disabled_at, secret_hash, public_jwk)
        VALUES (@clientId, @ownerKind, @ownerId, @name, @roles, @status, @createdAt, @disabledAt, @secretHash, @publicJwk)`, { ...c, roles: JSON.stringify(c.roles) }));
    },
    async getOAuthClient(clientId) {
      const row = await one<ClientRow>(`SELECT ${CLIENT_COLS} FROM oauth_clients WHERE client_id = @id`, { id: clientId });
      return row && toClient(row);
    },
    listOAuthClients: (owner, q) => ownerPage<ClientRow, OAuthClientRecord>('oauth_clients', CLIENT_COLS, owner, q, toClient),
    disableOAuthClient: (clientId, at, audit) =>
      changed(`UPDATE oauth_clients SET status = 'disabled', disabled_at = @at WHERE client_id = @id AND status = 'active'`, { id: clientId, at }, audit),

    async createExternalClientLink(l, audit) {
      try {
        await audited(pool, audit, (db) => run(db, `INSERT INTO external_client_links (id, issuer, client_id, owner_kind, owner_id, roles, status, created_at, disabled_at)
          VALUES (@id, @issuer, @clientId, @ownerKind, @ownerId, @roles, @status, @createdAt, @disabledAt)`, { ...l, roles: JSON.stringify(l.roles) }));
      } catch (err) {
        if (isUniqueViolation(err, 'external_client_links_active')) {
          throw new VaultgateError('EXTERNAL_CLIENT_ALREADY_LINKED', { detail: `${l.clientId} of ${l.issuer} is already linked.`, cause: err });
        }
        throw err;
      }
    },
    async getExternalClientLink(id) {
      const row = await one<LinkRow>(`SELECT ${LINK_COLS} FROM external_client_links WHERE id = @id`, { id });
      return row && toLink(row);
    },
    async findExternalClientLink(issuer, clientId) {
      const row = await one<LinkRow>(`SELECT ${LINK_COLS} FROM external_client_links WHERE issuer = @issuer AND client_id = @clientId AND status = 'active'`, { issuer, clientId });
      return row && toLink(row);
    },
    listExternalClientLinks: (owner, q) => ownerPage<LinkRow, ExternalClientLinkRecord>('external_client_links', LINK_COLS, owner, q, toLink),
    disableExternalClientLink: (id, at, audit) =>
      changed(`UPDATE external_client_links SET status = 'disabled', disabled_at = @at WHERE id = @id AND status = 'active'`, { id, at }, audit),

    async addSigningKey(k, publishOldUntil, audit) {
      await transaction(pool, async (c) => {
        // One rotation at a time across every process: the current key is retired by exactly one new key.
        await c.query('LOCK TABLE token_signing_keys IN SHARE ROW EXCLUSIVE MODE');
        await run(c, 'UPDATE token_signing_keys SET retired_at = @at, publish_until = @until WHERE retired_at IS NULL', { at: k.createdAt, until: publishOldUntil });
        await run(c, `INSERT INTO token_signing_keys (kid, alg, public_jwk, private_key_ciphertext, created_at, retired_at, publish_until)
          VALUES (@kid, @alg, @publicJwk, @privateKeyCiphertext, @createdAt, NULL, NULL)`, { ...k, privateKeyCiphertext: Buffer.from(k.privateKeyCiphertext) });
        if (audit) await appendPgAudit(c, audit);
      });
    },
    async listSigningKeys(now) {
      const rows = (await run<KeyRow>(pool, `SELECT ${KEY_COLS} FROM token_signing_keys
        WHERE publish_until IS NULL OR publish_until > @now ORDER BY seq DESC`, { now })).rows;
      return rows.map(toKey);
    },
  };
}
