import { useEffect, useState } from 'preact/hooks';
import { api, type Page } from '../../api/client.js';

/** A person as the operator's pages name them. */
export interface Person { id: string; email: string; displayName: string; status?: string }

/**
 * Every user by id (GET /api/v1/admin/users, operator only, read page by page up to 20 000), for naming user ids on
 * the operator's pages (audit actors, registrants). `reloadKey` reads them again (a new registration adds a user).
 * An empty map while loading or when the list cannot be read: the ids stay.
 */
export function usePeople(reloadKey: unknown = 0): Map<string, Person> {
  const [people, setPeople] = useState<Map<string, Person>>(new Map());
  useEffect(() => {
    let live = true;
    (async () => {
      const byId = new Map<string, Person>();
      let cursor: string | undefined;
      for (let i = 0; i < 20; i++) {
        const page = await api<Page<Person>>('GET', '/api/v1/admin/users', { query: { cursor, limit: 1000 } });
        for (const u of page.items) byId.set(u.id, u);
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      if (live) setPeople(byId);
    })().catch(() => { /* the ids stay */ });
    return () => { live = false; };
  }, [reloadKey]);
  return people;
}
