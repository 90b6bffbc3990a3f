import { newId, newSecretKey, VaultgateError, type Clock, type Environment } from '../../protocol/index.js';
import type {
  ChannelRecord, ChannelRequestRecord, ChannelRequestStatus, ListQuery, MessageTypeAgreement, OAuthOwnerKind, OrganisationRecord, Page, Role, Scope, Store,
} from '../../store/index.js';
import { SYSTEM_OWNER, type VaultCrypto } from '../crypto/vault-crypto.js';
import type { AuditContext, AuditTrail } from './audit/audit-trail.js';
import { hashClientSecret, newClientSecret } from './client-secret.js';
import { checkId } from './ids.js';
import { pageAcross, type PagedSource } from './page-across.js';
import type { OAuthClients, OAuthClientView } from './oauth-clients.js';
import type { RegistryCache } from './registry-cache.js';
import { requireBusinessId } from './business-id.js';
import {
  customerKeyAad, normalizeMessageTypes, partnerKeyAad, type ChannelView, type CustomerCredentialView, type PartnerCredentialView, type Registry,
} from './registry.js';

/*
 * Self-service of an organisation (issue 14), free of Fastify: a company's customer credentials and OAuth clients, a
 * software vendor's partner credentials and OAuth clients, and channels by request and approval. Creation, listing
 * and disabling are the operator's use cases (Registry, OAuthClients) applied to the caller's own organisation;
 * what is new here is rotation with an overlap window and the channel request. Authorization (who may call which)
 * is the routes' (accounts.authorize); everything here checks that the object belongs to the organisation, and
 * answers NOT_FOUND otherwise (an id of another organisation is indistinguishable from an unknown one).
 */

/** The default overlap window of a rotation: the old secret keeps working this long (hours). */
export const DEFAULT_OVERLAP_HOURS = 24;
/** The longest overlap window a rotation may ask for (hours): a week. */
export const MAX_OVERLAP_HOURS = 168;

export interface SelfServiceDeps {
  store: Store;
  registry: Registry;
  clients: OAuthClients;
  crypto: VaultCrypto;
  cache: RegistryCache;
  clock: Clock;
  environment: Environment;
  audit: AuditTrail;
}

export interface Rotation { overlapHours?: number | undefined }
export interface RotatedInfo { rotatedAt: string; previousValidUntil: string }
/**
 * A channel request as the API answers it: the record (`messageTypes` as the vendor requested them) with what a
 * company admin needs to decide — the vendor's and the company's names and the requester's email (null when the
 * operator token requested it) — and, once approved, `grantedMessageTypes`: what the channel got (possibly narrowed),
 * read from the channel itself; null while pending or when declined.
 */
export type ChannelRequestView = ChannelRequestRecord & {
  environment: Environment;
  vendorName: string;
  companyName: string;
  requestedByEmail: string | null;
  grantedMessageTypes: MessageTypeAgreement[] | null;
};

export class SelfService {
  constructor(private readonly d: SelfServiceDeps) {}

