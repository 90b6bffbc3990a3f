import { scopesCovering, VaultgateError, type Clock, type ReadScope } from '../../../protocol/index.js';
import type { FeedMessage, GrantEventRecord, Store } from '../../../store/index.js';
import type { VaultCrypto } from '../../crypto/vault-crypto.js';
import { messageAad } from '../ingest-message.js';
import { TEXT_MEDIA, type MessageView } from '../read-vault.js';
import { bodyLink } from './body-link.js';
import { decodeFeedCursor, encodeFeedCursor, type FeedPosition } from './feed-cursor.js';
import type { ScopesFor } from '../sharing/read-scopes.js';
import type { FeedWaits } from './feed-waits.js';

/** Grant events of an organisation (as owner or consumer) after a position, by seq (SharingStore.listGrantEvents). */
export type GrantEventSource = (q: { organisationId: string; afterSeq: number; limit: number }) => Promise<Array<GrantEventRecord & { seq: number }>>;

export interface FeedDeps {
  store: Store;
  crypto: VaultCrypto;
  clock: Clock;
  scopesFor: ScopesFor;
  waits: FeedWaits;
  grantEvents: GrantEventSource;
}

export type FeedItem =
  | {
    type: 'message.received'; position: number; companyId: string; grantId: string | null;
    message: MessageView; links: { body: string }; body?: string; bodyBase64?: string;
  }
  | {
    type: GrantEventRecord['type']; position: number; companyId: string; grantId: string; at: string; eventId: string;
    grant: Pick<GrantEventRecord, 'state' | 'terms' | 'ownerOrganisationId' | 'consumerOrganisationId'>;
  };

export interface FeedPage {
  items: FeedItem[];
  /** Opaque; pass it back to continue after these items (the same cursor when there were none). */
  nextCursor: string;
  /** More items are ready now: poll again at once. */
  hasMore: boolean;
  /** Messages returned per owner company (the audit event's tenants and counts). */
  owners: Record<string, number>;
  /** What nextCursor encodes. */
  position: FeedPosition;
}

export interface FeedRequest {
  /** The position to continue from; absent starts at the oldest item. */
  cursor?: string | undefined;
  /** Items per answer, 1-1000 (default 100). */
  limit?: string | undefined;
  /** Seconds to wait for an item when there is none, 0-60 (default 0). */
  wait?: string | undefined;
  /** `inline`: each message carries its body. */
  body?: string | undefined;
}

const LIMIT_DEFAULT = 100;
const WAIT_MAX_S = 60;

function wholeNumber(name: string, v: string | undefined, min: number, max: number, dflt: number): number {
  if (v === undefined) return dflt;
  const n = /^[0-9]{1,5}$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new VaultgateError('INVALID_REQUEST', { detail: `${name} must be a whole number from ${min} to ${max}.` });
  }
  return n;
}

/** Checks a feed request before anything is read: INVALID_REQUEST (limit, wait, body) or FEED_CURSOR_INVALID. */
export function parseFeedRequest(reader: string, q: FeedRequest): { position: FeedPosition; limit: number; waitS: number; inline: boolean } {
  const limit = wholeNumber('limit', q.limit, 1, 1000, LIMIT_DEFAULT);
  const waitS = wholeNumber('wait', q.wait, 0, WAIT_MAX_S, 0);
  if (q.body !== undefined && q.body !== 'inline') throw new VaultgateError('INVALID_REQUEST', { detail: 'body must be inline (or left out for links).' });
  return { position: decodeFeedCursor(reader, q.cursor), limit, waitS, inline: q.body === 'inline' };
}

/** The SQL-side filter of one owner's scopes: a superset of their union (scopeCovers decides each message). */
function pushdown(scopes: readonly ReadScope[]): { channelIds?: string[]; messageTypes?: string[] } {
  const union = (lists: (string[] | null)[]): string[] | undefined =>
    lists.some((l) => l === null || l.length === 0) ? undefined : [...new Set(lists.flat() as string[])];
  const channelIds = union(scopes.map((s) => s.channelIds));
  const messageTypes = union(scopes.map((s) => s.messageTypes));
  return { ...(channelIds ? { channelIds } : {}), ...(messageTypes ? { messageTypes } : {}) };
}

const view = ({ id, companyId: _c, seq: _s, bodyCiphertext: _b, keyVersion: _k, ...rest }: FeedMessage): MessageView => ({ messageId: id, ...rest });

function inlineBody(mediaType: string, body: Buffer, utf8: TextDecoder): { body: string } | { bodyBase64: string } {
  if (TEXT_MEDIA.test(mediaType)) {
    try {
      return { body: utf8.decode(body) };
    } catch {
      // Not valid UTF-8: base64 below, as in exports.
    }
  }
  return { bodyBase64: body.toString('base64') };
}

/**
 * One poll: the reader's scopes resolved now (a revoked grant shows nothing from this poll on), then grant events
 * and messages after `position`, at most `limit` items. Messages of several owner vaults come merged in seq order;
 * each vault is read from its own position (a query per vault over (company_id, seq), the scopes' channel and type
 * lists pushed into SQL, scopeCovers the final check). A message no scope covers is passed over (the position moves
 * past it) and not shown.
 */
