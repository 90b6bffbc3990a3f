/**
 * Route schemas: they validate input, shape output, and are the single source of /openapi.json.
 */
import { ENVIRONMENTS, ERROR_CODES, FAMILY_STATUS } from '../../protocol/index.js';

export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details. `code` is the Vaultgate error code, `family` the Netvisor status it maps onto.',
  required: ['type', 'title', 'status', 'code', 'family', 'requestId'],
  properties: {
    type: { type: 'string', description: 'urn:vaultgate:error:<code>' },
    title: { type: 'string', description: 'The message in the request language.' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', enum: ERROR_CODES },
    family: { type: 'string', enum: Object.keys(FAMILY_STATUS) },
    requestId: { type: 'string' },
    remedy: { type: 'string', description: 'What to change, in the request language (the bearer remedy for a bearer request).' },
    messageId: { type: ['string', 'null'], description: 'REQUEST_NOT_UNIQUE: the message already stored under the transaction id.' },
    allow: { type: 'array', items: { type: 'string' }, description: 'METHOD_NOT_ALLOWED: the methods the path allows (also in the Allow header).' },
    stringToHash: { type: 'string', description: 'Outside live, on a MAC mismatch: the string the server hashed, keys masked.' },
    problems: { type: 'array', items: { type: 'string' } },
  },
} as const;

const problemRef = { $ref: 'Problem#' } as const;

/** Error responses of a route, each described as a problem body. */
export function errorResponses(...statuses: number[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // Every route that can answer 401 authenticates, and so can answer 429 AUTHENTICATION_THROTTLED (issue 11 §6).
  for (const s of [...statuses, ...(statuses.includes(401) ? [429] : []), 500]) {
    out[String(s)] = {
      description: s === 429
        ? 'Too many failed authentications for the credential or the client address (AUTHENTICATION_THROTTLED), or on ingestion the party\'s or channel\'s rate limit used up (RATE_LIMITED, with RateLimit-Policy and RateLimit); Retry-After gives the seconds to wait'
        : 'Error (application/problem+json; MAC requests: see the Netvisor envelope rules)',
      ...problemRef,
    };
  }
  return out;
}

export const envelopeSchema = {
  type: 'string',
  description:
    'The Netvisor XML envelope (text/xml), answered to MAC-authenticated requests unless they Accept application/json. ' +
    'Without X-Netvisor-Authentication-UseHTTPResponseStatusCodes: 1 every answer is 200 and the body says OK or FAILED.',
} as const;

export const environmentSchema = { type: 'string', enum: ENVIRONMENTS } as const;
const ts = { type: 'string', format: 'date-time' } as const;
const tsOrNull = { type: ['string', 'null'], format: 'date-time' } as const;
const status = { type: 'string', enum: ['active', 'disabled'] } as const;

export const companySchema = {
  type: 'object',
  required: ['id', 'name', 'businessId', 'environment', 'createdAt'],
  properties: {
    id: { type: 'string' }, name: { type: 'string' }, businessId: { type: 'string' }, environment: environmentSchema, createdAt: ts,
    deletedAt: { type: 'string', format: 'date-time', description: 'Set once the company was deleted (crypto-shredded).' },
    dataKeysDestroyed: { type: 'integer', description: 'On deletion: how many data keys were destroyed.' },
  },
} as const;

export const keyStatusSchema = {
  type: 'object',
  required: ['currentMasterKey', 'previousMasterKeys', 'source', 'dataKeysByMasterKey'],
  properties: {
    currentMasterKey: { type: 'string', description: 'Fingerprint id of the master key, never the key.' },
    previousMasterKeys: { type: 'array', items: { type: 'string' } },
    source: { type: 'string', enum: ['file', 'configuration'] },
    dataKeysByMasterKey: { type: 'object', additionalProperties: { type: 'integer' } },
    rewrapped: { type: 'integer' },
  },
} as const;

export const partySchema = {
  type: 'object',
  required: ['id', 'name', 'status', 'environment', 'createdAt'],
  properties: { id: { type: 'string' }, name: { type: 'string' }, status, environment: environmentSchema, createdAt: ts, disabledAt: tsOrNull },
} as const;

const partnerCredentialProps = { partnerId: { type: 'string' }, partyId: { type: 'string' }, status, createdAt: ts, disabledAt: tsOrNull } as const;
export const partnerCredentialSchema = { type: 'object', required: ['partnerId', 'partyId', 'status'], properties: partnerCredentialProps } as const;
export const newPartnerCredentialSchema = {
  type: 'object',
  required: ['partnerId', 'partnerKey', 'partyId', 'status'],
  properties: { ...partnerCredentialProps, partnerKey: { type: 'string', description: 'Shown once, never again.' } },
} as const;

export const scopeSchema = { type: 'string', enum: ['ingest', 'vault.read'] } as const;
/** An OAuth client's role: a scope, or shared.read (reads within the organisation's active grants, issue 15). */
export const roleSchema = { type: 'string', enum: ['ingest', 'vault.read', 'shared.read'] } as const;
const customerCredentialProps = {
  customerId: { type: 'string' }, companyId: { type: 'string' }, name: { type: 'string' },
  scopes: { type: 'array', items: scopeSchema }, status, createdAt: ts, disabledAt: tsOrNull,
} as const;
export const customerCredentialSchema = { type: 'object', required: ['customerId', 'companyId', 'scopes', 'status'], properties: customerCredentialProps } as const;
export const newCustomerCredentialSchema = {
  type: 'object',
  required: ['customerId', 'customerKey', 'companyId', 'scopes', 'status'],
  properties: { ...customerCredentialProps, customerKey: { type: 'string', description: 'Shown once, never again.' } },
} as const;

export const messageTypeSchema = {
  type: 'object',
  required: ['name', 'mediaTypes'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
    mediaTypes: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'string', minLength: 3, maxLength: 255 } },
    retention: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      description: 'Optional: keep messages of this type at most `days`, and/or only the newest `keepLast` per channel; a background sweep deletes the rest.',
      properties: {
        days: { type: 'integer', minimum: 1, maximum: 36500 },
        keepLast: { type: 'integer', minimum: 1, maximum: 1000000000 },
      },
    },
  },
} as const;

