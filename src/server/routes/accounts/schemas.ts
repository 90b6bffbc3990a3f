/* Wire schemas of the accounts API (issue 14). */

const ts = { type: 'string', format: 'date-time' } as const;
const tsOrNull = { type: ['string', 'null'], format: 'date-time' } as const;
const strOrNull = { type: ['string', 'null'] } as const;
export const languageSchema = { type: 'string', enum: ['en', 'fi', 'sv'] } as const;
export const roleSchema = { type: 'string', enum: ['admin', 'member', 'viewer'] } as const;

export const userSchema = {
  type: 'object',
  required: ['id', 'email', 'displayName', 'language', 'status', 'platformRole', 'totpEnrolled', 'createdAt'],
  properties: {
    id: { type: 'string' }, email: { type: 'string' }, displayName: { type: 'string' }, language: languageSchema,
    status: { type: 'string', enum: ['pending', 'active', 'disabled'] }, platformRole: { type: ['string', 'null'], enum: ['operator', null] },
    totpEnrolled: { type: 'boolean' }, createdAt: ts,
  },
} as const;

export const organisationSchema = {
  type: 'object',
  required: ['id', 'name', 'companyId', 'partyId', 'businessId', 'status', 'requireTotp', 'createdAt'],
  properties: {
    id: { type: 'string', description: 'The company id when it is a company (co_…), else the party id (tp_…).' }, name: { type: 'string' },
    companyId: strOrNull, partyId: strOrNull, businessId: strOrNull, status: { type: 'string', enum: ['active', 'suspended'] },
    requireTotp: { type: 'boolean' }, createdAt: ts,
  },
} as const;

export const registrationSchema = {
  type: 'object',
  required: ['id', 'kind', 'organisationName', 'businessId', 'userId', 'status', 'createdAt', 'decidedAt', 'decidedBy', 'organisationId'],
  properties: {
    id: { type: 'string' }, kind: { type: 'string', enum: ['company', 'party', 'both'] }, organisationName: { type: 'string' },
    businessId: strOrNull, userId: { type: 'string' }, status: { type: 'string', enum: ['pending', 'approved', 'declined'] },
    createdAt: ts, decidedAt: tsOrNull, decidedBy: strOrNull, organisationId: strOrNull,
  },
} as const;

export const memberSchema = {
  type: 'object',
  required: ['userId', 'organisationId', 'role', 'createdAt', 'email', 'displayName'],
  properties: { userId: { type: 'string' }, organisationId: { type: 'string' }, role: roleSchema, createdAt: ts, email: { type: 'string' }, displayName: { type: 'string' } },
} as const;

export const meSchema = {
  type: 'object',
  required: ['user', 'memberships', 'totpEnrolmentRequired', 'via'],
  properties: {
    user: userSchema,
    via: { type: 'string', enum: ['session', 'api-token'], description: 'How the caller authenticated: a session (cookie or the CLI\'s bearer) or a personal API token.' },
    memberships: {
      description: 'With a personal API token: only the organisation it is scoped to, at the token\'s role (the effective one, at most the user\'s).',
      type: 'array',
      items: { type: 'object', required: ['organisationId', 'role', 'createdAt', 'organisation'], properties: { organisationId: { type: 'string' }, role: roleSchema, createdAt: ts, organisation: organisationSchema } },
    },
    totpEnrolmentRequired: { type: 'boolean', description: 'An organisation of the user requires TOTP and the user has not enrolled (and did not sign in through OpenID Connect): only /api/v1/me and /api/v1/me/totp* serve until then.' },
  },
} as const;

export const signedInSchema = {
  type: 'object',
  required: ['user', 'csrfToken', 'expiresAt'],
  properties: {
    user: userSchema,
    csrfToken: { type: 'string', description: 'Send in X-CSRF-Token with every state-changing request made with the session cookie.' },
    expiresAt: { ...ts, description: 'The absolute end of the session (it also ends after VAULTGATE_SESSION_IDLE_S unused).' },
    sessionToken: { type: 'string', description: 'Only when asked for with "tokenInBody": true (the CLI): then no cookie is set; send it as Authorization: Bearer.' },
  },
} as const;

export const newUserProps = {
  email: { type: 'string', minLength: 3, maxLength: 320 },
  displayName: { type: 'string', minLength: 1, maxLength: 200 },
  language: languageSchema,
  password: { type: 'string', minLength: 1, maxLength: 1024, description: 'At least 12 characters, not a common or breached password.' },
} as const;

/** OpenAPI security of the accounts routes (the schemes are declared in app.ts). */
type Security = Record<string, string[]>[];
export const sessionSecurity: Security = [{ sessionCookie: [] }, { sessionToken: [] }];
export const operatorSecurity: Security = [{ adminToken: [] }, { sessionCookie: [] }, { sessionToken: [] }];
/** Routes an organisation's members reach: also with a personal API token scoped to it. */
export const memberSecurity: Security = [...operatorSecurity, { apiToken: [] }];
