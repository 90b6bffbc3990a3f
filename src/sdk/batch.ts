import { randomUUID } from 'node:crypto';
import { BATCH_MAX_ITEMS, BATCH_MEDIA_TYPE, type BatchCapability, type BatchItemRefused, type BatchLine, type BatchResult, type Receipt } from '../protocol/index.js';
import { VaultgateApiError } from './errors.js';

/*
 * The SDK's side of batch ingestion (docs/ingestion.md "Batches"): building NDJSON requests within the server's
 * limits, and turning the answers into per-item results. VaultgateClient.sendBatch drives it.
 */

/** One message of `sendBatch`. */
export interface BatchItem {
  /** The message: a string is sent as text (`body`), bytes as base64 (`bodyBase64`). */
  body: string | Uint8Array;
  /** An agreed media type (the message's Content-Type), e.g. `application/json`. */
  mediaType: string;
  /** An agreed message type (may be omitted when the channel has exactly one). */
  messageType?: string | undefined;
  /** Transaction id / idempotency key; generated when absent, and the same on every retry. */
  transactionId?: string | undefined;
}

/**
 * One item's outcome, at its position in the input (`index`): stored now (the receipt), stored by an earlier attempt
 * whose answer was lost (`alreadyStored`, the message the server named), or refused with the catalogue's code,
 * title, detail and remedy (nothing of it stored).
 */
export type BatchSendResult =
  | { index: number; status: 'stored'; alreadyStored: false; receipt: Receipt }
  | { index: number; status: 'stored'; alreadyStored: true; messageId: string; transactionId: string }
  | (Omit<BatchItemRefused, 'index'> & { index: number });

/** The limits a server without the capability answer would apply; used only to size requests before it is known. */
export const DEFAULT_BATCH_CAPABILITY: BatchCapability = { mediaType: BATCH_MEDIA_TYPE, maxItems: BATCH_MAX_ITEMS, maxBytes: 10 * 1024 * 1024, maxItemBytes: 10 * 1024 * 1024 };

/** An item's NDJSON line (with its newline) and the transaction id it carries. */
export function batchLine(item: BatchItem): { line: Buffer; transactionId: string } {
  const transactionId = item.transactionId ?? randomUUID();
  const l: BatchLine = { mediaType: item.mediaType, transactionId };
  if (item.messageType !== undefined) l.messageType = item.messageType;
  if (typeof item.body === 'string') l.body = item.body;
  else l.bodyBase64 = Buffer.from(item.body).toString('base64');
  return { line: Buffer.from(`${JSON.stringify(l)}\n`, 'utf8'), transactionId };
}

/** Splits lines into requests of at most `maxItems` lines and `maxBytes` bytes; a line alone over maxBytes gets a request of its own. */
export function chunkLines<T extends { line: Buffer }>(lines: T[], cap: Pick<BatchCapability, 'maxItems' | 'maxBytes'>): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const l of lines) {
    if (current.length > 0 && (current.length >= cap.maxItems || bytes + l.line.length > cap.maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(l);
    bytes += l.line.length;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * The per-item results of one batch answer, re-indexed from `offset`. `retried`: the answer came to a retry after an
 * attempt whose fate is unknown, so a REQUEST_NOT_UNIQUE naming a message is that attempt's stored item.
 */
export function batchResults(answer: BatchResult, transactionIds: string[], offset: number, retried: boolean): BatchSendResult[] {
  return answer.items.map((it) => {
    const index = offset + it.index;
    if (it.status === 'stored') return { index, status: 'stored', alreadyStored: false, receipt: it.receipt };
    if (retried && it.code === 'REQUEST_NOT_UNIQUE' && it.messageId) {
      return { index, status: 'stored', alreadyStored: true, messageId: it.messageId, transactionId: transactionIds[it.index]! };
    }
    return { ...it, index };
  });
}

/** A single send's refusal as a batch item's (the fallback to single messages on a server without batches). */
export function refusedFrom(index: number, err: VaultgateApiError): BatchSendResult {
  const b = (err.body && typeof err.body === 'object' ? err.body : {}) as Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const r: BatchSendResult = { index, status: 'refused', code: err.code, title: str(b.title) ?? err.message, remedy: str(b.remedy) ?? '' };
  if (str(b.detail)) r.detail = str(b.detail)!;
  if (err.messageId) r.messageId = err.messageId;
  return r;
}
