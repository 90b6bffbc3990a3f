import { AUDIT_SCHEMA_VERSION } from './audit-migration.js';

/**
 * The SQLite schema version of the accounts step (issue 14): the one after the audit step (5 now, after the lean
 * step 3 and audit 4). PostgreSQL numbers its steps apart (PG_ACCOUNTS_SCHEMA_VERSION, 4: it has no lean step).
 */
export const ACCOUNTS_SCHEMA_VERSION = AUDIT_SCHEMA_VERSION + 1;

/*
 * Accounts schema step (issue 14): organisations, users, external identities (for OpenID Connect sign-in, to come),
 * memberships, sessions and registrations.
 *
 * - Every existing company and party becomes an organisation with the same id, name and creation time (a deleted
 *   company or disabled party becomes a suspended one); a trigger does the same for each company or party the
 *   registry adds later, unless an organisation already names it (approval creates the organisation first).
 * - organisations.company_id / party_id carry no foreign key: approval inserts the organisation before its company
 *   and party in one transaction, and a company's tombstone keeps its id, so the reference never dangles.
 * - users.email_key is the lower-cased email: unique, so emails are unique case-insensitively.
 * - sessions and personal API tokens keep only the SHA-256 of the token.
 */
/** The organisation columns the migration and its triggers write. */
export const ORG_COLS = 'id, name, company_id, party_id, status, require_totp, created_at';

export const ACCOUNTS_V4 = `
CREATE TABLE organisations (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  company_id TEXT UNIQUE,
  party_id TEXT UNIQUE,
  status TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
  require_totp INTEGER NOT NULL DEFAULT 0 CHECK (require_totp IN (0, 1)),
  created_at TEXT NOT NULL,
  CHECK (company_id IS NOT NULL OR party_id IS NOT NULL)
);
INSERT INTO organisations (${ORG_COLS})
  SELECT id, name, id, NULL, CASE WHEN deleted_at IS NULL THEN 'active' ELSE 'suspended' END, 0, created_at FROM companies ORDER BY seq;
INSERT INTO organisations (${ORG_COLS})
  SELECT id, name, NULL, id, CASE WHEN status = 'active' THEN 'active' ELSE 'suspended' END, 0, created_at FROM parties ORDER BY seq;
CREATE TRIGGER companies_organisation AFTER INSERT ON companies
  WHEN NOT EXISTS (SELECT 1 FROM organisations WHERE company_id = NEW.id)
  BEGIN INSERT INTO organisations (${ORG_COLS}) VALUES (NEW.id, NEW.name, NEW.id, NULL, 'active', 0, NEW.created_at); END;
CREATE TRIGGER parties_organisation AFTER INSERT ON parties
  WHEN NOT EXISTS (SELECT 1 FROM organisations WHERE party_id = NEW.id)
  BEGIN INSERT INTO organisations (${ORG_COLS}) VALUES (NEW.id, NEW.name, NULL, NEW.id, 'active', 0, NEW.created_at); END;

CREATE TABLE users (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  email TEXT NOT NULL,
  email_key TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  language TEXT NOT NULL CHECK (language IN ('en', 'fi', 'sv')),
  password_hash TEXT,
  totp_secret_ciphertext BLOB,
  totp_confirmed_at TEXT,
  totp_last_step INTEGER,
  platform_role TEXT CHECK (platform_role IN ('operator')),
  status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'disabled')),
  created_at TEXT NOT NULL
);

CREATE TABLE identities (
  seq INTEGER PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  issuer TEXT NOT NULL,
  subject TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (issuer, subject)
);
CREATE INDEX identities_user ON identities (user_id);

CREATE TABLE memberships (
  seq INTEGER PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  organisation_id TEXT NOT NULL REFERENCES organisations(id),
  role TEXT NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
  created_at TEXT NOT NULL,
  UNIQUE (user_id, organisation_id)
);
CREATE INDEX memberships_organisation ON memberships (organisation_id, seq);

CREATE TABLE sessions (
  seq INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked_at TEXT,
  client_address TEXT
);
CREATE INDEX sessions_user ON sessions (user_id, seq);

CREATE TABLE registrations (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('company', 'party', 'both')),
  organisation_name TEXT NOT NULL,
  business_id TEXT,
  user_id TEXT NOT NULL REFERENCES users(id),
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined')),
  created_at TEXT NOT NULL,
  decided_at TEXT,
  decided_by TEXT,
  organisation_id TEXT
);
CREATE INDEX registrations_status ON registrations (status, seq);

CREATE TABLE api_tokens (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  token_hash TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES users(id),
  organisation_id TEXT NOT NULL REFERENCES organisations(id),
  role TEXT NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
  name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, seq);
`;
