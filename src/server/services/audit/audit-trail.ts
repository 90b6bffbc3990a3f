import { newId, VaultgateError, type AuditActor, type AuditOutcome, type AuditRecord, type Clock, type Environment } from '../../../protocol/index.js';
import { auditUnavailable, type AuditAppend, type AuditQuery, type Page, type Store } from '../../../store/index.js';

/** Who made a request and from where: what every event of that request records. */
export interface AuditContext {
  actor: AuditActor;
  clientAddress: string | null;
  requestId: string | null;
}

/** The server acting on its own (startup, sweeps, timers). */
export const SYSTEM_CONTEXT: AuditContext = Object.freeze<AuditContext>({ actor: { kind: 'system', id: 'vaultgate' }, clientAddress: null, requestId: null });

/** What an event says beyond its context. */
export interface AuditFacts {
  /** ISO 8601 instant of the change when the change records one itself (e.g. deletedAt), so both agree; default now. */
  at?: string | undefined;
  action: string;
  /** The id acted on; `-` when there is none. */
  subject: string;
  /** Companies the event concerns (their owners see it). */
  tenants?: readonly string[] | undefined;
  outcome?: AuditOutcome | undefined;
  details?: Record<string, unknown> | undefined;
}

export interface AuditTrailDeps {
  store: Store;
  clock: Clock;
  environment: Environment;
  /** A refusal whose event could not be written (the refusal is answered anyway); for the log. */
  onRefusalLost?: (err: unknown, event: AuditAppend) => void;
}

/**
 * The audit trail's writer (issue 13). Three ways to record, by what the event is about:
 * - a change in the database: `event()` builds the event, the store appends it in the change's own transaction;
 * - a read, or a change outside the database (key store): `record()` appends it durably first and throws
 *   AUDIT_UNAVAILABLE when it cannot, so the caller answers nothing / changes nothing;
 * - a refusal: `refusal()` appends it in its own transaction and never throws (the refusal stands regardless).
 */
export class AuditTrail {
  constructor(private readonly d: AuditTrailDeps) {}

  event(ctx: AuditContext, f: AuditFacts): AuditAppend {
    return {
      id: newId('auditEvent', this.d.environment), at: f.at ?? new Date(this.d.clock.now()).toISOString(), environment: this.d.environment,
      actor: { kind: ctx.actor.kind, id: ctx.actor.id }, action: f.action, subject: f.subject, tenants: [...new Set(f.tenants ?? [])],
      clientAddress: ctx.clientAddress, requestId: ctx.requestId, outcome: f.outcome ?? 'success', details: f.details ?? {},
    };
  }

  /** Appends an event in its own durable transaction; AUDIT_UNAVAILABLE (503) when it cannot be written. */
  async record(ctx: AuditContext, f: AuditFacts): Promise<AuditRecord> {
    try {
      return await this.d.store.appendAudit(this.event(ctx, f));
    } catch (err) {
      throw auditUnavailable(err);
    }
  }

  /** Records a refusal (forbidden attempt, throttled credential) in its own transaction; never throws. */
  async refusal(ctx: AuditContext, f: AuditFacts): Promise<void> {
    const e = this.event(ctx, { ...f, outcome: f.outcome ?? 'refused' });
    try {
      await this.d.store.appendAudit(e);
    } catch (err) {
      this.d.onRefusalLost?.(err, e);
    }
  }

  /**
   * A change outside the database (the key store, the key file): an event with `stage: "started"` is written first
   * (no event, no change); then one with `stage: "done"` and what `result` says of the outcome, or with outcome
   * `failure` and the error code. Those two are written like refusals: the change has happened (or failed) by then,
   * so a write failure there is logged, not answered.
   */
  async around<T>(ctx: AuditContext, f: AuditFacts, change: () => Promise<T>, result: (r: T) => Record<string, unknown> = () => ({})): Promise<T> {
    await this.record(ctx, { ...f, details: { ...f.details, stage: 'started' } });
    let r: T;
    try {
      r = await change();
    } catch (err) {
      await this.refusal(ctx, { ...f, outcome: 'failure', details: { ...f.details, stage: 'failed', error: err instanceof VaultgateError ? err.code : 'INTERNAL' } });
      throw err;
    }
    await this.refusal(ctx, { ...f, outcome: 'success', details: { ...f.details, ...result(r), stage: 'done' } });
    return r;
  }

  list(q: AuditQuery): Promise<Page<AuditRecord>> {
    return this.d.store.listAudit(q);
  }

  /** The chain in seq order after `afterSeq` (for exports and verification). */
  chain(afterSeq: number, limit: number): Promise<AuditRecord[]> {
    return this.d.store.readAuditChain(afterSeq, limit);
  }
}
