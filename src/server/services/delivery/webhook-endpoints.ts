import { newId, VaultgateError, type Clock, type Environment } from '../../../protocol/index.js';
import type {
  ListQuery, Page, Store, WebhookAttemptRecord, WebhookDeliveryRecord, WebhookEndpointRecord, WebhookEventType, WebhookFilters,
} from '../../../store/index.js';
import type { VaultCrypto } from '../../crypto/vault-crypto.js';
import type { AuditContext, AuditTrail } from '../audit/audit-trail.js';
import { checkId } from '../ids.js';
import { DEFAULT_OVERLAP_HOURS, MAX_OVERLAP_HOURS } from '../self-service.js';
import { checkWebhookUrl, type AddressPolicy } from './address-policy.js';
import { coveringScope, messageDelivery, webhookIdOf } from './webhook-payload.js';
import type { ScopesFor } from '../sharing/read-scopes.js';
import { newWebhookSecret, sealSecret } from './webhook-secrets.js';

/*
 * An organisation's webhook endpoints (issue 15), free of Fastify: create (the whsec_ secret shown once), read,
 * change, disable and enable, delete, rotate the secret (both signatures sent during the overlap), a test delivery,
 * the delivery log, and replay of one message or of everything since an instant. Authorization (admins change,
 * members read, operators all) is the routes'; here an endpoint of another organisation is NOT_FOUND.
 */

/** Most deliveries one replay request queues (a larger replay is asked for again with a later `since`). */
export const MAX_REPLAY = 10_000;

export interface WebhookEndpointsDeps {
  store: Store;
  crypto: VaultCrypto;
  clock: Clock;
  environment: Environment;
  audit: AuditTrail;
  policy: AddressPolicy;
  scopesFor: ScopesFor;
}

export interface EndpointInput {
  url: string;
  description?: string | undefined;
  eventTypes?: WebhookEventType[] | undefined;
  filters?: Partial<WebhookFilters> | undefined;
}

/** An endpoint as the API shows it: never the secret. */
export interface EndpointView {
  id: string; organisationId: string; url: string; description: string; eventTypes: WebhookEventType[]; filters: WebhookFilters;
  status: 'active' | 'disabled'; disabledReason: 'manual' | 'failing' | null; failingSince: string | null; createdAt: string; updatedAt: string;
  /** During a rotation's overlap: until when the previous secret still signs too. */
  previousSecretValidUntil: string | null;
  environment: Environment;
}

export type DeliveryView = Omit<WebhookDeliveryRecord, 'payload'> & { payload: unknown; attemptLog: WebhookAttemptRecord[] };

const list = (xs: string[] | null | undefined): string[] | null => (xs && xs.length > 0 ? [...new Set(xs)] : null);

export class WebhookEndpoints {
  constructor(private readonly d: WebhookEndpointsDeps) {}

