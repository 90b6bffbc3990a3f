import { VaultgateError } from '../../protocol/index.js';
import type { ListQuery, Page } from '../../store/index.js';

/*
 * One paged list over several paged sources read one after the other (issue 14: an organisation that is both a
 * company and a vendor lists its clients, channel requests and channels of both sides). The cursor names the source
 * and that source's own cursor (`<source index>.<its cursor>`, empty at its start), so each page is one cursor-paged
 * read of at most two sources and positions stay stable as rows are added. `skip` drops rows of a later source that
 * an earlier one listed already (a channel from an organisation to itself is on both sides). A page holds at most
 * `limit` items and can hold fewer (skipped rows; the last page may even be empty): read until nextCursor is null.
 */

export interface PagedSource<T> {
  list: (q: ListQuery) => Promise<Page<T>>;
  skip?: (item: T) => boolean;
}

const CURSOR = /^([0-9])\.([A-Za-z0-9_-]{0,64})$/;

/** The page of `q` (limit default 100) over `sources` in order; INVALID_REQUEST for a cursor it did not give. */
export async function pageAcross<T>(sources: readonly PagedSource<T>[], q: ListQuery): Promise<Page<T>> {
  const limit = q.limit ?? 100;
  let first = 0;
  let cursor: string | undefined;
  if (q.cursor !== undefined) {
    const m = CURSOR.exec(q.cursor);
    if (!m || Number(m[1]) >= sources.length) throw new VaultgateError('CURSOR_INVALID', { detail: 'cursor is not valid' });
    first = Number(m[1]);
    cursor = m[2] || undefined;
  }
  const items: T[] = [];
  for (let i = first; i < sources.length; i++) {
    const s = sources[i]!;
    const page = await s.list({ limit: limit - items.length, ...(i === first && cursor ? { cursor } : {}) });
    items.push(...(s.skip ? page.items.filter((x) => !s.skip!(x)) : page.items));
    if (page.nextCursor) return { items, nextCursor: `${i}.${page.nextCursor}` };
    if (items.length >= limit) return { items, nextCursor: i + 1 < sources.length ? `${i + 1}.` : null };
  }
  return { items, nextCursor: null };
}
