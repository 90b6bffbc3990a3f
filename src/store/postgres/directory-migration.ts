/** The directory and feed-checkpoint step's version on PostgreSQL (issue 16; SQLite numbers apart). */
export const PG_DIRECTORY_SCHEMA_VERSION = 13;

/** The same step as SQLite's DIRECTORY_SQL on PostgreSQL (times compared as bytes). */
export const PG_DIRECTORY_SQL = `
CREATE TABLE organisation_listings (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organisation_id TEXT NOT NULL UNIQUE REFERENCES organisations(id),
  listed INTEGER NOT NULL CHECK (listed IN (0, 1)),
  description TEXT NOT NULL,
  name_key TEXT COLLATE "C" NOT NULL,
  updated_at TEXT COLLATE "C" NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE TABLE feed_checkpoints (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organisation_id TEXT NOT NULL REFERENCES organisations(id),
  name TEXT COLLATE "C" NOT NULL,
  cursor TEXT NOT NULL,
  message_seq BIGINT NOT NULL,
  grant_event_seq BIGINT NOT NULL,
  updated_at TEXT COLLATE "C" NOT NULL,
  updated_by TEXT NOT NULL,
  UNIQUE (organisation_id, name)
);
CREATE INDEX feed_checkpoints_organisation ON feed_checkpoints (organisation_id, seq);
`;
