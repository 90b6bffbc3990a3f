import { newId, VaultgateError, type AuditRecord, type Clock, type Environment } from '../../../protocol/index.js';
import type {
  GrantEventRecord, GrantRecord, GrantState, GrantTerms, ListQuery, OrganisationRecord, Page, Store,
} from '../../../store/index.js';
import { SYSTEM_CONTEXT, type AuditContext, type AuditTrail } from '../audit/audit-trail.js';
import { requireBusinessId } from '../business-id.js';
import { checkId } from '../ids.js';
import type { SigningKeys } from '../signing-keys.js';
import { EVENT_OF_STATE, nextGrantState, STEP_SIDE, type GrantStep } from './grant-lifecycle.js';
import { signGrantStatement, type GrantStatement } from './grant-statement.js';
import { checkNotEnded, checkOwnerChannels, checkWithin, normalizeGrantTerms, type GrantTermsInput } from './grant-terms.js';

/*
 * Grants (issue 15), free of Fastify: a consumer organisation's admin requests access to part of an owner company's
 * vault; the owner's admin approves, offers narrower terms, or declines; the consumer accepts an offer or withdraws;
 * the owner revokes; the server expires. The owner may also grant directly. Every step is a compare-and-set on the
 * grant's state (grant-lifecycle.ts says which steps each state allows), written with its grant event and its audit
 * event (tenants: both organisations) in one transaction.
 *
 * Authorization by role is the routes' (accounts.authorize on the organisation in the path); here, the organisation
 * must be a side of the grant (NOT_FOUND otherwise: another organisation's grant is indistinguishable from none) and
 * the right side for the step (GRANT_WRONG_SIDE).
 */

export interface GrantsDeps {
  store: Store;
  clock: Clock;
  environment: Environment;
  audit: AuditTrail;
  signingKeys: SigningKeys;
  /** The server's issuer (its public base URL), the statement's `iss`. */
  publicBaseUrl: () => string;
  /** Called after each committed grant event (a new grant or a step): wakes the change feed's long-polls of this process. */
  onEvent?: () => void;
}

/**
 * A grant as both sides see it: the record, the environment, and who the parties are — each organisation's name and
 * business id (null for a party-only organisation; both null when the organisation is gone).
 */
export type GrantView = GrantRecord & {
  environment: Environment;
  ownerName: string | null; ownerBusinessId: string | null;
  consumerName: string | null; consumerBusinessId: string | null;
};
export type GrantRole = 'owner' | 'consumer';

/** How a request or a direct grant names the other organisation: its id, or a company's business id. */
export interface OrganisationRef { organisationId?: string | undefined; businessId?: string | undefined }

/** Grants past their window that the expiry sweep reads at a time. */
const EXPIRY_BATCH = 100;

export class Grants {
  constructor(private readonly d: GrantsDeps) {}

