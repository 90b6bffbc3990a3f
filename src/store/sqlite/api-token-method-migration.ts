/**
 * The SQLite schema version of the token-method step (issue 14), after issue 15's sharing (9) and webhooks (10) steps.
 * PostgreSQL numbers its steps apart (PG_API_TOKEN_METHOD_SCHEMA_VERSION).
 */
export const API_TOKEN_METHOD_SCHEMA_VERSION = 11;

/*
 * Token-method step (issue 14): a personal API token records how the session that created it was started, so an
 * organisation's TOTP requirement applies to the token as to that session: a token made in an OpenID Connect session
 * works for a member without TOTP, as the session did; one made in a password session is held until its user enrols.
 * Tokens from before this step are taken as `password`, the stricter reading (as the session-method step does).
 */
export const API_TOKEN_METHOD_SQL = `
ALTER TABLE api_tokens ADD COLUMN sign_in_method TEXT NOT NULL DEFAULT 'password' CHECK (sign_in_method IN ('password', 'oidc'));
`;
