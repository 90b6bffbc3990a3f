import type { JWK } from 'jose';
import { newId, VaultgateError, type Clock, type Environment } from '../../protocol/index.js';
import type { ExternalClientLinkRecord, ListQuery, OAuthClientRecord, OAuthOwnerKind, Page, Role, Store } from '../../store/index.js';
import type { OidcIssuerConfig } from '../config/oidc-issuers.js';
import { hashClientSecret, newClientSecret } from './client-secret.js';
import { SYSTEM_CONTEXT, type AuditContext, type AuditTrail } from './audit/audit-trail.js';
import { checkId } from './ids.js';
import { importPublicJwk } from './public-key.js';
import type { RegistryCache } from './registry-cache.js';

export interface OAuthClientsDeps {
  store: Store;
  cache: RegistryCache;
  clock: Clock;
  environment: Environment;
  publicBaseUrl: () => string;
  issuers: readonly OidcIssuerConfig[];
  /** Every change appends its event in the change's own transaction (issue 13). */
  audit: AuditTrail;
}

export interface OAuthClientView {
  clientId: string;
  ownerKind: OAuthOwnerKind;
  ownerId: string;
  name: string;
  roles: Role[];
  authMethod: 'client_secret' | 'private_key_jwt';
  publicJwk?: JWK;
  status: string;
  createdAt: string;
  disabledAt: string | null;
  environment: Environment;
  tokenEndpoint: string;
}

export type ExternalClientLinkView = ExternalClientLinkRecord & { environment: Environment };

/**
 * The roles each kind of owner may hold: parties send, companies read their vault; both may read what is shared with
 * their organisation (shared.read, issue 15; a party client only for a vendor-only organisation, whose id is the party's).
 */
const ROLES_BY_OWNER: Record<OAuthOwnerKind, readonly Role[]> = { party: ['ingest', 'shared.read'], company: ['vault.read', 'shared.read'] };
/** The roles a client gets when none are asked for: what the owner does with its own data. */
const DEFAULT_ROLES: Record<OAuthOwnerKind, readonly Role[]> = { party: ['ingest'], company: ['vault.read'] };
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