export async function pollFeed(d: FeedDeps, reader: string, start: FeedPosition, limit: number, inline: boolean): Promise<FeedPage> {
  const now = new Date(d.clock.now()).toISOString();
  const scopes = await d.scopesFor(reader, 'read', now);
  const position: FeedPosition = { messages: { ...start.messages }, grantEvents: start.grantEvents };
  const items: FeedItem[] = [];
  let hasMore = false;

  // Grant events first (both sides see them; few): a revocation shows before whatever follows it.
  const events = await d.grantEvents({ organisationId: reader, afterSeq: start.grantEvents, limit: limit + 1 });
  if (events.length > limit) hasMore = true;
  for (const e of events.slice(0, limit)) {
    // The actor (a user id of one side) is left out: the other side sees what changed, not who clicked.
    items.push({
      type: e.type, position: e.seq, companyId: e.ownerOrganisationId, grantId: e.grantId, at: e.at, eventId: e.id,
      grant: { state: e.state, terms: e.terms, ownerOrganisationId: e.ownerOrganisationId, consumerOrganisationId: e.consumerOrganisationId },
    });
    position.grantEvents = e.seq;
  }

  const owners: Record<string, number> = {};
  const budget = limit - items.length;
  if (budget > 0) {
    const byOwner = new Map<string, ReadScope[]>();
    for (const s of scopes) byOwner.set(s.companyId, [...(byOwner.get(s.companyId) ?? []), s]);
    const pages = await Promise.all([...byOwner].map(async ([companyId, ss]) => ({
      companyId, scopes: ss,
      ...(await d.store.listFeedMessages({ companyId, afterSeq: start.messages[companyId] ?? 0, limit: budget, bodies: inline, ...pushdown(ss) })),
    })));
    // A vault that filled its page may have more before another vault's later rows: nothing past its last row is
    // taken this time, so the answer stays in seq order. (A vault held back by the horizon does not hold others.)
    let bound = Number.POSITIVE_INFINITY;
    // (`more` with a short page is the horizon on PostgreSQL: nothing more is ready yet, the next poll will tell.)
    for (const p of pages) {
      if (p.items.length === budget) {
        hasMore = true;
        bound = Math.min(bound, p.items[budget - 1]!.seq);
      }
    }
    const rows = pages.flatMap((p) => p.items.filter((m) => m.seq <= bound).map((m) => ({ m, scopes: p.scopes })))
      .sort((a, b) => a.m.seq - b.m.seq);
    const taken: { m: FeedMessage; grantId: string | null }[] = [];
    for (const { m, scopes: ss } of rows) {
      if (taken.length === budget) {
        hasMore = true;
        break;
      }
      position.messages[m.companyId] = m.seq;
      const covering = scopesCovering(ss, m);
      if (covering.length > 0) taken.push({ m, grantId: covering.find((s) => s.grantId === null)?.grantId ?? covering[0]!.grantId });
    }
    const bodies = new Map<FeedMessage, Buffer>();
    if (inline) {
      for (const companyId of new Set(taken.map((t) => t.m.companyId))) {
        const mine = taken.filter((t) => t.m.companyId === companyId).map((t) => t.m);
        const opened = await d.crypto.openMany(mine, companyId, (m) => m.bodyCiphertext!, (m) => messageAad(m.companyId, m.id));
        mine.forEach((m, i) => bodies.set(m, opened[i]!));
      }
    }
    const utf8 = new TextDecoder('utf-8', { fatal: true });
    for (const { m, grantId } of taken) {
      owners[m.companyId] = (owners[m.companyId] ?? 0) + 1;
      const body = bodies.get(m);
      items.push({
        type: 'message.received', position: m.seq, companyId: m.companyId, grantId, message: view(m),
        links: { body: bodyLink(m, grantId) }, ...(body ? inlineBody(m.mediaType, body, utf8) : {}),
      });
    }
  } else {
    hasMore = true;
  }
  return { items, nextCursor: encodeFeedCursor(reader, position), hasMore, owners, position };
}

/**
 * A feed request: validated, polled, and with `wait` > 0 and nothing to show, held until an item arrives (woken by
 * this process's commits, or by polling for other processes') or the wait ends; the scopes are resolved again at
 * every poll, the last one included. Ends early, with what the last poll found, when `abort` fires.
 */
export async function readFeed(d: FeedDeps, reader: string, q: FeedRequest, abort: AbortSignal): Promise<FeedPage> {
  const { position, limit, waitS, inline } = parseFeedRequest(reader, q);
  let page = await pollFeed(d, reader, position, limit, inline);
  if (page.items.length > 0 || page.hasMore || waitS === 0 || d.waits.closed) return page;
  const release = d.waits.acquire(reader);
  try {
    const deadline = d.clock.now() + waitS * 1000;
    for (;;) {
      const left = deadline - d.clock.now();
      if (left <= 0 || abort.aborted || d.waits.closed) return page;
      await d.waits.wake(left, abort);
      // From where the last poll got to: messages it passed over (outside every scope) are not read again.
      page = await pollFeed(d, reader, page.position, limit, inline);
      if (page.items.length > 0 || page.hasMore) return page;
    }
  } finally {
    release();
  }
}
