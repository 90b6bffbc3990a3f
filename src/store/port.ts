import type { RateLimiterAbstract, RateLimiterMemory } from 'rate-limiter-flexible';
import type { AuditCheckpoint, AuditEventInput, AuditRecord } from '../protocol/audit-chain.js';
import type { StoreReadiness } from './store-full.js';
import type { GrantAction, GrantScope } from '../protocol/grant-scope.js';
/**
 * The storage port: everything the server keeps goes through this interface. Adapters (SQLite now, PostgreSQL
 * later) implement it and pass the same conformance suite. Secrets and message bodies cross this boundary only
 * encrypted (`Uint8Array` ciphertexts); the adapter never sees a key or plaintext body.
 *
 * Methods are async so that a network database fits the same port; the SQLite adapter resolves synchronously.
 */

export type Status = 'active' | 'disabled';
/** What a customer credential may do: send (`ingest`), read its company's vault and the vaults shared with it (`vault.read`). */
export type Scope = 'ingest' | 'vault.read';
/**
 * What an OAuth client may do: the scopes, plus `shared.read` (issue 15): read other owners' vaults within the active
 * grants of the client's organisation (a company client, or a party client of a vendor-only organisation).
 */
export type Role = Scope | 'shared.read';

export interface CompanyRecord {
  id: string;
  name: string;
  businessId: string;
  createdAt: string;
  /** Set when the company was deleted (its data keys destroyed); the record stays as a tombstone. */
  deletedAt?: string | null;
}

/**
 * An audit event to append (issue 13): the server's input plus its id; the store gives it its place in the chain
 * (seq, prevHash, hash; src/protocol/audit-chain.ts) inside the transaction that appends it.
 */
export type AuditAppend = AuditEventInput & { id: string };

/*
 * Fail-closed (issue 13 §2): every mutating registry and OAuth method takes an optional `audit` event, appended in
 * the same transaction as the change, so a change whose event cannot be written is rolled back. A method that
 * returns false changed nothing and appends nothing.
 */

/** A data key (DEK), kept only wrapped by a master key (KEK). */
export interface DataKeyRecord {
  id: string;
  /** The vault (company id) or `system` (registry secrets) the key encrypts for. */
  ownerId: string;
  /** Which master key wrapped it (a fingerprint, never the key). */
  kekId: string;
  wrapped: Uint8Array;
  createdAt: string;
}

/**
 * The key store: wrapped data keys, kept apart from the database they protect, so that a database backup alone
 * never holds a usable key, and destroying an owner's keys makes its data unreadable in every backup of the
 * database (crypto-shredding).
 */
