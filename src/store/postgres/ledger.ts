import type pg from 'pg';
import type { IngestItem, IngestOutcome, MessageRecord, VaultStore } from '../port.js';
import { checkLimit } from '../sqlite/cursor.js';
import { run, transaction } from './pg-db.js';

export type PgLedger = Pick<VaultStore, 'ingest' | 'consumeTransactionId' | 'pruneTransactionIds' | 'countTransactionIds'>;

/*
 * The transaction-id ledger and ingestion on PostgreSQL, where several gateway processes commit at once.
 *
 * One batch (a group commit) is one transaction:
 * 1. Its ledger rows go in with ON CONFLICT DO NOTHING, in one sorted order shared by every process (so two
 *    batches never wait on each other's rows in a cycle). The primary key is the arbiter: when another process
 *    holds the same (party, transaction id) uncommitted, this insert waits for its outcome; exactly one wins.
 *    A row that did not go in is a duplicate, answered with the message stored under it; the rest of the batch
 *    goes on (a duplicate never fails the others).
 * 2. It takes a transaction-scoped advisory lock per company it writes to (sorted), then inserts the messages:
 *    within one company, sequence numbers are then drawn in commit order, so a reader paging by seq never sees a
 *    later seq before an earlier one commits, and a resumed export cannot skip a message.
 * 3. COMMIT (synchronous_commit=on): only then does the caller acknowledge.
 * Any other error (a clashing message id, a lost connection) rolls the whole batch back; deadlocks and
 * serialization failures run it again.
 */

const key = (partyId: string, transactionId: string): string => `${partyId}\u0000${transactionId}`;
const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const MESSAGE_COLUMNS = ['id', 'company_id', 'channel_id', 'party_id', 'message_type', 'media_type', 'content_type', 'size', 'sha256', 'received_at', 'transaction_id', 'body_ciphertext', 'key_version'];
/** Rows per INSERT of messages: bounded in parameters and, roughly, in bytes. */
const MAX_ROWS = 100;
const MAX_BYTES = 16 * 1024 * 1024;

function messageValues(m: MessageRecord): unknown[] {
  const body = Buffer.from(m.bodyCiphertext.buffer, m.bodyCiphertext.byteOffset, m.bodyCiphertext.byteLength);
  return [m.id, m.companyId, m.channelId, m.partyId, m.messageType, m.mediaType, m.contentType, m.size, m.sha256, m.receivedAt, m.transactionId, body, m.keyVersion];
}

