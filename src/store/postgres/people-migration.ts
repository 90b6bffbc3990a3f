import { PG_ACCOUNTS_SCHEMA_VERSION } from './accounts-migration.js';

/** The people step's version on PostgreSQL: the one after its accounts step (SQLite numbers apart). */
export const PG_PEOPLE_SCHEMA_VERSION = PG_ACCOUNTS_SCHEMA_VERSION + 1;

/** The same step as SQLite's PEOPLE_SQL on PostgreSQL (times compared as bytes). */
export const PG_PEOPLE_SQL = `
CREATE TABLE invitations (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  token_hash TEXT NOT NULL UNIQUE,
  organisation_id TEXT NOT NULL REFERENCES organisations(id),
  email TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
  language TEXT NOT NULL CHECK (language IN ('en', 'fi', 'sv')),
  invited_by TEXT NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  expires_at TEXT COLLATE "C" NOT NULL,
  accepted_at TEXT COLLATE "C",
  accepted_by TEXT,
  revoked_at TEXT COLLATE "C"
);
CREATE INDEX invitations_organisation ON invitations (organisation_id, seq);
`;
