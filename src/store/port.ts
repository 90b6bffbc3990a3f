/**
 * The storage port: everything the server keeps goes through this interface. Adapters (SQLite now, PostgreSQL
 * later) implement it and pass the same conformance suite. Secrets and message bodies cross this boundary only
 * encrypted (`Uint8Array` ciphertexts); the adapter never sees a key or plaintext body.
 *
 * Methods are async so that a network database fits the same port; the SQLite adapter resolves synchronously.
 */

export type Status = 'active' | 'disabled';
export type Scope = 'ingest' | 'vault.read';

export interface CompanyRecord {
  id: string;
  name: string;
  businessId: string;
  createdAt: string;
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

export interface MessageTypeAgreement {
  name: string;
  mediaTypes: string[];
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
  createCompany(c: CompanyRecord): Promise<void>;
  getCompany(id: string): Promise<CompanyRecord | undefined>;
  getCompanyByBusinessId(businessId: string): Promise<CompanyRecord | undefined>;
  listCompanies(q: ListQuery): Promise<Page<CompanyRecord>>;

  createParty(p: PartyRecord): Promise<void>;
  getParty(id: string): Promise<PartyRecord | undefined>;
  listParties(q: ListQuery): Promise<Page<PartyRecord>>;
  /** Disables a party and, in the same transaction, its partner credentials and channels. */
  disableParty(id: string, at: string): Promise<boolean>;

  createPartnerCredential(c: PartnerCredentialRecord): Promise<void>;
  getPartnerCredential(partnerId: string): Promise<PartnerCredentialRecord | undefined>;
  listPartnerCredentials(partyId: string, q: ListQuery): Promise<Page<PartnerCredentialRecord>>;
  disablePartnerCredential(partnerId: string, at: string): Promise<boolean>;

  createCustomerCredential(c: CustomerCredentialRecord): Promise<void>;
  getCustomerCredential(customerId: string): Promise<CustomerCredentialRecord | undefined>;
  listCustomerCredentials(companyId: string, q: ListQuery): Promise<Page<CustomerCredentialRecord>>;
  disableCustomerCredential(customerId: string, at: string): Promise<boolean>;

  createChannel(c: ChannelRecord): Promise<void>;
  getChannel(id: string): Promise<ChannelRecord | undefined>;
  listChannels(q: ListQuery & { companyId?: string | undefined; partyId?: string | undefined }): Promise<Page<ChannelRecord>>;
  disableChannel(id: string, at: string): Promise<boolean>;
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
  getMessage(companyId: string, messageId: string): Promise<MessageRecord | undefined>;
}

export interface Store extends RegistryStore, VaultStore {
  readonly kind: string;
  close(): Promise<void>;
}
