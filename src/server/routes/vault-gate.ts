import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VaultgateError, type AuditActor, type Environment } from '../../protocol/index.js';
import type { AuditTrail } from '../services/audit/audit-trail.js';
import { authenticateRequest, type AuthDeps, type Principal } from '../services/authenticate-request.js';
import { readIdempotencyKey } from '../services/authorize-bearer.js';
import { isPersonRequest, namedOrganisation, type PersonReader, type PersonReaderResolver } from './accounts/vault-person.js';
import { auditContext } from './audit.js';
import { macHeadersSchema } from './schemas.js';

/*
 * The one authentication gate of the /vault/v1 plugins (own vault, shared reads, the feed): who the request comes from
 * — a MAC customer credential, an OAuth client's bearer token, or (issue 16) a person — then the plugin's own
 * authorization of that reader. A refused read (403) is an audit event of its own (issue 13 §1), in its own
 * transaction.
 */

declare module 'fastify' {
  interface FastifyRequest {
    auditActor?: AuditActor;
  }
}

export interface VaultGateDeps extends AuthDeps {
  audit: AuditTrail;
  environment: Environment;
  /** People's reads (sessions, personal API tokens); absent: only credentials and clients read. */
  person?: PersonReaderResolver | undefined;
}

/** What one /vault/v1 plugin makes of an authenticated request. */
export interface VaultGate<R> {
  /** The audit action of a refused request: `vault.access` or `shared.access`. */
  action: string;
  /** Authorises a MAC credential or bearer client (the request's Idempotency-Key is the bearer's ledger id). */
  credential(p: Principal, idempotencyKey: string | undefined): Promise<R>;
  /** Authorises a person for the organisation they read for (Idempotency-Key as for bearer clients). */
  person(p: PersonReader, idempotencyKey: string | undefined): Promise<R>;
  /** The audit tenants of a credential's refused request. */
  refusalTenants(p: Principal, request: FastifyRequest): Promise<string[]>;
  /** Tenants every refusal concerns besides the reader (the owner named in a shared read's path). */
  alsoConcerns?(request: FastifyRequest): string[];
  /** Keeps the authorised reader on the request for the handlers. */
  assign(request: FastifyRequest, reader: R): void;
}

/** The OpenAPI security of a person's read (issue 16): a session (cookie or bearer) or a personal API token. */
export const personSecurity: Record<string, string[]>[] = [{ sessionCookie: [] }, { sessionToken: [] }, { apiToken: [] }];

/** The request headers of a /vault/v1 route: the signed-header scheme's, and a person's organisation. */
export const vaultHeadersSchema = {
  type: 'object',
  properties: {
    ...macHeadersSchema.properties,
    'vaultgate-organisation': { type: 'string', description: 'A person\'s read: the organisation read for (co_… or tp_…); needed when the user has several memberships, implied by a personal API token. docs/api.md#people-reading-the-vault' },
  },
} as const;

/** The audit actor of a credential or client (issue 13: who reads). */
export const actorOf = (p: Principal): AuditActor =>
  p.scheme === 'bearer' ? { kind: 'oauth-client', id: p.clientId } : { kind: 'customer', id: p.customer.customerId };

/**
 * Registers the gate as the plugin's onRequest hook. Which path a request takes is decided from its headers alone
 * (vault-person.ts isPersonRequest): MAC headers → MAC; a bearer JWT → OAuth; a session token, a vgp_… token or the
 * session cookie → a person; so the credential paths do no more than before (no cookie plugin: vault-person.ts parses
 * the cookie on the person path only). A person's failed authentication is throttled per address like the other
 * schemes'.
 */
export function registerVaultGate<R>(app: FastifyInstance, d: VaultGateDeps, gate: VaultGate<R>): void {
  const person = d.person;
  /** A person's authentication and organisation, failures counted per address (a session token holds no id to count by). */
  const resolvePerson = (request: FastifyRequest, reply: FastifyReply): Promise<PersonReader> => {
    if (!d.throttle) return person!(request, reply);
    return d.throttle.guard({ scheme: 'session', credential: undefined, address: request.ip, requestId: request.id, perCredential: false }, () => person!(request, reply));
  };
  app.addHook('onRequest', async (request, reply) => {
    let principal: Principal | undefined;
    let reader: PersonReader | undefined;
    if (!person || !isPersonRequest(request.headers, request.style.mac)) {
      principal = await authenticateRequest(d, request.headers, request.url, request.style.mac, { address: request.ip, requestId: request.id });
      request.auditActor = actorOf(principal);
    }
    try {
      if (principal) {
        gate.assign(request, await gate.credential(principal, principal.scheme === 'bearer' ? readIdempotencyKey(request.headers) : undefined));
      } else {
        reader = await resolvePerson(request, reply);
        gate.assign(request, await gate.person(reader, readIdempotencyKey(request.headers)));
      }
    } catch (err) {
      // A forbidden read attempt is an event of its own (issue 13 §1), written in its own transaction.
      if (err instanceof VaultgateError && err.status === 403 && request.auditActor) {
        const reading = principal ? await gate.refusalTenants(principal, request) : reader ? [reader.organisation.id] : namedOrganisation(request, d.environment);
        await d.audit.refusal(auditContext(request, request.auditActor), {
          action: gate.action, subject: request.routeOptions.url ?? '-', tenants: [...new Set([...reading, ...(gate.alsoConcerns?.(request) ?? [])])],
          details: { code: err.code, method: request.method },
        });
      }
      throw err;
    }
  });
}
