import {
  checkBusinessId,
  isMediaType,
  mediaTypeEssence,
  newId,
  newSecretKey,
  VaultgateError,
  type Clock,
  type Environment,
} from '../../protocol/index.js';
import type {
  ChannelRecord,
  CompanyRecord,
  CustomerCredentialRecord,
  ListQuery,
  MessageTypeAgreement,
  Page,
  PartnerCredentialRecord,
  PartyRecord,
  Scope,
  Store,
} from '../../store/index.js';
import { SYSTEM_OWNER, type VaultCrypto } from '../crypto/vault-crypto.js';
import { outlastsAudit } from './audit/audit-retention.js';
import { SYSTEM_CONTEXT, type AuditContext, type AuditTrail } from './audit/audit-trail.js';
import { checkId } from './ids.js';
import type { RegistryCache } from './registry-cache.js';

export const SCOPES: readonly Scope[] = ['ingest', 'vault.read'];

export interface CompanyView extends CompanyRecord { environment: Environment }
export interface PartyView extends PartyRecord { environment: Environment }
export type PartnerCredentialView = Omit<PartnerCredentialRecord, 'keyCiphertext'>;
export type CustomerCredentialView = Omit<CustomerCredentialRecord, 'keyCiphertext'>;
export interface ChannelView extends ChannelRecord { url: string; environment: Environment }

export interface RegistryDeps {
  store: Store;
  cache: RegistryCache;
  crypto: VaultCrypto;
  clock: Clock;
  environment: Environment;
  /** The public base URL, normalised (channel URLs are built from it). */
  publicBaseUrl: () => string;
  /** The audit trail: every change below appends its event in the change's own transaction (fail-closed). */
  audit: AuditTrail;
  /** Audit retention (days, 0 = forever): a channel may not keep messages longer than their audit events. */
  auditRetentionDays?: number;
}

/** AAD binding a sealed key to its credential. */
export const partnerKeyAad = (partnerId: string): string => `partner-key:${partnerId}`;
export const customerKeyAad = (customerId: string): string => `customer-key:${customerId}`;

/** The operator's use cases on the registry: companies, parties, credentials, channels. */
export class Registry {
  constructor(private readonly d: RegistryDeps) {}

  private now(): string {
    return new Date(this.d.clock.now()).toISOString();
  }

  private page<T, V>(p: Page<T>, view: (t: T) => V): Page<V> {
    return { items: p.items.map(view), nextCursor: p.nextCursor };
  }

  private companyView = (c: CompanyRecord): CompanyView => ({ ...c, environment: this.d.environment });
  private partyView = (p: PartyRecord): PartyView => ({ ...p, environment: this.d.environment });
  private channelView = (c: ChannelRecord): ChannelView => ({
    ...c,
    url: `${this.d.publicBaseUrl()}/ingestion/${c.id}`,
    environment: this.d.environment,
  });

  async createCompany(input: { name: string; businessId: string }, ctx: AuditContext = SYSTEM_CONTEXT): Promise<CompanyView> {
    const check = checkBusinessId(input.businessId);
    if (!check.ok) {
      throw new VaultgateError(check.reason === 'check-digit' ? 'BUSINESS_ID_INVALID' : 'INVALID_REQUEST', {
        detail:
          check.reason === 'check-digit'
            ? `${input.businessId}: the check digit does not match (Finnish business ids are NNNNNNN-C with a mod-11 check digit).`
            : 'businessId must be 1-32 printable characters without leading or trailing spaces.',
      });
    }
    const c: CompanyRecord = { id: newId('company', this.d.environment), name: input.name, businessId: input.businessId, createdAt: this.now() };
    await this.d.store.createCompany(c, this.d.audit.event(ctx, { action: 'company.create', subject: c.id, tenants: [c.id], details: { name: c.name, businessId: c.businessId } }));
    this.d.cache.clear();
    return this.companyView(c);
  }

  async getCompany(id: string): Promise<CompanyView> {
    return this.companyView(await this.company(id));
  }

