import type { IngestOutcome, MessageRecord } from '../port.js';
import type { PartitionedLedger } from './ledger.js';
import { messageParams } from './rows.js';

/** One message as the batch binds it: the ledger entry (absent without a transaction id) and the row. */
export interface IngestRow {
  ledger: { partyId: string; transactionId: string; messageId: string; at: string } | null;
  message: Record<string, string | number | Uint8Array | null>;
}

interface RunnableStatement {
  run(params: unknown): { changes: number; lastInsertRowid: number | bigint };
}

export function toIngestRow(message: MessageRecord): IngestRow {
  const { transactionId, partyId } = message;
  return {
    ledger: transactionId === null ? null : { partyId, transactionId, messageId: message.id, at: message.receivedAt },
    message: messageParams(message),
  };
}

/**
 * The body of an ingest transaction (the caller opens and commits it): per message, the ledger entry first, so a
 * duplicate (also one earlier in the same batch) is caught and stores nothing.
 */
export function runIngestBatch(s: { ledger: PartitionedLedger; insertMessage: RunnableStatement }, rows: IngestRow[]): IngestOutcome[] {
  const outcomes: IngestOutcome[] = [];
  const first = rows.find((r) => r.ledger !== null)?.ledger;
  if (first) s.ledger.begin(first.at);
  for (const row of rows) {
    const l = row.ledger;
    const repeat = l === null ? undefined : s.ledger.consume(l.partyId, l.transactionId, l.messageId, l.at);
    if (repeat) {
      outcomes.push({ ok: false, reason: 'duplicate', existingMessageId: repeat.existingMessageId });
      continue;
    }
    outcomes.push({ ok: true, seq: Number(s.insertMessage.run(row.message).lastInsertRowid) });
  }
  if (first) s.ledger.end();
  return outcomes;
}
