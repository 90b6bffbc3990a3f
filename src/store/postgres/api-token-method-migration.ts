/** The token-method step's version on PostgreSQL, after issue 15's sharing (8) and webhooks (9) steps (SQLite numbers apart). */
export const PG_API_TOKEN_METHOD_SCHEMA_VERSION = 10;

/** The same step as SQLite's API_TOKEN_METHOD_SQL on PostgreSQL (see there for why older tokens are `password`). */
export const PG_API_TOKEN_METHOD_SQL = `
ALTER TABLE api_tokens ADD COLUMN sign_in_method TEXT NOT NULL DEFAULT 'password' CHECK (sign_in_method IN ('password', 'oidc'));
`;
