import type { Receipt } from './receipt.js';

/*
 * Batch ingestion (issue 17 part 1, docs/ingestion.md "Batches"): the wire format shared by the server
 * (routes/ingestion-batch.ts) and the SDK (VaultgateClient.sendBatch).
 */

/** The media type of a batch request: one JSON object per line (NDJSON), UTF-8, `\n` or `\r\n` line ends. */
export const BATCH_MEDIA_TYPE = 'application/x-ndjson';

/** The most items one batch request may hold. */
export const BATCH_MAX_ITEMS = 1000;

/**
 * One line of a batch request. `messageType` may be omitted when the channel has exactly one; `mediaType` is the
 * message's Content-Type (an agreed media type, parameters allowed). Exactly one of `body` (the message as text,
 * stored as its UTF-8 bytes) or `bodyBase64` (the bytes, RFC 4648 §4 base64). At most one of `transactionId` or
 * `idempotencyKey` (the same thing under either name: 1-255 characters without control characters, unique per
 * party, consumed only when the item is stored).
 *
 * @example {"messageType":"TransportOrder","mediaType":"application/json","transactionId":"order-17","body":"{\"n\":17}"}
 */
export interface BatchLine {
  messageType?: string;
  mediaType: string;
  transactionId?: string;
  idempotencyKey?: string;
  body?: string;
  bodyBase64?: string;
}

/** An item stored: its receipt (the one a single send answers). */
export interface BatchItemStored {
  index: number;
  status: 'stored';
  receipt: Receipt;
}

/** An item refused: the catalogue's code, title and remedy (both in the request's language), detail; nothing of it stored. */
export interface BatchItemRefused {
  index: number;
  status: 'refused';
  code: string;
  title: string;
  detail?: string;
  remedy: string;
  /** REQUEST_NOT_UNIQUE: the message stored under the item's transaction id before. */
  messageId?: string;
}

export type BatchItemResult = BatchItemStored | BatchItemRefused;

/**
 * The 200 answer of `POST /ingestion/{channelId}/batch` (application/json): one result per line, in line order
 * (`items[i].index === i`), and the counts. Every stored item was committed durably before this answer.
 */
export interface BatchResult {
  channelId: string;
  stored: number;
  refused: number;
  items: BatchItemResult[];
}

/**
 * What `OPTIONS /ingestion/{channelId}/batch` answers (200, with `Accept-Post: application/x-ndjson`): the server
 * offers batches, within these limits. A server without batches answers 404.
 */
export interface BatchCapability {
  mediaType: typeof BATCH_MEDIA_TYPE;
  /** Items per request. */
  maxItems: number;
  /** Bytes of the whole request body (after Content-Encoding is decoded). */
  maxBytes: number;
  /** Bytes of one item's message (decoded from `body`/`bodyBase64`). */
  maxItemBytes: number;
}
