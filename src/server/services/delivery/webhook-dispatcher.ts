import { randomBytes } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { newId, type Clock, type Environment } from '../../../protocol/index.js';
import type { ClaimedDelivery, PositionedMessage, Store, WebhookEndpointRecord } from '../../../store/index.js';
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
  /** Messages read per endpoint per scan, deliveries claimed per tick. */
  batch?: number;
  log?: { warn(o: object, msg: string): void; error(o: object, msg: string): void };
}

const iso = (ms: number): string => new Date(ms).toISOString();

export class WebhookDispatcher {
  /** Names this process in leases. */
  readonly owner = `wd-${randomBytes(6).toString('hex')}`;
  readonly #limiter: RateLimiterMemory;
  readonly #batch: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(private readonly d: WebhookDispatcherDeps) {
    this.#limiter = new RateLimiterMemory({ points: d.rateLimitPerS, duration: 1 });
    this.#batch = d.batch ?? 200;
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
    const horizon = await this.d.store.messageHorizon();
    let created = 0;
    let cursor: string | undefined;
    do {
      const page = await this.d.store.listActiveWebhookEndpoints({ cursor, limit: 100 });
      for (const e of page.items) {
        if (e.messageCursor < horizon) created += await this.#scanEndpoint(e, horizon);
        if (e.eventTypes.includes('grant.*')) created += await this.#scanGrantEvents(e);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return created;
  }

  /** Moves one endpoint's cursor over at most `batch` messages per vault (compare-and-set); returns deliveries made. */
  async #scanEndpoint(e: WebhookEndpointRecord, horizon: number): Promise<number> {
    const now = iso(this.d.clock.now());
    if (!e.eventTypes.includes('message.received')) {
      await this.d.store.advanceWebhookCursor(e.id, 'message', e.messageCursor, horizon, []);
      return 0;
    }
    const scopes = await this.d.scopesFor(e.organisationId, 'subscribe', now);
    const companies = [...new Set(scopes.map((s) => s.companyId))].filter((c) => e.filters.ownerCompanyIds?.length ? e.filters.ownerCompanyIds.includes(c) : true);
    let to = horizon;
    const read: PositionedMessage[] = [];
    for (const companyId of companies) {
      const rows = await this.d.store.listPositionedMessages({ companyId, afterSeq: e.messageCursor, throughSeq: horizon, limit: this.#batch });
      // A vault with more than a batch bounds how far the cursor may move this time.
      if (rows.length === this.#batch) to = Math.min(to, rows[rows.length - 1]!.seq);
      read.push(...rows);
    }
    const deliveries = read.filter((m) => m.seq <= to).sort((a, b) => a.seq - b.seq).flatMap((m) => {
      const scope = coveringScope(e, scopes, m);
      return scope ? [messageDelivery(e, m, scope, { id: newId('webhookDelivery', this.d.environment, this.d.clock.now()), now, origin: 'dispatch' })] : [];
    });
    const moved = await this.d.store.advanceWebhookCursor(e.id, 'message', e.messageCursor, to, deliveries);
    return moved ? deliveries.length : 0;
  }

  /**
   * Grant lifecycle events of the endpoint's organisation (as owner or consumer) since its grant event cursor; those
   * from before the endpoint existed are passed over. Grant events are numbered in commit order (grants' store), so
   * no horizon is needed.
   */
  async #scanGrantEvents(e: WebhookEndpointRecord): Promise<number> {
    const events = await this.d.store.listGrantEvents({ organisationId: e.organisationId, afterSeq: e.grantEventCursor, limit: this.#batch });
    if (events.length === 0) return 0;
    const now = this.d.clock.now();
    const deliveries = events.filter((g) => g.at >= e.createdAt)
      .map((g) => grantEventDelivery(e, g, { id: newId('webhookDelivery', this.d.environment, now), now: iso(now), origin: 'dispatch' }));
    const moved = await this.d.store.advanceWebhookCursor(e.id, 'grantEvent', e.grantEventCursor, events[events.length - 1]!.seq, deliveries);
    return moved ? deliveries.length : 0;
  }

  /** Claims and attempts due deliveries until none is due (at most a few rounds per tick). */
  async deliverDue(): Promise<number> {
    let attempted = 0;
    for (let round = 0; round < 10 && !this.#stopped; round++) {
      const now = this.d.clock.now();
      const limit = Math.min(this.#batch, this.d.rateLimitPerS);
      const claimed = await this.d.store.claimWebhookDeliveries({ owner: this.owner, now: iso(now), leaseUntil: iso(now + this.d.leaseMs), limit });
      if (claimed.length === 0) break;
      await Promise.all(claimed.map((c) => this.#attempt(c).catch((err: unknown) => this.d.log?.error({ err, code: 'WEBHOOK_ATTEMPT_FAILED', deliveryId: c.id }, 'webhook attempt failed'))));
      attempted += claimed.length;
    }
    return attempted;
  }

  async #attempt(c: ClaimedDelivery): Promise<void> {
    const e = await this.d.store.getWebhookEndpoint(c.endpointId);
    if (!e) return;
    const nowMs = this.d.clock.now();
    const finish = (o: { statusCode: number | null; durationMs: number; error: string | null; outcome: 'succeeded' | 'failed' | 'cancelled'; next: number | null }) =>
      this.d.store.finishWebhookAttempt({
        owner: this.owner, endpointId: e.id,
        status: o.outcome === 'succeeded' ? 'succeeded' : o.outcome === 'cancelled' ? 'cancelled' : o.next === null ? 'failed' : 'pending',
        failingSince: o.outcome === 'succeeded' ? 'clear' : o.outcome === 'cancelled' ? 'keep' : 'keep-or-set',
        attempt: {
          deliveryId: c.id, attempt: c.attempt, at: iso(this.d.clock.now()), statusCode: o.statusCode, durationMs: o.durationMs, error: o.error, outcome: o.outcome,
          nextAttemptAt: o.next === null ? null : iso(o.next),
        },
      });
    // Revocation takes effect at the next attempt: the message must still be in scope now.
    if (c.messageId !== null) {
      const data = (JSON.parse(c.payload) as WebhookPayload<MessageReceivedData>).data;
      const scopes = await this.d.scopesFor(e.organisationId, 'subscribe', iso(nowMs), data.companyId);
      const m = { ...data, id: data.messageId, partyId: '', contentType: data.mediaType, transactionId: null, seq: 0 };
      if (!coveringScope(e, scopes, m)) {
        await finish({ statusCode: null, durationMs: 0, error: 'not sent: the message is no longer in scope (grant revoked, expired or narrowed)', outcome: 'cancelled', next: null });
        return;
      }
    }
    await this.#waitForRate(e.id);
    const secrets = await openSecrets(this.d.crypto, e, this.d.clock.now());
    const sentAt = this.d.clock.now();
    const r = await this.d.sender.send(e.url, { webhookId: c.webhookId, timestamp: new Date(sentAt), secrets }, c.payload, sentAt);
    if (r.ok) {
      await finish({ ...r, outcome: 'succeeded', next: null });
      return;
    }
    const delay = nextDelayMs(c.attempt, r.retryAfterMs);
    const recorded = await finish({ ...r, outcome: 'failed', next: delay === null ? null : this.d.clock.now() + delay });
    if (recorded) await this.#disableIfFailingTooLong(e.id);
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
