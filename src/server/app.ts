import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import proxyAddr from '@fastify/proxy-addr';
import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { normalizeBaseUrl, refuseContentCodings, refuseRepeatedHeaders, systemClock, type Clock, type MacAlgorithm } from '../protocol/index.js';
import type { Store } from '../store/index.js';
import type { Config } from './config/schema.js';
import type { VaultCrypto } from './crypto/vault-crypto.js';
import { frameworkErrors, registerErrorHandling } from './plugins/errors.js';
import { registerMetrics } from './plugins/metrics.js';
import { logUrl } from './plugins/log-url.js';
import { mustClose } from './plugins/connection-close.js';
import { clientErrorHandler, continueIfExpected, httpsRequirement, installTransportHandlers } from './plugins/transport.js';
import { accountRoutes } from './routes/accounts/index.js';
import { operatorUserResolver } from './routes/accounts/principal.js';
import { personReaderResolver } from './routes/accounts/vault-person.js';
import { SelfService } from './services/self-service.js';
import { addressPolicy } from './services/delivery/address-policy.js';
import { WebhookDispatcher } from './services/delivery/webhook-dispatcher.js';
import { WebhookEndpoints } from './services/delivery/webhook-endpoints.js';
import { FeedCheckpoints } from './services/delivery/feed-checkpoints.js';
import { Directory } from './services/directory.js';
import { scopeResolver, type ScopesFor } from './services/sharing/read-scopes.js';
import { WebhookSender } from './services/delivery/webhook-sender.js';
import { OidcSignIn } from './services/accounts/oidc-sign-in.js';
import { adminOAuthRoutes } from './routes/admin-oauth.js';
import { adminSignatureKeyRoutes } from './routes/admin-signature-keys.js';
import { SignatureKeys } from './services/signature-keys.js';
import { adminRoutes } from './routes/admin.js';
import { INGESTION_ROUTE, ingestionFastPath } from './routes/ingestion-fast-path.js';
import { ingestionRoutes } from './routes/ingestion.js';
import { BATCH_ROUTE, ingestionBatchRoutes } from './routes/ingestion-batch.js';
import { oauthRoutes } from './routes/oauth.js';
import { problemSchema } from './routes/schemas.js';
import { systemRoutes } from './routes/system.js';
import { portalRoutes } from './routes/portal/portal-routes.js';
import { vaultRoutes } from './routes/vault.js';
import { sharedReadRoutes } from './routes/sharing/shared-reads.js';
import { Accounts } from './services/accounts/accounts.js';
import { SignInThrottle } from './services/accounts/sign-in-throttle.js';
import { People } from './services/accounts/people.js';
import { Recovery } from './services/accounts/recovery.js';
import { smtpMailer } from './services/accounts/mailer.js';
import { AuditCheckpoints } from './services/audit/audit-checkpoints.js';
import { checkAuditRetention, pruneAudit } from './services/audit/audit-retention.js';
import { AuditTrail, SYSTEM_CONTEXT } from './services/audit/audit-trail.js';
import { AuthThrottle } from './services/auth-throttle.js';
import { IngestionRateLimits } from './services/ingestion-rate-limits.js';
import { auditKeysRoute } from './routes/audit.js';
import { BearerAuthenticator } from './services/authenticate-bearer.js';
import { GroupCommitter } from './services/group-committer.js';
import { FeedWaits } from './services/delivery/feed-waits.js';
import { feedRoutes } from './routes/delivery/feed.js';
import { KeyAdmin } from './services/keys.js';
import { OAuthClients } from './services/oauth-clients.js';
import { RegistryCache } from './services/registry-cache.js';
import { Registry } from './services/registry.js';
import { RetentionSweeper } from './services/retention.js';
import { SigningKeys } from './services/signing-keys.js';
import { Grants } from './services/sharing/grants.js';
import { PeriodicTask } from './services/periodic-task.js';
import { RefusalRecorder } from './services/insights/refusal-recorder.js';
import { pruneIngestionRefusals } from './services/insights/refusal-retention.js';
import { IngestionInsights } from './services/insights/ingestion-insights.js';
import { STATEMENT_MAX_LIFETIME_S } from './services/sharing/grant-statement.js';

