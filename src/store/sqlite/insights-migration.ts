/**
 * The SQLite schema version of the ingestion-insights step (issue 16), after the recovery step 12. PostgreSQL numbers
 * its steps apart (PG_INSIGHTS_SCHEMA_VERSION).
 */
export const INSIGHTS_SCHEMA_VERSION = 13;

/*
 * Insights step (issue 16): refused ingestion requests, kept for a few days (ingestionRefusalRetentionDays) and
 * written in batches off the request path. No foreign keys: a refusal names whatever the request named (an unknown
 * channel too), and a deleted company's refusals age out with the rest. Lists are by company, by party or all, newest
 * first; the retention sweep deletes by time.
 *
 * The messages table gets no new index: the dashboard's counts walk messages_list (company_seq, seq, channel_seq,
 * message_type), and another index on the ingest path's table would cost every insert (docs/performance.md).
 */
export const INSIGHTS_SQL = `
CREATE TABLE ingestion_refusals (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  code TEXT NOT NULL,
  status INTEGER NOT NULL,
  channel_id TEXT,
  company_id TEXT,
  party_id TEXT,
  scheme TEXT NOT NULL CHECK (scheme IN ('mac', 'bearer', 'none')),
  credential_id TEXT,
  transaction_id TEXT,
  request_id TEXT NOT NULL,
  client_address TEXT
);
CREATE INDEX ingestion_refusals_company ON ingestion_refusals (company_id, seq);
CREATE INDEX ingestion_refusals_party ON ingestion_refusals (party_id, seq);
CREATE INDEX ingestion_refusals_at ON ingestion_refusals (at);
`;
