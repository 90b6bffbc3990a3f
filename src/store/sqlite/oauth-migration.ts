/**
 * Schema step 2 (issue 4): OAuth clients of the built-in token endpoint, links of external issuers' client ids to a
 * party or company, and the built-in issuer's signing keys (private keys sealed with the system data key, so every
 * process sharing the database signs with the same keys and a database copy alone never holds a usable key).
 */
export const OAUTH_V2 = `
CREATE TABLE oauth_clients (
  seq INTEGER PRIMARY KEY,
  client_id TEXT NOT NULL UNIQUE,
  owner_kind TEXT NOT NULL CHECK (owner_kind IN ('party', 'company')),
  owner_id TEXT NOT NULL,
  name TEXT NOT NULL,
  roles TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
  created_at TEXT NOT NULL,
  disabled_at TEXT,
  secret_hash TEXT,
  public_jwk TEXT,
  CHECK ((secret_hash IS NULL) <> (public_jwk IS NULL))
);
CREATE INDEX oauth_clients_owner ON oauth_clients (owner_kind, owner_id, seq);

CREATE TABLE external_client_links (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  issuer TEXT NOT NULL,
  client_id TEXT NOT NULL,
  owner_kind TEXT NOT NULL CHECK (owner_kind IN ('party', 'company')),
  owner_id TEXT NOT NULL,
  roles TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
  created_at TEXT NOT NULL,
  disabled_at TEXT
);
CREATE UNIQUE INDEX external_client_links_active ON external_client_links (issuer, client_id) WHERE status = 'active';
CREATE INDEX external_client_links_owner ON external_client_links (owner_kind, owner_id, seq);

CREATE TABLE token_signing_keys (
  seq INTEGER PRIMARY KEY,
  kid TEXT NOT NULL UNIQUE,
  alg TEXT NOT NULL,
  public_jwk TEXT NOT NULL,
  private_key_ciphertext BLOB NOT NULL,
  created_at TEXT NOT NULL,
  retired_at TEXT,
  publish_until TEXT
);
`;