  private async company(id: string): Promise<CompanyRecord> {
    checkId(id, 'company', this.d.environment);
    const c = await this.d.store.getCompany(id);
    if (!c) throw new VaultgateError('NOT_FOUND', { detail: `No company ${id}.` });
    return c;
  }

  private async activeCompany(id: string): Promise<CompanyRecord> {
    const c = await this.company(id);
    if (c.deletedAt) throw new VaultgateError('STATE_CONFLICT', { detail: `Company ${id} is deleted.` });
    return c;
  }

  async listCompanies(q: ListQuery & { businessId?: string | undefined }): Promise<Page<CompanyView>> {
    if (q.businessId !== undefined) {
      const c = await this.d.store.getCompanyByBusinessId(q.businessId);
      return { items: c ? [this.companyView(c)] : [], nextCursor: null };
    }
    return this.page(await this.d.store.listCompanies(q), this.companyView);
  }

  /**
   * Deletes a company by crypto-shredding: tombstones it, revokes its customer credentials and channels and records
   * the deletion (one transaction, so nothing new comes in), then destroys its data keys: its messages become
   * unreadable everywhere, database backups included. The sweep purges the rows and destroys any key a request
   * in flight created meanwhile. `confirm` must be the company's business id. Running it again completes it.
   */
  async deleteCompany(id: string, confirm: string | undefined, ctx: AuditContext = SYSTEM_CONTEXT): Promise<CompanyView & { dataKeysDestroyed: number }> {
    const c = await this.company(id);
    if (confirm !== c.businessId) {
      throw new VaultgateError('INVALID_REQUEST', { detail: `To delete ${id} and destroy its data for good, pass confirm=${c.businessId} (its business id).` });
    }
    const at = this.now();
    if (!c.deletedAt) {
      await this.d.store.deleteCompany(id, at, this.d.audit.event(ctx, { at, action: 'company.delete', subject: id, tenants: [id], details: { businessId: c.businessId, name: c.name } }));
      this.d.cache.clear();
    }
    // The key store is outside the database: the event is written first (no event, no shredding). Running the
    // deletion again only completes it (keys a request in flight made meanwhile): recorded when it destroyed any.
    const facts = { action: 'company.keys-destroy', subject: id, tenants: [id] };
    let destroyed: number;
    if (!c.deletedAt) {
      destroyed = await this.d.audit.around(ctx, facts, () => this.d.crypto.destroyOwner(id), (n) => ({ dataKeysDestroyed: n }));
    } else {
      destroyed = await this.d.crypto.destroyOwner(id);
      if (destroyed > 0) await this.d.audit.refusal(ctx, { ...facts, outcome: 'success', details: { dataKeysDestroyed: destroyed, stage: 'completed' } });
    }
    this.d.cache.clear();
    return { ...(await this.getCompany(id)), dataKeysDestroyed: destroyed };
  }

  async createParty(input: { name: string }, ctx: AuditContext = SYSTEM_CONTEXT): Promise<PartyView> {
    const p: PartyRecord = { id: newId('party', this.d.environment), name: input.name, status: 'active', createdAt: this.now(), disabledAt: null };
    await this.d.store.createParty(p, this.d.audit.event(ctx, { action: 'party.create', subject: p.id, details: { name: p.name } }));
    this.d.cache.clear();
    return this.partyView(p);
  }

  async getParty(id: string): Promise<PartyView> {
    return this.partyView(await this.party(id));
  }

  private async party(id: string): Promise<PartyRecord> {
    checkId(id, 'party', this.d.environment);
    const p = await this.d.store.getParty(id);
    if (!p) throw new VaultgateError('NOT_FOUND', { detail: `No party ${id}.` });
    return p;
  }

  async listParties(q: ListQuery): Promise<Page<PartyView>> {
    return this.page(await this.d.store.listParties(q), this.partyView);
  }

  /** Disables a party with its partner credentials and channels; they stop working at once. */
  async disableParty(id: string, ctx: AuditContext = SYSTEM_CONTEXT): Promise<PartyView> {
    await this.party(id);
    await this.d.store.disableParty(id, this.now(), this.d.audit.event(ctx, { action: 'party.disable', subject: id }));
    this.d.cache.clear();
    return this.getParty(id);
  }

