/**
 * What a grant lets a consumer read (issue 15), and the one pure test of a message against it. Shared by consumer reads,
 * the change feed and webhook dispatch, so that the three can never disagree about what is in scope.
 *
 * A grant's scope names channels and/or message types (at least one of the two lists is non-empty), optionally a
 * window of the messages' `receivedAt`, the actions it allows, and its validity window. An owner reading its own vault
 * has the unrestricted scope {@link ownerScope}.
 */

/** What a grant allows: `read` (list, get, export, feed) and `subscribe` (webhook delivery). */
export type GrantAction = 'read' | 'subscribe';

/** The data part of a grant's terms (what, not when it is valid). */
export interface GrantScope {
  /** Channel ids; null or empty = any channel of the owner (then `messageTypes` must be non-empty). */
  channelIds: string[] | null;
  /** Message type names; null or empty = any type (then `channelIds` must be non-empty). */
  messageTypes: string[] | null;
  /** ISO 8601 instant, inclusive: only messages received at or after it. Null = no lower bound. */
  receivedFrom: string | null;
  /** ISO 8601 instant, exclusive: only messages received before it. Null = no upper bound. */
  receivedBefore: string | null;
}

/**
 * One scope a reader holds over one owner's vault right now: the owner's company id, the grant it comes from (null for
 * the owner itself) and the data part. A reader may hold several (several grants of the same owner).
 */
export interface ReadScope extends GrantScope {
  /** The owner's company id (the vault). */
  companyId: string;
  /** The grant this scope comes from; null when the reader is the owner. */
  grantId: string | null;
}

/** The minimal metadata the test needs (a subset of the stored message metadata). */
export interface ScopedMessage {
  companyId: string;
  channelId: string;
  messageType: string;
  /** ISO 8601 instant. */
  receivedAt: string;
}

/** The owner's own, unrestricted scope over its vault. */
export function ownerScope(companyId: string): ReadScope {
  return { companyId, grantId: null, channelIds: null, messageTypes: null, receivedFrom: null, receivedBefore: null };
}

const nonEmpty = (xs: string[] | null): xs is string[] => xs !== null && xs.length > 0;

/**
 * Whether one scope covers a message. ISO 8601 instants in the store's canonical form (`…Z`, milliseconds) compare
 * as strings.
 *
 * @example
 * scopeCovers({ ...ownerScope('co_test_1'), messageTypes: ['invoice'] }, { companyId: 'co_test_1', channelId: 'ch_x', messageType: 'invoice', receivedAt: '2026-01-01T00:00:00.000Z' }); // true
 */
export function scopeCovers(scope: ReadScope, m: ScopedMessage): boolean {
  if (scope.companyId !== m.companyId) return false;
  if (nonEmpty(scope.channelIds) && !scope.channelIds.includes(m.channelId)) return false;
  if (nonEmpty(scope.messageTypes) && !scope.messageTypes.includes(m.messageType)) return false;
  if (scope.receivedFrom !== null && m.receivedAt < scope.receivedFrom) return false;
  if (scope.receivedBefore !== null && m.receivedAt >= scope.receivedBefore) return false;
  return true;
}

/** The scopes (of any owner) that cover a message; empty when the reader may not see it. */
export function scopesCovering(scopes: readonly ReadScope[], m: ScopedMessage): ReadScope[] {
  return scopes.filter((s) => scopeCovers(s, m));
}

/**
 * Whether `narrower` asks for no more than `wider` (an owner may narrow a request, never widen it): each list is a
 * subset (an unrestricted list is only inside an unrestricted one) and the window lies within.
 */
export function scopeWithin(narrower: GrantScope, wider: GrantScope): boolean {
  const listWithin = (n: string[] | null, w: string[] | null) => !nonEmpty(w) || (nonEmpty(n) && n.every((x) => w.includes(x)));
  const fromWithin = wider.receivedFrom === null || (narrower.receivedFrom !== null && narrower.receivedFrom >= wider.receivedFrom);
  const beforeWithin = wider.receivedBefore === null || (narrower.receivedBefore !== null && narrower.receivedBefore <= wider.receivedBefore);
  return listWithin(narrower.channelIds, wider.channelIds) && listWithin(narrower.messageTypes, wider.messageTypes) && fromWithin && beforeWithin;
}
