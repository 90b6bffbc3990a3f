import { randomBytes } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { newId, type Clock, type Environment } from '../../../protocol/index.js';
import type { ReadScope } from '../../../protocol/grant-scope.js';
import type { ClaimedDelivery, PositionedMessage, Store, WebhookAdvance, WebhookEndpointRecord, WebhookOutcome } from '../../../store/index.js';
import type { VaultCrypto } from '../../crypto/vault-crypto.js';
import { SYSTEM_CONTEXT, type AuditTrail } from '../audit/audit-trail.js';
import { coveringScope, grantEventDelivery, messageDelivery, type MessageReceivedData, type WebhookPayload } from './webhook-payload.js';
import { nextDelayMs } from './retry-schedule.js';
import type { ScopesFor } from '../sharing/read-scopes.js';
import { openSecrets } from './webhook-secrets.js';
import type { WebhookSender } from './webhook-sender.js';

/*
 * Webhook dispatch (issue 15). Two steps per tick, both safe to run in several gateway processes at once:
 *
 * 1. Scan: for each active endpoint, read the messages past its cursor by position (up to the store's horizon) in the
 *    vaults its organisation may subscribe to now (ScopesFor), keep those its filters match, and insert their
 *    deliveries while moving the cursor by compare-and-set — a process that read the same range loses and writes
 *    nothing. The ingest path writes nothing for this.
 * 2. Deliver: claim due deliveries for one attempt each (a lease; PostgreSQL SKIP LOCKED), re-check that the message
 *    is still in scope at this moment (a revoked grant cancels the delivery, unsent), wait for the endpoint's rate
 *    limit, send, and record the outcome with the next attempt on the retry schedule. A process that dies mid-attempt
 *    leaves a lease that expires: another process makes the next attempt (at least once; receivers dedupe by
 *    webhook-id). An endpoint whose attempts all failed for `disableAfterMs` is disabled, with an audit event.
 */

export interface WebhookDispatcherDeps {
  store: Store;
  crypto: VaultCrypto;
  clock: Clock;
  environment: Environment;
  audit: AuditTrail;
  scopesFor: ScopesFor;
  sender: WebhookSender;
  /** Deliveries per second per endpoint (this process). */
  rateLimitPerS: number;
  /** How long an endpoint may fail continuously before it is disabled (ms). */
  disableAfterMs: number;
  /**
   * How long a claimed attempt is this process's (ms): longer than the send timeout plus the rate limit's wait (a claim
   * takes at most a second's worth of the limit, so that wait is under a second).
   */
  leaseMs: number;
  /** Messages (and grant events) read per endpoint and vault per scan (default 1000). */
  batch?: number;
  log?: { warn(o: object, msg: string): void; error(o: object, msg: string): void };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Bounds one scan commit (deliveries and cursor moves); a larger scan commits in several. */
const MAX_DELIVERIES_PER_COMMIT = 1000;
/** Most deliveries one round claims (fewer when the rate limit is lower). */
const CLAIM_BATCH = 200;

/**
 * What one round of attempts shares: each endpoint (and its opened secrets) read once, and the scopes resolved once per
 * organisation and vault at the round's instant — the attempts of a round are made at the same moment.
 */
interface Round {
  endpoints: Map<string, Promise<{ e: WebhookEndpointRecord; secrets: string[] } | undefined>>;
  scopes: Map<string, Promise<ReadScope[]>>;
  at: string;
}

export class WebhookDispatcher {
  /** Names this process in leases. */
  readonly owner = `wd-${randomBytes(6).toString('hex')}`;
  readonly #limiter: RateLimiterAbstract;
  readonly #batch: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(private readonly d: WebhookDispatcherDeps) {
    // Deliveries per endpoint per second: shared by every gateway process on PostgreSQL (issue 17 §3), so N
    // processes do not send N times the rate; per process in memory otherwise, and while the database fails.
    const memory = new RateLimiterMemory({ keyPrefix: 'webhook-endpoint', points: d.rateLimitPerS, duration: 1 });
    this.#limiter = d.store.sharedRateLimiter?.({ keyPrefix: 'webhook-endpoint', points: d.rateLimitPerS, durationS: 1, insurance: memory }) ?? memory;
    this.#batch = d.batch ?? 1000;
  }