  async createPartnerCredential(partyId: string, ctx: AuditContext = SYSTEM_CONTEXT): Promise<PartnerCredentialView & { partnerKey: string }> {
    const party = await this.party(partyId);
    if (party.status !== 'active') throw new VaultgateError('STATE_CONFLICT', { detail: `Party ${partyId} is disabled.` });
    const partnerId = newId('partnerCredential', this.d.environment);
    const partnerKey = newSecretKey();
    const rec: PartnerCredentialRecord = {
      partnerId, partyId, status: 'active', createdAt: this.now(), disabledAt: null,
      keyCiphertext: await this.d.crypto.seal(SYSTEM_OWNER, Buffer.from(partnerKey, 'latin1'), partnerKeyAad(partnerId)),
    };
    await this.d.store.createPartnerCredential(rec, this.d.audit.event(ctx, { action: 'partner-credential.create', subject: partnerId, details: { partyId } }));
    this.d.cache.clear();
    return { ...stripKey(rec), partnerKey };
  }

  async listPartnerCredentials(partyId: string, q: ListQuery): Promise<Page<PartnerCredentialView>> {
    await this.party(partyId);
    return this.page(await this.d.store.listPartnerCredentials(partyId, q), stripKey);
  }

  async getPartnerCredential(partnerId: string): Promise<PartnerCredentialView> {
    checkId(partnerId, 'partnerCredential', this.d.environment);
    const c = await this.d.store.getPartnerCredential(partnerId);
    if (!c) throw new VaultgateError('NOT_FOUND', { detail: `No partner credential ${partnerId}.` });
    return stripKey(c);
  }

  async disablePartnerCredential(partnerId: string, ctx: AuditContext = SYSTEM_CONTEXT): Promise<PartnerCredentialView> {
    const c = await this.getPartnerCredential(partnerId);
    await this.d.store.disablePartnerCredential(partnerId, this.now(), this.d.audit.event(ctx, { action: 'partner-credential.disable', subject: partnerId, details: { partyId: c.partyId } }));
    this.d.cache.clear();
    return this.getPartnerCredential(partnerId);
  }

  async createCustomerCredential(
    companyId: string,
    input: { name: string; scopes?: Scope[] | undefined },
    ctx: AuditContext = SYSTEM_CONTEXT,
  ): Promise<CustomerCredentialView & { customerKey: string }> {
    await this.activeCompany(companyId);
    const scopes: Scope[] = [...new Set<Scope>(input.scopes ?? ['ingest'])];
    const customerId = newId('customerCredential', this.d.environment);
    const customerKey = newSecretKey();
    const rec: CustomerCredentialRecord = {
      customerId, companyId, name: input.name, scopes, status: 'active', createdAt: this.now(), disabledAt: null,
      keyCiphertext: await this.d.crypto.seal(SYSTEM_OWNER, Buffer.from(customerKey, 'latin1'), customerKeyAad(customerId)),
    };
    await this.d.store.createCustomerCredential(rec, this.d.audit.event(ctx, { action: 'customer-credential.create', subject: customerId, tenants: [companyId], details: { name: input.name, scopes } }));
    this.d.cache.clear();
    return { ...stripKey(rec), customerKey };
  }

  async listCustomerCredentials(companyId: string, q: ListQuery): Promise<Page<CustomerCredentialView>> {
    await this.company(companyId);
    return this.page(await this.d.store.listCustomerCredentials(companyId, q), stripKey);
  }

  async getCustomerCredential(customerId: string): Promise<CustomerCredentialView> {
    checkId(customerId, 'customerCredential', this.d.environment);
    const c = await this.d.store.getCustomerCredential(customerId);
    if (!c) throw new VaultgateError('NOT_FOUND', { detail: `No customer credential ${customerId}.` });
    return stripKey(c);
  }