  #now(): string {
    return new Date(this.d.clock.now()).toISOString();
  }

  /** The view of grants, each party's organisation read once per call. */
  async #views(gs: GrantRecord[]): Promise<GrantView[]> {
    const orgs = new Map<string, Promise<OrganisationRecord | undefined>>();
    const org = (id: string) => orgs.get(id) ?? orgs.set(id, this.d.store.getOrganisation(id)).get(id)!;
    return Promise.all(gs.map(async (g) => {
      const [owner, consumer] = await Promise.all([org(g.ownerOrganisationId), org(g.consumerOrganisationId)]);
      return {
        ...g, environment: this.d.environment, ownerName: owner?.name ?? null, ownerBusinessId: owner?.businessId ?? null,
        consumerName: consumer?.name ?? null, consumerBusinessId: consumer?.businessId ?? null,
      };
    }));
  }

  #view = async (g: GrantRecord): Promise<GrantView> => (await this.#views([g]))[0]!;

  async #org(id: string): Promise<OrganisationRecord> {
    const o = await this.d.store.getOrganisation(id);
    if (!o) throw new VaultgateError('NOT_FOUND', { detail: `No organisation ${id}.` });
    return o;
  }

  /** The organisation a reference names; NOT_FOUND when none does. */
  async #resolve(ref: OrganisationRef, what: string): Promise<OrganisationRecord> {
    if ((ref.organisationId === undefined) === (ref.businessId === undefined)) {
      throw new VaultgateError('INVALID_REQUEST', { detail: `Name the ${what} by exactly one of its organisation id or business id.` });
    }
    if (ref.organisationId !== undefined) return this.#org(ref.organisationId);
    requireBusinessId(ref.businessId!, `${what}BusinessId is not a business id.`);
    const company = await this.d.store.getCompanyByBusinessId(ref.businessId!);
    const o = company && !company.deletedAt ? await this.d.store.getOrganisation(company.id) : undefined;
    if (!o) throw new VaultgateError('NOT_FOUND', { detail: `No company with the business id ${ref.businessId} uses Vaultgate.` });
    return o;
  }

  /** GRANT_OWNER_INVALID unless `owner` is a live company other than `consumer`. */
  async #checkParties(owner: OrganisationRecord, consumer: OrganisationRecord): Promise<void> {
    if (owner.id === consumer.id) throw new VaultgateError('GRANT_OWNER_INVALID', { detail: 'An organisation reads its own vault without a grant.' });
    const company = owner.companyId === owner.id ? await this.d.store.getCompany(owner.id) : undefined;
    if (!company || company.deletedAt) throw new VaultgateError('GRANT_OWNER_INVALID', { detail: `${owner.id} is not a company with a vault.` });
  }

  #audit(ctx: AuditContext, action: string, g: GrantRecord, details: Record<string, unknown> = {}) {
    return this.d.audit.event(ctx, {
      action, subject: g.id, tenants: [g.ownerOrganisationId, g.consumerOrganisationId],
      details: { ownerOrganisationId: g.ownerOrganisationId, consumerOrganisationId: g.consumerOrganisationId, state: g.state, ...details },
    });
  }

  #event(g: GrantRecord, actor: string, at: string): GrantEventRecord {
    return {
      id: newId('grantEvent', this.d.environment), grantId: g.id, ownerOrganisationId: g.ownerOrganisationId, consumerOrganisationId: g.consumerOrganisationId,
      type: EVENT_OF_STATE[g.state], at, actor, state: g.state, terms: g.terms,
    };
  }

  /** Creates a grant in `state` with its event and audit event. */
  async #create(owner: OrganisationRecord, consumer: OrganisationRecord, state: 'requested' | 'active', terms: GrantTerms, ctx: AuditContext): Promise<GrantView> {
    await this.#checkParties(owner, consumer);
    await checkOwnerChannels(terms, owner.id, (id) => this.d.store.getChannel(id));
    const at = this.#now();
    const g: GrantRecord = {
      id: newId('grant', this.d.environment), ownerOrganisationId: owner.id, consumerOrganisationId: consumer.id, state, terms,
      requestedTerms: state === 'requested' ? terms : null, createdAt: at, updatedAt: at,
      requestedBy: state === 'requested' ? ctx.actor.id : null, decidedBy: state === 'active' ? ctx.actor.id : null,
    };
    await this.d.store.createGrant(g, this.#event(g, ctx.actor.id, at), this.#audit(ctx, state === 'requested' ? 'grant.request' : 'grant.grant', g, { actions: terms.actions }));
    this.d.onEvent?.();
    return this.#view(g);
  }

  /**
   * The consumer organisation asks an owner company for access. INVALID_REQUEST / NOT_FOUND (the owner), GRANT_OWNER_INVALID,
   * GRANT_SCOPE_INVALID, GRANT_VALIDITY_INVALID.
   */
  async request(consumerOrgId: string, input: GrantTermsInput & { owner: OrganisationRef }, ctx: AuditContext): Promise<GrantView> {
    const consumer = await this.#org(consumerOrgId);
    const owner = await this.#resolve(input.owner, 'owner');
    return this.#create(owner, consumer, 'requested', normalizeGrantTerms(input, this.#now()), ctx);
  }

  /** The owner company grants directly, without a request: the grant is active at once. Errors as request(). */
  async grant(ownerOrgId: string, input: GrantTermsInput & { consumer: OrganisationRef }, ctx: AuditContext): Promise<GrantView> {
    const owner = await this.#org(ownerOrgId);
    const consumer = await this.#resolve(input.consumer, 'consumer');
    return this.#create(owner, consumer, 'active', normalizeGrantTerms(input, this.#now()), ctx);
  }

  /** A grant the organisation is a side of, and which side; NOT_FOUND otherwise. */
  async #own(orgId: string, grantId: string): Promise<{ g: GrantRecord; role: GrantRole }> {
    checkId(grantId, 'grant', this.d.environment);
    const g = await this.d.store.getGrant(grantId);
    if (g?.ownerOrganisationId === orgId) return { g, role: 'owner' };
    if (g?.consumerOrganisationId === orgId) return { g, role: 'consumer' };
    throw new VaultgateError('NOT_FOUND', { detail: `No grant ${grantId} of ${orgId}.` });
  }

  async get(orgId: string, grantId: string): Promise<GrantView> {
    return this.#view((await this.#own(orgId, grantId)).g);
  }

  /** The organisation's grants as owner or as consumer, oldest first, optionally of one state. */
  async list(orgId: string, q: ListQuery & { role: GrantRole; state?: GrantState | undefined }): Promise<Page<GrantView>> {
    await this.#org(orgId);
    const page = await this.d.store.listGrants({ ...q, organisationId: orgId });
    return { items: await this.#views(page.items), nextCursor: page.nextCursor };
  }

  /**
   * Takes one step of the lifecycle on behalf of `role` (the system for expiry): checks the table, writes it by
   * compare-and-set; a concurrent step that won is GRANT_STATE_CONFLICT naming the state it left.
   */
  async #step(g: GrantRecord, step: GrantStep, ctx: AuditContext, terms?: GrantTerms): Promise<GrantRecord> {
    const to = nextGrantState(g.state, step, g.id);
    const at = this.#now();
    const after: GrantRecord = { ...g, state: to, terms: terms ?? g.terms, updatedAt: at, decidedBy: ctx.actor.id };
    if (to === 'active') {
      checkNotEnded(after.terms.notOnOrAfter, at, step === 'accept'
        ? ' This offer can no longer be accepted: withdraw it (vaultgate grants withdraw) and request again.'
        : ' This request can no longer be approved: decline it; the consumer requests again.');
    }
    const ok = await this.d.store.transitionGrant(g.id, { from: g.state, to, at, terms, decidedBy: ctx.actor.id }, this.#event(after, ctx.actor.id, at),
      this.#audit(ctx, `grant.${step}`, after, { from: g.state, ...(terms ? { actions: terms.actions } : {}) }));
    if (!ok) {
      const now = await this.d.store.getGrant(g.id);
      throw new VaultgateError('GRANT_STATE_CONFLICT', { detail: `${g.id} changed meanwhile: it is ${now?.state ?? 'gone'}.` });
    }
    this.d.onEvent?.();
    return after;
  }

  async #sideStep(orgId: string, grantId: string, step: GrantStep, ctx: AuditContext, terms?: (g: GrantRecord) => GrantTerms): Promise<GrantView> {
    const { g, role } = await this.#own(orgId, grantId);
    if (STEP_SIDE[step] !== role) {
      throw new VaultgateError('GRANT_WRONG_SIDE', { detail: `${step} is the ${STEP_SIDE[step]}'s step; ${orgId} is the ${role} of ${grantId}.` });
    }
    nextGrantState(g.state, step, g.id);
    return this.#view(await this.#step(g, step, ctx, terms?.(g)));
  }

  /** The owner approves a request as it is: active. */
  approve(orgId: string, grantId: string, ctx: AuditContext): Promise<GrantView> {
    return this.#sideStep(orgId, grantId, 'approve', ctx);
  }

  /**
   * The owner offers narrower terms (what `input` leaves out stays as requested): offered, until the consumer
   * accepts. GRANT_SCOPE_WIDENED when it asks for more than the request; GRANT_SCOPE_INVALID, GRANT_VALIDITY_INVALID.
   */
  offer(orgId: string, grantId: string, input: GrantTermsInput, ctx: AuditContext): Promise<GrantView> {
    return this.#sideStep(orgId, grantId, 'offer', ctx, (g) => {
      const requested = g.requestedTerms ?? g.terms;
      const terms = normalizeGrantTerms({ ...input, purpose: requested.purpose }, this.#now(), requested);
      checkWithin(terms, requested);
      return terms;
    });
  }

  /** The consumer accepts an offer: active with the offered terms. */
  accept(orgId: string, grantId: string, ctx: AuditContext): Promise<GrantView> {
    return this.#sideStep(orgId, grantId, 'accept', ctx);
  }

  decline(orgId: string, grantId: string, ctx: AuditContext): Promise<GrantView> {
    return this.#sideStep(orgId, grantId, 'decline', ctx);
  }

  /** The owner ends an active grant or takes back an offer; takes effect at the consumer's next request. */
  revoke(orgId: string, grantId: string, ctx: AuditContext): Promise<GrantView> {
    return this.#sideStep(orgId, grantId, 'revoke', ctx);
  }

  /** The consumer withdraws its request, turns down an offer, or ends an active grant. */
  withdraw(orgId: string, grantId: string, ctx: AuditContext): Promise<GrantView> {
    return this.#sideStep(orgId, grantId, 'withdraw', ctx);
  }

  /**
   * Records `expired` for every active grant past its notOnOrAfter (the resolver already treats them as ended); returns
   * how many. A grant revoked or withdrawn meanwhile is skipped (its compare-and-set fails).
   */
  async expireLapsed(): Promise<number> {
    let n = 0;
    for (;;) {
      const batch = await this.d.store.listLapsedGrants(this.#now(), EXPIRY_BATCH);
      for (const g of batch) {
        try {
          await this.#step(g, 'expire', SYSTEM_CONTEXT);
          n++;
        } catch (err) {
          if (!(err instanceof VaultgateError && err.code === 'GRANT_STATE_CONFLICT')) throw err;
        }
      }
      if (batch.length < EXPIRY_BATCH) return n;
    }
  }

  /** The audit events that name the organisation (grant steps of both sides among them); NOT_FOUND for no organisation. */
  async auditTrail(orgId: string, q: ListQuery): Promise<Page<AuditRecord>> {
    await this.#org(orgId);
    return this.d.audit.list({ ...q, tenant: orgId });
  }

  /** A signed statement of an active grant, for either side (GRANT_NOT_ACTIVE otherwise). Recorded in the audit trail. */
  async statement(orgId: string, grantId: string, ctx: AuditContext): Promise<GrantStatement & { grantId: string }> {
    const { g } = await this.#own(orgId, grantId);
    const [owner, consumer] = await Promise.all([this.#org(g.ownerOrganisationId), this.#org(g.consumerOrganisationId)]);
    const s = await signGrantStatement({ signingKeys: this.d.signingKeys, issuer: this.d.publicBaseUrl(), environment: this.d.environment }, g, owner, consumer, this.d.clock.now());
    await this.d.audit.record(ctx, {
      action: 'grant.statement', subject: g.id, tenants: [g.ownerOrganisationId, g.consumerOrganisationId], details: { expiresAt: s.expiresAt },
    });
    return { grantId: g.id, ...s };
  }
}
