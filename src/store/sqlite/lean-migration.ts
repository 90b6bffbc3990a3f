/**
 * Schema step 3 (issue 12 §2), the lean schema of the ingest path, converting a populated database in place (the
 * whole step runs in the migration's one transaction):
 *
 * - `messages` refers to its company, channel and party by their integer `seq` instead of their TEXT ids, and has
 *   ONE list index, `messages_list (company_seq, seq, channel_seq, message_type)`: every vault list shape is
 *   `company_seq = ? AND seq > ? ORDER BY seq`, with the channel and type filters tested on the index entry before
 *   the row is read. Besides it only `id`'s UNIQUE index remains (getMessage by public id; ids begin with their
 *   time, so its inserts land at the right edge). The message's public id, seq (cursors) and every other column
 *   are copied unchanged, and the AUTOINCREMENT high-water mark carries over, so no seq is ever handed out twice.
 * - The transaction-id ledger becomes partitioned (ledger.ts): a catalog and partition 1, holding every
 *   remembered id, with its primary key only (the created_at index is gone).
 */
export const LEAN_V3 = `
CREATE TABLE messages_v3 (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  company_seq INTEGER NOT NULL,
  channel_seq INTEGER NOT NULL,
  party_seq INTEGER NOT NULL,
  message_type TEXT NOT NULL,
  media_type TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  received_at TEXT NOT NULL,
  transaction_id TEXT,
  body_ciphertext BLOB NOT NULL,
  key_version INTEGER NOT NULL
);
INSERT INTO messages_v3 (seq, id, company_seq, channel_seq, party_seq, message_type, media_type, content_type, size,
    sha256, received_at, transaction_id, body_ciphertext, key_version)
  SELECT m.seq, m.id, co.seq, ch.seq, p.seq, m.message_type, m.media_type, m.content_type, m.size, m.sha256,
    m.received_at, m.transaction_id, m.body_ciphertext, m.key_version
  FROM messages m JOIN companies co ON co.id = m.company_id JOIN channels ch ON ch.id = m.channel_id
    JOIN parties p ON p.id = m.party_id
  ORDER BY m.seq;
DELETE FROM sqlite_sequence WHERE name = 'messages_v3';
INSERT INTO sqlite_sequence (name, seq) SELECT 'messages_v3', seq FROM sqlite_sequence WHERE name = 'messages';
DROP TABLE messages;
ALTER TABLE messages_v3 RENAME TO messages;
CREATE INDEX messages_list ON messages (company_seq, seq, channel_seq, message_type);

CREATE TABLE transaction_ledger_partitions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  rows INTEGER NOT NULL,
  writes INTEGER NOT NULL DEFAULT 0,
  min_at TEXT,
  max_at TEXT,
  filter BLOB
);
CREATE TABLE transaction_ledger_1 (
  party_id TEXT NOT NULL,
  transaction_id TEXT NOT NULL,
  message_id TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (party_id, transaction_id)
) WITHOUT ROWID;
INSERT INTO transaction_ledger_1 (party_id, transaction_id, message_id, created_at)
  SELECT party_id, transaction_id, message_id, created_at FROM transaction_ledger ORDER BY party_id, transaction_id;
INSERT INTO transaction_ledger_partitions (id, rows, min_at, max_at)
  SELECT 1, COUNT(*), MIN(created_at), MAX(created_at) FROM transaction_ledger;
DROP TABLE transaction_ledger;
`;