export const VERSION = '0.1.0';

export interface AppDeps {
  config: Readonly<Config>;
  store: Store;
  crypto: VaultCrypto;
  adminToken: string;
  clock?: Clock;
  /** The base URL clients address, when it is only known after listening (port 0). Defaults to config.publicUrl. */
  publicBaseUrl?: () => string;
  /** A pino logger; without one the app logs nothing (tests). */
  logger?: FastifyBaseLogger;
  https?: { cert: Buffer; key: Buffer };
  /** What an organisation may read and subscribe to (issue 15: reads, feed, webhooks); defaults to scopeResolver(store). */
  scopesFor?: ScopesFor;
  /** The built web portal (tests); defaults to dist/portal beside the compiled server (routes/portal/portal-routes.ts). */
  portalDir?: string;
}

export interface BuiltApp {
  app: FastifyInstance;
  committer: GroupCommitter;
  /** Every route registered (method and URL), for the OpenAPI coverage test. */
  routes: { method: string; url: string }[];
  sweeper: RetentionSweeper;
  /** Refused ingestion requests waiting to be written (issue 16); tests flush it. */
  refusals: RefusalRecorder;
  /** Deletes refusals past their retention (issue 16); runs every VAULTGATE_RETENTION_SWEEP_S. */
  refusalRetention: PeriodicTask<number>;
  /** Webhook dispatch of this process (issue 15); started with the app when VAULTGATE_WEBHOOK_DISPATCH_MS > 0. */
  webhooks: WebhookDispatcher;
}

/** Headers that carry secrets or MACs; never logged. */
export const REDACTED_HEADERS = [
  'req.headers.authorization',
  'req.headers["x-netvisor-authentication-mac"]',
  'req.headers.cookie',
];

/** A request's id: the caller's X-Request-Id when it is a plausible one, else a fresh UUID. */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(given) ? given : randomUUID();
}

