import { ACCOUNTS_SCHEMA_VERSION } from './accounts-migration.js';

/**
 * The SQLite schema version of the people step (issue 14, invitations): the one after the accounts step. PostgreSQL
 * numbers its steps apart (PG_PEOPLE_SCHEMA_VERSION).
 */
export const PEOPLE_SCHEMA_VERSION = ACCOUNTS_SCHEMA_VERSION + 1;

/*
 * People step (issue 14): invitations of people into an organisation by email link. Only the SHA-256 of the link's
 * token is kept; an invitation is used once (accepted_at), can be revoked, and expires.
 */
export const PEOPLE_SQL = `
CREATE TABLE invitations (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  token_hash TEXT NOT NULL UNIQUE,
  organisation_id TEXT NOT NULL REFERENCES organisations(id),
  email TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
  language TEXT NOT NULL CHECK (language IN ('en', 'fi', 'sv')),
  invited_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  accepted_at TEXT,
  accepted_by TEXT,
  revoked_at TEXT
);
CREATE INDEX invitations_organisation ON invitations (organisation_id, seq);
`;
