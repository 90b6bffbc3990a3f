import type pg from 'pg';
import type { DirectoryStore } from '../port.js';
import { checkLimit, toPage } from '../sqlite/cursor.js';
import { DIRECTORY_SQL_TEXT as SQL, listingParams, searchParams, toEntry, toListing, type EntryRow, type ListingRow } from '../sqlite/directory-store.js';
import { audited } from './audit.js';
import { run } from './pg-db.js';

/* The directory section on PostgreSQL (issue 16): the SQLite adapter's statements, run with `run`. */
export function pgDirectory(pool: pg.Pool): DirectoryStore {
  return {
    setDirectoryListing: (l, audit) => audited(pool, audit, async (db) => {
      if ((await run(db, SQL.organisationExists, { organisationId: l.organisationId })).rowCount === 0) return false;
      await run(db, SQL.upsertListing, listingParams(l));
      return true;
    }),
    async getDirectoryListing(organisationId) {
      const row = (await run<ListingRow>(pool, SQL.getListing, { organisationId })).rows[0];
      return row && toListing(row);
    },
    async searchDirectory(q) {
      const limit = checkLimit(q.limit);
      return toPage((await run<EntryRow>(pool, SQL.search, searchParams(q, limit))).rows, limit, toEntry);
    },
  };
}
