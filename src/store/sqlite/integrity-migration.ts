/**
 * The SQLite schema version of the body-integrity step (issue 17). PostgreSQL numbers its steps apart
 * (PG_INTEGRITY_SCHEMA_VERSION).
 */
export const INTEGRITY_SCHEMA_VERSION = 15;

/*
 * Body-integrity step (issue 17):
 * - signature_keys: the keys a party signs ingestion requests with (RFC 9421 HTTP Message Signatures); an HMAC
 *   secret is sealed by the server (secret_ciphertext), a public key kept as a JWK. Never deleted: disabled.
 * - channel_integrity: a channel's Content-Digest rule (no row: not required).
 */
export const INTEGRITY_SQL = `
CREATE TABLE signature_keys (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  party_id TEXT NOT NULL REFERENCES parties(id),
  algorithm TEXT NOT NULL CHECK (algorithm IN ('hmac-sha256', 'ed25519', 'ecdsa-p256-sha256')),
  label TEXT NOT NULL,
  secret_ciphertext BLOB,
  public_jwk TEXT,
  status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  disabled_at TEXT,
  CHECK ((secret_ciphertext IS NULL) <> (public_jwk IS NULL))
);
CREATE INDEX signature_keys_party ON signature_keys (party_id, seq);
CREATE TABLE channel_integrity (
  channel_id TEXT PRIMARY KEY REFERENCES channels(id),
  require_content_digest INTEGER NOT NULL CHECK (require_content_digest IN (0, 1)),
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
);
`;
