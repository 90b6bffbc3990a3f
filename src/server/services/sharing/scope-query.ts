import type { ReadScope } from '../../../protocol/index.js';
import type { MessageQuery } from '../../../store/index.js';

/** What a reader asked for over one vault: the list's own filters (ISO instants normalised). */
export interface Selection {
  companyId: string;
  channelId?: string | undefined;
  messageType?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

const restricted = (xs: string[] | null): xs is string[] => xs !== null && xs.length > 0;

/** Whether a scope can cover any message of the selection (its lists and window meet the selection's filters). */
function meets(s: ReadScope, q: Selection): boolean {
  if (s.companyId !== q.companyId) return false;
  if (q.channelId !== undefined && restricted(s.channelIds) && !s.channelIds.includes(q.channelId)) return false;
  if (q.messageType !== undefined && restricted(s.messageTypes) && !s.messageTypes.includes(q.messageType)) return false;
  if (q.from !== undefined && s.receivedBefore !== null && s.receivedBefore <= q.from) return false;
  if (q.to !== undefined && s.receivedFrom !== null && s.receivedFrom >= q.to) return false;
  return true;
}

/** The union of the scopes' lists: undefined when one of them is unrestricted (then the union is too). */
function unionOf(lists: Array<string[] | null>): string[] | undefined {
  if (lists.some((l) => !restricted(l))) return undefined;
  return [...new Set(lists.flat() as string[])];
}

/**
 * The store query for a selection within a set of scopes: the selection's own filters, plus the smallest query
 * that holds every message the scopes meeting it could cover (their channel lists' union, their type lists' union,
 * the window from the earliest start to the latest end). With one scope it selects exactly that scope's messages;
 * with several it may select more (grant A: channel X; grant B: type T), so callers check each row with scopeCovers.
 * Null when no scope meets the selection: nothing to read.
 *
 * @example
 * narrowQuery({ companyId: 'co_1' }, [{ ...ownerScope('co_1'), grantId: 'grt_1', channelIds: ['ch_a'] }]);
 * // { companyId: 'co_1', channelIds: ['ch_a'] }
 */
export function narrowQuery(q: Selection, scopes: readonly ReadScope[]): Omit<MessageQuery, 'cursor' | 'limit'> | null {
  const meeting = scopes.filter((s) => meets(s, q));
  if (meeting.length === 0) return null;
  const out: Omit<MessageQuery, 'cursor' | 'limit'> = { ...q };
  const channelIds = unionOf(meeting.map((s) => s.channelIds));
  const messageTypes = unionOf(meeting.map((s) => s.messageTypes));
  if (channelIds !== undefined) out.channelIds = channelIds;
  if (messageTypes !== undefined) out.messageTypes = messageTypes;
  const starts = meeting.map((s) => s.receivedFrom);
  if (!starts.includes(null)) {
    const start = (starts as string[]).reduce((a, b) => (a < b ? a : b));
    if (q.from === undefined || start > q.from) out.from = start;
  }
  const ends = meeting.map((s) => s.receivedBefore);
  if (!ends.includes(null)) {
    const end = (ends as string[]).reduce((a, b) => (a > b ? a : b));
    if (q.to === undefined || end < q.to) out.to = end;
  }
  for (const k of Object.keys(out) as Array<keyof typeof out>) if (out[k] === undefined) delete out[k];
  return out;
}
