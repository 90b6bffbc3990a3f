import { SELFSERV_SCHEMA_VERSION } from './selfserv-store.js';

/**
 * The SQLite schema version of the session-method step (issue 14): the one after the self-service step. PostgreSQL
 * numbers its steps apart (PG_SESSION_METHOD_SCHEMA_VERSION).
 */
export const SESSION_METHOD_SCHEMA_VERSION = SELFSERV_SCHEMA_VERSION + 1;

/*
 * Session-method step (issue 14): a session records how it was started, so the route guard can tell a password
 * sign-in (which an organisation requiring TOTP holds to a second factor) from an OpenID Connect one (the provider
 * authenticated the person under its own MFA policy). Sessions started before this step are taken as `password`:
 * the stricter reading, at worst one more enrolment prompt until the next sign-in.
 */
export const SESSION_METHOD_SQL = `
ALTER TABLE sessions ADD COLUMN sign_in_method TEXT NOT NULL DEFAULT 'password' CHECK (sign_in_method IN ('password', 'oidc'));
`;