/** `(...$1..$k), (...)` for `rows` rows of `width` parameters. */
function placeholders(rows: number, width: number): string {
  return Array.from({ length: rows }, (_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ');
}

async function insertMessages(client: pg.PoolClient, messages: MessageRecord[]): Promise<Map<string, number>> {
  const seqs = new Map<string, number>();
  for (let i = 0; i < messages.length; ) {
    const chunk: MessageRecord[] = [];
    let bytes = 0;
    while (i < messages.length && chunk.length < MAX_ROWS && (chunk.length === 0 || bytes + messages[i]!.bodyCiphertext.byteLength <= MAX_BYTES)) {
      bytes += messages[i]!.bodyCiphertext.byteLength;
      chunk.push(messages[i++]!);
    }
    const r = await client.query<{ id: string; seq: number }>(
      `INSERT INTO messages (${MESSAGE_COLUMNS.join(', ')}) VALUES ${placeholders(chunk.length, MESSAGE_COLUMNS.length)} RETURNING id, seq`,
      chunk.flatMap(messageValues),
    );
    for (const row of r.rows) seqs.set(row.id, row.seq);
  }
  return seqs;
}

async function ingestBatch(client: pg.PoolClient, items: IngestItem[]): Promise<IngestOutcome[]> {
  const outcomes: (IngestOutcome | undefined)[] = new Array(items.length);
  // The first item of a (party, transaction id) in input order claims it; later ones in the batch point at it.
  const claimants = new Map<string, number>();
  const repeats: [number, string][] = [];
  items.forEach(({ message: m }, i) => {
    if (m.transactionId === null) return;
    const k = key(m.partyId, m.transactionId);
    if (claimants.has(k)) repeats.push([i, k]);
    else claimants.set(k, i);
  });

  const lost = new Set<string>();
  if (claimants.size > 0) {
    const keys = [...claimants.keys()].sort(byCodeUnits);
    const values = keys.flatMap((k) => {
      const m = items[claimants.get(k)!]!.message;
      return [m.partyId, m.transactionId, m.id, m.receivedAt];
    });
    const inserted = await client.query<{ party_id: string; transaction_id: string }>(
      `INSERT INTO transaction_ledger (party_id, transaction_id, message_id, created_at) VALUES ${placeholders(keys.length, 4)}
       ON CONFLICT DO NOTHING RETURNING party_id, transaction_id`,
      values,
    );
    const won = new Set(inserted.rows.map((r) => key(r.party_id, r.transaction_id)));
    for (const k of keys) if (!won.has(k)) lost.add(k);
    if (lost.size > 0) {
      const parties: string[] = [];
      const txids: string[] = [];
      for (const k of lost) {
        const m = items[claimants.get(k)!]!.message;
        parties.push(m.partyId);
        txids.push(m.transactionId!);
      }
      // READ COMMITTED: this statement sees the rows the conflicting transactions committed.
      const existing = await client.query<{ party_id: string; transaction_id: string; message_id: string | null }>(
        `SELECT l.party_id, l.transaction_id, l.message_id FROM transaction_ledger l
         JOIN unnest($1::text[], $2::text[]) AS k(party_id, transaction_id) USING (party_id, transaction_id)`,
        [parties, txids],
      );
      const stored = new Map(existing.rows.map((r) => [key(r.party_id, r.transaction_id), r.message_id]));
      for (const k of lost) outcomes[claimants.get(k)!] = { ok: false, reason: 'duplicate', existingMessageId: stored.get(k) ?? null };
    }
  }
  for (const [i, k] of repeats) {
    const first = claimants.get(k)!;
    const existingMessageId = lost.has(k) ? (outcomes[first] as { existingMessageId: string | null }).existingMessageId : items[first]!.message.id;
    outcomes[i] = { ok: false, reason: 'duplicate', existingMessageId };
  }

  const toStore = items.map((it) => it.message).filter((_, i) => outcomes[i] === undefined);
  if (toStore.length > 0) {
    const companies = [...new Set(toStore.map((m) => m.companyId))].sort(byCodeUnits);
    await client.query(
      "SELECT pg_advisory_xact_lock(hashtextextended('vaultgate.messages.' || c, 0)) FROM unnest($1::text[]) WITH ORDINALITY AS t(c, n) ORDER BY n",
      [companies],
    );
    const seqs = await insertMessages(client, toStore);
    items.forEach(({ message }, i) => {
      if (outcomes[i] === undefined) outcomes[i] = { ok: true, seq: seqs.get(message.id)! };
    });
  }
  return outcomes as IngestOutcome[];
}

export function pgLedger(pool: pg.Pool): PgLedger {
  return {
    async ingest(items) {
      if (items.length === 0) return [];
      return transaction(pool, (client) => ingestBatch(client, items));
    },
    async consumeTransactionId(partyId, transactionId, at) {
      const r = await run(pool, `INSERT INTO transaction_ledger (party_id, transaction_id, message_id, created_at)
        VALUES (@partyId, @transactionId, NULL, @at) ON CONFLICT DO NOTHING`, { partyId, transactionId, at });
      return (r.rowCount ?? 0) > 0;
    },
    async pruneTransactionIds(before, limit) {
      // Oldest first through transaction_ledger_created; SKIP LOCKED so the sweeps of several processes split it.
      const r = await run(pool, `DELETE FROM transaction_ledger WHERE (party_id, transaction_id) IN (
        SELECT party_id, transaction_id FROM transaction_ledger WHERE created_at < @before ORDER BY created_at LIMIT @limit FOR UPDATE SKIP LOCKED)`,
      { before, limit: checkLimit(limit) });
      return r.rowCount ?? 0;
    },
    async countTransactionIds() {
      return (await pool.query<{ n: number }>('SELECT COUNT(*) AS n FROM transaction_ledger')).rows[0]!.n;
    },
  };
}