export interface KeyStore {
  createDataKey(k: DataKeyRecord): Promise<void>;
  getDataKey(id: string): Promise<DataKeyRecord | undefined>;
  /** The newest key of an owner, or undefined when it has none (or they were destroyed). */
  currentDataKey(ownerId: string): Promise<DataKeyRecord | undefined>;
  /** Keys wrapped by any master key other than `kekId`, oldest first. */
  listDataKeysNotWrappedBy(kekId: string, limit: number): Promise<DataKeyRecord[]>;
  /** Replaces a key's wrapping if it is still wrapped by `fromKekId` (so concurrent runs do not clash). */
  rewrapDataKey(id: string, fromKekId: string, toKekId: string, wrapped: Uint8Array): Promise<boolean>;
  /** Destroys (overwrites and deletes) every key of an owner; returns how many there were. */
  destroyDataKeys(ownerId: string): Promise<number>;
  /** How many keys each master key wraps. */
  countDataKeysByKek(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export interface PartyRecord {
  id: string;
  name: string;
  status: Status;
  createdAt: string;
  disabledAt: string | null;
}

export interface PartnerCredentialRecord {
  partnerId: string;
  partyId: string;
  status: Status;
  createdAt: string;
  disabledAt: string | null;
  /** The partner key, encrypted by the caller. */
  keyCiphertext: Uint8Array;
}

export interface CustomerCredentialRecord {
  customerId: string;
  companyId: string;
  name: string;
  scopes: Scope[];
  status: Status;
  createdAt: string;
  disabledAt: string | null;
  /** The customer key, encrypted by the caller. */
  keyCiphertext: Uint8Array;
}

/** How long messages of a type are kept: at most `days`, and/or only the newest `keepLast` per channel. */
export interface RetentionPolicy {
  days?: number | undefined;
  keepLast?: number | undefined;
}

export interface MessageTypeAgreement {
  name: string;
  mediaTypes: string[];
  retention?: RetentionPolicy | undefined;
}

export interface ChannelRecord {
  id: string;
  companyId: string;
  partyId: string;
  messageTypes: MessageTypeAgreement[];
  status: Status;
  createdAt: string;
  disabledAt: string | null;
}

export interface MessageMeta {
  id: string;
  companyId: string;
  channelId: string;
  partyId: string;
  messageType: string;
  mediaType: string;
  /** The Content-Type exactly as sent (with parameters such as charset). */
  contentType: string;
  size: number;
  sha256: string;
  receivedAt: string;
  transactionId: string | null;
}

export interface MessageRecord extends MessageMeta {
  /** The body, encrypted by the caller; `keyVersion` names the key that did it. */
  bodyCiphertext: Uint8Array;
  keyVersion: number;
}

/** A message to store together with the consumption of its transaction id. */
export interface IngestItem {
  message: MessageRecord;
}

export type IngestOutcome =
  | { ok: true; seq: number }
  | { ok: false; reason: 'duplicate'; existingMessageId: string | null };

export interface Page<T> {
  items: T[];
  /** Opaque; pass back to get the next page. Null when there is none. */
  nextCursor: string | null;
}

export interface MessageQuery {
  companyId: string;
  channelId?: string | undefined;
  messageType?: string | undefined;
  /**
   * Only messages of one of these channels (an empty list matches nothing); combines with `channelId` (both hold).
   * Consumer reads (issue 15) push a grant scope's channels here.
   */
  channelIds?: readonly string[] | undefined;
  /** Only messages of one of these types (an empty list matches nothing); combines with `messageType`. */
  messageTypes?: readonly string[] | undefined;
  /** ISO timestamps, inclusive from, exclusive to. */
  from?: string | undefined;
  to?: string | undefined;
  /** Opaque cursor from a previous page. */
  cursor?: string | undefined;
  limit: number;
}

export interface ListQuery {
  cursor?: string | undefined;
  limit: number;
}

export interface RegistryStore {
  createCompany(c: CompanyRecord, audit?: AuditAppend): Promise<void>;
  getCompany(id: string): Promise<CompanyRecord | undefined>;
  getCompanyByBusinessId(businessId: string): Promise<CompanyRecord | undefined>;
  listCompanies(q: ListQuery): Promise<Page<CompanyRecord>>;

  createParty(p: PartyRecord, audit?: AuditAppend): Promise<void>;
  getParty(id: string): Promise<PartyRecord | undefined>;
  listParties(q: ListQuery): Promise<Page<PartyRecord>>;
  /** Disables a party and, in the same transaction, its partner credentials and channels. */
  disableParty(id: string, at: string, audit?: AuditAppend): Promise<boolean>;

  createPartnerCredential(c: PartnerCredentialRecord, audit?: AuditAppend): Promise<void>;
  getPartnerCredential(partnerId: string): Promise<PartnerCredentialRecord | undefined>;
  listPartnerCredentials(partyId: string, q: ListQuery): Promise<Page<PartnerCredentialRecord>>;
  disablePartnerCredential(partnerId: string, at: string, audit?: AuditAppend): Promise<boolean>;

  createCustomerCredential(c: CustomerCredentialRecord, audit?: AuditAppend): Promise<void>;
  getCustomerCredential(customerId: string): Promise<CustomerCredentialRecord | undefined>;
  listCustomerCredentials(companyId: string, q: ListQuery): Promise<Page<CustomerCredentialRecord>>;
  disableCustomerCredential(customerId: string, at: string, audit?: AuditAppend): Promise<boolean>;

  /**
   * Deletes a company: tombstones it, disables its customer credentials and channels, and records the audit event,
   * in one transaction. Its messages are removed afterwards in batches (deleteCompanyMessages). False when there is
   * no such company.
   */
  deleteCompany(id: string, at: string, audit: AuditAppend): Promise<boolean>;

  createChannel(c: ChannelRecord, audit?: AuditAppend): Promise<void>;
  getChannel(id: string): Promise<ChannelRecord | undefined>;
  listChannels(q: ListQuery & { companyId?: string | undefined; partyId?: string | undefined }): Promise<Page<ChannelRecord>>;
  disableChannel(id: string, at: string, audit?: AuditAppend): Promise<boolean>;
}

export interface VaultStore {
  /**
   * Stores each message and consumes its (party, transaction id) in one durable transaction per batch; an item
   * whose transaction id was used before is refused and stores nothing, without failing the others. Resolves only
   * after the commit is durable. A message without a transaction id only stores the message.
   */
  ingest(items: IngestItem[]): Promise<IngestOutcome[]>;
  /**
   * Consumes a transaction id that stores no message (e.g. a vault read). False when it was used before.
   */
  consumeTransactionId(partyId: string, transactionId: string, at: string): Promise<boolean>;
  listMessages(q: MessageQuery): Promise<Page<MessageMeta>>;
  /**
   * Like listMessages, with the (encrypted) bodies and each item's own cursor (the position after it), for
   * streaming exports that resume after the last item received.
   */
  listMessagesWithBodies(q: MessageQuery): Promise<Page<MessageRecord & { cursor: string }>>;
  /**
   * Deletes at most `limit` messages of one channel and type that are older than `before` (ISO) or beyond the
   * newest `keepLast`; returns how many were deleted. Callers repeat until it returns less than `limit`.
   */
  /**
   * Forgets at most `limit` used transaction ids consumed before `before` (ISO); returns how many. An adapter that
   * forgets a whole partition of older ids at once (SQLite) may return more than `limit`.
   */
  pruneTransactionIds(before: string, limit: number): Promise<number>;
  /** How many used transaction ids are kept. */
  countTransactionIds(): Promise<number>;
  /** Deletes at most `limit` messages of a (deleted) company; returns how many. */
  deleteCompanyMessages(companyId: string, limit: number): Promise<number>;
  /** Companies that are deleted but may still have message rows. */
  listDeletedCompanyIds(): Promise<string[]>;
  deleteExpiredMessages(q: { channelId: string; messageType: string; before?: string | undefined; keepLast?: number | undefined; limit: number }): Promise<number>;
  getMessage(companyId: string, messageId: string): Promise<MessageRecord | undefined>;
}

// --- OAuth (issue 4): clients of the built-in token endpoint, links of external issuers' clients, signing keys ---

/** Who an OAuth client acts for: a technical party (sends) or a company (reads its vault). */
export type OAuthOwnerKind = 'party' | 'company';

export interface OAuthClientRecord {
  clientId: string;
  ownerKind: OAuthOwnerKind;
  ownerId: string;
  name: string;
  roles: Role[];
  status: Status;
  createdAt: string;
  disabledAt: string | null;
  /** `sha256$<salt b64url>$<hash b64url>` of the client secret; null for a private_key_jwt client. */
  secretHash: string | null;
  /** The registered public JWK (JSON text) for private_key_jwt; null for a secret client. */
  publicJwk: string | null;
}

/** An external issuer's client id, linked to a party or company. (issuer, clientId) is unique among active links. */
export interface ExternalClientLinkRecord {
  id: string;
  issuer: string;
  clientId: string;
  ownerKind: OAuthOwnerKind;
  ownerId: string;
  /** The most this client may do; a token's own roles are intersected with these. */
  roles: Role[];
  status: Status;
  createdAt: string;
  disabledAt: string | null;
}

/** A token signing key of the built-in issuer; the private key only sealed by the caller (system data key). */
export interface SigningKeyRecord {
  kid: string;
  alg: string;
  /** Public JWK, JSON text. */
  publicJwk: string;
  privateKeyCiphertext: Uint8Array;
  createdAt: string;
  /** When it stopped signing (a newer key took over); null while current. */
  retiredAt: string | null;
  /** After this instant no token it signed is valid, so it is no longer published; null while current. */
  publishUntil: string | null;
}

export interface OAuthStore {
  createOAuthClient(c: OAuthClientRecord, audit?: AuditAppend): Promise<void>;
  getOAuthClient(clientId: string): Promise<OAuthClientRecord | undefined>;
  listOAuthClients(owner: { kind: OAuthOwnerKind; id: string }, q: ListQuery): Promise<Page<OAuthClientRecord>>;
  disableOAuthClient(clientId: string, at: string, audit?: AuditAppend): Promise<boolean>;

  /** Refused with EXTERNAL_CLIENT_ALREADY_LINKED when an active link of the same (issuer, clientId) exists. */
  createExternalClientLink(l: ExternalClientLinkRecord, audit?: AuditAppend): Promise<void>;
  getExternalClientLink(id: string): Promise<ExternalClientLinkRecord | undefined>;
  /** The active link of an issuer's client id, if any. */
  findExternalClientLink(issuer: string, clientId: string): Promise<ExternalClientLinkRecord | undefined>;
  listExternalClientLinks(owner: { kind: OAuthOwnerKind; id: string }, q: ListQuery): Promise<Page<ExternalClientLinkRecord>>;
  disableExternalClientLink(id: string, at: string, audit?: AuditAppend): Promise<boolean>;

  /**
   * Adds a signing key and, in the same transaction, retires every current one (retiredAt = at, publishUntil =
   * `publishOldUntil`), so there is one current key after a rotation even with several processes.
   */
  addSigningKey(k: SigningKeyRecord, publishOldUntil: string, audit?: AuditAppend): Promise<void>;
  /** Keys still published at `now` (current ones and retired ones whose publishUntil is later), newest first. */
  listSigningKeys(now: string): Promise<SigningKeyRecord[]>;
}

// --- Audit trail (issue 13): one hash chain per store, signed checkpoints, the key that signs them ---

/** Filters of an audit listing; every one given must match. */
export interface AuditQuery {
  /** Only events whose tenants include this company id. */
  tenant?: string | undefined;
  /** Only events of this actor id. */
  actor?: string | undefined;
  /** Only this action, or (ending in `.`) every action with this prefix, e.g. `vault.`. */
  action?: string | undefined;
  /** ISO bounds on `at`: inclusive from, exclusive to. */
  from?: string | undefined;
  to?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** The Ed25519 key pair that signs checkpoints; the private key (PKCS#8 DER) only sealed by the caller. */
export interface AuditKeyRecord {
  kid: string;
  /** Public JWK, JSON text. */
  publicJwk: string;
  privateKeyCiphertext: Uint8Array;
  createdAt: string;
}

export interface AuditStore {
  /**
   * Appends an event as the next link of the chain in its own durable transaction (refusals, reads, changes outside
   * the database). Appends are serialised across every process sharing the database, so the chain never forks.
   */
  appendAudit(e: AuditAppend): Promise<AuditRecord>;
  /** Events matching the filters, oldest first. */
  listAudit(q: AuditQuery): Promise<Page<AuditRecord>>;
  /** The chain in seq order, from the first event with seq > `afterSeq`, at most `limit` (for verification). */
  readAuditChain(afterSeq: number, limit: number): Promise<AuditRecord[]>;
  /** The newest event's seq and hash; null for an empty chain. */
  auditHead(): Promise<{ seq: number; hash: string } | null>;
  addAuditCheckpoint(cp: AuditCheckpoint): Promise<void>;
  /** Every checkpoint, oldest first. */
  listAuditCheckpoints(): Promise<AuditCheckpoint[]>;
  /**
   * The current audit key: `candidate` is stored if there is none yet, else the existing one is returned (so every
   * process sharing the database signs with the same key).
   */
  ensureAuditKey(candidate: AuditKeyRecord): Promise<AuditKeyRecord>;
  /** Every audit key, oldest first (all are published: checkpoints stay verifiable). */
  listAuditKeys(): Promise<AuditKeyRecord[]>;
  /**
   * Deletes every event with seq ≤ `throughSeq` and the checkpoints before it, in one transaction; the caller keeps a
   * checkpoint at `throughSeq` as the new anchor (audit retention). Returns how many events were deleted.
   */
  pruneAudit(throughSeq: number): Promise<number>;
}

// --- Accounts (issue 14): organisations, users, memberships, sessions, registrations ---

/**
 * An organisation: a company (owns a vault), a technical party (software vendor), or both. Its id is the company's
 * id when it is a company (else the party's), so the organisations made from existing companies and parties keep
 * their ids; every company and party has exactly one organisation (the schema step creates them, and a trigger
 * creates one for each company or party added through the registry).
 */
export interface OrganisationRecord {
  id: string;
  name: string;
  companyId: string | null;
  partyId: string | null;
  /** The company's business id (read from the company); null for a party-only organisation. */
  businessId: string | null;
  status: 'active' | 'suspended';
  /** Whether its members must sign in with a TOTP second factor. */
  requireTotp: boolean;
  createdAt: string;
}

export type AccountLanguage = 'en' | 'fi' | 'sv';
export type UserStatus = 'pending' | 'active' | 'disabled';
export type MembershipRole = 'admin' | 'member' | 'viewer';

/** A person. Email is unique case-insensitively (compared lower-cased). */
export interface UserRecord {
  id: string;
  email: string;
  displayName: string;
  language: AccountLanguage;
  /** argon2id PHC string; null for a user who signs in only through an external provider (the identities table). */
  passwordHash: string | null;
  /** The TOTP secret, sealed by the caller with the system data key; null when none is enrolled. */
  totpSecretCiphertext: Uint8Array | null;
  /** When the enrolment was confirmed with a code; a secret without it is not yet in force. */
  totpConfirmedAt: string | null;
  /** The newest TOTP time step accepted (codes of this step or older are refused: no reuse). */
  totpLastStep: number | null;
  /** `operator` for the platform's operators. */
  platformRole: 'operator' | null;
  status: UserStatus;
  createdAt: string;
}

export interface MembershipRecord {
  userId: string;
  organisationId: string;
  role: MembershipRole;
  createdAt: string;
}

/** A signed-in session. Only the SHA-256 of its token is kept. */
export interface SessionRecord {
  tokenHash: string;
  userId: string;
  createdAt: string;
  lastSeenAt: string;
  /** The absolute end (sign-in + absolute lifetime); the idle end is lastSeenAt + idle timeout. */
  expiresAt: string;
  revokedAt: string | null;
  clientAddress: string | null;
  /**
   * How the session was started: `password` (local password, with TOTP when enrolled) or `oidc` (an external OpenID
   * Connect provider, under its own MFA policy). An organisation requiring TOTP holds only `password` sessions to it.
   */
  signInMethod: 'password' | 'oidc';
}

/** A personal API token: automation by a user, scoped to one organisation and role. Only its SHA-256 is kept. */
export interface ApiTokenRecord {
  id: string;
  tokenHash: string;
  userId: string;
  organisationId: string;
  /** The most it may do; never more than the user's own role there at the time of use. */
  role: MembershipRole;
  name: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  /**
   * How the session that created it was started: an organisation's TOTP requirement holds the token as it holds
   * such a session (only `password` ones of a member without TOTP). Tokens from before the token-method step: `password`.
   */
  signInMethod: SessionRecord['signInMethod'];
}

/** An external OpenID Connect subject linked to a user (issue 14): `iss` + `sub` of its ID tokens (OIDC Core §2). */
export interface IdentityRecord {
  userId: string;
  issuer: string;
  subject: string;
  createdAt: string;
}

export type RegistrationKind = 'company' | 'party' | 'both';

/** A request to join the platform as an organisation with its first admin user, decided by an operator. */
export interface RegistrationRecord {
  id: string;
  kind: RegistrationKind;
  organisationName: string;
  /** Required for a company (or both). */
  businessId: string | null;
  userId: string;
  status: 'pending' | 'approved' | 'declined';
  createdAt: string;
  decidedAt: string | null;
  /** Who decided (operator user id, or `operator` for the admin token, `system` for automatic approval). */
  decidedBy: string | null;
  /** The organisation made on approval. */
  organisationId: string | null;
}

/** What approving a registration creates, in the one transaction that marks it approved. */
export interface RegistrationApproval {
  organisation: Omit<OrganisationRecord, 'businessId'>;
  company: CompanyRecord | null;
  party: PartyRecord | null;
  at: string;
  decidedBy: string;
}

export interface AccountStore {
  /**
   * Stores a registration and its (pending) user in one transaction. USER_EMAIL_TAKEN when a user with that email
   * (case-insensitively) exists — except a registrant registering again after a decline: when `user.id` is the id of
   * the declined registration's user (disabled, never a member, not an operator), that user takes `user`'s email,
   * name, language and password hash (its TOTP cleared, its id and createdAt kept) and is pending again.
   */
  createRegistration(r: RegistrationRecord, user: UserRecord, audit: AuditAppend): Promise<void>;
  getRegistration(id: string): Promise<RegistrationRecord | undefined>;
  listRegistrations(q: ListQuery & { status?: RegistrationRecord['status'] | undefined }): Promise<Page<RegistrationRecord>>;
  /**
   * Approves a pending registration: creates the organisation (and its company and/or party), activates the user and
   * makes them the organisation's admin, all in one transaction with the event. False when it is not pending.
   * BUSINESS_ID_TAKEN when an active company has the business id.
   */
  approveRegistration(id: string, a: RegistrationApproval, audit: AuditAppend): Promise<boolean>;
  /** Declines a pending registration and disables its user; false when it is not pending. */
  declineRegistration(id: string, at: string, decidedBy: string, audit: AuditAppend): Promise<boolean>;

  getOrganisation(id: string): Promise<OrganisationRecord | undefined>;
  /** Every organisation, oldest first, in pages; with `status`, only those (the operator's list). */
  listOrganisations(q: ListQuery & { status?: OrganisationRecord['status'] | undefined }): Promise<Page<OrganisationRecord>>;
  setOrganisationRequireTotp(id: string, required: boolean, audit: AuditAppend): Promise<boolean>;

  /** Adds a user directly (an operator, or a user made by an admin). USER_EMAIL_TAKEN as above. */
  createUser(u: UserRecord, audit: AuditAppend): Promise<void>;
  getUser(id: string): Promise<UserRecord | undefined>;
  getUserByEmail(email: string): Promise<UserRecord | undefined>;
  /**
   * Users, oldest first, in pages (the operator's search): with `email`, only the one with that address (compared
   * case-insensitively, as stored); with `platformRole`, only operators.
   */
  listUsers(q: ListQuery & { email?: string | undefined; platformRole?: 'operator' | undefined }): Promise<Page<UserRecord>>;
  /** Sets the user's own profile: display name and language (web portal, issue 16). False when there is no such user. */
  setUserProfile(userId: string, profile: { displayName: string; language: AccountLanguage }, audit: AuditAppend): Promise<boolean>;
  /** Replaces the user's TOTP secret with an unconfirmed one (null removes it). */
  setUserTotp(userId: string, secretCiphertext: Uint8Array | null, audit: AuditAppend): Promise<boolean>;
  /**
   * Confirms the enrolment with the step of the code given: false (nothing written) when there is no secret, it is
   * confirmed already, or the step is not newer than the last one used.
   */
  confirmUserTotp(userId: string, step: number, at: string, audit: AuditAppend): Promise<boolean>;

  addMembership(m: MembershipRecord, audit: AuditAppend): Promise<void>;
  /** A user's memberships, oldest first. */
  listUserMemberships(userId: string): Promise<MembershipRecord[]>;
  listOrganisationMembers(organisationId: string, q: ListQuery): Promise<Page<MembershipRecord & { email: string; displayName: string }>>;

  /**
   * Stores a session with its event. With `totpStep`, consumes that TOTP step in the same transaction: false (no
   * session) when it is not newer than the last one used (a code replayed within its window).
   */
  createSession(s: SessionRecord, totpStep: number | undefined, audit: AuditAppend): Promise<boolean>;
  getSession(tokenHash: string): Promise<SessionRecord | undefined>;
  /** Moves lastSeenAt of a live session forward (idle timeout); not audited (it is not a change of rights). */
  touchSession(tokenHash: string, at: string): Promise<void>;
  revokeSession(tokenHash: string, at: string, audit: AuditAppend): Promise<boolean>;
  /** Revokes every live session of a user; returns how many. */
  revokeUserSessions(userId: string, at: string, audit: AuditAppend): Promise<number>;

  createApiToken(t: ApiTokenRecord, audit: AuditAppend): Promise<void>;
  getApiTokenByHash(tokenHash: string): Promise<ApiTokenRecord | undefined>;
  /** A user's tokens, oldest first (revoked and expired ones too). */
  listUserApiTokens(userId: string, q: ListQuery): Promise<Page<ApiTokenRecord>>;
  /** Revokes a live token of that user; false when there is none. */
  revokeApiToken(id: string, userId: string, at: string, audit: AuditAppend): Promise<boolean>;

  /** The user an external (issuer, subject) is linked to. */
  getIdentity(issuer: string, subject: string): Promise<IdentityRecord | undefined>;
  /** Links an external subject to a user with its event; false (nothing written) when that subject is linked already. */
  linkIdentity(i: IdentityRecord, audit: AuditAppend): Promise<boolean>;
}

// --- self-service (issue 14): rotation with an overlap window, channel requests ---

/** The secret a credential had before its last rotation, accepted until `validUntil` (the overlap window). */
export interface PreviousSecretRecord {
  /** The partner id, customer id or OAuth client id it belongs to. */
  credentialId: string;
  /** The previous MAC key, sealed by the caller (MAC credentials); null for an OAuth client. */
  keyCiphertext: Uint8Array | null;
  /** The previous client secret's hash (OAuth clients); null for a MAC credential. */
  secretHash: string | null;
  rotatedAt: string;
  /** ISO instant after which the previous secret is refused. */
  validUntil: string;
}

export type ChannelRequestStatus = 'pending' | 'approved' | 'declined';

/** A vendor's request for a channel to a company; the channel exists only once the company approves. */
export interface ChannelRequestRecord {
  id: string;
  partyId: string;
  companyId: string;
  /** What the vendor asked for (the approval may narrow it; the channel holds what was granted). */
  messageTypes: MessageTypeAgreement[];
  status: ChannelRequestStatus;
  /** The user (or operator) who asked. */
  requestedBy: string;
  createdAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  /** The channel created on approval. */
  channelId: string | null;
}

export interface SelfServiceStore {
  /**
   * Replaces an active MAC credential's key and keeps the one it had as `previous` (replacing an older previous);
   * false (and no event) when the credential is not active.
   */
  rotateCredentialKey(kind: 'partner' | 'customer', id: string, keyCiphertext: Uint8Array, previous: PreviousSecretRecord, audit: AuditAppend): Promise<boolean>;
  /** The same for an active OAuth client's secret hash (a secret client only). */
  rotateOAuthClientSecret(clientId: string, secretHash: string, previous: PreviousSecretRecord, audit: AuditAppend): Promise<boolean>;
  getPreviousSecret(credentialId: string): Promise<PreviousSecretRecord | undefined>;

  createChannelRequest(r: ChannelRequestRecord, audit: AuditAppend): Promise<void>;
  getChannelRequest(id: string): Promise<ChannelRequestRecord | undefined>;
  /** Oldest first, by party and/or company and status. */
  listChannelRequests(q: ListQuery & { partyId?: string | undefined; companyId?: string | undefined; status?: ChannelRequestStatus | undefined }): Promise<Page<ChannelRequestRecord>>;
  /**
   * Decides a pending request; on approval `channel` is inserted in the same transaction. false (nothing written)
   * when the request is not pending.
   */
  decideChannelRequest(id: string, d: { status: 'approved' | 'declined'; at: string; decidedBy: string; channel: ChannelRecord | null }, audit: AuditAppend): Promise<boolean>;
}

// --- People (issue 14): invitations by email link, roles, removal, suspension ---

/** An invitation into an organisation with a role, by a single-use, expiring link. Only the SHA-256 of its token is kept. */
export interface InvitationRecord {
  id: string;
  tokenHash: string;
  organisationId: string;
  /** Who is invited; accepting needs a new user with this email or, signed in, the user who has it (case-insensitively). */
  email: string;
  role: MembershipRole;
  /** The language of the mail (the invitee's chosen one, else the inviter's). */
  language: AccountLanguage;
  /** The inviting user's id, or `operator` for the admin token. */
  invitedBy: string;
  createdAt: string;
  expiresAt: string;
  acceptedAt: string | null;
  /** The user who accepted it. */
  acceptedBy: string | null;
  revokedAt: string | null;
}

export interface PeopleStore {
  createInvitation(i: InvitationRecord, audit: AuditAppend): Promise<void>;
  getInvitationByHash(tokenHash: string): Promise<InvitationRecord | undefined>;
  /** An organisation's invitations, oldest first (used, revoked and expired ones too). */
  listOrganisationInvitations(organisationId: string, q: ListQuery): Promise<Page<InvitationRecord>>;
  /** Revokes an unused invitation of that organisation; false when there is none. */
  revokeInvitation(id: string, organisationId: string, at: string, audit: AuditAppend): Promise<boolean>;
  /**
   * Uses the invitation once: marks it accepted, creates `newUser` when given (USER_EMAIL_TAKEN as createUser) and adds
   * `membership`, in one transaction with the event. False (nothing written) when it was used, revoked, or expired at `at`.
   */
  acceptInvitation(id: string, at: string, a: { newUser: UserRecord | null; membership: MembershipRecord }, audit: AuditAppend): Promise<boolean>;
  /** Changes a member's role; false when they are not a member, or they are the last admin and the role is not admin. */
  setMemberRole(organisationId: string, userId: string, role: MembershipRole, audit: AuditAppend): Promise<boolean>;
  /** Removes a membership; false when there is none, or it is the organisation's last admin. */
  removeMember(organisationId: string, userId: string, audit: AuditAppend): Promise<boolean>;
  /** Suspends or reinstates an organisation; false when it does not exist or has that status already. */
  setOrganisationStatus(id: string, status: OrganisationRecord['status'], audit: AuditAppend): Promise<boolean>;
  /**
   * Whether the organisation that is this company or party (by organisation, company or party id) is suspended by an
   * operator (`organisation.suspend`); false when none is.
   */
  isOrganisationSuspended(companyOrPartyId: string): Promise<boolean>;
}

/** One owner vault's messages after a position, for the change feed (issue 15): see FeedStore.listFeedMessages. */
export interface FeedMessageQuery {
  /** The owner's company id (the vault). */
  companyId: string;
  /** Only messages with seq greater than this (0: from the start). */
  afterSeq: number;
  /** At most this many rows. */
  limit: number;
  /** Only these channels; undefined = any (a filter the caller re-checks: a superset is allowed). */
  channelIds?: readonly string[] | undefined;
  /** Only these message types; undefined = any. */
  messageTypes?: readonly string[] | undefined;
  /** Select the encrypted bodies too (`body=inline`). */
  bodies: boolean;
}

/** A message of the feed: its metadata (with the body when asked for) and its position. */
export type FeedMessage = MessageMeta & { seq: number; bodyCiphertext?: Uint8Array; keyVersion?: number };

export interface FeedStore {
  /**
   * Messages of one vault after `afterSeq`, in seq order, only up to a safe horizon: never a row past one that a
   * transaction still in flight could yet commit before it (PostgreSQL with several writers; SQLite has one writer,
   * so seq order is commit order). `more` is true when rows may follow the last one returned (the limit was reached
   * or the horizon cut the page): ask again after the last seq returned.
   */
  listFeedMessages(q: FeedMessageQuery): Promise<{ items: FeedMessage[]; more: boolean }>;
}

// --- Sharing (issue 15): grants of one owner's vault to a consumer organisation, and their events ---

export type GrantState = 'requested' | 'offered' | 'active' | 'declined' | 'revoked' | 'withdrawn' | 'expired';
export type GrantEventType = 'grant.requested' | 'grant.offered' | 'grant.activated' | 'grant.declined' | 'grant.revoked' | 'grant.withdrawn' | 'grant.expired';

/** A grant's terms: what (the scope), which actions, why, and when (notBefore inclusive, notOnOrAfter exclusive; ISO). */
export interface GrantTerms extends GrantScope {
  /** Non-empty. */
  actions: GrantAction[];
  /** Free text, at most 500 characters. */
  purpose: string;
  notBefore: string;
  notOnOrAfter: string;
}

/**
 * A grant: the owner organisation (a company: its id is the vault's company id) lets the consumer organisation (any
 * other organisation) read the part of its vault the terms name.
 */
export interface GrantRecord {
  id: string;
  ownerOrganisationId: string;
  consumerOrganisationId: string;
  state: GrantState;
  /** The terms in force (or on offer). */
  terms: GrantTerms;
  /** The terms as the consumer requested them; null for a grant the owner made directly. */
  requestedTerms: GrantTerms | null;
  createdAt: string;
  updatedAt: string;
  /** The user (or `operator`) who requested it; null for a direct grant. */
  requestedBy: string | null;
  /** The user (or `operator`, `system`) who made the latest decision; null while requested. */
  decidedBy: string | null;
}

/** One lifecycle transition of a grant, as both sides' feeds and webhooks see it. */
export interface GrantEventRecord {
  id: string;
  grantId: string;
  ownerOrganisationId: string;
  consumerOrganisationId: string;
  type: GrantEventType;
  at: string;
  /** The user id, `operator` or `system` that made the transition. */
  actor: string;
  /** The grant's state and terms after the transition. */
  state: GrantState;
  terms: GrantTerms;
}

/** A compare-and-set transition: applied only when the grant is still in `from`. */
export interface GrantTransition {
  from: GrantState;
  to: GrantState;
  at: string;
  /** New terms (an offer); unchanged when absent. */
  terms?: GrantTerms | undefined;
  decidedBy: string;
}

export interface SharingStore {
  /** Stores a new grant with its first event and audit event, in one transaction. */
  createGrant(g: GrantRecord, event: GrantEventRecord, audit: AuditAppend): Promise<void>;
  /**
   * Moves a grant from `t.from` to `t.to` (and its terms, on an offer) with its event and audit event in one
   * transaction. False (nothing written) when the grant is not in `t.from` (a concurrent transition won).
   */
  transitionGrant(id: string, t: GrantTransition, event: GrantEventRecord, audit: AuditAppend): Promise<boolean>;
  getGrant(id: string): Promise<GrantRecord | undefined>;
  /** Grants where the organisation is the owner or the consumer, oldest first, optionally of one state. */
  listGrants(q: ListQuery & { organisationId: string; role: 'owner' | 'consumer'; state?: GrantState | undefined }): Promise<Page<GrantRecord>>;
  /**
   * The consumer's grants in state `active` whose validity holds at `at` (notBefore <= at < notOnOrAfter), optionally
   * of one owner; oldest first.
   */
  listActiveGrants(q: { consumerOrganisationId: string; at: string; ownerOrganisationId?: string | undefined }): Promise<GrantRecord[]>;
  /** Grants still `active` whose notOnOrAfter <= at (for the expiry sweep), oldest first, at most `limit`. */
  listLapsedGrants(at: string, limit: number): Promise<GrantRecord[]>;
  /** Events where the organisation is the owner or the consumer, after `afterSeq`, by seq (in commit order). */
  listGrantEvents(q: { organisationId: string; afterSeq: number; limit: number }): Promise<Array<GrantEventRecord & { seq: number }>>;
}

// --- webhooks (issue 15): endpoints, durable deliveries and their attempts ---

/** What an endpoint receives: new messages in its organisation's scope and/or grant lifecycle events. */
export type WebhookEventType = 'message.received' | 'grant.*';

/** Optional narrowing of what an endpoint receives; null or empty = no narrowing on that field. */
export interface WebhookFilters {
  messageTypes: string[] | null;
  channelIds: string[] | null;
  /** Owner company ids (the vaults): for a consumer holding grants of several owners. */
  ownerCompanyIds: string[] | null;
}

/**
 * A webhook endpoint of an organisation. The signing secret (`whsec_…`) is sealed by the caller with the system data
 * key; after a rotation the previous one stays valid (both signatures are sent) until `previousValidUntil`.
 */
export interface WebhookEndpointRecord {
  id: string;
  organisationId: string;
  url: string;
  description: string;
  eventTypes: WebhookEventType[];
  filters: WebhookFilters;
  secretCiphertext: Uint8Array;
  previousSecretCiphertext: Uint8Array | null;
  previousValidUntil: string | null;
  status: 'active' | 'disabled';
  /** Why it is disabled: `manual` (its admin) or `failing` (failed continuously for the disable threshold). */
  disabledReason: 'manual' | 'failing' | null;
  createdAt: string;
  updatedAt: string;
  /** Start of the current run of failed attempts; null after a success. */
  failingSince: string | null;
  /** The message position (seq) up to which dispatch has looked for this endpoint. */
  messageCursor: number;
  /** The grant event position (seq of listGrantEvents) up to which dispatch has looked. */
  grantEventCursor: number;
}

export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'cancelled';

/** One thing to deliver to one endpoint, with its attempts so far. */
export interface WebhookDeliveryRecord {
  id: string;
  endpointId: string;
  /** Stable per message × endpoint (the same across retries and replays): receivers deduplicate by it. */
  webhookId: string;
  eventType: string;
  /** The message delivered (message.received), else null. */
  messageId: string | null;
  /** The JSON payload sent (the same bytes on every attempt). */
  payload: string;
  origin: 'dispatch' | 'replay' | 'test';
  status: WebhookDeliveryStatus;
  attempts: number;
  /** When the next attempt is due (pending), else null. */
  nextAttemptAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** One attempt of a delivery: what the receiver answered (or what went wrong) and when the next one is due. */
export interface WebhookAttemptRecord {
  deliveryId: string;
  attempt: number;
  at: string;
  /** HTTP status of the answer; null when there was none (connection refused, timeout, refused address). */
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  outcome: 'succeeded' | 'failed' | 'cancelled';
  nextAttemptAt: string | null;
}

/** A message's metadata with its position, as dispatch reads it. */
export type PositionedMessage = MessageMeta & { seq: number };

/** A delivery claimed for one attempt: the lease holder alone records its outcome. */
export interface ClaimedDelivery extends WebhookDeliveryRecord {
  /** The attempt this claim is (1-based). */
  attempt: number;
}

/** One endpoint's cursor move with the deliveries it creates (advanceWebhookCursors). */
export interface WebhookAdvance {
  endpointId: string;
  cursor: 'message' | 'grantEvent';
  from: number;
  to: number;
  deliveries: WebhookDeliveryRecord[];
}

/** One attempt's outcome (finishWebhookAttempts). */
export interface WebhookOutcome {
  endpointId: string;
  attempt: WebhookAttemptRecord;
  status: WebhookDeliveryStatus;
  failingSince: 'clear' | 'keep-or-set' | 'keep';
}

export interface WebhookStore {
  createWebhookEndpoint(e: WebhookEndpointRecord, audit: AuditAppend): Promise<void>;
  getWebhookEndpoint(id: string): Promise<WebhookEndpointRecord | undefined>;
  /** An organisation's endpoints, oldest first. */
  listWebhookEndpoints(organisationId: string, q: ListQuery): Promise<Page<WebhookEndpointRecord>>;
  /** Active endpoints of every organisation (dispatch), oldest first. */
  listActiveWebhookEndpoints(q: ListQuery): Promise<Page<WebhookEndpointRecord>>;
  /**
   * Replaces the mutable fields (url, description, eventTypes, filters, secrets, status, disabledReason, updatedAt,
   * failingSince) of an endpoint; the message cursor is not touched. False when there is none.
   */
  updateWebhookEndpoint(e: WebhookEndpointRecord, audit: AuditAppend): Promise<boolean>;
  /** Deletes an endpoint with its deliveries and attempts. False when there is none. */
  deleteWebhookEndpoint(id: string, audit: AuditAppend): Promise<boolean>;

  /**
   * The highest message position below which no message can still appear (every transaction that could insert one
   * has ended): dispatch reads only up to it, so a late commit of a smaller position is never skipped. On SQLite
   * (one writer) the largest seq; on PostgreSQL it lags the newest commit by about a second (see postgres/webhooks.ts).
   */
  messageHorizon(): Promise<number>;
  /** Messages of one vault with afterSeq < seq ≤ throughSeq (and received at or after `receivedFrom`), by seq. */
  listPositionedMessages(q: { companyId: string; afterSeq: number; throughSeq: number; receivedFrom?: string | undefined; limit: number }): Promise<PositionedMessage[]>;
  /**
   * For each advance: moves one of the endpoint's cursors (messages or grant events) from `from` to `to` and inserts
   * its deliveries — or, when the cursor is no longer at `from` (another process advanced it first), writes nothing
   * for that advance (false). All in one transaction (one commit per dispatch scan, not one per endpoint).
   */
  advanceWebhookCursors(advances: WebhookAdvance[]): Promise<boolean[]>;
  /** Inserts deliveries outside dispatch (test, replay), with an audit event. */
  addWebhookDeliveries(deliveries: WebhookDeliveryRecord[], audit: AuditAppend | undefined): Promise<void>;
  /**
   * Claims, for each active endpoint, at most `limit` of its due deliveries (pending, next attempt at or before `now`,
   * no live lease; oldest due first) for one attempt each: the attempt count grows by one and a lease to `leaseUntil`
   * names `owner`. Per endpoint, so that one endpoint's backlog never holds up the others. Several processes never
   * claim the same delivery while a lease lives (PostgreSQL: FOR UPDATE SKIP LOCKED).
   */
  claimWebhookDeliveries(q: { owner: string; now: string; leaseUntil: string; limit: number }): Promise<ClaimedDelivery[]>;
  /**
   * Records attempts' outcomes, each only when `owner` still holds the lease of that attempt: the attempt row, the
   * delivery's new status and next attempt, and the endpoint's failing-since (cleared on success, set on the first
   * failure, kept for a cancelled attempt). An outcome whose lease was lost writes nothing (false). All in one
   * transaction (one commit per round of attempts).
   */
  finishWebhookAttempts(owner: string, outcomes: WebhookOutcome[]): Promise<boolean[]>;
  getWebhookDelivery(id: string): Promise<WebhookDeliveryRecord | undefined>;
  /** An endpoint's deliveries, newest first, each with its attempts (oldest first). */
  listWebhookDeliveries(endpointId: string, q: ListQuery): Promise<Page<WebhookDeliveryRecord & { attemptLog: WebhookAttemptRecord[] }>>;
}

// --- Recovery (issue 14): password reset by link, TOTP reset and replacement ---

/** A password-reset link an operator issued for a user: single use, expiring. Only the SHA-256 of its token is kept. */
export interface PasswordResetRecord {
  id: string;
  tokenHash: string;
  userId: string;
  /** The operator user's id, or `operator` for the admin token. */
  issuedBy: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  /** Set when a newer link for the same user replaced it, or its mail could not be sent. */
  revokedAt: string | null;
}

export interface RecoveryStore {
  /** Stores a reset link; the user's earlier unused links are revoked in the same transaction (the newest one counts). */
  createPasswordReset(r: PasswordResetRecord, audit: AuditAppend): Promise<void>;
  getPasswordResetByHash(tokenHash: string): Promise<PasswordResetRecord | undefined>;
  /** Revokes an unused link (its mail failed); false when it is not unused. */
  revokePasswordReset(id: string, at: string, audit: AuditAppend): Promise<boolean>;
  /**
   * Uses the link once: sets the user's password hash and ends every live session of the user, in one transaction with
   * the event. False (nothing written) when it was used, revoked, or expired at `at`, or the user is not active.
   */
  completePasswordReset(id: string, at: string, passwordHash: string, audit: AuditAppend): Promise<boolean>;
  /**
   * Removes the user's TOTP authenticator (confirmed or pending, and a pending replacement) with its last step used (it
   * guards that secret's codes, which no longer count) and ends every live session of the user, in one transaction with
   * the event. False when the user has no authenticator.
   */
  resetUserTotp(userId: string, at: string, audit: AuditAppend): Promise<boolean>;
  /**
   * Keeps a replacement authenticator of an enrolled user, pending until confirmed, after spending the step of the
   * current authenticator's code that authorised it (as sign-in does). False (nothing written) when that step is not
   * newer than the last one used.
   */
  setTotpReplacement(userId: string, secretCiphertext: Uint8Array, currentStep: number, at: string, audit: AuditAppend): Promise<boolean>;
  /** The pending replacement's sealed secret (sealed as the user's secret is), if any. */
  getTotpReplacement(userId: string): Promise<Uint8Array | undefined>;
  /**
   * Puts the pending replacement in force, confirmed at `at`, its code's step the last one used (the old secret's steps
   * go with it: a code of the new one may fall in the step that started the replacement). False when none is pending.
   */
  confirmTotpReplacement(userId: string, step: number, at: string, audit: AuditAppend): Promise<boolean>;
}

// --- Ingestion insights (issue 16): refused ingestion requests, and message counts for the dashboards ---

/** The authentication scheme a refused ingestion request chose by its headers. */
export type RefusalScheme = 'mac' | 'bearer' | 'none';

/**
 * One refused `POST /ingestion/{channelId}`. Tenancy is only what the request proves or names: `companyId` and
 * `partyId` are the channel's (null when the channel is unknown); `partyId` is also null when the request claimed a
 * credential that is not the channel party's (the record is then the company's only).
 */
export interface IngestionRefusalInput {
  at: string;
  /** The error catalogue code the answer carried. */
  code: string;
  /** Its HTTP status. */
  status: number;
  /** The channel id of the URL (also when no such channel exists). */
  channelId: string | null;
  companyId: string | null;
  partyId: string | null;
  scheme: RefusalScheme;
  /** The credential id as claimed (MAC `partnerId/customerId`, bearer `issuer|clientId`), never a key; unverified. */
  credentialId: string | null;
  /** The MAC TransactionId or the Idempotency-Key as sent, truncated to 100 characters. */
  transactionId: string | null;
  requestId: string;
  clientAddress: string | null;
}

export interface IngestionRefusalRecord extends IngestionRefusalInput {
  seq: number;
}

/**
 * Whose refusals: a company's (its channels), a party's (attributed to it), either's when both are given (an
 * organisation that is both), or every one (no scope: the operator).
 */
export interface RefusalScope {
  companyId?: string | undefined;
  partyId?: string | undefined;
}

export interface RefusalQuery extends RefusalScope, ListQuery {
  /** Only refusals at or after this instant. */
  since?: string | undefined;
  code?: string | undefined;
  channelId?: string | undefined;
}

/** Messages received on one UTC day in one channel of one message type. */
export interface MessageDayCount {
  /** YYYY-MM-DD (UTC). */
  date: string;
  channelId: string;
  messageType: string;
  count: number;
}

export interface InsightsStore {
  /** Appends refusals in one transaction (the recorder's batch). */
  appendIngestionRefusals(records: readonly IngestionRefusalInput[]): Promise<void>;
  /** Refusals in the scope, newest first (the cursor is a position). */
  listIngestionRefusals(q: RefusalQuery): Promise<Page<IngestionRefusalRecord>>;
  /** Refusals in the scope at or after `since`, counted by code (most first, then by code). */
  countIngestionRefusals(q: RefusalScope & { since: string }): Promise<{ code: string; count: number }[]>;
  /** Deletes at most `limit` refusals older than `before`, oldest first; returns how many. */
  pruneIngestionRefusals(before: string, limit: number): Promise<number>;
  /** Messages of the company's `channelIds` received at or after `since`, counted by UTC day, channel and type. */
  countMessagesByDay(q: { companyId: string; channelIds: readonly string[]; since: string }): Promise<MessageDayCount[]>;
  /** The newest message of each of the company's `channelIds` that has one. */
  lastMessages(q: { companyId: string; channelIds: readonly string[] }): Promise<{ channelId: string; at: string; messageType: string }[]>;
}

// --- Directory and feed checkpoints (issue 16) ---

/**
 * Whether an organisation is listed in the directory (issue 16), and how it describes itself there. No row means not
 * listed (privacy by default).
 */
export interface DirectoryListingRecord {
  organisationId: string;
  listed: boolean;
  /** At most 280 characters; '' when none. */
  description: string;
  /** The organisation's name lower-cased (Unicode, JavaScript toLowerCase) when the listing was set: search matches it. */
  nameKey: string;
  updatedAt: string;
  /** The user id (or `operator`) who set it. */
  updatedBy: string;
}

/** An organisation as the directory shows it: never its members or anything else. */
export interface DirectoryEntry {
  organisationId: string;
  name: string;
  companyId: string | null;
  partyId: string | null;
  businessId: string | null;
  /** The listing's description; '' when the organisation is not listed (found by its business id). */
  description: string;
}

export interface DirectoryQuery extends ListQuery {
  /** Lower-cased text the listed organisation's name key contains ('' matches every listed organisation). */
  nameContains: string;
  /** The one company (listed or not) whose business id equals this; undefined for none. */
  businessId?: string | undefined;
}

export interface DirectoryStore {
  /** Sets an organisation's listing (created or replaced) with its audit event; false when there is no such organisation. */
  setDirectoryListing(l: DirectoryListingRecord, audit: AuditAppend): Promise<boolean>;
  getDirectoryListing(organisationId: string): Promise<DirectoryListingRecord | undefined>;
  /**
   * Active organisations that are listed and whose name key contains `nameContains`, plus the active company whose
   * (undeleted) business id equals `businessId`, listed or not; oldest organisation first. Suspended never appear.
   */
  searchDirectory(q: DirectoryQuery): Promise<Page<DirectoryEntry>>;
}

/** A consumer's named, server-side position in its change feed (issue 16): a feed cursor it committed. */
export interface FeedCheckpointRecord {
  organisationId: string;
  /** `[a-z0-9-_.]{1,64}`, unique per organisation. */
  name: string;
  /** A feed cursor of this organisation (services/delivery/feed-cursor.ts). */
  cursor: string;
  /** The highest message position (seq) the cursor has passed, over every owner vault; 0 at the start. */
  messageSeq: number;
  /** The grant event position the cursor has passed. */
  grantEventSeq: number;
  updatedAt: string;
  /** Who committed it: a user id, `operator`, or a client or credential id. */
  updatedBy: string;
}

export type FeedCheckpointPut = 'created' | 'updated' | 'limit';

export interface FeedCheckpointStore {
  /**
   * Creates or replaces a checkpoint (with the audit event when one is given). 'limit' (nothing written) when creating
   * it would give the organisation more than `max` checkpoints; the count and the insert are one atomic step.
   */
  putFeedCheckpoint(c: FeedCheckpointRecord, max: number, audit: AuditAppend | undefined): Promise<FeedCheckpointPut>;
  getFeedCheckpoint(organisationId: string, name: string): Promise<FeedCheckpointRecord | undefined>;
  /** An organisation's checkpoints, oldest first. */
  listFeedCheckpoints(organisationId: string, q: ListQuery): Promise<Page<FeedCheckpointRecord>>;
  /** False when there is none. */
  deleteFeedCheckpoint(organisationId: string, name: string, audit: AuditAppend): Promise<boolean>;
  /** The position of the organisation's newest grant event (as owner or consumer); 0 when it has none. */
  lastGrantEventSeq(organisationId: string): Promise<number>;
}

// --- body integrity (issue 17): HTTP message signature keys per party, and a channel's Content-Digest rule ---

/** The RFC 9421 algorithms a party may register a key for (HTTP Signature Algorithms registry names). */
export type SignatureAlgorithm = 'hmac-sha256' | 'ed25519' | 'ecdsa-p256-sha256';

/** A key a party signs ingestion requests with (RFC 9421); its id is the signature's `keyid`. */
export interface SignatureKeyRecord {
  /** `hsk_<env>_…`: the keyid. */
  id: string;
  partyId: string;
  algorithm: SignatureAlgorithm;
  /** What the key is for, as its owner named it. */
  label: string;
  /** hmac-sha256: the secret, sealed by the caller; null for public keys. */
  secretCiphertext: Uint8Array | null;
  /** ed25519 / ecdsa-p256-sha256: the public key as a JWK (JSON text); null for HMAC. */
  publicJwk: string | null;
  status: Status;
  createdAt: string;
  createdBy: string;
  disabledAt: string | null;
}

/** A channel's integrity rule: with requireContentDigest, a message without Content-Digest is refused. No row: not required. */
export interface ChannelIntegrityRecord {
  channelId: string;
  requireContentDigest: boolean;
  updatedAt: string;
  updatedBy: string;
}

export interface IntegrityStore {
  /** Adds a key (its id is new). */
  insertSignatureKey(k: SignatureKeyRecord, audit: AuditAppend): Promise<void>;
  getSignatureKey(id: string): Promise<SignatureKeyRecord | undefined>;
  /** A party's keys, oldest first (at most 1,000: the routes refuse more). */
  listSignatureKeys(partyId: string): Promise<SignatureKeyRecord[]>;
  /** Disables an active key of the party; false when there is none (unknown, another party's, or disabled already). */
  disableSignatureKey(partyId: string, id: string, at: string, audit: AuditAppend): Promise<boolean>;
  /** Sets a channel's rule; false when the channel does not exist. */
  setChannelIntegrity(r: ChannelIntegrityRecord, audit: AuditAppend): Promise<boolean>;
  getChannelIntegrity(channelId: string): Promise<ChannelIntegrityRecord | undefined>;
}

export interface Store extends RegistryStore, VaultStore, OAuthStore, AuditStore, AccountStore, PeopleStore, SelfServiceStore, SharingStore, FeedStore, WebhookStore, RecoveryStore, InsightsStore, DirectoryStore, FeedCheckpointStore, IntegrityStore {
  readonly kind: string;
  /**
   * Whether the store can serve (GET /readyz): a read succeeds and there is room to write. Never throws: a failed
   * read is `readable: false`.
   */
  checkReadiness(): Promise<StoreReadiness>;
  /**
   * A rate limiter whose counts every gateway process on this store shares (fair use, issue 17 §3); absent when the
   * store serves one process only (SQLite), whose counts then stay in memory. `insurance` counts while the store fails.
   */
  sharedRateLimiter?(o: { keyPrefix: string; points: number; durationS: number; insurance: RateLimiterMemory }): RateLimiterAbstract;
  close(): Promise<void>;
}
