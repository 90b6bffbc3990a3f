import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Page } from '../api/client.js';
import { Empty, Loading } from './empty.js';
import { ErrorBox } from './error-box.js';
import { Pager } from './pager.js';

export interface Column<T> { header: string; cell: (row: T) => ComponentChildren }

/**
 * A paginated table over a cursor API: `load(cursor)` fetches one page (`{items, nextCursor}`), e.g.
 * `(cursor) => api('GET', '/api/v1/me/api-tokens', { query: { cursor, limit: 50 } })`. Change `reloadKey` to reload
 * from the first page (after a create or revoke). Shows Loading, ErrorBox or Empty as fits. `headingId`: the id of
 * the heading right above that says the same as `caption`: the table is named by it (aria-labelledby) and shows no
 * caption repeating it.
 */
export function DataTable<T>({ caption, headingId, columns, load, rowKey, reloadKey, emptyText }: {
  caption: string;
  headingId?: string;
  columns: Column<T>[];
  load: (cursor: string | undefined) => Promise<Page<T>>;
  rowKey: (row: T) => string;
  reloadKey?: unknown;
  emptyText?: string;
}) {
  const [page, setPage] = useState<Page<T> | undefined>();
  const [cursor, setCursor] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const fetchPage = useCallback(async (c: string | undefined) => {
    setError(undefined);
    try {
      setPage(await load(c));
      setCursor(c);
    } catch (e) {
      setError(e);
    }
  }, [load]);
  useEffect(() => void fetchPage(undefined), [reloadKey]);
  if (error) return <ErrorBox error={error} />;
  if (!page) return <Loading />;
  if (page.items.length === 0 && cursor === undefined) return <Empty {...(emptyText ? { text: emptyText } : {})} />;
  return (
    // Focusable and named: a wide table scrolls sideways, and a keyboard user must be able to scroll it (WCAG 2.1.1).
    <div class="table-wrap" tabIndex={0} role="region" aria-label={headingId ? undefined : caption} aria-labelledby={headingId}>
      <table aria-labelledby={headingId}>
        {!headingId && <caption>{caption}</caption>}
        <thead><tr>{columns.map((c) => <th scope="col" key={c.header}>{c.header}</th>)}</tr></thead>
        <tbody>
          {page.items.map((row) => <tr key={rowKey(row)}>{columns.map((c) => <td key={c.header}>{c.cell(row)}</td>)}</tr>)}
        </tbody>
      </table>
      <Pager nextCursor={page.nextCursor} atFirst={cursor === undefined} onNext={(c) => void fetchPage(c)} onFirst={() => void fetchPage(undefined)} />
    </div>
  );
}
