import type { FastifyInstance, FastifyRequest } from 'fastify';
import { VaultgateError } from '../../../protocol/index.js';
import type { AuditTrail } from '../../services/audit/audit-trail.js';
import type { Principal } from '../../services/authenticate-request.js';
import { readFeed, type FeedDeps, type FeedRequest } from '../../services/delivery/feed.js';
import { authorizeFeedRead, grantScopesOnly, type FeedReader } from '../../services/delivery/feed-reader.js';
import type { FeedCheckpoints } from '../../services/delivery/feed-checkpoints.js';
import { consumeReadTransaction, type VaultDeps } from '../../services/read-vault.js';
import { auditContext } from '../audit.js';
import { errorResponses, messageMetaSchema } from '../schemas.js';
import { personFeedReader } from '../accounts/vault-person.js';
import { personSecurity, registerVaultGate, vaultHeadersSchema, type VaultGateDeps } from '../vault-gate.js';
import { refusalTenants } from '../vault.js';

declare module 'fastify' {
  interface FastifyRequest {
    feedReader?: FeedReader;
  }
}

const feedItemSchema = {
  type: 'object',
  additionalProperties: true,
  required: ['type', 'position', 'companyId', 'grantId'],
  description: 'A message (`message.received`: metadata, `links.body`, and with body=inline `body` or `bodyBase64`) or a grant event (`grant.*`: `grant` holds the grant\'s terms after it).',
  properties: {
    type: { type: 'string', description: 'message.received | grant.requested | grant.offered | grant.activated | grant.declined | grant.revoked | grant.withdrawn | grant.expired' },
    position: { type: 'integer', description: 'The item\'s place in its stream (message seq, or grant event seq).' },
    companyId: { type: 'string', description: 'The owner vault (company id) the item belongs to.' },
    grantId: { type: ['string', 'null'], description: 'The grant a shared item is seen through; null for the owner\'s own messages.' },
    message: messageMetaSchema,
    links: { type: 'object', properties: { body: { type: 'string' } } },
    body: { type: 'string', description: 'body=inline, text media types that are valid UTF-8' },
    bodyBase64: { type: 'string', description: 'body=inline, other bodies' },
  },
} as const;

/**
 * GET /vault/v1/feed (issue 15): the change feed, in a plugin of its own (register under /vault/v1). Readers: a MAC
 * customer credential with vault.read or a company client's bearer token with vault.read (that company's
 * organisation: its own vault and what its grants cover), or a bearer token with shared.read, of a company's or a
 * vendor-only organisation's client (that organisation: only what its grants cover); services/delivery/feed-reader.ts;
 * or (issue 16) a person of an organisation, any role, as its shared.read client (what its grants cover),
 * accounts/vault-person.ts.
 * A refused poll (403) is a `vault.access` event. Each answer that carries items is one `feed.read` audit event
 * (tenants: the reader and every owner whose messages it returned); an empty answer is not audited. With
 * `checkpoint=<name>` (issue 16) the poll starts at that checkpoint of the reader's organisation (reading never moves
 * it: the follower commits nextCursor with PUT /api/v1/organisations/{id}/feed/checkpoints/{name}).
 */
