/** The recovery step's version on PostgreSQL, after its token-method step 12 (SQLite numbers apart). */
export const PG_RECOVERY_SCHEMA_VERSION = 11;

/** The same step as SQLite's RECOVERY_SQL on PostgreSQL (times compared as bytes, the sealed secret stored out of line). */
export const PG_RECOVERY_SQL = `
CREATE TABLE password_resets (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  token_hash TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES users(id),
  issued_by TEXT NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  expires_at TEXT COLLATE "C" NOT NULL,
  used_at TEXT COLLATE "C",
  revoked_at TEXT COLLATE "C"
);
CREATE INDEX password_resets_user ON password_resets (user_id, seq);
CREATE TABLE totp_replacements (
  user_id TEXT PRIMARY KEY REFERENCES users(id),
  secret_ciphertext BYTEA NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL
);
ALTER TABLE totp_replacements ALTER COLUMN secret_ciphertext SET STORAGE EXTERNAL;
`;