/** Builds the Fastify application around its dependencies. Never listens (main.ts does). */
export async function buildApp(deps: AppDeps): Promise<BuiltApp> {
  const { config, store, crypto } = deps;
  const clock = deps.clock ?? systemClock;
  const normalized = normalizeBaseUrl(config.publicUrl);
  const publicBaseUrl = deps.publicBaseUrl ?? (() => normalized);

  // The server hands POST /ingestion/{channelId} to the lean path (routes/ingestion-fast-path.ts) once it is
  // built below, and everything else to Fastify. The timeouts are the ones Fastify would set on its own server.
  let fastPath: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
  const serverFactory = (fastify: RequestListener): Server => {
    const listener: RequestListener = (req, res) => {
      if (!fastPath?.(req, res)) fastify(req, res);
    };
    // node checks the request and header timeouts every connectionsCheckingInterval (30 s by default): often enough
    // that a stalled request is answered 408 close to its deadline. The idle-socket timeout comes after it, so a
    // stalled client gets its 408 rather than a silent close.
    const timeoutMs = config.requestTimeoutS * 1000;
    const timeouts = { requestTimeout: timeoutMs, headersTimeout: timeoutMs, connectionsCheckingInterval: Math.min(30_000, Math.max(250, timeoutMs / 4)) };
    const server = deps.https ? createHttpsServer({ ...deps.https, ...timeouts }, listener) : createServer(timeouts, listener);
    installTransportHandlers(server, listener, { clock, requestId });
    // A client that half-closes after sending (shutdown(SHUT_WR), `nc -N`) still gets its answer once the commit
    // is done; node's default would end the socket at the client's FIN, before an acknowledgement could be sent.
    // (A long-standing property of node's http.Server, not in its type definitions.)
    (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
    server.keepAliveTimeout = 72_000;
    server.setTimeout(2 * timeoutMs);
    return server;
  };

  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    serverFactory,
    genReqId: requestId,
    trustProxy: config.trustProxy ?? false,
    // One log line per request (onResponse below) instead of Fastify's two: logging is on the hot path.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    requestTimeout: config.requestTimeoutS * 1000,
    connectionTimeout: config.requestTimeoutS * 1000,
    return503OnClosing: false,
    // Every answer from the one catalogue (issue 11 §5): node's parser errors and timeouts, and the router's own.
    clientErrorHandler: clientErrorHandler({ clock, log: deps.logger ?? { info: () => undefined } }),
    frameworkErrors: frameworkErrors(clock),
    forceCloseConnections: 'idle',
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true } },
  } as FastifyServerOptions);

  // In live, only requests that arrived over TLS (directly or from a trusted proxy saying https) are served.
  const checkRequest = httpsRequirement({ live: config.environment === 'live', trustProxy: config.trustProxy });
  registerErrorHandling(app, clock, checkRequest ? { checkRequest } : {});
  // Before any route's hooks read a header (admin token, MAC, bearer, idempotency): the lean ingestion path runs
  // the same check (RFC 9110 §5.3; Node keeps the first Authorization and joins Idempotency-Key lines with ", ").
  // Only ingestion decodes content codings (services/decode-content.ts); elsewhere a coded body is refused, not misread.
  app.addHook('onRequest', async (request) => {
    refuseRepeatedHeaders(request.raw.rawHeaders);
    const h = request.headers;
    const hasBody = h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0');
    if (hasBody && !request.is404 && request.routeOptions.url !== INGESTION_ROUTE && request.routeOptions.url !== BATCH_ROUTE) refuseContentCodings(h['content-encoding']);
  });
  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push({ method, url: r.url });
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({
      method: request.method, url: logUrl(request.url), remoteAddress: request.ip,
      statusCode: reply.statusCode, responseTime: Math.round(reply.elapsedTime * 10) / 10,
    }, 'request completed');
  });
  app.addSchema(problemSchema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Vaultgate',
        version: VERSION,
        description: 'Ingestion channels into per-company data vaults. Errors are RFC 9457 problem+json with a stable `code`; requests signed with the X-Netvisor-Authentication-* headers get the Netvisor XML envelope unless they Accept application/json.',
      },
      servers: [{ url: publicBaseUrl() }],
      components: {
        securitySchemes: {
          adminToken: { type: 'http', scheme: 'bearer', description: 'The operator token (VAULTGATE_ADMIN_TOKEN).' },
          sessionCookie: { type: 'apiKey', in: 'cookie', name: '__Host-vaultgate-session', description: 'A signed-in session (POST /api/v1/session). State-changing requests also need X-CSRF-Token.' },
          sessionToken: { type: 'http', scheme: 'bearer', description: 'A session token from POST /api/v1/session with tokenInBody (the CLI); no CSRF token needed.' },
          apiToken: { type: 'http', scheme: 'bearer', description: 'A personal API token (vgp_…, POST /api/v1/me/api-tokens): one organisation, one role.' },
          netvisorMac: { type: 'apiKey', in: 'header', name: 'X-Netvisor-Authentication-MAC', description: 'Signed-header scheme (X-Netvisor-Authentication-*): see docs/api.md.' },
          httpSignature: { type: 'apiKey', in: 'header', name: 'Signature', description: 'HTTP Message Signatures (RFC 9421) with Signature-Input, keys registered per party: see docs/http-signatures.md.' },
          bearerToken: {
            type: 'oauth2',
            description: 'Authorization: Bearer <JWT> from POST /oauth2/token (client credentials) or from a trusted external OpenID Connect issuer. Roles: ingest, vault.read, shared.read. Failures: 401 with WWW-Authenticate: Bearer error="invalid_token"; a missing role is 403 insufficient_scope.',
            flows: { clientCredentials: { tokenUrl: '/oauth2/token', scopes: { ingest: 'Send into channels of the client\'s party', 'vault.read': 'Read the client\'s company vault', 'shared.read': 'Read other owners\' vaults within the active grants of the client\'s organisation' } } },
          },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _base, _frag, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    transformObject: (doc) => {
      const openapiObject = 'openapiObject' in doc ? doc.openapiObject : doc.swaggerObject;
      const post = (openapiObject as { paths?: Record<string, Record<string, Record<string, unknown>>> }).paths?.['/ingestion/{channelId}']?.post;
      if (post) {
        post.requestBody = {
          required: true,
          description: 'The message: any bytes, 1 byte to VAULTGATE_MAX_BODY_BYTES, of a media type agreed for the message type.',
          content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
        };
      }
      return openapiObject;
    },
  });

  // --- the audit trail (issue 13): one hash chain in the store, signed checkpoints ---
  const audit = new AuditTrail({
    store, clock, environment: config.environment,
    onRefusalLost: (err, e) => app.log.error({ err, code: 'AUDIT_REFUSAL_LOST', action: e.action, reqId: e.requestId }, 'a refusal could not be written to the audit trail'),
  });
  const checkpoints = new AuditCheckpoints({
    store, crypto, clock, environment: config.environment,
    onCheckpoint: (cp) => app.log.info({ code: 'AUDIT_CHECKPOINT', seq: cp.seq, kid: cp.kid }, 'signed an audit checkpoint'),
    onError: (err) => app.log.error({ err, code: 'AUDIT_CHECKPOINT_FAILED' }, 'could not sign an audit checkpoint'),
    afterCheckpoint: async () => {
      const pruned = await pruneAudit({ store, clock, days: config.auditRetentionDays });
      if (pruned > 0) app.log.info({ code: 'AUDIT_PRUNED', events: pruned }, 'pruned audit events past VAULTGATE_AUDIT_RETENTION_DAYS at a checkpoint');
    },
  });
  await checkAuditRetention({ store, clock, days: config.auditRetentionDays });
  if (await checkpoints.ensureKey()) app.log.info({ code: 'AUDIT_KEY_GENERATED' }, 'generated the audit checkpoint key (kept in the database, sealed)');

  // --- authentication throttling (issue 11 §6): failures logged at warn with the credential id, counted in metrics ---
  let metricsRef: ReturnType<typeof registerMetrics> | undefined;
  const throttle = new AuthThrottle({
    credentialFailures: config.authThrottleCredentialFailures, addressFailures: config.authThrottleAddressFailures, windowS: config.authThrottleWindowS,
    onFailure: (f) => {
      app.log.warn({ code: 'AUTHENTICATION_FAILURE', reqId: f.requestId, scheme: f.scheme, reason: f.reason, credential: f.credential, remoteAddress: f.address }, 'authentication failed');
      metricsRef?.authFailed(f.scheme, f.reason);
    },
    onThrottled: (f) => {
      app.log.warn({ code: 'AUTHENTICATION_THROTTLED', reqId: f.requestId, scheme: f.scheme, credential: f.credential, remoteAddress: f.address, retryAfterS: f.retryAfterS }, 'authentication throttled');
      metricsRef?.authThrottled(f.scheme);
    },
    // A credential or address that just became throttled is a refusal in the audit trail (once per window).
    onBecameThrottled: (f) => void audit.refusal(
      { actor: { kind: 'anonymous', id: f.credential ?? '-' }, clientAddress: f.address ?? null, requestId: f.requestId ?? null },
      { action: 'auth.throttled', subject: f.by === 'credential' ? (f.credential ?? '-') : (f.address ?? '-'), details: { scheme: f.scheme, by: f.by, reason: f.reason } },
    ),
  });
  const cache = new RegistryCache(() => clock.now());
  // --- accounts (issue 14): people, organisations, sessions; operator users reach /admin/v1 too ---
  const signInThrottle = new SignInThrottle();
  const totpIssuer = config.environment === 'live' ? 'Vaultgate' : `Vaultgate (${config.environment})`;
  const accounts = new Accounts({
    store, crypto, clock, environment: config.environment, audit, cache, throttle: signInThrottle,
    autoApprove: config.registrationAutoApprove, sessions: { idleS: config.sessionIdleS, absoluteS: config.sessionAbsoluteS },
    totpIssuer,
  });
  const operatorUser = operatorUserResolver(accounts, deps.adminToken);
  // People read /vault/v1 too (issue 16: the portal), with a session or a personal API token.
  const person = personReaderResolver(accounts, deps.adminToken);
  // GET /metrics: the operator token, or an operator user's session (the portal's operator page).
  const metrics = registerMetrics(app, { store, adminToken: deps.adminToken, throttle, operatorUser });
  metricsRef = metrics;
  // --- the change feed (issue 15): long-polls woken by this process's commits, and by polling on PostgreSQL ---
  const feedWaits = new FeedWaits({ maxWaits: config.feedMaxWaits, maxWaitsPerReader: config.feedMaxWaitsPerReader, pollMs: store.kind === 'postgres' ? 400 : 5000 });
  const committer = new GroupCommitter(store, { onBatch: (n) => metrics.commitBatch(n), onCommitted: () => feedWaits.notify() });
  // --- bearer tokens (issue 4) ---
  // A retired key stays published as long as the longest-lived JWT it signed: an access token, or a grant statement.
  const signingKeys = new SigningKeys({ store, crypto, clock, environment: config.environment, alg: config.tokenSigningAlg, tokenLifetimeS: Math.max(config.tokenLifetimeS, STATEMENT_MAX_LIFETIME_S), audit });
  if (await signingKeys.ensureKey()) app.log.info({ code: 'TOKEN_SIGNING_KEY_GENERATED' }, 'generated the first token signing key (kept in the database, sealed)');
  const bearer = new BearerAuthenticator({
    store, cache, clock, environment: config.environment, publicBaseUrl, signingKeys, issuers: config.oidcIssuers,
    jwks: {
      onFetch: (issuer, ok, reason) => (ok ? app.log.info({ code: 'JWKS_FETCHED', issuer }, 'fetched issuer keys') : app.log.warn({ code: 'JWKS_FETCH_FAILED', issuer, reason }, 'could not fetch issuer keys')),
      onKeyUnusable: (issuer, kid, reason) => app.log.warn({ code: 'TOKEN_KEY_UNUSABLE', issuer, kid, reason }, 'an issuer publishes a key that cannot be used'),
    },
  });
  // --- fair use (issue 17 §3): per-party and per-channel ingestion limits; shared across processes on PostgreSQL ---
  const rateLimits = new IngestionRateLimits({
    partyMessages: config.rateLimitPartyMessages, channelMessages: config.rateLimitChannelMessages, windowS: config.rateLimitWindowS,
    shared: store.sharedRateLimiter?.bind(store), syncMs: config.rateLimitSyncMs,
    onError: (err) => app.log.error({ err, code: 'RATE_LIMIT_STORE_FAILED' }, 'the rate-limit counter failed; the request was let through'),
  });
  const common = {
    store, crypto, cache, clock, environment: config.environment, publicBaseUrl, rateLimits,
    timestampWindowS: config.macTimestampWindowS, allowMd5: config.allowMd5, maxBodyBytes: config.maxBodyBytes, committer,
    onIngested: (size: number) => metrics.ingested(size), bearer, throttle, audit,
    // Which MAC form matched (issue 11 §1): counted always; a fallback is logged with the ids, so the operator can
    // tell the integration that needs fixing (the metric cannot name it).
    onMacVerified: (v: { algorithm: MacAlgorithm; form: string; partnerId: string; customerId: string }) => {
      metrics.macVerified(v.algorithm, v.form);
      if (v.form !== 'canonical') app.log.info({ code: 'MAC_FALLBACK_MATCHED', ...v }, 'signed request accepted through a tolerated non-canonical form');
    },
  };
  // --- ingestion insights (issue 16): refused ingestion requests, written in batches off the request path ---
  const refusals = new RefusalRecorder({
    store, clock, cache,
    onDropped: (n, why, err) => {
      metrics.refusalsDropped(why, n);
      if (why === 'write-failed') app.log.error({ err, code: 'INGESTION_REFUSALS_LOST', refusals: n }, 'refused ingestion requests could not be recorded');
    },
  });
  const refusalRetention: PeriodicTask<number> = new PeriodicTask(() => pruneIngestionRefusals({ store, clock, days: config.ingestionRefusalRetentionDays, stopped: () => refusalRetention.stopped }), {
    onDone: (n) => n > 0 && app.log.info({ code: 'INGESTION_REFUSALS_PRUNED', refusals: n }, 'deleted refused ingestion requests past VAULTGATE_INGESTION_REFUSAL_RETENTION_DAYS'),
    onError: (err) => app.log.error({ err, code: 'INGESTION_REFUSALS_PRUNE_FAILED' }, 'could not delete old refused ingestion requests'),
  });
  const trusted = config.trustProxy ? proxyAddr.compile(config.trustProxy) : undefined;
  // Fastify marks only requests that arrive after close() began with Connection: close; a keep-alive request
  // already in flight would keep its connection open and hold the process up until the shutdown timeout.
  let closing = false;
  fastPath = ingestionFastPath({
    ...common, metrics, log: app.log, requestId, closing: () => closing, ...(checkRequest ? { checkRequest } : {}), refusals,
    clientAddress: (req) => (trusted ? proxyAddr(req, trusted) : req.socket.remoteAddress),
  });
  const registry = new Registry({ ...common, auditRetentionDays: config.auditRetentionDays });
  const keys = new KeyAdmin(common);
  const sweeper = new RetentionSweeper({
    store, crypto, clock, transactionIdRetentionH: config.transactionIdRetentionH,
    onSweep: (r) => {
      if (r.expired + r.purged + r.transactionIds > 0) app.log.info({ code: 'RETENTION_SWEEP', ...r }, 'retention sweep');
      // Messages the sweep deleted (by their type's retention, or of deleted companies): one system event per sweep
      // that deleted any, written after the fact (the sweep's deletions are their retention policy's, not a request's).
      if (r.expired + r.purged > 0) void audit.refusal(SYSTEM_CONTEXT, { action: 'retention.sweep', subject: '-', outcome: 'success', details: { expired: r.expired, purged: r.purged } });
    },
    onError: (err) => app.log.error({ err, code: 'RETENTION_SWEEP_FAILED' }, 'retention sweep failed'),
  });

  await app.register(systemRoutes({ store, environment: config.environment, version: VERSION }));
  const clients = new OAuthClients({ ...common, issuers: config.oidcIssuers });
  await app.register(adminRoutes({ registry, keys, sweeper, clients, throttle, audit, checkpoints, operatorUser }, deps.adminToken), { prefix: '/admin/v1' });
  await app.register(auditKeysRoute({ checkpoints }));
  await app.register(adminOAuthRoutes({ clients, signingKeys, throttle, operatorUser }, deps.adminToken), { prefix: '/admin/v1' });
  // Body integrity (issue 17): signature keys per party and channels' Content-Digest rule.
  const signatureKeys = new SignatureKeys(common);
  await app.register(adminSignatureKeyRoutes({ keys: signatureKeys, throttle, operatorUser }, deps.adminToken), { prefix: '/admin/v1' });
  await app.register(oauthRoutes({ ...common, signingKeys, tokenLifetimeS: config.tokenLifetimeS }));
  await app.register(ingestionRoutes({ ...common, refusals }));
  await app.register(ingestionBatchRoutes({ ...common, refusals })); // issue 17: POST /ingestion/{channelId}/batch
  // One resolver for consumer reads, the feed and webhooks (issue 15): each request, poll and attempt resolves anew.
  const scopesFor = deps.scopesFor ?? scopeResolver(store);
  await app.register(vaultRoutes({ ...common, person, checkpoints }), { prefix: '/vault/v1' });
  // Named feed positions (issue 16): committed through /api/v1, read from by /vault/v1/feed?checkpoint=.
  const feedCheckpoints = new FeedCheckpoints({ store, clock, audit, scopesFor });
  await app.register(feedRoutes({ ...common, person, scopesFor, grantEvents: (q) => store.listGrantEvents(q), waits: feedWaits, checkpoints: feedCheckpoints }), { prefix: '/vault/v1' });
  await app.register(sharedReadRoutes({ ...common, person, scopesFor }), { prefix: '/vault/v1' });
  const mailer = config.smtpHost === undefined ? null : smtpMailer({
    host: config.smtpHost, port: config.smtpPort, tls: config.smtpTls as 'starttls' | 'implicit' | 'none', user: config.smtpUser,
    ca: config.smtpCa === undefined ? undefined : readFileSync(config.smtpCa), password: config.smtpPassword, from: config.mailFrom,
  }, (err) => app.log.error({ code: 'MAIL_UNAVAILABLE', cause: (err as { code?: string }).code ?? 'unknown' }, 'SMTP refused a mail (invitation or password reset)'));
  const people = new People({ store, clock, environment: config.environment, audit, cache, invitationTtlH: config.invitationTtlH, publicBaseUrl, mailer });
  const recovery = new Recovery({
    store, crypto, clock, environment: config.environment, audit, throttle: signInThrottle, mailer, passwordResetTtlH: config.passwordResetTtlH, publicBaseUrl,
    totpIssuer,
  });
  // --- sharing (issue 15): grants, and the sweep that records their expiry ---
  const grants = new Grants({ store, clock, environment: config.environment, audit, signingKeys, publicBaseUrl, onEvent: () => feedWaits.notify() });
  // Records `expired` for active grants past notOnOrAfter (reads never wait for it: the resolver checks the time).
  const grantExpiry = new PeriodicTask(() => grants.expireLapsed(), {
    onDone: (n) => n > 0 && app.log.info({ code: 'GRANT_EXPIRY_SWEEP', expired: n }, 'recorded grants past their validity as expired'),
    onError: (err) => app.log.error({ err, code: 'GRANT_EXPIRY_SWEEP_FAILED' }, 'grant expiry sweep failed'),
  });
  // --- webhooks (issue 15): endpoints through /api/v1, dispatch by message position in the background ---
  const policy = addressPolicy({ allowPrivate: config.webhookAllowPrivate, allowCidrs: config.webhookAllowCidrs });
  const webhookSender = new WebhookSender({ policy, ca: config.webhookCa === undefined ? undefined : readFileSync(config.webhookCa), timeoutMs: config.webhookTimeoutS * 1000 });
  const webhooks = new WebhookDispatcher({
    store, crypto, clock, environment: config.environment, audit, scopesFor, sender: webhookSender, rateLimitPerS: config.webhookRateLimitPerS,
    disableAfterMs: config.webhookDisableAfterH * 3_600_000, leaseMs: config.webhookTimeoutS * 1000 + 6_000, log: app.log,
  });
  const webhookEndpoints = new WebhookEndpoints({ store, crypto, clock, environment: config.environment, audit, policy, scopesFor });
  const selfService = new SelfService({ store, registry, clients, crypto, cache, clock, environment: config.environment, audit });
  await app.register(accountRoutes({
    accounts, people, recovery, adminToken: deps.adminToken, sessionAbsoluteS: config.sessionAbsoluteS, publicBaseUrl, portalPath: config.portal ? '/portal/' : undefined,
    oidc: new OidcSignIn({ store, crypto, clock, audit, sessions: accounts.sessions, throttle: signInThrottle, providers: config.oidcSignInProviders }),
    selfService: { selfService, registry, clients },
    integrity: { selfService, keys: signatureKeys },
    grants: { grants },
    webhooks: webhookEndpoints,
    insights: new IngestionInsights({ store, clock }),
    directory: new Directory({ store, clock, audit }),
    feedCheckpoints,
  }), { prefix: '/api/v1' });
  // --- the web portal (issue 16): static files under /portal/, talking to the APIs above over HTTP ---
  if (config.portal) await app.register(portalRoutes({ dir: deps.portalDir }));

  app.addHook('onReady', async () => {
    sweeper.start(config.retentionSweepS);
    checkpoints.start(config.auditCheckpointS);
    grantExpiry.start(config.grantExpirySweepS);
    webhooks.start(config.webhookDispatchMs);
    refusalRetention.start(config.retentionSweepS);
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    if (mustClose(request.raw, closing)) reply.header('connection', 'close');
    done(null, payload);
  });
  // The onRequest hooks (authentication among them) accepted the headers: now the client may send the body.
  app.addHook('preParsing', (request, reply, payload, done) => {
    continueIfExpected(request.raw, reply.raw);
    done(null, payload);
  });
  app.addHook('preClose', async () => {
    closing = true;
    feedWaits.close();
    sweeper.stop();
    checkpoints.stop();
    await grantExpiry.stop();
    await webhooks.stop();
    await refusalRetention.stop();
  });
  app.addHook('onClose', async () => {
    await committer.drain();
    await refusals.close();
    await webhookSender.close();
  });
  return { app, committer, routes, sweeper, webhooks, refusals, refusalRetention };
}
