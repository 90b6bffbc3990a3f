import { PG_SELFSERV_SCHEMA_VERSION } from './selfserv.js';

/** The session-method step's version on PostgreSQL: the one after its self-service step (SQLite numbers apart). */
export const PG_SESSION_METHOD_SCHEMA_VERSION = PG_SELFSERV_SCHEMA_VERSION + 1;

/** The same step as SQLite's SESSION_METHOD_SQL on PostgreSQL (see there for why older sessions are `password`). */
export const PG_SESSION_METHOD_SQL = `
ALTER TABLE sessions ADD COLUMN sign_in_method TEXT NOT NULL DEFAULT 'password' CHECK (sign_in_method IN ('password', 'oidc'));
`;
