import type { FastifyInstance } from 'fastify';
import { ERROR_CATALOGUE, errorMessage, VaultgateError } from '../../protocol/index.js';
import { ASYMMETRIC_ALGORITHMS } from '../config/oidc-issuers.js';
import { issueToken, type IssueTokenDeps } from '../services/issue-token.js';
import { errorHeaders } from '../plugins/errors.js';
import { errorResponses } from './schemas.js';

const oauthErrorSchema = {
  type: 'object',
  description: 'RFC 6749 §5.2 error, with the Vaultgate code.',
  required: ['error', 'code'],
  properties: {
    error: { type: 'string', enum: ['invalid_request', 'invalid_client', 'invalid_scope', 'unsupported_grant_type', 'temporarily_unavailable'] },
    error_description: { type: 'string' }, code: { type: 'string' }, status: { type: 'integer', description: 'The HTTP status of the answer.' }, requestId: { type: 'string' },
  },
} as const;


/** RFC 6749 error name of a catalogue code (OAUTH_INVALID_CLIENT → invalid_client). */
// A throttled client was not checked at all: RFC 6749 has no code for that; temporarily_unavailable (§4.1.2.1) says
// "try again later", unlike invalid_client, which would suggest the secret is wrong.
const oauthError = (code: string): string =>
  code === 'AUTHENTICATION_THROTTLED' ? 'temporarily_unavailable' : code.startsWith('OAUTH_') ? code.replace(/^OAUTH_/, '').toLowerCase() : 'invalid_request';

/** The built-in issuer: POST /oauth2/token, its JWKS and its discovery document. */
export function oauthRoutes(d: IssueTokenDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    const tokenEndpoint = (): string => `${d.publicBaseUrl()}/oauth2/token`;

    app.get('/.well-known/jwks.json', {
      schema: {
        tags: ['oauth'], summary: 'Public keys of the built-in issuer (current and recently retired)',
        response: { 200: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: { type: 'object', additionalProperties: true } } } }, ...errorResponses(400) },
      },
    }, async (_req, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return d.signingKeys.jwks();
    });

    app.get('/.well-known/openid-configuration', {
      schema: { tags: ['oauth'], summary: 'Issuer metadata (OpenID Connect discovery / RFC 8414)', response: { 200: { type: 'object', additionalProperties: true }, ...errorResponses(400) } },
    }, async (_req, reply) => {
      const issuer = d.publicBaseUrl();
      reply.header('cache-control', 'public, max-age=300');
      return {
        issuer, token_endpoint: tokenEndpoint(), jwks_uri: `${issuer}/.well-known/jwks.json`,
        grant_types_supported: ['client_credentials'], response_types_supported: ['token'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
        token_endpoint_auth_signing_alg_values_supported: [...ASYMMETRIC_ALGORITHMS],
        scopes_supported: ['ingest', 'vault.read', 'shared.read'], claims_supported: ['iss', 'aud', 'sub', 'azp', 'client_id', 'roles', 'env', 'iat', 'nbf', 'exp', 'jti'],
        subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['ES256', 'RS256'],
      };
    });

    // The token endpoint answers in RFC 6749's error format rather than problem+json.
    await app.register(async (token) => {
      // RFC 6749 §4.4.2: the parameters come as a form. Any other body (JSON, the usual mistake) is read within the
      // same bound and refused below by its media type, not parsed and then found to lack grant_type.
      token.removeAllContentTypeParsers();
      token.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => {
        done(null, new URLSearchParams(body as string));
      });
      token.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 16 * 1024 }, (_req, _body, done) => done(null, undefined));
      token.setErrorHandler((error, request, reply) => {
        const status = error instanceof VaultgateError ? error.status : ((error as { statusCode?: number }).statusCode ?? 500);
        const isOAuth = error instanceof VaultgateError && (error.code.startsWith('OAUTH_') || error.code === 'AUTHENTICATION_THROTTLED');
        if (!isOAuth && status >= 500) throw error; // the app's handler: generic 500, cause in the log
        // A coded refusal decided before the grant (HTTPS_REQUIRED in live, a repeated header, a compressed body) keeps its code, as invalid_request.
        const err = error instanceof VaultgateError ? error : new VaultgateError('OAUTH_INVALID_REQUEST', { detail: 'POST application/x-www-form-urlencoded parameters (at most 16 KiB).' });
        request.errorCode = err.code;
        request.log.info({ code: err.code, reason: err.logReason }, 'token request refused');
        const def = ERROR_CATALOGUE[err.code];
        reply.code(def.status).header('cache-control', 'no-store').header('pragma', 'no-cache');
        reply.headers(errorHeaders(err));
        if (def.status === 401) reply.header('www-authenticate', 'Basic realm="vaultgate"');
        const description = `${errorMessage(err.code, request.style?.language ?? 'en')}${err.detail ? ` ${err.detail}` : ''}`;
        return reply.type('application/json; charset=utf-8').send({ error: isOAuth ? oauthError(err.code) : 'invalid_request', error_description: description, code: err.code, status: def.status, requestId: request.id });
      });
      token.post<{ Body: URLSearchParams }>('/oauth2/token', {
        schema: {
          tags: ['oauth'],
          summary: 'Client credentials grant: a signed access token (JWT, typ at+jwt)',
          description: 'application/x-www-form-urlencoded: grant_type=client_credentials, scope=<client_id>/.default or roles; client authentication by client_secret_basic, client_secret_post or private_key_jwt (client_assertion_type + client_assertion, aud = this endpoint).',
          response: {
            200: {
              type: 'object', required: ['token_type', 'expires_in', 'access_token'],
              properties: { token_type: { type: 'string', enum: ['Bearer'] }, expires_in: { type: 'integer' }, access_token: { type: 'string' }, scope: { type: 'string' } },
            },
            400: oauthErrorSchema, 401: oauthErrorSchema, 429: oauthErrorSchema, ...errorResponses(),
          },
        },
      }, async (request, reply) => {
        if (!(request.body instanceof URLSearchParams)) {
          const type = (request.headers['content-type'] ?? 'none').split(';')[0]!.trim().slice(0, 80);
          throw new VaultgateError('OAUTH_INVALID_REQUEST', {
            detail: `Send the parameters as Content-Type: application/x-www-form-urlencoded (RFC 6749 §4.4.2); got ${type}.`,
          });
        }
        const form = request.body;
        const answer = await issueToken(d, {
          form, authorization: request.headers.authorization, tokenEndpoint: tokenEndpoint(), origin: { address: request.ip, requestId: request.id },
        });
        reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
        return answer;
      });
    });
  };
}
