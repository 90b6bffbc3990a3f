import type Database from 'better-sqlite3';
import type { AuditAppend, DirectoryEntry, DirectoryListingRecord, DirectoryQuery, DirectoryStore, Page } from '../port.js';
import { checkLimit, decodeCursor, toPage } from './cursor.js';

/*
 * The directory section of the SQLite adapter (issue 16): an organisation's listing, and the search over listed
 * organisations (plus the one company found by its exact business id). The SQL text, row shapes and mappers are
 * shared with the PostgreSQL adapter (postgres/directory.ts).
 */

export interface ListingRow {
  organisation_id: string; listed: number; description: string; name_key: string; updated_at: string; updated_by: string;
}
export const toListing = (r: ListingRow): DirectoryListingRecord => ({
  organisationId: r.organisation_id, listed: r.listed === 1, description: r.description, nameKey: r.name_key, updatedAt: r.updated_at, updatedBy: r.updated_by,
});

export interface EntryRow {
  seq: number; id: string; name: string; company_id: string | null; party_id: string | null; business_id: string | null; description: string;
}
export const toEntry = (r: EntryRow): DirectoryEntry => ({
  organisationId: r.id, name: r.name, companyId: r.company_id, partyId: r.party_id, businessId: r.business_id, description: r.description,
});

/** `%text%` for LIKE … ESCAPE '\': the caller's %, _ and \ match themselves. */
export const containsPattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The parameters of DIRECTORY_SQL.search (both adapters). */
export const searchParams = (q: DirectoryQuery, limit: number): Record<string, unknown> => ({
  after: decodeCursor(q.cursor), pattern: containsPattern(q.nameContains), businessId: q.businessId ?? null, limit: limit + 1,
});

/** Every statement of the directory section, with `@name` parameters (both adapters). */
export const DIRECTORY_SQL_TEXT = {
  organisationExists: 'SELECT 1 AS one FROM organisations WHERE id = @organisationId',
  upsertListing: `INSERT INTO organisation_listings (organisation_id, listed, description, name_key, updated_at, updated_by)
    VALUES (@organisationId, @listed, @description, @nameKey, @updatedAt, @updatedBy)
    ON CONFLICT (organisation_id) DO UPDATE SET listed = excluded.listed, description = excluded.description, name_key = excluded.name_key,
    updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  getListing: 'SELECT organisation_id, listed, description, name_key, updated_at, updated_by FROM organisation_listings WHERE organisation_id = @organisationId',
  /* A business id is public (a consumer may request by it): the company it names is found listed or not, its description only when listed. */
  search: `SELECT o.seq, o.id, o.name, o.company_id, o.party_id, c.business_id,
      CASE WHEN l.listed = 1 THEN l.description ELSE '' END AS description
    FROM organisations o
    LEFT JOIN companies c ON c.id = o.company_id
    LEFT JOIN organisation_listings l ON l.organisation_id = o.id
    WHERE o.seq > @after AND o.status = 'active'
      AND ((l.listed = 1 AND l.name_key LIKE @pattern ESCAPE '\\')
        OR (c.business_id = CAST(@businessId AS TEXT) AND c.deleted_at IS NULL))
    ORDER BY o.seq LIMIT @limit`,
} as const;

type P = Record<string, unknown>;
type Statements = { [K in keyof typeof DIRECTORY_SQL_TEXT]: Database.Statement<[P], unknown> };

export const listingParams = (l: DirectoryListingRecord): P => ({ ...l, listed: l.listed ? 1 : 0 });

export class SqliteDirectoryStore implements DirectoryStore {
  readonly #s: Statements;

  constructor(db: Database.Database, private readonly audited: <T>(change: () => T, audit: AuditAppend) => T) {
    this.#s = Object.fromEntries(Object.entries(DIRECTORY_SQL_TEXT).map(([k, sql]) => [k, db.prepare<[P]>(sql)])) as Statements;
  }

  async setDirectoryListing(l: DirectoryListingRecord, audit: AuditAppend): Promise<boolean> {
    return this.audited(() => {
      if (this.#s.organisationExists.get({ organisationId: l.organisationId }) === undefined) return false;
      this.#s.upsertListing.run(listingParams(l));
      return true;
    }, audit);
  }

  async getDirectoryListing(organisationId: string): Promise<DirectoryListingRecord | undefined> {
    const row = this.#s.getListing.get({ organisationId }) as ListingRow | undefined;
    return row && toListing(row);
  }

  async searchDirectory(q: DirectoryQuery): Promise<Page<DirectoryEntry>> {
    const limit = checkLimit(q.limit);
    return toPage(this.#s.search.all(searchParams(q, limit)) as EntryRow[], limit, toEntry);
  }
}