/** Which algorithm a public JWK signs with, for checking that it can be imported. */
function jwkAlgorithm(jwk: JWK): string | undefined {
  if (typeof jwk.alg === 'string') return jwk.alg;
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'EC') return ({ 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' } as Record<string, string>)[jwk.crv ?? ''];
  if (jwk.kty === 'OKP') return 'EdDSA';
  return undefined;
}

/** The operator's use cases on OAuth clients and links of external issuers' clients. */
export class OAuthClients {
  constructor(private readonly d: OAuthClientsDeps) {}

  #now(): string {
    return new Date(this.d.clock.now()).toISOString();
  }

  #view = (c: OAuthClientRecord): OAuthClientView => ({
    clientId: c.clientId, ownerKind: c.ownerKind, ownerId: c.ownerId, name: c.name, roles: c.roles,
    authMethod: c.publicJwk === null ? 'client_secret' : 'private_key_jwt',
    ...(c.publicJwk === null ? {} : { publicJwk: JSON.parse(c.publicJwk) as JWK }),
    status: c.status, createdAt: c.createdAt, disabledAt: c.disabledAt, environment: this.d.environment,
    tokenEndpoint: `${this.d.publicBaseUrl()}/oauth2/token`,
  });

  #linkView = (l: ExternalClientLinkRecord): ExternalClientLinkView => ({ ...l, environment: this.d.environment });

  /** The owner exists in this environment and is active. */
  async #activeOwner(kind: OAuthOwnerKind, id: string): Promise<void> {
    checkId(id, kind, this.d.environment);
    const owner = kind === 'party' ? await this.d.store.getParty(id) : await this.d.store.getCompany(id);
    if (!owner) throw new VaultgateError('NOT_FOUND', { detail: `No ${kind} ${id}.` });
    if (('status' in owner && owner.status !== 'active') || ('deletedAt' in owner && owner.deletedAt)) {
      throw new VaultgateError('STATE_CONFLICT', { detail: `The ${kind} ${id} is ${kind === 'party' ? 'disabled' : 'deleted'}.` });
    }
  }

  #roles(kind: OAuthOwnerKind, roles: Role[] | undefined): Role[] {
    const allowed = ROLES_BY_OWNER[kind];
    const out = [...new Set(roles ?? DEFAULT_ROLES[kind])];
    const bad = out.filter((r) => !allowed.includes(r));
    if (bad.length > 0 || out.length === 0) {
      throw new VaultgateError('INVALID_REQUEST', { detail: `A ${kind} client may hold only: ${allowed.join(', ')} (got ${bad.join(', ') || 'none'}).` });
    }
    return out;
  }

  async #publicJwk(jwk: unknown): Promise<string> {
    const j = jwk as JWK;
    const alg = typeof j === 'object' && j !== null ? jwkAlgorithm(j) : undefined;
    if (!alg || PRIVATE_MEMBERS.some((m) => m in j) || !['RSA', 'EC', 'OKP'].includes(String(j.kty))) {
      throw new VaultgateError('INVALID_REQUEST', { detail: 'jwk must be a public RSA, EC or OKP key (no private or symmetric members).' });
    }
    try {
      await importPublicJwk(j, alg);
    } catch (err) {
      throw new VaultgateError('INVALID_REQUEST', { detail: `jwk cannot be used: ${(err as Error).message}` });
    }
    return JSON.stringify(j);
  }

  /** A client with a secret (returned once, stored hashed) or, given a public JWK, for private_key_jwt. */
  async createClient(kind: OAuthOwnerKind, ownerId: string, input: { name: string; roles?: Role[]; jwk?: unknown }, ctx: AuditContext = SYSTEM_CONTEXT): Promise<OAuthClientView & { clientSecret?: string }> {
    await this.#activeOwner(kind, ownerId);
    const roles = this.#roles(kind, input.roles);
    const secret = input.jwk === undefined ? newClientSecret() : undefined;
    const rec: OAuthClientRecord = {
      clientId: newId('oauthClient', this.d.environment), ownerKind: kind, ownerId, name: input.name, roles, status: 'active',
      createdAt: this.#now(), disabledAt: null,
      secretHash: secret === undefined ? null : hashClientSecret(secret),
      publicJwk: input.jwk === undefined ? null : await this.#publicJwk(input.jwk),
    };
    await this.d.store.createOAuthClient(rec, this.d.audit.event(ctx, {
      action: 'oauth-client.create', subject: rec.clientId, tenants: kind === 'company' ? [ownerId] : [],
      details: { ownerKind: kind, ownerId, name: rec.name, roles, authMethod: secret === undefined ? 'private_key_jwt' : 'client_secret' },
    }));
    this.d.cache.clear();
    return { ...this.#view(rec), ...(secret === undefined ? {} : { clientSecret: secret }) };
  }

  async listClients(kind: OAuthOwnerKind, ownerId: string, q: ListQuery): Promise<Page<OAuthClientView>> {
    checkId(ownerId, kind, this.d.environment);
    const page = await this.d.store.listOAuthClients({ kind, id: ownerId }, q);
    return { items: page.items.map(this.#view), nextCursor: page.nextCursor };
  }

  async getClient(clientId: string): Promise<OAuthClientView> {
    checkId(clientId, 'oauthClient', this.d.environment);
    const c = await this.d.store.getOAuthClient(clientId);
    if (!c) throw new VaultgateError('NOT_FOUND', { detail: `No client ${clientId}.` });
    return this.#view(c);
  }

  /** Revokes a client: its tokens are refused from the next request on (TOKEN_CLIENT_DISABLED). */
  async disableClient(clientId: string, ctx: AuditContext = SYSTEM_CONTEXT): Promise<OAuthClientView> {
    const c = await this.getClient(clientId);
    await this.d.store.disableOAuthClient(clientId, this.#now(), this.d.audit.event(ctx, {
      action: 'oauth-client.disable', subject: clientId, tenants: c.ownerKind === 'company' ? [c.ownerId] : [], details: { ownerKind: c.ownerKind, ownerId: c.ownerId },
    }));
    this.d.cache.clear();
    return this.getClient(clientId);
  }

  /** Links an external issuer's client id to a party or company; the issuer must be configured. */
  async linkExternalClient(kind: OAuthOwnerKind, ownerId: string, input: { issuer: string; clientId: string; roles?: Role[] }, ctx: AuditContext = SYSTEM_CONTEXT): Promise<ExternalClientLinkView> {
    await this.#activeOwner(kind, ownerId);
    if (!this.d.issuers.some((i) => i.issuer === input.issuer)) {
      const known = this.d.issuers.map((i) => i.issuer);
      throw new VaultgateError('INVALID_REQUEST', { detail: `${input.issuer.slice(0, 200)} is not a configured issuer (VAULTGATE_OIDC_ISSUERS: ${known.join(', ') || 'none'}).` });
    }
    const rec: ExternalClientLinkRecord = {
      id: newId('externalClientLink', this.d.environment), issuer: input.issuer, clientId: input.clientId, ownerKind: kind, ownerId,
      roles: this.#roles(kind, input.roles), status: 'active', createdAt: this.#now(), disabledAt: null,
    };
    await this.d.store.createExternalClientLink(rec, this.d.audit.event(ctx, {
      action: 'external-client.link', subject: rec.id, tenants: kind === 'company' ? [ownerId] : [],
      details: { ownerKind: kind, ownerId, issuer: rec.issuer, clientId: rec.clientId, roles: rec.roles },
    }));
    this.d.cache.clear();
    return this.#linkView(rec);
  }

  async listExternalClients(kind: OAuthOwnerKind, ownerId: string, q: ListQuery): Promise<Page<ExternalClientLinkView>> {
    checkId(ownerId, kind, this.d.environment);
    const page = await this.d.store.listExternalClientLinks({ kind, id: ownerId }, q);
    return { items: page.items.map(this.#linkView), nextCursor: page.nextCursor };
  }

  async disableExternalClient(linkId: string, ctx: AuditContext = SYSTEM_CONTEXT): Promise<ExternalClientLinkView> {
    checkId(linkId, 'externalClientLink', this.d.environment);
    const l = await this.d.store.getExternalClientLink(linkId);
    if (!l) throw new VaultgateError('NOT_FOUND', { detail: `No external client link ${linkId}.` });
    await this.d.store.disableExternalClientLink(linkId, this.#now(), this.d.audit.event(ctx, {
      action: 'external-client.disable', subject: linkId, tenants: l.ownerKind === 'company' ? [l.ownerId] : [], details: { issuer: l.issuer, clientId: l.clientId },
    }));
    this.d.cache.clear();
    return this.#linkView((await this.d.store.getExternalClientLink(linkId))!);
  }
}
