/**
 * The SQLite schema version of the recovery step (issue 14: password reset, TOTP replacement), after the token-method
 * step 11. PostgreSQL numbers its steps apart (PG_RECOVERY_SCHEMA_VERSION).
 */
export const RECOVERY_SCHEMA_VERSION = 12;

/*
 * Recovery step (issue 14): password-reset links an operator issues (only the SHA-256 of the token; single use,
 * expiring, revoked by a newer one), and a replacement authenticator an enrolled user is setting up (sealed like the
 * user's TOTP secret, pending until a code of it is confirmed; the old one stays in force until then).
 */
export const RECOVERY_SQL = `
CREATE TABLE password_resets (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  token_hash TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES users(id),
  issued_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT,
  revoked_at TEXT
);
CREATE INDEX password_resets_user ON password_resets (user_id, seq);
CREATE TABLE totp_replacements (
  user_id TEXT PRIMARY KEY REFERENCES users(id),
  secret_ciphertext BLOB NOT NULL,
  created_at TEXT NOT NULL
);
`;