  #now(): string {
    return new Date(this.d.clock.now()).toISOString();
  }

  async #org(id: string): Promise<OrganisationRecord> {
    const o = await this.d.store.getOrganisation(id);
    if (!o) throw new VaultgateError('NOT_FOUND', { detail: `No organisation ${id}.` });
    return o;
  }

  /** The organisation's company id (ORGANISATION_KIND_MISMATCH when it is not a company). */
  async companyOf(orgId: string): Promise<string> {
    const o = await this.#org(orgId);
    if (!o.companyId) throw new VaultgateError('ORGANISATION_KIND_MISMATCH', { detail: `${orgId} is not a company.` });
    return o.companyId;
  }

  /** The organisation's party id (ORGANISATION_KIND_MISMATCH when it is not a software vendor). */
  async partyOf(orgId: string): Promise<string> {
    const o = await this.#org(orgId);
    if (!o.partyId) throw new VaultgateError('ORGANISATION_KIND_MISMATCH', { detail: `${orgId} is not a software vendor.` });
    return o.partyId;
  }

  /** The overlap window's end for a rotation now: 0..MAX_OVERLAP_HOURS hours (0 refuses the old secret at once). */
  #validUntil(r: Rotation): { rotatedAt: string; previousValidUntil: string } {
    const hours = r.overlapHours ?? DEFAULT_OVERLAP_HOURS;
    if (!Number.isInteger(hours) || hours < 0 || hours > MAX_OVERLAP_HOURS) {
      throw new VaultgateError('INVALID_REQUEST', { detail: `overlapHours must be a whole number from 0 to ${MAX_OVERLAP_HOURS}.` });
    }
    const now = this.d.clock.now();
    return { rotatedAt: new Date(now).toISOString(), previousValidUntil: new Date(now + hours * 3_600_000).toISOString() };
  }

  // --- customer credentials (a company's) ---

  async listCustomerCredentials(orgId: string, q: ListQuery): Promise<Page<CustomerCredentialView>> {
    return this.d.registry.listCustomerCredentials(await this.companyOf(orgId), q);
  }

  async createCustomerCredential(orgId: string, input: { name: string; scopes?: Scope[] | undefined }, ctx: AuditContext) {
    return this.d.registry.createCustomerCredential(await this.companyOf(orgId), input, ctx);
  }

  async #ownCustomer(orgId: string, customerId: string): Promise<CustomerCredentialView> {
    const companyId = await this.companyOf(orgId);
    return owned(this.d.registry.getCustomerCredential(customerId), (c) => c.companyId === companyId, `customer credential ${customerId}`);
  }

  async disableCustomerCredential(orgId: string, customerId: string, ctx: AuditContext): Promise<CustomerCredentialView> {
    await this.#ownCustomer(orgId, customerId);
    return this.d.registry.disableCustomerCredential(customerId, ctx);
  }

  /** A new customer key (shown once); the old one keeps working until previousValidUntil. STATE_CONFLICT when disabled. */
  async rotateCustomerCredential(orgId: string, customerId: string, r: Rotation, ctx: AuditContext): Promise<CustomerCredentialView & RotatedInfo & { customerKey: string }> {
    const c = await this.#ownCustomer(orgId, customerId);
    const customerKey = await this.#rotateKey('customer', customerId, c.companyId, r, ctx);
    return { ...(await this.d.registry.getCustomerCredential(customerId)), ...customerKey.info, customerKey: customerKey.key };
  }

  // --- partner credentials (a vendor's) ---

  async listPartnerCredentials(orgId: string, q: ListQuery): Promise<Page<PartnerCredentialView>> {
    return this.d.registry.listPartnerCredentials(await this.partyOf(orgId), q);
  }

  async createPartnerCredential(orgId: string, ctx: AuditContext) {
    return this.d.registry.createPartnerCredential(await this.partyOf(orgId), ctx);
  }

  async #ownPartner(orgId: string, partnerId: string): Promise<PartnerCredentialView> {
    const partyId = await this.partyOf(orgId);
    return owned(this.d.registry.getPartnerCredential(partnerId), (c) => c.partyId === partyId, `partner credential ${partnerId}`);
  }

  async disablePartnerCredential(orgId: string, partnerId: string, ctx: AuditContext): Promise<PartnerCredentialView> {
    await this.#ownPartner(orgId, partnerId);
    return this.d.registry.disablePartnerCredential(partnerId, ctx);
  }

  async rotatePartnerCredential(orgId: string, partnerId: string, r: Rotation, ctx: AuditContext): Promise<PartnerCredentialView & RotatedInfo & { partnerKey: string }> {
    await this.#ownPartner(orgId, partnerId);
    const rotated = await this.#rotateKey('partner', partnerId, null, r, ctx);
    return { ...(await this.d.registry.getPartnerCredential(partnerId)), ...rotated.info, partnerKey: rotated.key };
  }

  /** Seals a new MAC key, keeps the current one as the previous key (sealed as it was) until the window ends. */
  async #rotateKey(kind: 'partner' | 'customer', id: string, companyId: string | null, r: Rotation, ctx: AuditContext): Promise<{ key: string; info: RotatedInfo }> {
    const info = this.#validUntil(r);
    const current = kind === 'partner' ? await this.d.store.getPartnerCredential(id) : await this.d.store.getCustomerCredential(id);
    if (!current || current.status !== 'active') throw new VaultgateError('STATE_CONFLICT', { detail: `${id} is disabled: create a new credential instead.` });
    const key = newSecretKey();
    const sealed = await this.d.crypto.seal(SYSTEM_OWNER, Buffer.from(key, 'latin1'), kind === 'partner' ? partnerKeyAad(id) : customerKeyAad(id));
    const ok = await this.d.store.rotateCredentialKey(kind, id, sealed, {
      credentialId: id, keyCiphertext: current.keyCiphertext, secretHash: null, rotatedAt: info.rotatedAt, validUntil: info.previousValidUntil,
    }, this.d.audit.event(ctx, {
      action: `${kind}-credential.rotate`, subject: id, tenants: companyId ? [companyId] : [], details: { previousValidUntil: info.previousValidUntil },
    }));
    if (!ok) throw new VaultgateError('STATE_CONFLICT', { detail: `${id} is disabled: create a new credential instead.` });
    this.d.cache.clear();
    return { key, info };
  }

  // --- OAuth clients (either kind of owner) ---

  /** Which owner a new client of the organisation gets: as asked, else the organisation's only kind. */
  async #owner(orgId: string, asked: OAuthOwnerKind | undefined): Promise<{ kind: OAuthOwnerKind; id: string }> {
    const o = await this.#org(orgId);
    const kind = asked ?? (o.companyId && o.partyId ? undefined : o.companyId ? 'company' : 'party');
    if (!kind) throw new VaultgateError('INVALID_REQUEST', { detail: `${orgId} is both a company and a vendor: say which the client is for with "owner": "company" or "party".` });
    const id = kind === 'company' ? o.companyId : o.partyId;
    if (!id) throw new VaultgateError('ORGANISATION_KIND_MISMATCH', { detail: `${orgId} is not a ${kind === 'company' ? 'company' : 'software vendor'}.` });
    return { kind, id };
  }

  /** The organisation's clients, both kinds (company clients first when it is both), in pages (pageAcross). */
  async listClients(orgId: string, q: ListQuery): Promise<Page<OAuthClientView>> {
    const o = await this.#org(orgId);
    const sources: PagedSource<OAuthClientView>[] = [];
    for (const [kind, id] of [['company', o.companyId], ['party', o.partyId]] as const) {
      if (id) sources.push({ list: (p) => this.d.clients.listClients(kind, id, p) });
    }
    return pageAcross(sources, q);
  }

  async createClient(orgId: string, input: { name: string; owner?: OAuthOwnerKind | undefined; roles?: Role[]; jwk?: unknown }, ctx: AuditContext) {
    const { owner: asked, ...rest } = input;
    const owner = await this.#owner(orgId, asked);
    return this.d.clients.createClient(owner.kind, owner.id, rest, ctx);
  }

  async #ownClient(orgId: string, clientId: string): Promise<OAuthClientView> {
    const o = await this.#org(orgId);
    return owned(this.d.clients.getClient(clientId), (c) => c.ownerId === (c.ownerKind === 'company' ? o.companyId : o.partyId), `OAuth client ${clientId}`);
  }

  async disableClient(orgId: string, clientId: string, ctx: AuditContext): Promise<OAuthClientView> {
    await this.#ownClient(orgId, clientId);
    return this.d.clients.disableClient(clientId, ctx);
  }

  /** A new client secret (shown once); the old one keeps working for the token endpoint until previousValidUntil. */
  async rotateClient(orgId: string, clientId: string, r: Rotation, ctx: AuditContext): Promise<OAuthClientView & RotatedInfo & { clientSecret: string }> {
    const c = await this.#ownClient(orgId, clientId);
    const info = this.#validUntil(r);
    const rec = await this.d.store.getOAuthClient(clientId);
    if (!rec || rec.status !== 'active') throw new VaultgateError('STATE_CONFLICT', { detail: `${clientId} is disabled: create a new client instead.` });
    if (rec.secretHash === null) throw new VaultgateError('STATE_CONFLICT', { detail: `${clientId} authenticates with private_key_jwt: it has no secret to rotate (register a new key with a new client).` });
    const clientSecret = newClientSecret();
    const ok = await this.d.store.rotateOAuthClientSecret(clientId, hashClientSecret(clientSecret), {
      credentialId: clientId, keyCiphertext: null, secretHash: rec.secretHash, rotatedAt: info.rotatedAt, validUntil: info.previousValidUntil,
    }, this.d.audit.event(ctx, {
      action: 'oauth-client.rotate', subject: clientId, tenants: c.ownerKind === 'company' ? [c.ownerId] : [], details: { previousValidUntil: info.previousValidUntil },
    }));
    if (!ok) throw new VaultgateError('STATE_CONFLICT', { detail: `${clientId} is disabled: create a new client instead.` });
    this.d.cache.clear();
    return { ...(await this.d.clients.getClient(clientId)), ...info, clientSecret };
  }

  // --- channels by request ---

  /** The views of requests; names, emails and channels looked up once each (a list repeats them). */
  async #views(records: readonly ChannelRequestRecord[]): Promise<ChannelRequestView[]> {
    const memo = new Map<string, Promise<unknown>>();
    const once = <T>(key: string, load: () => Promise<T>): Promise<T> => {
      if (!memo.has(key)) memo.set(key, load());
      return memo.get(key) as Promise<T>;
    };
    const store = this.d.store;
    return Promise.all(records.map(async (r) => {
      const [party, company, requester, channel] = await Promise.all([
        once(`party ${r.partyId}`, () => store.getParty(r.partyId)),
        once(`company ${r.companyId}`, () => store.getCompany(r.companyId)),
        once(`user ${r.requestedBy}`, () => store.getUser(r.requestedBy)),
        r.status === 'approved' && r.channelId ? once(`channel ${r.channelId}`, () => store.getChannel(r.channelId!)) : undefined,
      ]);
      return {
        ...r, environment: this.d.environment, vendorName: party?.name ?? '', companyName: company?.name ?? '',
        requestedByEmail: requester?.email ?? null, grantedMessageTypes: channel?.messageTypes ?? null,
      };
    }));
  }

  async #view(r: ChannelRequestRecord): Promise<ChannelRequestView> {
    return (await this.#views([r]))[0]!;
  }

  /**
   * A vendor asks for a channel to the company with `businessId`, for the message types and media types it will
   * send. Pending until the company's admin decides; no channel exists until then. BUSINESS_ID_INVALID for a wrong
   * check digit, NOT_FOUND for an unknown business id, STATE_CONFLICT for a deleted company or a disabled vendor.
   */
  async requestChannel(orgId: string, input: { businessId: string; messageTypes: MessageTypeAgreement[] }, ctx: AuditContext): Promise<ChannelRequestView> {
    const partyId = await this.partyOf(orgId);
    const party = await this.d.registry.getParty(partyId);
    if (party.status !== 'active') throw new VaultgateError('STATE_CONFLICT', { detail: `${orgId} is disabled.` });
    // A typo in a Finnish business id is told as such (as at registration), not as a company that does not exist.
    requireBusinessId(input.businessId);
    const company = await this.d.store.getCompanyByBusinessId(input.businessId);
    if (!company || company.deletedAt) throw new VaultgateError('NOT_FOUND', { detail: `No company with the business id ${input.businessId} uses Vaultgate.` });
    const r: ChannelRequestRecord = {
      id: newId('channelRequest', this.d.environment), partyId, companyId: company.id, messageTypes: normalizeMessageTypes(input.messageTypes),
      status: 'pending', requestedBy: ctx.actor.id, createdAt: this.#now(), decidedAt: null, decidedBy: null, channelId: null,
    };
    await this.d.store.createChannelRequest(r, this.d.audit.event(ctx, {
      action: 'channel-request.create', subject: r.id, tenants: [company.id], details: { partyId, messageTypes: r.messageTypes.map((t) => t.name) },
    }));
    return this.#view(r);
  }

  /**
   * The organisation's requests in pages (pageAcross): those made to it as a company, then those it made as a vendor
   * (a request to itself once), each side oldest first.
   */
  async listChannelRequests(orgId: string, q: ListQuery & { status?: ChannelRequestStatus | undefined }): Promise<Page<ChannelRequestView>> {
    const o = await this.#org(orgId);
    const sources: PagedSource<ChannelRequestRecord>[] = [];
    if (o.companyId) sources.push({ list: (p) => this.d.store.listChannelRequests({ ...p, companyId: o.companyId!, status: q.status }) });
    if (o.partyId) sources.push({ list: (p) => this.d.store.listChannelRequests({ ...p, partyId: o.partyId!, status: q.status }), skip: (r) => r.companyId === o.companyId });
    const page = await pageAcross(sources, q);
    return { items: await this.#views(page.items), nextCursor: page.nextCursor };
  }

  /** A request made to this organisation as a company (NOT_FOUND otherwise). */
  async #incoming(orgId: string, requestId: string): Promise<ChannelRequestRecord> {
    const companyId = await this.companyOf(orgId);
    checkId(requestId, 'channelRequest', this.d.environment);
    const r = await this.d.store.getChannelRequest(requestId);
    if (!r || r.companyId !== companyId) throw new VaultgateError('NOT_FOUND', { detail: `No channel request ${requestId} to ${orgId}.` });
    if (r.status !== 'pending') throw new VaultgateError('STATE_CONFLICT', { detail: `Channel request ${requestId} is ${r.status} already.` });
    return r;
  }

  /**
   * The company approves: the channel is created with what was requested or a narrowing of it (a subset of the
   * message types, each with a subset of its media types; CHANNEL_GRANT_EXCEEDS_REQUEST otherwise), in the same
   * transaction as the decision.
   */
  async approveChannelRequest(orgId: string, requestId: string, input: { messageTypes?: MessageTypeAgreement[] | undefined }, ctx: AuditContext): Promise<ChannelRequestView & { channel: ChannelView }> {
    const r = await this.#incoming(orgId, requestId);
    const granted = input.messageTypes ? normalizeMessageTypes(input.messageTypes) : r.messageTypes;
    for (const t of granted) {
      const asked = r.messageTypes.find((x) => x.name === t.name);
      const extra = asked ? t.mediaTypes.filter((m) => !asked.mediaTypes.includes(m)) : [];
      if (!asked || extra.length > 0) {
        throw new VaultgateError('CHANNEL_GRANT_EXCEEDS_REQUEST', { detail: asked ? `${t.name}: ${extra.join(', ')} was not requested.` : `${t.name} was not requested.` });
      }
    }
    const at = this.#now();
    const channel: ChannelRecord = { id: newId('channel', this.d.environment), companyId: r.companyId, partyId: r.partyId, messageTypes: granted, status: 'active', createdAt: at, disabledAt: null };
    const ok = await this.d.store.decideChannelRequest(requestId, { status: 'approved', at, decidedBy: ctx.actor.id, channel }, this.d.audit.event(ctx, {
      action: 'channel-request.approve', subject: requestId, tenants: [r.companyId], details: { channelId: channel.id, partyId: r.partyId, messageTypes: granted.map((t) => t.name) },
    }));
    if (!ok) throw new VaultgateError('STATE_CONFLICT', { detail: `Channel request ${requestId} was decided meanwhile.` });
    this.d.cache.clear();
    // What the channel got, as stored (grantedMessageTypes in the view is read from it too), not what was asked.
    return { ...(await this.#view((await this.d.store.getChannelRequest(requestId))!)), channel: await this.d.registry.getChannel(channel.id) };
  }

  async declineChannelRequest(orgId: string, requestId: string, ctx: AuditContext): Promise<ChannelRequestView> {
    const r = await this.#incoming(orgId, requestId);
    const ok = await this.d.store.decideChannelRequest(requestId, { status: 'declined', at: this.#now(), decidedBy: ctx.actor.id, channel: null }, this.d.audit.event(ctx, {
      action: 'channel-request.decline', subject: requestId, tenants: [r.companyId], details: { partyId: r.partyId },
    }));
    if (!ok) throw new VaultgateError('STATE_CONFLICT', { detail: `Channel request ${requestId} was decided meanwhile.` });
    return this.#view((await this.d.store.getChannelRequest(requestId))!);
  }

  /** The organisation's channels on either side in pages (pageAcross): as the company, then as the vendor (its own once). */
  async listChannels(orgId: string, q: ListQuery): Promise<Page<ChannelView>> {
    const o = await this.#org(orgId);
    const sources: PagedSource<ChannelView>[] = [];
    if (o.companyId) sources.push({ list: (p) => this.d.registry.listChannels({ ...p, companyId: o.companyId! }) });
    if (o.partyId) sources.push({ list: (p) => this.d.registry.listChannels({ ...p, partyId: o.partyId! }), skip: (c) => c.companyId === o.companyId });
    return pageAcross(sources, q);
  }

  /** A channel the organisation is on, on either side (NOT_FOUND otherwise). */
  async channel(orgId: string, channelId: string): Promise<ChannelView> {
    const o = await this.#org(orgId);
    return owned(this.d.registry.getChannel(channelId), (c) => c.companyId === o.companyId || c.partyId === o.partyId, `channel ${channelId}`);
  }

  /** Either side may disable a channel; it stops at once. */
  async disableChannel(orgId: string, channelId: string, ctx: AuditContext): Promise<ChannelView> {
    await this.channel(orgId, channelId);
    return this.d.registry.disableChannel(channelId, ctx);
  }
}

/**
 * The thing `found` resolves to when `mine` says the organisation owns it. An unknown id and another organisation's
 * id answer the same `NOT_FOUND` (`No <what>.`), so the answer tells nothing about what other organisations hold.
 */
async function owned<T>(found: Promise<T>, mine: (t: T) => boolean, what: string): Promise<T> {
  const notFound = () => new VaultgateError('NOT_FOUND', { detail: `No ${what}.` });
  const t = await found.catch((err: unknown) => {
    throw err instanceof VaultgateError && err.code === 'NOT_FOUND' ? notFound() : err;
  });
  if (!mine(t)) throw notFound();
  return t;
}
