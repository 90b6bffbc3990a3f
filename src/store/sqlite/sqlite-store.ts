import { mkdirSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { VaultgateError } from '../../protocol/index.js';
import type {
  AccountLanguage,
  AuditAppend,
  AuditKeyRecord,
  AuditQuery,
  ChannelRecord,
  InvitationRecord,
  PasswordResetRecord,
  IngestionRefusalInput,
  IngestionRefusalRecord,
  MessageDayCount,
  RefusalQuery,
  RefusalScope,
  MembershipRole,
  CompanyRecord,
  ExternalClientLinkRecord,
  OAuthClientRecord,
  OAuthOwnerKind,
  SigningKeyRecord,
  CustomerCredentialRecord,
  IngestItem,
  IngestOutcome,
  ListQuery,
  MessageMeta,
  MessageQuery,
  MessageRecord,
  Page,
  PartnerCredentialRecord,
  PartyRecord,
  Store,
  ApiTokenRecord,
  IdentityRecord,
  MembershipRecord,
  OrganisationRecord,
  RegistrationApproval,
  RegistrationRecord,
  SessionRecord,
  UserRecord,
  ChannelRequestRecord,
  PreviousSecretRecord,
  SelfServiceStore,
  FeedMessage,
  FeedMessageQuery,
  SharingStore,
  GrantRecord,
  WebhookStore,
} from '../port.js';
import type { StoreReadiness } from '../store-full.js';
import { checkLimit, decodeCursor, encodeCursor, toPage } from './cursor.js';
import {
  channelListSql,
  channelShapeKey,
  leanMessageListSql,
  messageShapeKey,
  type ChannelListShape,
  type MessageListShape,
} from './list-queries.js';
import { applyMigrations } from './migrations.js';
import { SqliteAuditStore } from './audit-store.js';
import { AUDIT_SCHEMA_VERSION } from './audit-migration.js';
import type { AuditCheckpoint, AuditRecord } from '../../protocol/audit-chain.js';
import { SqliteOAuthStore } from './oauth-store.js';
import { SqliteAccountStore } from './accounts-store.js';
import { SqlitePeopleStore } from './people-store.js';
import { SqliteRecoveryStore } from './recovery-store.js';
import { SqliteInsightsStore } from './insights-store.js';
import { SqliteSelfServiceStore } from './selfserv-store.js';
import { SqliteFeedStore } from './feed-store.js';
import { SqliteSharingStore } from './sharing-store.js';
import { SqliteWebhookStore } from './webhook-store.js';
import { SqliteDirectoryStore } from './directory-store.js';
import { SqliteIntegrityStore } from './integrity-store.js';
import type { ChannelIntegrityRecord, SignatureKeyRecord } from '../port.js';
import { SqliteFeedCheckpointStore } from './feed-checkpoint-store.js';
import type { DirectoryEntry, DirectoryListingRecord, DirectoryQuery, FeedCheckpointPut, FeedCheckpointRecord } from '../port.js';
import {
  toChannel,
  toCompany,
  toCustomerCredential,
  toMessage,
  toMessageMeta,
  toPartnerCredential,
  toParty,
  type ChannelRow,
  type MessageMetaRow,
} from './rows.js';
import { runIngestBatch, toIngestRow, type IngestRow } from './ingest-batch.js';
import { INSERT_MESSAGE_SQL, prepareStatements, type Statements } from './statements.js';
import { CheckpointerThread } from './checkpointer-thread.js';
import { LedgerFilters, PartitionedLedger, type LedgerOptions } from './ledger.js';
import { WalSyncer, type FdatasyncFn } from './wal-sync.js';

export interface SqliteStoreOptions {
  /** Path of the database file; its directory is created if missing. `:memory:` for a throwaway store. */
  file: string;
  /** How often the checkpointer thread copies the WAL into the database (default 1000 ms). */
  checkpointIntervalMs?: number;
  /**
   * The WAL's bound in bytes (default 16 MiB): journal_size_limit truncates the WAL back to it whenever it restarts,
   * and a WAL found larger is checkpointed with TRUNCATE (which waits for readers, so it completes) instead of PASSIVE.
   */
  walLimitBytes?: number;
  /** Below this many free bytes in the database's directory, the store reports itself full (default 4 MiB). */
  minFreeBytes?: number;
  /** When the transaction-id ledger starts a new partition (ledger.ts); the defaults suit production. */
  ledger?: LedgerOptions;
  /** Called when an fdatasync of the WAL fails; it must stop the process (default: log to stderr and exit 70). */
  onWalSyncFailure?: (err: Error) => void;
  /**
   * For tests of this adapter only, never reachable from configuration: `fdatasync` replaces fs.fdatasync (to make
   * it fail), and `acknowledgeBeforeWalSync` skips the WAL's fdatasync altogether, the negative control of the
   * power-loss test (bench/power-loss.mjs), which must then lose acknowledged messages; `checkpointIntervalMs`
   * (there: 10 minutes) keeps checkpoints, which sync the WAL, from making commits durable during its run.
   */
  testOnly?: { fdatasync?: FdatasyncFn; acknowledgeBeforeWalSync?: boolean; checkpointIntervalMs?: number };
}

/** Defaults of the WAL bound and the free-space floor (SqliteStoreOptions). */
export const WAL_LIMIT_BYTES = 16 * 1024 * 1024;
export const MIN_FREE_BYTES = 4 * 1024 * 1024;

/** The connection settings in force, for health checks and tests. */
export interface SqliteConnectionSettings {
  journalMode: string;
  /** 2 is FULL: every connection but the ingest one (registry, retention, OAuth writes). */
  synchronous: number;
  /** The ingest connection's: 1 is NORMAL (its commits are made durable by the WAL's fdatasync, wal-sync.ts). */
  ingestSynchronous: number;
  foreignKeys: boolean;
  busyTimeoutMs: number;
}

const BUSY_TIMEOUT_MS = 5000;

type ListStatement<R> = Database.Statement<[Record<string, unknown>], R>;

/** A message row in raw mode: the columns of LEAN_MESSAGE_COLUMNS, in order. */
type MessageRowArray = [
  seq: number, id: string, companyId: string, channelId: string, partyId: string, messageType: string, mediaType: string,
  contentType: string, size: number, sha256: string, receivedAt: string, transactionId: string | null,
  bodyCiphertext: Buffer, keyVersion: number,
];

/** A raw export row as the port's record, with the cursor of its position (the same record as toMessage builds). */
function messageFromArray(r: MessageRowArray): MessageRecord & { cursor: string } {
  const b = r[12];
  return {
    id: r[1], companyId: r[2], channelId: r[3], partyId: r[4], messageType: r[5], mediaType: r[6], contentType: r[7],
    size: r[8], sha256: r[9], receivedAt: r[10], transactionId: r[11],
    bodyCiphertext: new Uint8Array(b.buffer, b.byteOffset, b.byteLength), keyVersion: r[13], cursor: encodeCursor(r[0]),
  };
}

function isBusinessIdTaken(err: unknown): boolean {
  return (
    err instanceof Database.SqliteError &&
    err.code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    err.message.includes('companies.business_id')
  );
}

/**
 * The SQLite adapter of the storage port. better-sqlite3 is synchronous, so every method does its work before
 * returning an already settled promise; a failed statement or transaction becomes a rejection.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  /** Schema versions this open applied (empty when the file was already up to date). */
  readonly appliedMigrations: readonly number[];

  readonly #db: Database.Database;
  readonly #s: Statements;
  readonly #messageLists = new Map<number, ListStatement<MessageMetaRow>>();
  /** Export pages: the same SQL in raw mode (rows as arrays, in LEAN_MESSAGE_COLUMNS order), cheaper per row than objects. */
  readonly #exportLists = new Map<number, Database.Statement<[Record<string, unknown>], unknown[]>>();
  readonly #channelLists = new Map<number, ListStatement<ChannelRow>>();
  readonly #ingestDb: Database.Database;
  readonly #ingest: Database.Transaction<(rows: IngestRow[]) => IngestOutcome[]>;
  readonly #checkpointer: CheckpointerThread | undefined;
  readonly #syncer: WalSyncer | undefined;
  readonly #disableParty: Database.Transaction<(id: string, at: string) => boolean>;
  readonly #deleteCompany: Database.Transaction<(id: string, at: string, audit: AuditAppend) => boolean>;
  readonly #audit: SqliteAuditStore;
  /** A change and its audit event in one immediate transaction (issue 13 §2); false from the change appends nothing. */
  readonly #audited: Database.Transaction<(change: () => unknown, audit: AuditAppend) => unknown>;
  readonly #oauth: SqliteOAuthStore;
  readonly #accounts: SqliteAccountStore;
  readonly #people: SqlitePeopleStore;
  readonly #recovery: SqliteRecoveryStore;
  readonly #insights: SqliteInsightsStore;
  readonly #selfserv: SqliteSelfServiceStore;
  readonly #feed: SqliteFeedStore;
  readonly #sharing: SqliteSharingStore;
  readonly #webhooks: SqliteWebhookStore;
  readonly #directory: SqliteDirectoryStore;
  readonly #integrity: SqliteIntegrityStore;
  readonly #checkpoints: SqliteFeedCheckpointStore;
  readonly #ledger: PartitionedLedger;
  readonly #consume: Database.Transaction<(partyId: string, transactionId: string, at: string) => boolean>;
  readonly #prune: Database.Transaction<(before: string, limit: number) => number>;

  readonly #file: string;
  readonly #minFreeBytes: number;
  readonly #probe: Database.Statement<[], unknown>;

  constructor(
    db: Database.Database,
    appliedMigrations: readonly number[],
    o: {
      ingestDb: Database.Database; checkpointer?: CheckpointerThread | undefined; syncer?: WalSyncer | undefined;
      minFreeBytes?: number | undefined; ledger?: LedgerOptions | undefined;
    },
  ) {
    const minFreeBytes = o.minFreeBytes ?? MIN_FREE_BYTES;
    this.#db = db;
    this.#file = db.name;
    this.#minFreeBytes = minFreeBytes;
    this.#probe = db.prepare('SELECT 1 FROM companies LIMIT 1');
    this.appliedMigrations = Object.freeze([...appliedMigrations]);
    this.#s = prepareStatements(db);
    this.#checkpointer = o.checkpointer;
    this.#syncer = o.syncer;
    this.#ingestDb = o.ingestDb;
    // One ledger per connection (statements are per connection); the partitions' filters are shared.
    const filters = new LedgerFilters(o.ledger?.generationRows);
    const ledger = new PartitionedLedger(db, filters, o.ledger);
    this.#ledger = ledger;
    const ingest = {
      ledger: o.ingestDb === db ? ledger : new PartitionedLedger(o.ingestDb, filters, o.ledger),
      insertMessage: o.ingestDb.prepare(INSERT_MESSAGE_SQL),
    };
    this.#ingest = o.ingestDb.transaction((rows: IngestRow[]) => runIngestBatch(ingest, rows));
    const syncer = o.syncer;
    this.#audit = new SqliteAuditStore(db, syncer && o.ingestDb !== db ? { db: o.ingestDb, durable: () => syncer.sync() } : undefined);
    this.#audited = db.transaction((change: () => unknown, audit: AuditAppend) => {
      const result = change();
      if (result !== false) this.#audit.appendInTransaction(audit);
      return result;
    });
    this.#consume = db.transaction((partyId: string, transactionId: string, at: string): boolean => {
      ledger.begin(at);
      const repeat = ledger.consume(partyId, transactionId, null, at);
      ledger.end();
      return repeat === undefined;
    });
    this.#prune = db.transaction((before: string, limit: number) => ledger.prune(before, limit));
    this.#oauth = new SqliteOAuthStore(db, (change, audit) => this.audited(change, audit));
    this.#accounts = new SqliteAccountStore(db, (change, audit) => this.audited(change, audit));
    this.#people = new SqlitePeopleStore(db, (change, audit) => this.audited(change, audit));
    this.#recovery = new SqliteRecoveryStore(db, (change, audit) => this.audited(change, audit));
    this.#insights = new SqliteInsightsStore(db);
    this.#directory = new SqliteDirectoryStore(db, (change, audit) => this.audited(change, audit));
    this.#integrity = new SqliteIntegrityStore(db, (change, audit) => this.audited(change, audit));
    this.#checkpoints = new SqliteFeedCheckpointStore(db, (change, audit) => this.audited(change, audit));
    this.#selfserv = new SqliteSelfServiceStore(db, (change, audit) => this.audited(change, audit));
    this.#feed = new SqliteFeedStore(db, (value) => this.#durable(value));
    this.#sharing = new SqliteSharingStore(db, (change, audit) => this.audited(change, audit));
    this.#webhooks = new SqliteWebhookStore(db, o.ingestDb, (change, audit) => this.audited(change, audit));
    this.#disableParty = db.transaction((id: string, at: string): boolean => {
      if (this.#s.disableParty.run({ id, at }).changes === 0) return false;
      this.#s.disablePartyCredentials.run({ id, at });
      this.#s.disablePartyChannels.run({ id, at });
      return true;
    });
    this.#deleteCompany = db.transaction((id: string, at: string, audit: AuditAppend): boolean => {
      if (this.#s.deleteCompany.run({ id, at }).changes === 0) return false;
      this.#s.disableCompanyCredentials.run({ id, at });
      this.#s.disableCompanyChannels.run({ id, at });
      this.#audit.appendInTransaction(audit);
      return true;
    });
  }

  /** Runs a synchronous change, with its audit event in the same transaction when one is given. */
  audited<T>(change: () => T, audit: AuditAppend | undefined): T {
    return audit ? (this.#audited.immediate(change, audit) as T) : change();
  }

  /** Imports the version-1 audit table into the chain (run once, when the audit schema step was applied). */
  importLegacyAudit(): number {
    return this.#audit.importLegacy();
  }

  connectionSettings(): SqliteConnectionSettings {
    const pragma = (name: string): unknown => this.#db.pragma(name, { simple: true });
    return {
      journalMode: String(pragma('journal_mode')),
      synchronous: Number(pragma('synchronous')),
      foreignKeys: Number(pragma('foreign_keys')) === 1,
      busyTimeoutMs: Number(pragma('busy_timeout')),
      ingestSynchronous: Number(this.#ingestDb.pragma('synchronous', { simple: true })),
    };
  }

  /**
   * Readable: a registry read succeeds. Full: the filesystem holding the database has fewer than `minFreeBytes`
   * free to this process (statfs `bavail`), so the next commit may not fit its WAL frames.
   */
  async checkReadiness(): Promise<StoreReadiness> {
    let readable = true;
    try {
      this.#probe.get();
    } catch {
      readable = false;
    }
    if (this.#file === ':memory:' || this.#file === '') return { readable, full: false };
    try {
      const fs = statfsSync(dirname(this.#file), { bigint: true });
      const freeBytes = Number(fs.bavail * fs.bsize);
      return { readable, full: freeBytes < this.#minFreeBytes, freeBytes };
    } catch {
      return { readable: false, full: false };
    }
  }

  async close(): Promise<void> {
    // The last sync settles, the other connections close first, so this one is the last: closing, SQLite
    // checkpoints (syncing the database file) and removes the WAL.
    await this.#syncer?.pending()?.catch(() => undefined);
    await this.#checkpointer?.close();
    this.#syncer?.close();
    if (this.#ingestDb !== this.#db && this.#ingestDb.open) this.#ingestDb.close();
    if (this.#db.open) this.#db.close();
  }

  // --- registry ---

  async createCompany(c: CompanyRecord, audit?: AuditAppend): Promise<void> {
    try {
      this.audited(() => this.#s.insertCompany.run({ ...c }), audit);
    } catch (err) {
      if (isBusinessIdTaken(err)) throw new VaultgateError('BUSINESS_ID_TAKEN', { cause: err });
      throw err;
    }
  }

  async getCompany(id: string): Promise<CompanyRecord | undefined> {
    const row = this.#s.getCompany.get({ id });
    return row && toCompany(row);
  }

  async getCompanyByBusinessId(businessId: string): Promise<CompanyRecord | undefined> {
    const row = this.#s.getCompanyByBusinessId.get({ businessId });
    return row && toCompany(row);
  }

  async listCompanies(q: ListQuery): Promise<Page<CompanyRecord>> {
    const limit = checkLimit(q.limit);
    return toPage(this.#s.listCompanies.all({ after: decodeCursor(q.cursor), limit: limit + 1 }), limit, toCompany);
  }

  async createParty(p: PartyRecord, audit?: AuditAppend): Promise<void> {
    this.audited(() => this.#s.insertParty.run({ ...p }), audit);
  }

  async getParty(id: string): Promise<PartyRecord | undefined> {
    const row = this.#s.getParty.get({ id });
    return row && toParty(row);
  }

  async listParties(q: ListQuery): Promise<Page<PartyRecord>> {
    const limit = checkLimit(q.limit);
    return toPage(this.#s.listParties.all({ after: decodeCursor(q.cursor), limit: limit + 1 }), limit, toParty);
  }

  async disableParty(id: string, at: string, audit?: AuditAppend): Promise<boolean> {
    return audit ? this.audited(() => this.#disableParty(id, at), audit) : this.#disableParty.immediate(id, at);
  }

  async createPartnerCredential(c: PartnerCredentialRecord, audit?: AuditAppend): Promise<void> {
    this.audited(() => this.#s.insertPartnerCredential.run({ ...c }), audit);
  }

  async getPartnerCredential(partnerId: string): Promise<PartnerCredentialRecord | undefined> {
    const row = this.#s.getPartnerCredential.get({ id: partnerId });
    return row && toPartnerCredential(row);
  }

  async listPartnerCredentials(partyId: string, q: ListQuery): Promise<Page<PartnerCredentialRecord>> {
    const limit = checkLimit(q.limit);
    const rows = this.#s.listPartnerCredentials.all({ partyId, after: decodeCursor(q.cursor), limit: limit + 1 });
    return toPage(rows, limit, toPartnerCredential);
  }

  async disablePartnerCredential(partnerId: string, at: string, audit?: AuditAppend): Promise<boolean> {
    return this.audited(() => this.#s.disablePartnerCredential.run({ id: partnerId, at }).changes > 0, audit);
  }

  async createCustomerCredential(c: CustomerCredentialRecord, audit?: AuditAppend): Promise<void> {
    this.audited(() => this.#s.insertCustomerCredential.run({ ...c, scopes: JSON.stringify(c.scopes) }), audit);
  }

  async getCustomerCredential(customerId: string): Promise<CustomerCredentialRecord | undefined> {
    const row = this.#s.getCustomerCredential.get({ id: customerId });
    return row && toCustomerCredential(row);
  }

  async listCustomerCredentials(companyId: string, q: ListQuery): Promise<Page<CustomerCredentialRecord>> {
    const limit = checkLimit(q.limit);
    const rows = this.#s.listCustomerCredentials.all({ companyId, after: decodeCursor(q.cursor), limit: limit + 1 });
    return toPage(rows, limit, toCustomerCredential);
  }

  async disableCustomerCredential(customerId: string, at: string, audit?: AuditAppend): Promise<boolean> {
    return this.audited(() => this.#s.disableCustomerCredential.run({ id: customerId, at }).changes > 0, audit);
  }

  async deleteCompany(id: string, at: string, audit: AuditAppend): Promise<boolean> {
    return this.#deleteCompany.immediate(id, at, audit);
  }

  async createChannel(c: ChannelRecord, audit?: AuditAppend): Promise<void> {
    this.audited(() => this.#s.insertChannel.run({ ...c, messageTypes: JSON.stringify(c.messageTypes) }), audit);
  }

  async getChannel(id: string): Promise<ChannelRecord | undefined> {
    const row = this.#s.getChannel.get({ id });
    return row && toChannel(row);
  }

  async listChannels(
    q: ListQuery & { companyId?: string | undefined; partyId?: string | undefined },
  ): Promise<Page<ChannelRecord>> {
    const limit = checkLimit(q.limit);
    const shape: ChannelListShape = { companyId: q.companyId !== undefined, partyId: q.partyId !== undefined };
    const params = { companyId: q.companyId, partyId: q.partyId, after: decodeCursor(q.cursor), limit: limit + 1 };
    const stmt = this.#cached(this.#channelLists, channelShapeKey(shape), () => channelListSql(shape));
    return toPage(stmt.all(params), limit, toChannel);
  }

  async disableChannel(id: string, at: string, audit?: AuditAppend): Promise<boolean> {
    return this.audited(() => this.#s.disableChannel.run({ id, at }).changes > 0, audit);
  }

  // --- vault ---

  async ingest(items: IngestItem[]): Promise<IngestOutcome[]> {
    if (items.length === 0) return [];
    const rows = items.map((item) => toIngestRow(item.message));
    // COMMIT at synchronous=NORMAL returns once the frames are written; the answer waits for their fdatasync.
    const outcomes = this.#ingest.immediate(rows);
    if (this.#syncer) await this.#syncer.sync();
    return outcomes;
  }

  /**
   * Resolves `value` once the latest WAL sync settled: what a read saw may have been committed by an ingest batch
   * whose fdatasync is still running, and nothing derived from the database is answered before it is durable.
   */
  async #durable<T>(value: T): Promise<T> {
    const pending = this.#syncer?.pending();
    if (pending) await pending;
    return value;
  }

  async consumeTransactionId(partyId: string, transactionId: string, at: string): Promise<boolean> {
    return this.#durable(this.#consume.immediate(partyId, transactionId, at));
  }

  async listMessages(q: MessageQuery): Promise<Page<MessageMeta>> {
    return this.#durable(this.#listMessages(q, false, toMessageMeta));
  }

  async listMessagesWithBodies(q: MessageQuery): Promise<Page<MessageRecord & { cursor: string }>> {
    const limit = checkLimit(q.limit);
    const shape = this.#messageShape(q, true);
    const key = messageShapeKey(shape);
    let stmt = this.#exportLists.get(key);
    if (!stmt) {
      stmt = this.#db.prepare<[Record<string, unknown>], unknown[]>(leanMessageListSql(shape)).raw(true);
      this.#exportLists.set(key, stmt);
    }
    const rows = stmt.all(this.#messageParams(q, limit)) as MessageRowArray[];
    const more = rows.length > limit;
    const items = new Array<MessageRecord & { cursor: string }>(Math.min(rows.length, limit));
    for (let i = 0; i < items.length; i++) items[i] = messageFromArray(rows[i]!);
    // Answered only after the WAL sync in flight: nothing read is acknowledged before it is durable.
    return this.#durable({ items, nextCursor: more && items.length > 0 ? items[items.length - 1]!.cursor : null });
  }

  #listMessages<T>(q: MessageQuery, bodies: boolean, map: (r: MessageMetaRow) => T): Page<T> {
    const limit = checkLimit(q.limit);
    const shape = this.#messageShape(q, bodies);
    const stmt = this.#cached(this.#messageLists, messageShapeKey(shape), () => leanMessageListSql(shape));
    return toPage(stmt.all(this.#messageParams(q, limit)), limit, map);
  }

  #messageShape(q: MessageQuery, bodies: boolean): MessageListShape {
    return {
      channelId: q.channelId !== undefined,
      messageType: q.messageType !== undefined,
      from: q.from !== undefined,
      to: q.to !== undefined,
      channelIds: q.channelIds !== undefined,
      messageTypes: q.messageTypes !== undefined,
      bodies,
    };
  }

  /** better-sqlite3 binds the parameters the shape's SQL names and ignores the others (absent filters). */
  #messageParams(q: MessageQuery, limit: number): Record<string, unknown> {
    const { companyId, channelId, messageType, from, to } = q;
    const channelIds = q.channelIds && JSON.stringify(q.channelIds);
    const messageTypes = q.messageTypes && JSON.stringify(q.messageTypes);
    return { companyId, channelId, messageType, channelIds, messageTypes, from, to, after: decodeCursor(q.cursor), limit: limit + 1 };
  }

  async countTransactionIds(): Promise<number> {
    return this.#durable(this.#ledger.count());
  }

  async pruneTransactionIds(before: string, limit: number): Promise<number> {
    return this.#prune.immediate(before, checkLimit(limit));
  }

  async deleteCompanyMessages(companyId: string, limit: number): Promise<number> {
    return this.#s.deleteCompanyMessages.run({ companyId, limit: checkLimit(limit) }).changes;
  }

  async listDeletedCompanyIds(): Promise<string[]> {
    return this.#s.listDeletedCompanies.all({}).map((r) => r.id);
  }

  async deleteExpiredMessages(q: { channelId: string; messageType: string; before?: string | undefined; keepLast?: number | undefined; limit: number }): Promise<number> {
    const limit = checkLimit(q.limit);
    let deleted = 0;
    if (q.before !== undefined) {
      deleted += this.#s.deleteOlderMessages.run({ channelId: q.channelId, messageType: q.messageType, before: q.before, limit }).changes;
    }
    if (q.keepLast !== undefined && deleted < limit) {
      deleted += this.#s.deleteBeyondNewest.run({ channelId: q.channelId, messageType: q.messageType, keepLast: q.keepLast, limit: limit - deleted }).changes;
    }
    return deleted;
  }

  async getMessage(companyId: string, messageId: string): Promise<MessageRecord | undefined> {
    const row = this.#s.getMessage.get({ id: messageId, companyId });
    return this.#durable(row && toMessage(row));
  }

  // --- OAuth (issue 4): delegated to oauth-store.ts ---

  createOAuthClient(c: OAuthClientRecord, audit?: AuditAppend): Promise<void> { return this.#oauth.createOAuthClient(c, audit); }
  getOAuthClient(clientId: string): Promise<OAuthClientRecord | undefined> { return this.#oauth.getOAuthClient(clientId); }
  listOAuthClients(owner: { kind: OAuthOwnerKind; id: string }, q: ListQuery): Promise<Page<OAuthClientRecord>> { return this.#oauth.listOAuthClients(owner, q); }
  disableOAuthClient(clientId: string, at: string, audit?: AuditAppend): Promise<boolean> { return this.#oauth.disableOAuthClient(clientId, at, audit); }
  createExternalClientLink(l: ExternalClientLinkRecord, audit?: AuditAppend): Promise<void> { return this.#oauth.createExternalClientLink(l, audit); }
  getExternalClientLink(id: string): Promise<ExternalClientLinkRecord | undefined> { return this.#oauth.getExternalClientLink(id); }
  findExternalClientLink(issuer: string, clientId: string): Promise<ExternalClientLinkRecord | undefined> { return this.#oauth.findExternalClientLink(issuer, clientId); }
  listExternalClientLinks(owner: { kind: OAuthOwnerKind; id: string }, q: ListQuery): Promise<Page<ExternalClientLinkRecord>> { return this.#oauth.listExternalClientLinks(owner, q); }
  disableExternalClientLink(id: string, at: string, audit?: AuditAppend): Promise<boolean> { return this.#oauth.disableExternalClientLink(id, at, audit); }
  addSigningKey(k: SigningKeyRecord, publishOldUntil: string, audit?: AuditAppend): Promise<void> { return this.#oauth.addSigningKey(k, publishOldUntil, audit); }
  listSigningKeys(now: string): Promise<SigningKeyRecord[]> { return this.#oauth.listSigningKeys(now); }

  // --- change feed (issue 15): delegated to feed-store.ts ---
  listFeedMessages(q: FeedMessageQuery): Promise<{ items: FeedMessage[]; more: boolean }> { return this.#feed.listFeedMessages(q); }
  // --- webhooks (issue 15): delegated to webhook-store.ts ---
  createWebhookEndpoint(...a: Parameters<WebhookStore['createWebhookEndpoint']>) { return this.#webhooks.createWebhookEndpoint(...a); }
  getWebhookEndpoint(...a: Parameters<WebhookStore['getWebhookEndpoint']>) { return this.#webhooks.getWebhookEndpoint(...a); }
  listWebhookEndpoints(...a: Parameters<WebhookStore['listWebhookEndpoints']>) { return this.#webhooks.listWebhookEndpoints(...a); }
  listActiveWebhookEndpoints(...a: Parameters<WebhookStore['listActiveWebhookEndpoints']>) { return this.#webhooks.listActiveWebhookEndpoints(...a); }
  updateWebhookEndpoint(...a: Parameters<WebhookStore['updateWebhookEndpoint']>) { return this.#webhooks.updateWebhookEndpoint(...a); }
  deleteWebhookEndpoint(...a: Parameters<WebhookStore['deleteWebhookEndpoint']>) { return this.#webhooks.deleteWebhookEndpoint(...a); }
  messageHorizon() { return this.#webhooks.messageHorizon(); }
  listPositionedMessages(...a: Parameters<WebhookStore['listPositionedMessages']>) { return this.#webhooks.listPositionedMessages(...a); }
  advanceWebhookCursors(...a: Parameters<WebhookStore['advanceWebhookCursors']>) { return this.#webhooks.advanceWebhookCursors(...a); }
  addWebhookDeliveries(...a: Parameters<WebhookStore['addWebhookDeliveries']>) { return this.#webhooks.addWebhookDeliveries(...a); }
  claimWebhookDeliveries(...a: Parameters<WebhookStore['claimWebhookDeliveries']>) { return this.#webhooks.claimWebhookDeliveries(...a); }
  finishWebhookAttempts(...a: Parameters<WebhookStore['finishWebhookAttempts']>) { return this.#webhooks.finishWebhookAttempts(...a); }
  getWebhookDelivery(...a: Parameters<WebhookStore['getWebhookDelivery']>) { return this.#webhooks.getWebhookDelivery(...a); }
  listWebhookDeliveries(...a: Parameters<WebhookStore['listWebhookDeliveries']>) { return this.#webhooks.listWebhookDeliveries(...a); }

  // --- self-service (issue 14): delegated to selfserv-store.ts ---
  rotateCredentialKey(...a: Parameters<SelfServiceStore['rotateCredentialKey']>): Promise<boolean> { return this.#selfserv.rotateCredentialKey(...a); }
  rotateOAuthClientSecret(...a: Parameters<SelfServiceStore['rotateOAuthClientSecret']>): Promise<boolean> { return this.#selfserv.rotateOAuthClientSecret(...a); }
  getPreviousSecret(id: string): Promise<PreviousSecretRecord | undefined> { return this.#selfserv.getPreviousSecret(id); }
  createChannelRequest(...a: Parameters<SelfServiceStore['createChannelRequest']>): Promise<void> { return this.#selfserv.createChannelRequest(...a); }
  getChannelRequest(id: string): Promise<ChannelRequestRecord | undefined> { return this.#selfserv.getChannelRequest(id); }
  listChannelRequests(...a: Parameters<SelfServiceStore['listChannelRequests']>): Promise<Page<ChannelRequestRecord>> { return this.#selfserv.listChannelRequests(...a); }
  decideChannelRequest(...a: Parameters<SelfServiceStore['decideChannelRequest']>): Promise<boolean> { return this.#selfserv.decideChannelRequest(...a); }

  // --- sharing (issue 15): delegated to sharing-store.ts ---
  createGrant(...a: Parameters<SharingStore['createGrant']>): Promise<void> { return this.#sharing.createGrant(...a); }
  transitionGrant(...a: Parameters<SharingStore['transitionGrant']>): Promise<boolean> { return this.#sharing.transitionGrant(...a); }
  getGrant(id: string): Promise<GrantRecord | undefined> { return this.#sharing.getGrant(id); }
  listGrants(...a: Parameters<SharingStore['listGrants']>): Promise<Page<GrantRecord>> { return this.#sharing.listGrants(...a); }
  listActiveGrants(...a: Parameters<SharingStore['listActiveGrants']>): Promise<GrantRecord[]> { return this.#sharing.listActiveGrants(...a); }
  listLapsedGrants(at: string, limit: number): Promise<GrantRecord[]> { return this.#sharing.listLapsedGrants(at, limit); }
  listGrantEvents(...a: Parameters<SharingStore['listGrantEvents']>): ReturnType<SharingStore['listGrantEvents']> { return this.#sharing.listGrantEvents(...a); }

  // --- accounts (issue 14): delegated to accounts-store.ts ---

  createRegistration(r: RegistrationRecord, user: UserRecord, audit: AuditAppend): Promise<void> { return this.#accounts.createRegistration(r, user, audit); }
  getRegistration(id: string): Promise<RegistrationRecord | undefined> { return this.#accounts.getRegistration(id); }
  listRegistrations(q: ListQuery & { status?: RegistrationRecord['status'] | undefined }): Promise<Page<RegistrationRecord>> { return this.#accounts.listRegistrations(q); }
  approveRegistration(id: string, a: RegistrationApproval, audit: AuditAppend): Promise<boolean> { return this.#accounts.approveRegistration(id, a, audit); }
  declineRegistration(id: string, at: string, decidedBy: string, audit: AuditAppend): Promise<boolean> { return this.#accounts.declineRegistration(id, at, decidedBy, audit); }
  getOrganisation(id: string): Promise<OrganisationRecord | undefined> { return this.#accounts.getOrganisation(id); }
  listOrganisations(q: ListQuery & { status?: OrganisationRecord['status'] | undefined }): Promise<Page<OrganisationRecord>> { return this.#accounts.listOrganisations(q); }
  setOrganisationRequireTotp(id: string, required: boolean, audit: AuditAppend): Promise<boolean> { return this.#accounts.setOrganisationRequireTotp(id, required, audit); }
  createUser(u: UserRecord, audit: AuditAppend): Promise<void> { return this.#accounts.createUser(u, audit); }
  getUser(id: string): Promise<UserRecord | undefined> { return this.#accounts.getUser(id); }
  getUserByEmail(email: string): Promise<UserRecord | undefined> { return this.#accounts.getUserByEmail(email); }
  listUsers(q: ListQuery & { email?: string | undefined; platformRole?: 'operator' | undefined }): Promise<Page<UserRecord>> { return this.#accounts.listUsers(q); }
  setUserProfile(userId: string, p: { displayName: string; language: AccountLanguage }, audit: AuditAppend): Promise<boolean> { return this.#accounts.setUserProfile(userId, p, audit); }
  setUserTotp(userId: string, secretCiphertext: Uint8Array | null, audit: AuditAppend): Promise<boolean> { return this.#accounts.setUserTotp(userId, secretCiphertext, audit); }
  confirmUserTotp(userId: string, step: number, at: string, audit: AuditAppend): Promise<boolean> { return this.#accounts.confirmUserTotp(userId, step, at, audit); }
  addMembership(m: MembershipRecord, audit: AuditAppend): Promise<void> { return this.#accounts.addMembership(m, audit); }
  listUserMemberships(userId: string): Promise<MembershipRecord[]> { return this.#accounts.listUserMemberships(userId); }
  listOrganisationMembers(organisationId: string, q: ListQuery): Promise<Page<MembershipRecord & { email: string; displayName: string }>> { return this.#accounts.listOrganisationMembers(organisationId, q); }
  createSession(s: SessionRecord, totpStep: number | undefined, audit: AuditAppend): Promise<boolean> { return this.#accounts.createSession(s, totpStep, audit); }
  getSession(tokenHash: string): Promise<SessionRecord | undefined> { return this.#accounts.getSession(tokenHash); }
  touchSession(tokenHash: string, at: string): Promise<void> { return this.#accounts.touchSession(tokenHash, at); }
  revokeSession(tokenHash: string, at: string, audit: AuditAppend): Promise<boolean> { return this.#accounts.revokeSession(tokenHash, at, audit); }
  revokeUserSessions(userId: string, at: string, audit: AuditAppend): Promise<number> { return this.#accounts.revokeUserSessions(userId, at, audit); }
  createApiToken(t: ApiTokenRecord, audit: AuditAppend): Promise<void> { return this.#accounts.createApiToken(t, audit); }
  getApiTokenByHash(tokenHash: string): Promise<ApiTokenRecord | undefined> { return this.#accounts.getApiTokenByHash(tokenHash); }
  listUserApiTokens(userId: string, q: ListQuery): Promise<Page<ApiTokenRecord>> { return this.#accounts.listUserApiTokens(userId, q); }
  revokeApiToken(id: string, userId: string, at: string, audit: AuditAppend): Promise<boolean> { return this.#accounts.revokeApiToken(id, userId, at, audit); }
  getIdentity(issuer: string, subject: string): Promise<IdentityRecord | undefined> { return this.#accounts.getIdentity(issuer, subject); }
  linkIdentity(i: IdentityRecord, audit: AuditAppend): Promise<boolean> { return this.#accounts.linkIdentity(i, audit); }

  // --- people (issue 14): delegated to people-store.ts ---

  createInvitation(i: InvitationRecord, audit: AuditAppend): Promise<void> { return this.#people.createInvitation(i, audit); }
  getInvitationByHash(tokenHash: string): Promise<InvitationRecord | undefined> { return this.#people.getInvitationByHash(tokenHash); }
  listOrganisationInvitations(organisationId: string, q: ListQuery): Promise<Page<InvitationRecord>> { return this.#people.listOrganisationInvitations(organisationId, q); }
  revokeInvitation(id: string, organisationId: string, at: string, audit: AuditAppend): Promise<boolean> { return this.#people.revokeInvitation(id, organisationId, at, audit); }
  acceptInvitation(id: string, at: string, a: { newUser: UserRecord | null; membership: MembershipRecord }, audit: AuditAppend): Promise<boolean> { return this.#people.acceptInvitation(id, at, a, audit); }
  setMemberRole(organisationId: string, userId: string, role: MembershipRole, audit: AuditAppend): Promise<boolean> { return this.#people.setMemberRole(organisationId, userId, role, audit); }
  removeMember(organisationId: string, userId: string, audit: AuditAppend): Promise<boolean> { return this.#people.removeMember(organisationId, userId, audit); }
  setOrganisationStatus(id: string, status: OrganisationRecord['status'], audit: AuditAppend): Promise<boolean> { return this.#people.setOrganisationStatus(id, status, audit); }
  isOrganisationSuspended(companyOrPartyId: string): Promise<boolean> { return this.#people.isOrganisationSuspended(companyOrPartyId); }

  // --- ingestion insights (issue 16): delegated to insights-store.ts ---
  appendIngestionRefusals(records: readonly IngestionRefusalInput[]): Promise<void> { return this.#insights.appendIngestionRefusals(records); }
  listIngestionRefusals(q: RefusalQuery): Promise<Page<IngestionRefusalRecord>> { return this.#insights.listIngestionRefusals(q); }
  countIngestionRefusals(q: RefusalScope & { since: string }): Promise<{ code: string; count: number }[]> { return this.#insights.countIngestionRefusals(q); }
  pruneIngestionRefusals(before: string, limit: number): Promise<number> { return this.#insights.pruneIngestionRefusals(before, limit); }
  countMessagesByDay(q: { companyId: string; channelIds: readonly string[]; since: string }): Promise<MessageDayCount[]> { return this.#insights.countMessagesByDay(q); }
  lastMessages(q: { companyId: string; channelIds: readonly string[] }): Promise<{ channelId: string; at: string; messageType: string }[]> { return this.#insights.lastMessages(q); }

  // --- recovery (issue 14): delegated to recovery-store.ts ---

  createPasswordReset(r: PasswordResetRecord, audit: AuditAppend): Promise<void> { return this.#recovery.createPasswordReset(r, audit); }
  getPasswordResetByHash(tokenHash: string): Promise<PasswordResetRecord | undefined> { return this.#recovery.getPasswordResetByHash(tokenHash); }
  revokePasswordReset(id: string, at: string, audit: AuditAppend): Promise<boolean> { return this.#recovery.revokePasswordReset(id, at, audit); }
  completePasswordReset(id: string, at: string, passwordHash: string, audit: AuditAppend): Promise<boolean> { return this.#recovery.completePasswordReset(id, at, passwordHash, audit); }
  resetUserTotp(userId: string, at: string, audit: AuditAppend): Promise<boolean> { return this.#recovery.resetUserTotp(userId, at, audit); }
  setTotpReplacement(userId: string, secretCiphertext: Uint8Array, currentStep: number, at: string, audit: AuditAppend): Promise<boolean> { return this.#recovery.setTotpReplacement(userId, secretCiphertext, currentStep, at, audit); }
  getTotpReplacement(userId: string): Promise<Uint8Array | undefined> { return this.#recovery.getTotpReplacement(userId); }
  confirmTotpReplacement(userId: string, step: number, at: string, audit: AuditAppend): Promise<boolean> { return this.#recovery.confirmTotpReplacement(userId, step, at, audit); }

  // --- directory and feed checkpoints (issue 16): delegated to directory-store.ts, feed-checkpoint-store.ts ---

  setDirectoryListing(l: DirectoryListingRecord, audit: AuditAppend): Promise<boolean> { return this.#directory.setDirectoryListing(l, audit); }
  getDirectoryListing(organisationId: string): Promise<DirectoryListingRecord | undefined> { return this.#directory.getDirectoryListing(organisationId); }
  searchDirectory(q: DirectoryQuery): Promise<Page<DirectoryEntry>> { return this.#directory.searchDirectory(q); }
  putFeedCheckpoint(c: FeedCheckpointRecord, max: number, audit: AuditAppend | undefined): Promise<FeedCheckpointPut> { return this.#checkpoints.putFeedCheckpoint(c, max, audit); }
  getFeedCheckpoint(organisationId: string, name: string): Promise<FeedCheckpointRecord | undefined> { return this.#checkpoints.getFeedCheckpoint(organisationId, name); }
  listFeedCheckpoints(organisationId: string, q: ListQuery): Promise<Page<FeedCheckpointRecord>> { return this.#checkpoints.listFeedCheckpoints(organisationId, q); }
  deleteFeedCheckpoint(organisationId: string, name: string, audit: AuditAppend): Promise<boolean> { return this.#checkpoints.deleteFeedCheckpoint(organisationId, name, audit); }
  lastGrantEventSeq(organisationId: string): Promise<number> { return this.#checkpoints.lastGrantEventSeq(organisationId); }

  // --- body integrity (issue 17): delegated to integrity-store.ts ---

  insertSignatureKey(k: SignatureKeyRecord, audit: AuditAppend): Promise<void> { return this.#integrity.insertSignatureKey(k, audit); }
  getSignatureKey(id: string): Promise<SignatureKeyRecord | undefined> { return this.#integrity.getSignatureKey(id); }
  listSignatureKeys(partyId: string): Promise<SignatureKeyRecord[]> { return this.#integrity.listSignatureKeys(partyId); }
  disableSignatureKey(partyId: string, id: string, at: string, audit: AuditAppend): Promise<boolean> { return this.#integrity.disableSignatureKey(partyId, id, at, audit); }
  setChannelIntegrity(r: ChannelIntegrityRecord, audit: AuditAppend): Promise<boolean> { return this.#integrity.setChannelIntegrity(r, audit); }
  getChannelIntegrity(channelId: string): Promise<ChannelIntegrityRecord | undefined> { return this.#integrity.getChannelIntegrity(channelId); }

  // --- audit trail (issue 13): delegated to audit-store.ts ---

  appendAudit(e: AuditAppend): Promise<AuditRecord> { return this.#audit.appendAudit(e); }
  listAudit(q: AuditQuery): Promise<Page<AuditRecord>> { return this.#audit.listAudit(q); }
  readAuditChain(afterSeq: number, limit: number): Promise<AuditRecord[]> { return this.#audit.readAuditChain(afterSeq, limit); }
  auditHead(): Promise<{ seq: number; hash: string } | null> { return this.#audit.auditHead(); }
  addAuditCheckpoint(cp: AuditCheckpoint): Promise<void> { return this.#audit.addAuditCheckpoint(cp); }
  listAuditCheckpoints(): Promise<AuditCheckpoint[]> { return this.#audit.listAuditCheckpoints(); }
  ensureAuditKey(candidate: AuditKeyRecord): Promise<AuditKeyRecord> { return this.#audit.ensureAuditKey(candidate); }
  listAuditKeys(): Promise<AuditKeyRecord[]> { return this.#audit.listAuditKeys(); }
  pruneAudit(throughSeq: number): Promise<number> { return this.#audit.pruneAudit(throughSeq); }

  #cached<R>(cache: Map<number, ListStatement<R>>, key: number, sql: () => string): ListStatement<R> {
    let stmt = cache.get(key);
    if (!stmt) {
      stmt = this.#db.prepare<[Record<string, unknown>], R>(sql());
      cache.set(key, stmt);
    }
    return stmt;
  }
}

/** A store whose open applied the audit schema step first imports the version-1 audit rows into the chain. */
function withLegacyAudit(store: SqliteStore): SqliteStore {
  if (store.appliedMigrations.includes(AUDIT_SCHEMA_VERSION)) store.importLegacyAudit();
  return store;
}

/** The connection settings every connection of the store shares; `synchronous` is set apart. */
function configure(db: Database.Database, walLimitBytes: number): void {
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('foreign_keys = ON');
  db.pragma(`journal_size_limit = ${walLimitBytes}`);
}

/**
 * Opens (creating if needed) a SQLite store (issue 12 §2). Two connections in this process, WAL so readers never
 * block the writer, foreign keys on, a busy timeout for a second process; migrations run before it is returned.
 *
 * - Ingest batches commit on their own connection at synchronous=NORMAL, and each batch's answer waits for one
 *   asynchronous fdatasync of the WAL file (wal-sync.ts): as durable as FULL for what is acknowledged, without
 *   the fsync on the event loop. NORMAL, not OFF: SQLite still syncs around checkpoints and on WAL restart, and
 *   at close.
 * - Everything else (registry, retention, OAuth) commits on the other connection at synchronous=FULL.
 * - Reads of messages and of the ledger wait for the WAL sync in flight before answering.
 * - The transaction-id ledger is partitioned (ledger.ts) so that its insert cost does not grow with the ids kept.
 * - A thread checkpoints the WAL (checkpointer-thread.ts) and bounds it (`walLimitBytes`).
 */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const inMemory = options.file === ':memory:';
  if (!inMemory) mkdirSync(dirname(options.file), { recursive: true });
  const walLimitBytes = options.walLimitBytes ?? WAL_LIMIT_BYTES;
  const db = new Database(options.file, { timeout: BUSY_TIMEOUT_MS });
  let ingestDb: Database.Database | undefined;
  try {
    configure(db, walLimitBytes);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (!inMemory && mode !== 'wal') {
      throw new Error(`could not switch ${options.file} to WAL (journal_mode is ${String(mode)})`);
    }
    db.pragma('synchronous = FULL');
    const applied = applyMigrations(db);
    if (inMemory) return withLegacyAudit(new SqliteStore(db, applied, { ingestDb: db, minFreeBytes: options.minFreeBytes, ledger: options.ledger }));
    // No connection checkpoints on commit (a checkpoint on the request path costs 80-400 ms on this disk).
    db.pragma('wal_autocheckpoint = 0');
    ingestDb = new Database(options.file, { timeout: BUSY_TIMEOUT_MS, fileMustExist: true });
    configure(ingestDb, walLimitBytes);
    ingestDb.pragma('synchronous = NORMAL');
    ingestDb.pragma('wal_autocheckpoint = 0');
    const acknowledgeBeforeWalSync = options.testOnly?.acknowledgeBeforeWalSync === true;
    const syncer = acknowledgeBeforeWalSync
      ? undefined
      : new WalSyncer({ walPath: `${options.file}-wal`, fdatasync: options.testOnly?.fdatasync, onFailure: options.onWalSyncFailure });
    const checkpointer = new CheckpointerThread({ file: options.file, checkpointIntervalMs: options.testOnly?.checkpointIntervalMs ?? options.checkpointIntervalMs ?? 1000, walLimitBytes });
    checkpointer.start();
    return withLegacyAudit(new SqliteStore(db, applied, { ingestDb, checkpointer, syncer, minFreeBytes: options.minFreeBytes, ledger: options.ledger }));
  } catch (err) {
    ingestDb?.close();
    db.close();
    throw err;
  }
}