export function feedRoutes(d: FeedDeps & VaultDeps & VaultGateDeps & { audit: AuditTrail; checkpoints?: FeedCheckpoints | undefined }) {
  return async (app: FastifyInstance): Promise<void> => {
    registerVaultGate(app, d, {
      action: 'vault.access',
      credential: (p, key) => authorizeFeedRead(d, p, key),
      person: async (p, key) => personFeedReader(p, key),
      refusalTenants: (p) => tenantsOfRefusal(p),
      assign: (request, reader) => {
        request.feedReader = reader;
      },
    });
    /** A bearer client's organisation (company or vendor-only); for MAC, as the vault reads record it. */
    const tenantsOfRefusal = async (p: Principal): Promise<string[]> => (p.scheme === 'bearer' ? [p.ownerId] : refusalTenants(d, p));
    // A shared.read-only reader sees what its grants cover, never its own vault: the owner scope is left out.
    const grantsOnly = { ...d, scopesFor: grantScopesOnly(d.scopesFor) };
    const depsOf = (request: FastifyRequest): FeedDeps => (request.feedReader!.ownVault ? d : grantsOnly);

    app.get<{ Querystring: FeedRequest & { checkpoint?: string } }>('/feed', {
      schema: {
        tags: ['vault'],
        security: [{ netvisorMac: [] }, { bearerToken: ['vault.read'] }, { bearerToken: ['shared.read'] }, ...personSecurity],
        headers: vaultHeadersSchema,
        summary: 'The change feed: new messages and grant events you may see, in order, from a cursor; long-polls with wait',
        description: 'Answers `{items, nextCursor, hasMore}`. Pass `nextCursor` back to continue (it holds positions only: it survives restarts and works on every gateway process). With `wait`=1-60 and nothing to show, the answer waits until an item arrives or the seconds pass (then it is empty, with a cursor to continue from). Scopes are resolved at every poll: a revoked grant shows nothing from the next poll on. A vault.read credential or token sees its company\'s vault and what its grants cover; a token with only shared.read (a company\'s or a vendor-only organisation\'s client), and a person of an organisation (session or personal API token, Vaultgate-Organisation), see only what its grants cover. docs/sharing.md#change-feed.',
        querystring: {
          type: 'object', additionalProperties: false,
          properties: {
            cursor: { type: 'string', maxLength: 65536, description: 'nextCursor of the previous answer; absent: from the oldest item.' },
            checkpoint: { type: 'string', maxLength: 64, description: 'Start at this feed checkpoint of your organisation (instead of cursor); commit nextCursor back with PUT /api/v1/organisations/{id}/feed/checkpoints/{name}.' },
            limit: { type: 'string', maxLength: 5, description: '1-1000, default 100' },
            wait: { type: 'string', maxLength: 5, description: 'Seconds to wait for an item, 0-60, default 0' },
            body: { type: 'string', maxLength: 10, description: '`inline`: each message carries its body' },
          },
        },
        response: {
          200: {
            type: 'object', required: ['items', 'nextCursor', 'hasMore'],
            properties: { items: { type: 'array', items: feedItemSchema }, nextCursor: { type: 'string' }, hasMore: { type: 'boolean' } },
          },
          ...errorResponses(400, 401, 403, 404, 409, 421, 429, 503),
        },
      },
    }, async (request, reply) => {
      const reader = request.feedReader!;
      // A client that goes away ends its wait (its slot is freed at once). The server keeps half-open connections (a
      // client may half-close after sending, app.ts), so the client's FIN ('end') counts too: such a client still gets
      // the answer, at once rather than at the end of the wait.
      const gone = new AbortController();
      const socket = request.raw.socket;
      const leave = (): void => {
        gone.abort();
        // Nothing more can come on a connection the client ended: close it after the answer (none is left half-open).
        if (!reply.sent) reply.header('connection', 'close');
      };
      socket.once('end', leave);
      socket.once('close', leave);
      reply.raw.once('finish', () => {
        socket.off('end', leave);
        socket.off('close', leave);
      });
      const { checkpoint, ...query } = request.query;
      if (checkpoint !== undefined) {
        if (query.cursor !== undefined) throw new VaultgateError('INVALID_REQUEST', { detail: 'Give cursor or checkpoint, not both.' });
        if (!d.checkpoints) throw new VaultgateError('FEED_CHECKPOINT_NOT_FOUND', { detail: 'This server keeps no checkpoints.' });
        query.cursor = await d.checkpoints.cursorOf(reader.organisationId, checkpoint);
      }
      const page = await readFeed(depsOf(request), reader.organisationId, query, gone.signal);
      await consumeReadTransaction(d, reader.ledger);
      if (page.items.length > 0) {
        const messages = page.items.filter((i) => i.type === 'message.received');
        const first = messages[0] as { message?: { messageId: string } } | undefined;
        const last = messages[messages.length - 1] as { message?: { messageId: string } } | undefined;
        await d.audit.record(auditContext(request, request.auditActor!), {
          action: 'feed.read', subject: reader.organisationId,
          tenants: [...new Set([reader.organisationId, ...Object.keys(page.owners)])],
          details: {
            count: page.items.length, messages: messages.length, grantEvents: page.items.length - messages.length, owners: page.owners,
            firstMessageId: first?.message?.messageId ?? null, lastMessageId: last?.message?.messageId ?? null,
            inline: request.query.body === 'inline',
          },
        });
      }
      reply.header('cache-control', 'no-store');
      return { items: page.items, nextCursor: page.nextCursor, hasMore: page.hasMore };
    });
  };
}
