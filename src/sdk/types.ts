import type { Receipt } from '../protocol/index.js';

/** The receipt of a stored message: one wire type with the server (src/protocol/receipt.ts). */
export type { Receipt };

/**
 * What `send` resolves with. `alreadyStored: true` means an earlier attempt of this very send was stored but its
 * reply was lost: the server named the stored message when the retry was refused as `REQUEST_NOT_UNIQUE`.
 */
export type SendResult =
  | (Receipt & { alreadyStored: false })
  | { alreadyStored: true; messageId: string; channelId: string; transactionId: string };

/** One message's metadata in the vault. */
export interface MessageMeta {
  messageId: string;
  channelId: string;
  partyId: string;
  messageType: string;
  mediaType: string;
  contentType?: string;
  size: number;
  sha256: string;
  receivedAt: string;
  transactionId: string | null;
}

/** One page of a vault listing. */
export interface MessagePage {
  items: MessageMeta[];
  nextCursor: string | null;
}

/** The vault selection shared by listing and export. Times are ISO 8601; `from` inclusive, `to` exclusive. */
export interface VaultFilters {
  channelId?: string;
  messageType?: string;
  from?: string;
  to?: string;
}

/** The selection of a company's audit events: `action` an action or an area ending in "." (`vault.`); ISO 8601 times, `from` inclusive, `to` exclusive. */
export interface AuditFilters {
  action?: string;
  from?: string;
  to?: string;
}

/** One page of `GET /vault/v1/audit`: events in docs/audit.md's form (seq, id, at, actor, action, subject, tenants, …, prevHash, hash). */
export interface AuditPage {
  items: (Record<string, unknown> & { seq: number; action: string; actor: { kind: string; id: string } })[];
  nextCursor: string | null;
}

/** One message read back: the original bytes and Content-Type. */
export interface VaultMessage {
  messageId: string;
  channelId: string;
  messageType: string;
  contentType: string;
  receivedAt: string;
  transactionId: string | undefined;
  body: Buffer;
  /** A shared read (getShared): the grant it came through. */
  grantId?: string;
}

/** A grant's scope as a reader sees it (GET /vault/v1/shared). */
export interface SharedGrant {
  grantId: string;
  channelIds: string[] | null;
  messageTypes: string[] | null;
  receivedFrom: string | null;
  receivedBefore: string | null;
}

/** The owners whose vaults a reader may read now, and its active grants over each. */
export interface SharedOwners {
  owners: Array<{ companyId: string; name: string | null; businessId: string | null; grants: SharedGrant[] }>;
}

/** One line of an export: the metadata, the body (text) or bodyBase64 (anything else), and the resume cursor. */
export interface ExportedMessage extends MessageMeta {
  body?: string;
  bodyBase64?: string;
  cursor: string;
}

/** One item of the change feed: a message (metadata, body link, inline body on request) or a grant event. */
export interface FeedItem {
  /** `message.received`, or a grant event type (`grant.activated`, `grant.revoked`, …). */
  type: string;
  /** The item's place in its stream (a message's seq, or a grant event's). */
  position: number;
  /** The owner vault (company id). */
  companyId: string;
  /** The grant a shared item is seen through; null for the owner's own messages. */
  grantId: string | null;
  message?: MessageMeta;
  links?: { body: string };
  /** With `body: 'inline'`: text bodies (valid UTF-8 of a text media type). */
  body?: string;
  /** With `body: 'inline'`: other bodies, base64. */
  bodyBase64?: string;
  /** Grant events: the grant after the transition. */
  grant?: Record<string, unknown>;
  at?: string;
  eventId?: string;
}

/** One answer of the change feed. */
export interface FeedPage {
  items: FeedItem[];
  /** Pass back to continue after these items (also when there were none). */
  nextCursor: string;
  /** More items are ready now. */
  hasMore: boolean;
}

/** Where and how to read the change feed. */
export interface FeedOptions {
  /** A `nextCursor` received before; absent: from the oldest item you may see. */
  cursor?: string | undefined;
  /**
   * Start at this feed checkpoint of your organisation instead of `cursor` (issue 16). Reading does not move it: commit
   * the answer's `nextCursor` with PUT /api/v1/organisations/{id}/feed/checkpoints/{name} once the batch is handled.
   */
  checkpoint?: string | undefined;
  /** Items per answer, 1-1000 (server default 100). */
  limit?: number | undefined;
  /** Seconds the server waits for an item when there is none, 0-60. */
  wait?: number | undefined;
  /** `inline`: each message carries its body. */
  body?: 'inline' | undefined;
}
