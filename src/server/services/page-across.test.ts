import { describe, expect, it } from 'vitest';
import type { ListQuery, Page } from '../../store/index.js';
import { pageAcross, type PagedSource } from './page-across.js';

/** A source over `items` with the store's cursor semantics (the index after the last item returned). */
const source = (items: number[], skip?: (n: number) => boolean): PagedSource<number> => ({
  list: async (q: ListQuery): Promise<Page<number>> => {
    const from = q.cursor ? Number(q.cursor.slice(1)) : 0;
    const page = items.slice(from, from + q.limit);
    return { items: page, nextCursor: from + q.limit < items.length ? `c${from + q.limit}` : null };
  },
  ...(skip ? { skip } : {}),
});

async function all(sources: PagedSource<number>[], limit: number): Promise<{ items: number[]; pages: number }> {
  const items: number[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const p = await pageAcross(sources, { limit, cursor });
    expect(p.items.length).toBeLessThanOrEqual(limit);
    items.push(...p.items);
    cursor = p.nextCursor ?? undefined;
    pages++;
  } while (cursor);
  return { items, pages };
}

describe('pageAcross', () => {
  it('reads the sources one after the other, every item once, at most limit a page', async () => {
    for (const limit of [1, 2, 3, 5, 100]) {
      expect((await all([source([1, 2, 3]), source([]), source([4, 5])], limit)).items).toEqual([1, 2, 3, 4, 5]);
    }
    expect(await all([source([1, 2]), source([3, 4])], 2)).toEqual({ items: [1, 2, 3, 4], pages: 2 });
    expect(await all([], 10)).toEqual({ items: [], pages: 1 });
  });

  it('skips what a later source repeats', async () => {
    expect((await all([source([1, 2]), source([2, 3], (n) => n === 2)], 1)).items).toEqual([1, 2, 3]);
  });

  it('refuses a cursor it did not give (CURSOR_INVALID)', async () => {
    for (const cursor of ['nope', '2.', '1.a/b', '']) {
      await expect(pageAcross([source([1]), source([2])], { limit: 1, cursor })).rejects.toMatchObject({ code: 'CURSOR_INVALID' });
    }
  });
});
