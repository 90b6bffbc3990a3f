/** The body-integrity step's version on PostgreSQL (issue 17; SQLite numbers apart). */
export const PG_INTEGRITY_SCHEMA_VERSION = 14;

/** The same step as SQLite's INTEGRITY_SQL on PostgreSQL. */
export const PG_INTEGRITY_SQL = `
CREATE TABLE signature_keys (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT COLLATE "C" NOT NULL UNIQUE,
  party_id TEXT NOT NULL REFERENCES parties(id),
  algorithm TEXT NOT NULL CHECK (algorithm IN ('hmac-sha256', 'ed25519', 'ecdsa-p256-sha256')),
  label TEXT NOT NULL,
  secret_ciphertext BYTEA,
  public_jwk TEXT,
  status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
  created_at TEXT COLLATE "C" NOT NULL,
  created_by TEXT NOT NULL,
  disabled_at TEXT COLLATE "C",
  CHECK ((secret_ciphertext IS NULL) <> (public_jwk IS NULL))
);
CREATE INDEX signature_keys_party ON signature_keys (party_id, seq);
CREATE TABLE channel_integrity (
  channel_id TEXT PRIMARY KEY REFERENCES channels(id),
  require_content_digest INTEGER NOT NULL CHECK (require_content_digest IN (0, 1)),
  updated_at TEXT COLLATE "C" NOT NULL,
  updated_by TEXT NOT NULL
);
`;
