import { ORG_COLS } from '../sqlite/accounts-migration.js';
import { PG_AUDIT_SCHEMA_VERSION } from './audit-migration.js';

/**
 * The accounts step's version on PostgreSQL: the one after its audit step (PostgreSQL has no lean step, so its
 * numbers differ from SQLite's ACCOUNTS_SCHEMA_VERSION).
 */
export const PG_ACCOUNTS_SCHEMA_VERSION = PG_AUDIT_SCHEMA_VERSION + 1;

/** The same step on PostgreSQL (text compared as bytes, bytea ciphertexts, PL/pgSQL triggers). */
export const PG_ACCOUNTS_V4 = `
CREATE TABLE organisations (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  company_id TEXT UNIQUE,
  party_id TEXT UNIQUE,
  status TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
  require_totp INTEGER NOT NULL DEFAULT 0 CHECK (require_totp IN (0, 1)),
  created_at TEXT COLLATE "C" NOT NULL,
  CHECK (company_id IS NOT NULL OR party_id IS NOT NULL)
);
INSERT INTO organisations (${ORG_COLS})
  SELECT id, name, id, NULL, CASE WHEN deleted_at IS NULL THEN 'active' ELSE 'suspended' END, 0, created_at FROM companies ORDER BY seq;
INSERT INTO organisations (${ORG_COLS})
  SELECT id, name, NULL, id, CASE WHEN status = 'active' THEN 'active' ELSE 'suspended' END, 0, created_at FROM parties ORDER BY seq;
CREATE FUNCTION company_organisation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM organisations WHERE company_id = NEW.id) THEN
    INSERT INTO organisations (${ORG_COLS}) VALUES (NEW.id, NEW.name, NEW.id, NULL, 'active', 0, NEW.created_at);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER companies_organisation AFTER INSERT ON companies FOR EACH ROW EXECUTE FUNCTION company_organisation();
CREATE FUNCTION party_organisation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM organisations WHERE party_id = NEW.id) THEN
    INSERT INTO organisations (${ORG_COLS}) VALUES (NEW.id, NEW.name, NULL, NEW.id, 'active', 0, NEW.created_at);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER parties_organisation AFTER INSERT ON parties FOR EACH ROW EXECUTE FUNCTION party_organisation();

CREATE TABLE users (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  email TEXT NOT NULL,
  email_key TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  language TEXT NOT NULL CHECK (language IN ('en', 'fi', 'sv')),
  password_hash TEXT,
  totp_secret_ciphertext BYTEA,
  totp_confirmed_at TEXT COLLATE "C",
  totp_last_step BIGINT,
  platform_role TEXT CHECK (platform_role IN ('operator')),
  status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'disabled')),
  created_at TEXT COLLATE "C" NOT NULL
);

CREATE TABLE identities (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  issuer TEXT NOT NULL,
  subject TEXT NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  UNIQUE (issuer, subject)
);
CREATE INDEX identities_user ON identities (user_id);

CREATE TABLE memberships (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  organisation_id TEXT NOT NULL REFERENCES organisations(id),
  role TEXT NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
  created_at TEXT COLLATE "C" NOT NULL,
  UNIQUE (user_id, organisation_id)
);
CREATE INDEX memberships_organisation ON memberships (organisation_id, seq);

CREATE TABLE sessions (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES users(id),
  created_at TEXT COLLATE "C" NOT NULL,
  last_seen_at TEXT COLLATE "C" NOT NULL,
  expires_at TEXT COLLATE "C" NOT NULL,
  revoked_at TEXT COLLATE "C",
  client_address TEXT
);
CREATE INDEX sessions_user ON sessions (user_id, seq);

CREATE TABLE registrations (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('company', 'party', 'both')),
  organisation_name TEXT NOT NULL,
  business_id TEXT,
  user_id TEXT NOT NULL REFERENCES users(id),
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined')),
  created_at TEXT COLLATE "C" NOT NULL,
  decided_at TEXT COLLATE "C",
  decided_by TEXT,
  organisation_id TEXT
);
CREATE INDEX registrations_status ON registrations (status, seq);

CREATE TABLE api_tokens (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  token_hash TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES users(id),
  organisation_id TEXT NOT NULL REFERENCES organisations(id),
  role TEXT NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
  name TEXT NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  expires_at TEXT COLLATE "C" NOT NULL,
  revoked_at TEXT COLLATE "C"
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, seq);
`;