  /** Ticks every `intervalMs` until stop(); a tick never overlaps the previous one. */
  start(intervalMs: number): void {
    if (intervalMs <= 0 || this.#timer) return;
    const loop = () => {
      if (this.#stopped) return;
      this.#running = this.tick().then(() => undefined, (err: unknown) => this.d.log?.error({ err, code: 'WEBHOOK_DISPATCH_FAILED' }, 'webhook dispatch failed'))
        .finally(() => { if (!this.#stopped) this.#timer = setTimeout(loop, intervalMs); });
    };
    this.#timer = setTimeout(loop, 0);
  }

  /** Stops ticking and waits for the tick in flight (its attempts are recorded or their leases expire). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }

  /** One scan and one round of attempts; returns how many deliveries were created and attempted. */
  async tick(): Promise<{ created: number; attempted: number }> {
    const created = await this.scan();
    const attempted = await this.deliverDue();
    return { created, attempted };
  }

  async scan(): Promise<number> {
    const first = await this.d.store.listActiveWebhookEndpoints({ limit: 100 });
    // No endpoint, no horizon (on PostgreSQL it costs a query and an xid).
    if (first.items.length === 0) return 0;
    const horizon = await this.d.store.messageHorizon();
    let created = 0;
    let pending: WebhookAdvance[] = [];
    let size = 0;
    // One commit per scan (bounded): each endpoint's advance is a compare-and-set of its own cursor.
    const flush = async () => {
      if (pending.length === 0) return;
      const moved = await this.d.store.advanceWebhookCursors(pending);
      created += pending.reduce((n, a, i) => n + (moved[i] ? a.deliveries.length : 0), 0);
      pending = [];
      size = 0;
    };
    let page = first;
    for (;;) {
      for (const e of page.items) {
        const advances = [
          ...(e.messageCursor < horizon ? [await this.#messageAdvance(e, horizon)] : []),
          ...(e.eventTypes.includes('grant.*') ? await this.#grantEventAdvance(e) : []),
        ];
        pending.push(...advances);
        size += advances.reduce((n, a) => n + a.deliveries.length + 1, 0);
        if (size >= MAX_DELIVERIES_PER_COMMIT) await flush();
      }
      if (!page.nextCursor) break;
      page = await this.d.store.listActiveWebhookEndpoints({ cursor: page.nextCursor, limit: 100 });
    }
    await flush();
    return created;
  }

  /** Moves one endpoint's message cursor over at most `batch` messages per vault, with their deliveries. */
  async #messageAdvance(e: WebhookEndpointRecord, horizon: number): Promise<WebhookAdvance> {
    const advance: WebhookAdvance = { endpointId: e.id, cursor: 'message', from: e.messageCursor, to: horizon, deliveries: [] };
    if (!e.eventTypes.includes('message.received')) return advance;
    const nowMs = this.d.clock.now();
    const now = iso(nowMs);
    const scopes = await this.d.scopesFor(e.organisationId, 'subscribe', now);
    const companies = [...new Set(scopes.map((s) => s.companyId))].filter((c) => e.filters.ownerCompanyIds?.length ? e.filters.ownerCompanyIds.includes(c) : true);
    const read: PositionedMessage[] = [];
    for (const companyId of companies) {
      const rows = await this.d.store.listPositionedMessages({ companyId, afterSeq: e.messageCursor, throughSeq: horizon, limit: this.#batch });
      // A vault with more than a batch bounds how far the cursor may move this time.
      if (rows.length === this.#batch) advance.to = Math.min(advance.to, rows[rows.length - 1]!.seq);
      read.push(...rows);
    }
    for (const m of read.filter((x) => x.seq <= advance.to).sort((a, b) => a.seq - b.seq)) {
      const scope = coveringScope(e, scopes, m);
      if (scope) advance.deliveries.push(messageDelivery(e, m, scope, { id: newId('webhookDelivery', this.d.environment, nowMs), now, origin: 'dispatch' }));
    }
    return advance;
  }

  /**
   * Grant lifecycle events of the endpoint's organisation (as owner or consumer) since its grant event cursor; those
   * from before the endpoint existed are passed over. Grant events are numbered in commit order (grants' store), so
   * no horizon is needed.
   */
  async #grantEventAdvance(e: WebhookEndpointRecord): Promise<WebhookAdvance[]> {
    const events = await this.d.store.listGrantEvents({ organisationId: e.organisationId, afterSeq: e.grantEventCursor, limit: this.#batch });
    if (events.length === 0) return [];
    const nowMs = this.d.clock.now();
    const deliveries = events.filter((g) => g.at >= e.createdAt)
      .map((g) => grantEventDelivery(e, g, { id: newId('webhookDelivery', this.d.environment, nowMs), now: iso(nowMs), origin: 'dispatch' }));
    return [{ endpointId: e.id, cursor: 'grantEvent', from: e.grantEventCursor, to: events[events.length - 1]!.seq, deliveries }];
  }

  /**
   * Rounds of attempts until none is due (at most 10 per tick): each round claims at most a second's worth of the rate
   * limit, sends them concurrently, and records every outcome in one commit.
   */
  async deliverDue(): Promise<number> {
    let attempted = 0;
    for (let round = 0; round < 10 && !this.#stopped; round++) {
      const now = this.d.clock.now();
      const limit = Math.min(CLAIM_BATCH, this.d.rateLimitPerS);
      const claimed = await this.d.store.claimWebhookDeliveries({ owner: this.owner, now: iso(now), leaseUntil: iso(now + this.d.leaseMs), limit });
      if (claimed.length === 0) break;
      const r: Round = { endpoints: new Map(), scopes: new Map(), at: iso(now) };
      const outcomes = (await Promise.all(claimed.map((c) => this.#attempt(c, r).catch((err: unknown) => {
        this.d.log?.error({ err, code: 'WEBHOOK_ATTEMPT_FAILED', deliveryId: c.id }, 'webhook attempt failed');
        return null;
      })))).filter((o): o is WebhookOutcome => o !== null);
      const recorded = await this.d.store.finishWebhookAttempts(this.owner, outcomes);
      const failing = new Set(outcomes.filter((o, i) => recorded[i] && o.attempt.outcome === 'failed').map((o) => o.endpointId));
      for (const id of failing) await this.#disableIfFailingTooLong(id);
      attempted += claimed.length;
    }
    return attempted;
  }

  /** One attempt of a claimed delivery; its outcome (null when the endpoint is gone). */
  async #attempt(c: ClaimedDelivery, r: Round): Promise<WebhookOutcome | null> {
    let ep = r.endpoints.get(c.endpointId);
    if (!ep) {
      ep = this.d.store.getWebhookEndpoint(c.endpointId).then(async (e) => (e ? { e, secrets: await openSecrets(this.d.crypto, e, this.d.clock.now()) } : undefined));
      r.endpoints.set(c.endpointId, ep);
    }
    const loaded = await ep;
    if (!loaded) return null;
    const { e, secrets } = loaded;
    const outcome = (o: { statusCode: number | null; durationMs: number; error: string | null; outcome: 'succeeded' | 'failed' | 'cancelled'; next: number | null }): WebhookOutcome => ({
      endpointId: e.id,
      status: o.outcome === 'succeeded' ? 'succeeded' : o.outcome === 'cancelled' ? 'cancelled' : o.next === null ? 'failed' : 'pending',
      failingSince: o.outcome === 'succeeded' ? 'clear' : o.outcome === 'cancelled' ? 'keep' : 'keep-or-set',
      attempt: {
        deliveryId: c.id, attempt: c.attempt, at: iso(this.d.clock.now()), statusCode: o.statusCode, durationMs: o.durationMs, error: o.error, outcome: o.outcome,
        nextAttemptAt: o.next === null ? null : iso(o.next),
      },
    });
    // Revocation takes effect at the next attempt: the message must still be in scope now (the round's instant).
    if (c.messageId !== null) {
      const data = (JSON.parse(c.payload) as WebhookPayload<MessageReceivedData>).data;
      const key = `${e.organisationId}\n${data.companyId}`;
      let scopes = r.scopes.get(key);
      if (!scopes) {
        scopes = this.d.scopesFor(e.organisationId, 'subscribe', r.at, data.companyId);
        r.scopes.set(key, scopes);
      }
      const m = { ...data, id: data.messageId, partyId: '', contentType: data.mediaType, transactionId: null, seq: 0 };
      if (!coveringScope(e, await scopes, m)) {
        return outcome({ statusCode: null, durationMs: 0, error: 'not sent: the message is no longer in scope (grant revoked, expired or narrowed)', outcome: 'cancelled', next: null });
      }
    }
    await this.#waitForRate(e.id);
    const sentAt = this.d.clock.now();
    const res = await this.d.sender.send(e.url, { webhookId: c.webhookId, timestamp: new Date(sentAt), secrets }, c.payload, sentAt);
    if (res.ok) return outcome({ ...res, outcome: 'succeeded', next: null });
    const delay = nextDelayMs(c.attempt, res.retryAfterMs);
    return outcome({ ...res, outcome: 'failed', next: delay === null ? null : this.d.clock.now() + delay });
  }

  async #waitForRate(endpointId: string): Promise<void> {
    for (;;) {
      try {
        await this.#limiter.consume(endpointId);
        return;
      } catch (res) {
        if (!(res instanceof RateLimiterRes)) throw res;
        await new Promise((r) => setTimeout(r, Math.max(1, res.msBeforeNext)));
      }
    }
  }

  async #disableIfFailingTooLong(endpointId: string): Promise<void> {
    const e = await this.d.store.getWebhookEndpoint(endpointId);
    if (!e || e.status !== 'active' || e.failingSince === null) return;
    const now = this.d.clock.now();
    if (now - Date.parse(e.failingSince) < this.d.disableAfterMs) return;
    const at = iso(now);
    const org = await this.d.store.getOrganisation(e.organisationId);
    const ok = await this.d.store.updateWebhookEndpoint({ ...e, status: 'disabled', disabledReason: 'failing', updatedAt: at }, this.d.audit.event(SYSTEM_CONTEXT, {
      action: 'webhook-endpoint.auto-disable', subject: e.id, tenants: org?.companyId ? [org.companyId] : [], details: { organisationId: e.organisationId, failingSince: e.failingSince },
    }));
    if (ok) this.d.log?.warn({ code: 'WEBHOOK_ENDPOINT_DISABLED', endpointId: e.id, organisationId: e.organisationId, failingSince: e.failingSince }, 'webhook endpoint disabled after failing continuously');
  }
}