  async disableCustomerCredential(customerId: string, ctx: AuditContext = SYSTEM_CONTEXT): Promise<CustomerCredentialView> {
    const c = await this.getCustomerCredential(customerId);
    await this.d.store.disableCustomerCredential(customerId, this.now(), this.d.audit.event(ctx, { action: 'customer-credential.disable', subject: customerId, tenants: [c.companyId] }));
    this.d.cache.clear();
    return this.getCustomerCredential(customerId);
  }

  async createChannel(input: { companyId: string; partyId: string; messageTypes: MessageTypeAgreement[] }, ctx: AuditContext = SYSTEM_CONTEXT): Promise<ChannelView> {
    await this.activeCompany(input.companyId);
    const party = await this.party(input.partyId);
    if (party.status !== 'active') throw new VaultgateError('STATE_CONFLICT', { detail: `Party ${input.partyId} is disabled.` });
    const messageTypes = normalizeMessageTypes(input.messageTypes);
    const outlasting = messageTypes.map((t) => outlastsAudit(t, this.d.auditRetentionDays ?? 0)).filter((w) => w !== undefined);
    if (outlasting.length > 0) {
      throw new VaultgateError('INVALID_REQUEST', { detail: `VAULTGATE_AUDIT_RETENTION_DAYS is ${this.d.auditRetentionDays}: ${outlasting.join('; ')}; give each message type retention.days of at most that.` });
    }
    const c: ChannelRecord = {
      id: newId('channel', this.d.environment), companyId: input.companyId, partyId: input.partyId, messageTypes,
      status: 'active', createdAt: this.now(), disabledAt: null,
    };
    await this.d.store.createChannel(c, this.d.audit.event(ctx, {
      action: 'channel.create', subject: c.id, tenants: [c.companyId], details: { partyId: c.partyId, messageTypes: messageTypes.map((t) => t.name) },
    }));
    this.d.cache.clear();
    return this.channelView(c);
  }

  async getChannel(id: string): Promise<ChannelView> {
    checkId(id, 'channel', this.d.environment);
    const c = await this.d.store.getChannel(id);
    if (!c) throw new VaultgateError('NOT_FOUND', { detail: `No channel ${id}.` });
    return this.channelView(c);
  }

  async listChannels(q: ListQuery & { companyId?: string | undefined; partyId?: string | undefined }): Promise<Page<ChannelView>> {
    if (q.companyId !== undefined) checkId(q.companyId, 'company', this.d.environment);
    if (q.partyId !== undefined) checkId(q.partyId, 'party', this.d.environment);
    return this.page(await this.d.store.listChannels(q), this.channelView);
  }

  async disableChannel(id: string, ctx: AuditContext = SYSTEM_CONTEXT): Promise<ChannelView> {
    const c = await this.getChannel(id);
    await this.d.store.disableChannel(id, this.now(), this.d.audit.event(ctx, { action: 'channel.disable', subject: id, tenants: [c.companyId], details: { partyId: c.partyId } }));
    this.d.cache.clear();
    return this.getChannel(id);
  }
}

function stripKey<T extends { keyCiphertext: Uint8Array }>(r: T): Omit<T, 'keyCiphertext'> {
  const { keyCiphertext: _omit, ...rest } = r;
  return rest;
}

/** Checks message-type agreements: unique names, valid media types (kept as lowercase essences). */
export function normalizeMessageTypes(types: MessageTypeAgreement[]): MessageTypeAgreement[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const out = types.map((t, i) => {
    if (seen.has(t.name)) problems.push(`messageTypes[${i}].name: ${t.name} appears twice`);
    seen.add(t.name);
    const mediaTypes = [...new Set(t.mediaTypes.map((m) => mediaTypeEssence(m)))];
    t.mediaTypes.forEach((m, j) => {
      if (!isMediaType(mediaTypeEssence(m))) problems.push(`messageTypes[${i}].mediaTypes[${j}]: ${m} is not a media type`);
    });
    return t.retention ? { name: t.name, mediaTypes, retention: t.retention } : { name: t.name, mediaTypes };
  });
  if (problems.length > 0) throw new VaultgateError('INVALID_REQUEST', { detail: problems.join('; '), extra: { problems } });
  return out;
}