export const channelSchema = {
  type: 'object',
  required: ['id', 'url', 'environment', 'companyId', 'partyId', 'messageTypes', 'status', 'createdAt'],
  properties: {
    id: { type: 'string' }, url: { type: 'string', description: 'The full ingestion URL.' }, environment: environmentSchema,
    companyId: { type: 'string' }, partyId: { type: 'string' },
    messageTypes: { type: 'array', items: messageTypeSchema }, status, createdAt: ts, disabledAt: tsOrNull,
  },
} as const;

export const pageOf = (item: object): object => ({
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: item }, nextCursor: { type: ['string', 'null'] } },
});

export const listQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    cursor: { type: 'string', maxLength: 200 },
    limit: { type: 'string', pattern: '^[0-9]{1,4}$', description: '1-1000, default 100' },
  },
} as const;

export const idParams = (name: string, example: string): object => ({
  type: 'object',
  required: [name],
  properties: { [name]: { type: 'string', maxLength: 200, description: `e.g. ${example}` } },
});

export const receiptSchema = {
  type: 'object',
  required: ['messageId', 'channelId', 'environment', 'messageType', 'mediaType', 'size', 'sha256', 'receivedAt'],
  properties: {
    messageId: { type: 'string' }, channelId: { type: 'string' }, environment: environmentSchema,
    messageType: { type: 'string' }, mediaType: { type: 'string' }, size: { type: 'integer' },
    sha256: { type: 'string', description: 'Hex SHA-256 of the body as received.' }, receivedAt: ts,
    transactionId: { type: 'string' },
  },
} as const;

export const messageMetaSchema = {
  type: 'object',
  required: ['messageId', 'channelId', 'partyId', 'messageType', 'mediaType', 'size', 'sha256', 'receivedAt'],
  properties: {
    messageId: { type: 'string' }, channelId: { type: 'string' }, partyId: { type: 'string' },
    messageType: { type: 'string' }, mediaType: { type: 'string' }, contentType: { type: 'string' },
    size: { type: 'integer' }, sha256: { type: 'string' }, receivedAt: ts, transactionId: { type: ['string', 'null'] },
  },
} as const;

/** The signed-header scheme's request headers, for the documentation (checked by the MAC verifier, not by ajv). */
export const macHeadersSchema = {
  type: 'object',
  properties: {
    'x-netvisor-authentication-sender': { type: 'string', description: 'Free name of the integration (ISO-8859-1).' },
    'x-netvisor-authentication-customerid': { type: 'string', description: 'Customer credential id (cid_…).' },
    'x-netvisor-authentication-partnerid': { type: 'string', description: 'Partner credential id (pid_…); not in the MAC.' },
    'x-netvisor-authentication-timestamp': { type: 'string', description: 'YYYY-MM-DD HH:MM:SS.fff, UTC.' },
    'x-netvisor-authentication-timestampunix': { type: 'string', description: 'Seconds since the epoch; required with HMACSHA256.' },
    'x-netvisor-authentication-transactionid': { type: 'string', description: 'Unique per party: 1-255 characters.' },
    'x-netvisor-interface-language': { type: 'string', description: 'FI, EN or SE.' },
    'x-netvisor-organisation-id': { type: 'string', description: 'Business id of the target company.' },
    'x-netvisor-authentication-mac': { type: 'string', description: 'Hex digest.' },
    'x-netvisor-authentication-machashcalculationalgorithm': { type: 'string', description: 'SHA256 or HMACSHA256 (MD5 only if enabled).' },
    'x-netvisor-authentication-usehttpresponsestatuscodes': { type: 'string', description: '1 for real HTTP status codes.' },
  },
} as const;
