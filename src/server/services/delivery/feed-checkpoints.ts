import { VaultgateError, type Clock } from '../../../protocol/index.js';
import type { FeedCheckpointRecord, ListQuery, Page, Store } from '../../../store/index.js';
import type { AuditContext, AuditTrail } from '../audit/audit-trail.js';
import type { ScopesFor } from '../sharing/read-scopes.js';
import { decodeFeedCursor, encodeFeedCursor, type FeedPosition } from './feed-cursor.js';

/*
 * Feed checkpoints (issue 16): a consumer organisation's named, server-side positions in its change feed, as Kafka's
 * committed offsets or EventStoreDB's checkpoints. A follower reads `GET /vault/v1/feed?checkpoint=<name>` and, once
 * it has processed the answer, commits the answer's nextCursor back (PUT {cursor}); a restart resumes at the last
 * commit (at-least-once). Reading never moves a checkpoint. Free of Fastify; authorization is the routes'.
 *
 * Auditing: creating or resetting one (`position`) and deleting one are audit events (`feed-checkpoint.set`,
 * `feed-checkpoint.delete`); committing a cursor is not (a follower commits after every poll, and the poll itself is a
 * `feed.read` event).
 */

/** Checkpoints one organisation may have. */
export const MAX_CHECKPOINTS = 100;
/** A checkpoint's name. */
export const CHECKPOINT_NAME = /^[a-z0-9._-]{1,64}$/;

export interface FeedCheckpointsDeps {
  store: Store;
  clock: Clock;
  audit: AuditTrail;
  scopesFor: ScopesFor;
}

/** What PUT sets: a cursor the feed gave out, or a position (`start`: the oldest item; `now`: the feed's current end). */
export type CheckpointInput = { cursor: string; position?: undefined } | { position: 'start' | 'now'; cursor?: undefined };

/** A checkpoint as the API shows it: its cursor and the highest positions it holds. */
export interface CheckpointView {
  name: string;
  cursor: string;
  /** The highest message position (seq) the checkpoint has passed, over every vault it reads; 0 at the start. */
  messageSeq: number;
  /** The grant event position it has passed. */
  grantEventSeq: number;
  updatedAt: string;
  updatedBy: string;
}

/** Where the organisation's feed ends now: compare a checkpoint's positions with it to say how far behind it is. */
export interface FeedHead {
  messageSeq: number;
  grantEventSeq: number;
}

const view = (c: FeedCheckpointRecord): CheckpointView => ({
  name: c.name, cursor: c.cursor, messageSeq: c.messageSeq, grantEventSeq: c.grantEventSeq, updatedAt: c.updatedAt, updatedBy: c.updatedBy,
});

const highest = (p: FeedPosition): number => Object.values(p.messages).reduce((a, b) => Math.max(a, b), 0);

export function checkCheckpointName(name: string): string {
  if (!CHECKPOINT_NAME.test(name)) throw new VaultgateError('INVALID_REQUEST', { detail: 'A checkpoint name is 1-64 of a-z, 0-9, ".", "_" and "-".' });
  return name;
}

export class FeedCheckpoints {
  constructor(private readonly d: FeedCheckpointsDeps) {}

