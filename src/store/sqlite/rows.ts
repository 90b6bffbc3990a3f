import type {
  ChannelRecord,
  CompanyRecord,
  CustomerCredentialRecord,
  MessageMeta,
  MessageRecord,
  MessageTypeAgreement,
  PartnerCredentialRecord,
  PartyRecord,
  Scope,
  Status,
} from '../port.js';

/*
 * Rows as better-sqlite3 returns them and their mapping to port records. Selected columns are aliased to these
 * snake_case names by the SQL in sqlite-store.ts; `seq` rides along for pagination and is dropped here.
 */

export interface CompanyRow {
  seq: number;
  id: string;
  name: string;
  business_id: string;
  created_at: string;
  deleted_at: string | null;
}

export interface PartyRow {
  seq: number;
  id: string;
  name: string;
  status: Status;
  created_at: string;
  disabled_at: string | null;
}

export interface PartnerCredentialRow {
  seq: number;
  partner_id: string;
  party_id: string;
  status: Status;
  created_at: string;
  disabled_at: string | null;
  key_ciphertext: Buffer;
}

export interface CustomerCredentialRow {
  seq: number;
  customer_id: string;
  company_id: string;
  name: string;
  scopes: string;
  status: Status;
  created_at: string;
  disabled_at: string | null;
  key_ciphertext: Buffer;
}

export interface ChannelRow {
  seq: number;
  id: string;
  company_id: string;
  party_id: string;
  message_types: string;
  status: Status;
  created_at: string;
  disabled_at: string | null;
}

export interface MessageMetaRow {
  seq: number;
  id: string;
  company_id: string;
  channel_id: string;
  party_id: string;
  message_type: string;
  media_type: string;
  content_type: string;
  size: number;
  sha256: string;
  received_at: string;
  transaction_id: string | null;
}

export interface MessageRow extends MessageMetaRow {
  body_ciphertext: Buffer;
  key_version: number;
}

/** A plain Uint8Array view of the Buffer better-sqlite3 returns (no copy), as the port promises. */
function bytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function toCompany(r: CompanyRow): CompanyRecord {
  const c: CompanyRecord = { id: r.id, name: r.name, businessId: r.business_id, createdAt: r.created_at };
  if (r.deleted_at !== null) c.deletedAt = r.deleted_at;
  return c;
}

export function toParty(r: PartyRow): PartyRecord {
  return { id: r.id, name: r.name, status: r.status, createdAt: r.created_at, disabledAt: r.disabled_at };
}

export function toPartnerCredential(r: PartnerCredentialRow): PartnerCredentialRecord {
  return {
    partnerId: r.partner_id,
    partyId: r.party_id,
    status: r.status,
    createdAt: r.created_at,
    disabledAt: r.disabled_at,
    keyCiphertext: bytes(r.key_ciphertext),
  };
}

export function toCustomerCredential(r: CustomerCredentialRow): CustomerCredentialRecord {
  return {
    customerId: r.customer_id,
    companyId: r.company_id,
    name: r.name,
    scopes: JSON.parse(r.scopes) as Scope[],
    status: r.status,
    createdAt: r.created_at,
    disabledAt: r.disabled_at,
    keyCiphertext: bytes(r.key_ciphertext),
  };
}

export function toChannel(r: ChannelRow): ChannelRecord {
  return {
    id: r.id,
    companyId: r.company_id,
    partyId: r.party_id,
    messageTypes: JSON.parse(r.message_types) as MessageTypeAgreement[],
    status: r.status,
    createdAt: r.created_at,
    disabledAt: r.disabled_at,
  };
}

export function toMessageMeta(r: MessageMetaRow): MessageMeta {
  return {
    id: r.id,
    companyId: r.company_id,
    channelId: r.channel_id,
    partyId: r.party_id,
    messageType: r.message_type,
    mediaType: r.media_type,
    contentType: r.content_type,
    size: r.size,
    sha256: r.sha256,
    receivedAt: r.received_at,
    transactionId: r.transaction_id,
  };
}

export function toMessage(r: MessageRow): MessageRecord {
  return { ...toMessageMeta(r), bodyCiphertext: bytes(r.body_ciphertext), keyVersion: r.key_version };
}

/** Named parameters for inserting a message (better-sqlite3 binds Uint8Array as BLOB). */
export function messageParams(m: MessageRecord): Record<string, string | number | Uint8Array | null> {
  return {
    id: m.id,
    company_id: m.companyId,
    channel_id: m.channelId,
    party_id: m.partyId,
    message_type: m.messageType,
    media_type: m.mediaType,
    content_type: m.contentType,
    size: m.size,
    sha256: m.sha256,
    received_at: m.receivedAt,
    transaction_id: m.transactionId,
    body_ciphertext: m.bodyCiphertext,
    key_version: m.keyVersion,
  };
}
