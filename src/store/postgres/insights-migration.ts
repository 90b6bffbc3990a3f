/** The ingestion-insights step's version on PostgreSQL, after its recovery step 11 (SQLite numbers apart). */
export const PG_INSIGHTS_SCHEMA_VERSION = 12;

/*
 * The same step as SQLite's INSIGHTS_SQL (sqlite/insights-migration.ts) on PostgreSQL: times compared as bytes. The
 * dashboard's message counts use messages_company_channel (company_id, channel_id, seq); no index is added.
 */
export const PG_INSIGHTS_SQL = `
CREATE TABLE ingestion_refusals (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at TEXT COLLATE "C" NOT NULL,
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