  #now(): string {
    return new Date(this.d.clock.now()).toISOString();
  }

  /** The feed's current end for `organisationId`: the message horizon and its newest grant event. */
  async head(organisationId: string): Promise<FeedHead> {
    const [messageSeq, grantEventSeq] = await Promise.all([this.d.store.messageHorizon(), this.d.store.lastGrantEventSeq(organisationId)]);
    return { messageSeq, grantEventSeq };
  }

  /**
   * The position "now": every vault the organisation reads now at the message horizon (no message at or below it
   * can still appear), and its newest grant event. A vault it starts reading later (a new grant) starts at that
   * vault's oldest message, as it would from any cursor.
   */
  async #nowPosition(organisationId: string): Promise<FeedPosition> {
    const head = await this.head(organisationId);
    const scopes = await this.d.scopesFor(organisationId, 'read', this.#now());
    return { messages: Object.fromEntries(scopes.map((s) => [s.companyId, head.messageSeq])), grantEvents: head.grantEventSeq };
  }

  async list(organisationId: string, q: ListQuery): Promise<Page<CheckpointView> & { head: FeedHead }> {
    const [page, head] = await Promise.all([this.d.store.listFeedCheckpoints(organisationId, q), this.head(organisationId)]);
    return { items: page.items.map(view), nextCursor: page.nextCursor, head };
  }

  async get(organisationId: string, name: string): Promise<CheckpointView> {
    const c = await this.d.store.getFeedCheckpoint(organisationId, checkCheckpointName(name));
    if (!c) throw new VaultgateError('FEED_CHECKPOINT_NOT_FOUND', { detail: `No checkpoint ${name}.` });
    return view(c);
  }

  /** The cursor a feed request with `checkpoint=<name>` reads from; FEED_CHECKPOINT_NOT_FOUND when there is none. */
  async cursorOf(organisationId: string, name: string): Promise<string> {
    return (await this.get(organisationId, name)).cursor;
  }

  /**
   * Commits a position: `cursor` (a nextCursor of this organisation's feed, checked by the feed's decoder:
   * FEED_CURSOR_INVALID otherwise) or `position` start/now. Creates the checkpoint when there is none
   * (FEED_CHECKPOINT_LIMIT beyond MAX_CHECKPOINTS).
   */
  async put(organisationId: string, name: string, input: CheckpointInput, ctx: AuditContext): Promise<CheckpointView & { created: boolean }> {
    checkCheckpointName(name);
    if ((input.cursor === undefined) === (input.position === undefined)) {
      throw new VaultgateError('INVALID_REQUEST', { detail: 'Give either cursor (a nextCursor of the feed) or position (start or now).' });
    }
    const tenants = await this.#tenants(organisationId);
    let position: FeedPosition;
    let cursor: string;
    if (input.cursor !== undefined) {
      position = decodeFeedCursor(organisationId, input.cursor);
      cursor = input.cursor;
    } else {
      position = input.position === 'start' ? { messages: {}, grantEvents: 0 } : await this.#nowPosition(organisationId);
      cursor = encodeFeedCursor(organisationId, position);
    }
    const record: FeedCheckpointRecord = {
      organisationId, name, cursor, messageSeq: highest(position), grantEventSeq: position.grantEvents, updatedAt: this.#now(), updatedBy: ctx.actor.id,
    };
    const audit = input.position === undefined ? undefined : this.d.audit.event(ctx, {
      action: 'feed-checkpoint.set', subject: organisationId, tenants, details: { name, position: input.position },
    });
    const done = await this.d.store.putFeedCheckpoint(record, MAX_CHECKPOINTS, audit);
    if (done === 'limit') throw new VaultgateError('FEED_CHECKPOINT_LIMIT', { detail: `At most ${MAX_CHECKPOINTS} checkpoints per organisation.` });
    return { ...view(record), created: done === 'created' };
  }

  async delete(organisationId: string, name: string, ctx: AuditContext): Promise<void> {
    checkCheckpointName(name);
    const ok = await this.d.store.deleteFeedCheckpoint(organisationId, name, this.d.audit.event(ctx, {
      action: 'feed-checkpoint.delete', subject: organisationId, tenants: await this.#tenants(organisationId), details: { name },
    }));
    if (!ok) throw new VaultgateError('FEED_CHECKPOINT_NOT_FOUND', { detail: `No checkpoint ${name}.` });
  }

  /** The organisation's company (the audit event's tenant); NOT_FOUND for an unknown organisation. */
  async #tenants(organisationId: string): Promise<string[]> {
    const org = await this.d.store.getOrganisation(organisationId);
    if (!org) throw new VaultgateError('NOT_FOUND', { detail: `No organisation ${organisationId}.` });
    return org.companyId ? [org.companyId] : [];
  }
}