  #now(): string {
    return new Date(this.d.clock.now()).toISOString();
  }

  #view(e: WebhookEndpointRecord): EndpointView {
    const overlap = e.previousValidUntil !== null && Date.parse(e.previousValidUntil) > this.d.clock.now() ? e.previousValidUntil : null;
    return {
      id: e.id, organisationId: e.organisationId, url: e.url, description: e.description, eventTypes: e.eventTypes, filters: e.filters, status: e.status,
      disabledReason: e.disabledReason, failingSince: e.failingSince, createdAt: e.createdAt, updatedAt: e.updatedAt, previousSecretValidUntil: overlap,
      environment: this.d.environment,
    };
  }

  async #tenants(orgId: string): Promise<string[]> {
    const org = await this.d.store.getOrganisation(orgId);
    if (!org) throw new VaultgateError('NOT_FOUND', { detail: `No organisation ${orgId}.` });
    return org.companyId ? [org.companyId] : [];
  }

  async #own(orgId: string, id: string): Promise<WebhookEndpointRecord> {
    checkId(id, 'webhookEndpoint', this.d.environment);
    const e = await this.d.store.getWebhookEndpoint(id);
    if (!e || e.organisationId !== orgId) throw new VaultgateError('NOT_FOUND', { detail: `No webhook endpoint ${id} in ${orgId}.` });
    return e;
  }

  #fields(input: EndpointInput, base?: WebhookEndpointRecord): Pick<WebhookEndpointRecord, 'url' | 'description' | 'eventTypes' | 'filters'> {
    const f = input.filters ?? {};
    return {
      url: input.url !== undefined ? checkWebhookUrl(input.url, this.d.environment, this.d.policy) : base!.url,
      description: input.description ?? base?.description ?? '',
      eventTypes: input.eventTypes ? [...new Set(input.eventTypes)] : base?.eventTypes ?? ['message.received'],
      filters: input.filters === undefined && base ? base.filters : {
        messageTypes: list(f.messageTypes), channelIds: list(f.channelIds), ownerCompanyIds: list(f.ownerCompanyIds),
      },
    };
  }

  /** A new endpoint; `secret` (whsec_…) is in this answer only. It receives messages from now on (not older ones). */
  async create(orgId: string, input: EndpointInput, ctx: AuditContext): Promise<EndpointView & { secret: string }> {
    const tenants = await this.#tenants(orgId);
    const fields = this.#fields(input);
    const now = this.#now();
    const id = newId('webhookEndpoint', this.d.environment, this.d.clock.now());
    const secret = newWebhookSecret();
    const e: WebhookEndpointRecord = {
      id, organisationId: orgId, ...fields, secretCiphertext: await sealSecret(this.d.crypto, id, secret), previousSecretCiphertext: null,
      previousValidUntil: null, status: 'active', disabledReason: null, createdAt: now, updatedAt: now, failingSince: null,
      // Only what comes after: messages past the current horizon, grant events at or after createdAt (dispatch).
      messageCursor: await this.d.store.messageHorizon(), grantEventCursor: 0,
    };
    await this.d.store.createWebhookEndpoint(e, this.d.audit.event(ctx, {
      action: 'webhook-endpoint.create', subject: id, tenants, details: { organisationId: orgId, url: e.url, eventTypes: e.eventTypes },
    }));
    return { ...this.#view(e), secret };
  }

  async list(orgId: string, q: ListQuery): Promise<Page<EndpointView>> {
    const page = await this.d.store.listWebhookEndpoints(orgId, q);
    return { items: page.items.map((e) => this.#view(e)), nextCursor: page.nextCursor };
  }

  async get(orgId: string, id: string): Promise<EndpointView> {
    return this.#view(await this.#own(orgId, id));
  }

  async #change(orgId: string, id: string, action: string, ctx: AuditContext, change: (e: WebhookEndpointRecord) => WebhookEndpointRecord | Promise<WebhookEndpointRecord>, details: Record<string, unknown> = {}): Promise<WebhookEndpointRecord> {
    const e = await this.#own(orgId, id);
    const next = { ...(await change(e)), updatedAt: this.#now() };
    const ok = await this.d.store.updateWebhookEndpoint(next, this.d.audit.event(ctx, { action, subject: id, tenants: await this.#tenants(orgId), details: { organisationId: orgId, ...details } }));
    if (!ok) throw new VaultgateError('NOT_FOUND', { detail: `No webhook endpoint ${id} in ${orgId}.` });
    return next;
  }

  async update(orgId: string, id: string, input: Partial<EndpointInput>, ctx: AuditContext): Promise<EndpointView> {
    return this.#view(await this.#change(orgId, id, 'webhook-endpoint.update', ctx, (e) => ({ ...e, ...this.#fields(input as EndpointInput, e) }), { fields: Object.keys(input) }));
  }

  async disable(orgId: string, id: string, ctx: AuditContext): Promise<EndpointView> {
    return this.#view(await this.#change(orgId, id, 'webhook-endpoint.disable', ctx, (e) => ({ ...e, status: 'disabled', disabledReason: 'manual' })));
  }

  /** Enables an endpoint again (after its admin's disable, or after it was disabled for failing); deliveries resume where they stopped. */
  async enable(orgId: string, id: string, ctx: AuditContext): Promise<EndpointView> {
    return this.#view(await this.#change(orgId, id, 'webhook-endpoint.enable', ctx, (e) => ({ ...e, status: 'active', disabledReason: null, failingSince: null })));
  }

  async delete(orgId: string, id: string, ctx: AuditContext): Promise<void> {
    await this.#own(orgId, id);
    const ok = await this.d.store.deleteWebhookEndpoint(id, this.d.audit.event(ctx, { action: 'webhook-endpoint.delete', subject: id, tenants: await this.#tenants(orgId), details: { organisationId: orgId } }));
    if (!ok) throw new VaultgateError('NOT_FOUND', { detail: `No webhook endpoint ${id} in ${orgId}.` });
  }

  /** A new secret (shown once); until previousSecretValidUntil every delivery carries both signatures. */
  async rotateSecret(orgId: string, id: string, r: { overlapHours?: number | undefined }, ctx: AuditContext): Promise<EndpointView & { secret: string }> {
    const hours = r.overlapHours ?? DEFAULT_OVERLAP_HOURS;
    if (!Number.isInteger(hours) || hours < 0 || hours > MAX_OVERLAP_HOURS) {
      throw new VaultgateError('INVALID_REQUEST', { detail: `overlapHours must be a whole number from 0 to ${MAX_OVERLAP_HOURS}.` });
    }
    const secret = newWebhookSecret();
    const validUntil = new Date(this.d.clock.now() + hours * 3_600_000).toISOString();
    const e = await this.#change(orgId, id, 'webhook-endpoint.rotate-secret', ctx, async (cur) => ({
      ...cur, secretCiphertext: await sealSecret(this.d.crypto, id, secret), previousSecretCiphertext: hours > 0 ? cur.secretCiphertext : null,
      previousValidUntil: hours > 0 ? validUntil : null,
    }), { previousValidUntil: hours > 0 ? validUntil : null });
    return { ...this.#view(e), secret };
  }

  /** Queues a `webhook.test` delivery (sent on the next dispatch tick, retried like any other). */
  async test(orgId: string, id: string, ctx: AuditContext): Promise<DeliveryView> {
    const e = await this.#own(orgId, id);
    if (e.status !== 'active') throw new VaultgateError('STATE_CONFLICT', { detail: `${id} is disabled: enable it first (POST …/enable).` });
    const now = this.#now();
    const deliveryId = newId('webhookDelivery', this.d.environment, this.d.clock.now());
    const d: WebhookDeliveryRecord = {
      id: deliveryId, endpointId: id, webhookId: webhookIdOf(id, deliveryId), eventType: 'webhook.test', messageId: null,
      payload: JSON.stringify({ type: 'webhook.test', timestamp: now, data: { endpointId: id } }), origin: 'test', status: 'pending', attempts: 0,
      nextAttemptAt: now, createdAt: now, updatedAt: now,
    };
    await this.d.store.addWebhookDeliveries([d], this.d.audit.event(ctx, { action: 'webhook-endpoint.test', subject: id, tenants: await this.#tenants(orgId), details: { deliveryId } }));
    return { ...d, payload: JSON.parse(d.payload) as unknown, attemptLog: [] };
  }

  async deliveries(orgId: string, id: string, q: ListQuery): Promise<Page<DeliveryView>> {
    await this.#own(orgId, id);
    const page = await this.d.store.listWebhookDeliveries(id, q);
    return { items: page.items.map((d) => ({ ...d, payload: JSON.parse(d.payload) as unknown })), nextCursor: page.nextCursor };
  }

  /**
   * Queues the delivery of one message again (`messageId`), or of every message received at or after `since` that
   * dispatch has passed, in the organisation's scope now and matching the filters (at most MAX_REPLAY). Each keeps its
   * webhook-id, so a receiver that has it already can drop it.
   */
  async replay(orgId: string, id: string, r: { messageId?: string | undefined; since?: string | undefined }, ctx: AuditContext): Promise<{ queued: number; truncated: boolean }> {
    const e = await this.#own(orgId, id);
    if ((r.messageId === undefined) === (r.since === undefined)) throw new VaultgateError('INVALID_REQUEST', { detail: 'Give exactly one of messageId and since.' });
    if (e.status !== 'active') throw new VaultgateError('STATE_CONFLICT', { detail: `${id} is disabled: enable it first (POST …/enable).` });
    const nowMs = this.d.clock.now();
    const now = new Date(nowMs).toISOString();
    const scopes = await this.d.scopesFor(orgId, 'subscribe', now);
    const companies = [...new Set(scopes.map((s) => s.companyId))];
    const deliveries: WebhookDeliveryRecord[] = [];
    let truncated = false;
    const add = (m: Parameters<typeof coveringScope>[2]) => {
      const scope = coveringScope(e, scopes, m);
      if (scope) deliveries.push(messageDelivery(e, m, scope, { id: newId('webhookDelivery', this.d.environment, nowMs), now, origin: 'replay' }));
    };
    if (r.messageId !== undefined) {
      checkId(r.messageId, 'message', this.d.environment);
      for (const companyId of companies) {
        const m = await this.d.store.getMessage(companyId, r.messageId);
        if (m) add({ ...m, seq: 0 });
      }
      if (deliveries.length === 0) throw new VaultgateError('NOT_FOUND', { detail: `No message ${r.messageId} that ${id} may receive.` });
    } else {
      if (Number.isNaN(Date.parse(r.since!))) throw new VaultgateError('INVALID_REQUEST', { detail: 'since must be an ISO 8601 instant.' });
      const since = new Date(r.since!).toISOString();
      for (const companyId of companies) {
        let after = 0;
        for (;;) {
          const rows = await this.d.store.listPositionedMessages({ companyId, afterSeq: after, throughSeq: e.messageCursor, receivedFrom: since, limit: 500 });
          for (const m of rows) add(m);
          if (deliveries.length >= MAX_REPLAY) { truncated = true; break; }
          if (rows.length < 500) break;
          after = rows[rows.length - 1]!.seq;
        }
        if (truncated) break;
      }
      deliveries.splice(MAX_REPLAY);
    }
    await this.d.store.addWebhookDeliveries(deliveries, this.d.audit.event(ctx, {
      action: 'webhook-endpoint.replay', subject: id, tenants: await this.#tenants(orgId),
      details: { organisationId: orgId, messageId: r.messageId ?? null, since: r.since ?? null, queued: deliveries.length },
    }));
    return { queued: deliveries.length, truncated };
  }
}
