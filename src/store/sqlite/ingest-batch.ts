import type { IngestOutcome, MessageRecord } from '../port.js';
import { messageParams } from './rows.js';

/** One message as the batch statements bind it: the ledger row (absent without a transaction id) and the row. */
export interface IngestRow {
  ledger: { partyId: string; transactionId: string; messageId: string; at: string } | null;
  message: Record<string, string | number | Uint8Array | null>;
}

/** The three statements a batch runs, by their SQL (so a writer thread can prepare them on its own connection). */
export interface IngestStatements<S> {
  insertLedger: S;
  getLedger: S;
  insertMessage: S;
}

interface RunnableStatement {
  run(params: unknown): { changes: number; lastInsertRowid: number | bigint };
  get(params: unknown): unknown;
}

export function toIngestRow(message: MessageRecord): IngestRow {
  const { transactionId, partyId } = message;
  return {
    ledger: transactionId === null ? null : { partyId, transactionId, messageId: message.id, at: message.receivedAt },
    message: messageParams(message),
  };
}

/**
 * The body of an ingest transaction (the caller opens and commits it): per message, the ledger row first, so a
 * duplicate (also one earlier in the same batch) is caught by the primary key and stores nothing.
 *
 * It is self-contained (no closure, no import used inside) because the writer thread evaluates its source text:
 * the same function runs on the thread and in-process.
 */
export function runIngestBatch(s: IngestStatements<RunnableStatement>, rows: IngestRow[]): IngestOutcome[] {
  const outcomes: IngestOutcome[] = [];
  for (const row of rows) {
    if (row.ledger !== null && s.insertLedger.run(row.ledger).changes === 0) {
      const existing = s.getLedger.get({ partyId: row.ledger.partyId, transactionId: row.ledger.transactionId }) as
        | { message_id: string | null }
        | undefined;
      outcomes.push({ ok: false, reason: 'duplicate', existingMessageId: existing?.message_id ?? null });
      continue;
    }
    outcomes.push({ ok: true, seq: Number(s.insertMessage.run(row.message).lastInsertRowid) });
  }
  return outcomes;
}
