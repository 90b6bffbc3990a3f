/**
 * The SQLite schema version of the directory and feed-checkpoint step (issue 16). PostgreSQL numbers its steps apart
 * (PG_DIRECTORY_SCHEMA_VERSION).
 */
export const DIRECTORY_SCHEMA_VERSION = 14;

/*
 * Directory and feed-checkpoint step (issue 16):
 * - organisation_listings: an organisation that chose to be listed in the directory (no row: not listed). name_key is
 *   the name lower-cased in JavaScript when the listing was set (SQLite's lower() folds ASCII only; this way both
 *   adapters match the same way, Ä and ä included).
 * - feed_checkpoints: a consumer organisation's named feed positions (a cursor it committed), with the highest
 *   positions the cursor holds, so that a list can say how far behind each is without decoding cursors.
 */
export const DIRECTORY_SQL = `
CREATE TABLE organisation_listings (
  seq INTEGER PRIMARY KEY,
  organisation_id TEXT NOT NULL UNIQUE REFERENCES organisations(id),
  listed INTEGER NOT NULL CHECK (listed IN (0, 1)),
  description TEXT NOT NULL,
  name_key TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE TABLE feed_checkpoints (
  seq INTEGER PRIMARY KEY,
  organisation_id TEXT NOT NULL REFERENCES organisations(id),
  name TEXT NOT NULL,
  cursor TEXT NOT NULL,
  message_seq INTEGER NOT NULL,
  grant_event_seq INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  UNIQUE (organisation_id, name)
);
CREATE INDEX feed_checkpoints_organisation ON feed_checkpoints (organisation_id, seq);
`;
