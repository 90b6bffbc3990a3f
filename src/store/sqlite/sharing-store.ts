import type Database from 'better-sqlite3';
import type { AuditAppend, GrantEventRecord, GrantRecord, GrantState, GrantTerms, GrantTransition, Page, SharingStore } from '../port.js';
import { checkLimit, decodeCursor, toPage } from './cursor.js';

/*
 * The sharing section of the SQLite adapter (issue 15): grants and their events. SQL text, rows and mappers are shared
 * with the PostgreSQL adapter (postgres/sharing.ts): `@name` parameters, the same column names. The terms are kept as
 * JSON text (they are read whole); their validity window is also in columns, for the queries by time.
 */

/** The SQLite schema version of this step (fixed for issue 15: grants 9, webhooks 10, feed 11, reads 12). */
export const SHARING_SCHEMA_VERSION = 9;

/**
 * grants: no foreign keys to organisations, so that a deleted company's grants stay readable (as channel requests).
 * grant_events: one row per transition; seq is the order the feed and webhooks follow.
 */
export const SHARING_SQL_SCHEMA = (seq: string) => `
CREATE TABLE grants (
  seq ${seq},
  id TEXT NOT NULL UNIQUE,
  owner_organisation_id TEXT NOT NULL,
  consumer_organisation_id TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('requested', 'offered', 'active', 'declined', 'revoked', 'withdrawn', 'expired')),
  terms TEXT NOT NULL,
  requested_terms TEXT,
  not_before TEXT NOT NULL,
  not_on_or_after TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  requested_by TEXT,
  decided_by TEXT,
  CHECK (owner_organisation_id <> consumer_organisation_id),
  CHECK (not_before < not_on_or_after)
);
CREATE INDEX grants_owner ON grants (owner_organisation_id, seq);
CREATE INDEX grants_consumer ON grants (consumer_organisation_id, seq);
CREATE INDEX grants_active_end ON grants (state, not_on_or_after);
CREATE TABLE grant_events (
  seq ${seq},
  id TEXT NOT NULL UNIQUE,
  grant_id TEXT NOT NULL REFERENCES grants(id),
  owner_organisation_id TEXT NOT NULL,
  consumer_organisation_id TEXT NOT NULL,
  type TEXT NOT NULL,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  state TEXT NOT NULL,
  terms TEXT NOT NULL
);
CREATE INDEX grant_events_owner ON grant_events (owner_organisation_id, seq);
CREATE INDEX grant_events_consumer ON grant_events (consumer_organisation_id, seq);
`;
export const SHARING_SCHEMA_SQL = SHARING_SQL_SCHEMA('INTEGER PRIMARY KEY');

export interface GrantRow {
  seq: number; id: string; owner_organisation_id: string; consumer_organisation_id: string; state: GrantState; terms: string; requested_terms: string | null;
  created_at: string; updated_at: string; requested_by: string | null; decided_by: string | null;
}
export interface GrantEventRow {
  seq: number | string; id: string; grant_id: string; owner_organisation_id: string; consumer_organisation_id: string; type: GrantEventRecord['type'];
  at: string; actor: string; state: GrantState; terms: string;
}
export const toGrant = (r: GrantRow): GrantRecord => ({
  id: r.id, ownerOrganisationId: r.owner_organisation_id, consumerOrganisationId: r.consumer_organisation_id, state: r.state,
  terms: JSON.parse(r.terms) as GrantTerms, requestedTerms: r.requested_terms === null ? null : (JSON.parse(r.requested_terms) as GrantTerms),
  createdAt: r.created_at, updatedAt: r.updated_at, requestedBy: r.requested_by, decidedBy: r.decided_by,
});
export const toGrantEvent = (r: GrantEventRow): GrantEventRecord & { seq: number } => ({
  seq: Number(r.seq), id: r.id, grantId: r.grant_id, ownerOrganisationId: r.owner_organisation_id, consumerOrganisationId: r.consumer_organisation_id,
  type: r.type, at: r.at, actor: r.actor, state: r.state, terms: JSON.parse(r.terms) as GrantTerms,
});
export const grantParams = (g: GrantRecord): Record<string, unknown> => ({
  ...g, terms: JSON.stringify(g.terms), requestedTerms: g.requestedTerms === null ? null : JSON.stringify(g.requestedTerms),
  notBefore: g.terms.notBefore, notOnOrAfter: g.terms.notOnOrAfter,
});
export const grantEventParams = (e: GrantEventRecord): Record<string, unknown> => ({ ...e, terms: JSON.stringify(e.terms) });
export const transitionParams = (id: string, t: GrantTransition): Record<string, unknown> => ({
  id, from: t.from, to: t.to, at: t.at, decidedBy: t.decidedBy, terms: t.terms ? JSON.stringify(t.terms) : null,
  notBefore: t.terms?.notBefore ?? null, notOnOrAfter: t.terms?.notOnOrAfter ?? null,
});

const GRANT_COLS = 'seq, id, owner_organisation_id, consumer_organisation_id, state, terms, requested_terms, created_at, updated_at, requested_by, decided_by';
const EVENT_COLS = 'seq, id, grant_id, owner_organisation_id, consumer_organisation_id, type, at, actor, state, terms';
const byState = '(CAST(@state AS TEXT) IS NULL OR state = @state)';

/** Every statement of the section (both adapters). */
export const SHARING_SQL = {
  insertGrant: `INSERT INTO grants (id, owner_organisation_id, consumer_organisation_id, state, terms, requested_terms, not_before, not_on_or_after, created_at, updated_at, requested_by, decided_by)
    VALUES (@id, @ownerOrganisationId, @consumerOrganisationId, @state, @terms, @requestedTerms, @notBefore, @notOnOrAfter, @createdAt, @updatedAt, @requestedBy, @decidedBy)`,
  transition: `UPDATE grants SET state = @to, updated_at = @at, decided_by = @decidedBy, terms = COALESCE(CAST(@terms AS TEXT), terms),
    not_before = COALESCE(CAST(@notBefore AS TEXT), not_before), not_on_or_after = COALESCE(CAST(@notOnOrAfter AS TEXT), not_on_or_after)
    WHERE id = @id AND state = @from`,
  insertEvent: `INSERT INTO grant_events (id, grant_id, owner_organisation_id, consumer_organisation_id, type, at, actor, state, terms)
    VALUES (@id, @grantId, @ownerOrganisationId, @consumerOrganisationId, @type, @at, @actor, @state, @terms)`,
  getGrant: `SELECT ${GRANT_COLS} FROM grants WHERE id = @id`,
  listOwned: `SELECT ${GRANT_COLS} FROM grants WHERE owner_organisation_id = @org AND seq > @after AND ${byState} ORDER BY seq LIMIT @limit`,
  listConsumed: `SELECT ${GRANT_COLS} FROM grants WHERE consumer_organisation_id = @org AND seq > @after AND ${byState} ORDER BY seq LIMIT @limit`,
  listActive: `SELECT ${GRANT_COLS} FROM grants WHERE consumer_organisation_id = @consumer AND state = 'active' AND not_before <= @at AND not_on_or_after > @at
    AND (CAST(@owner AS TEXT) IS NULL OR owner_organisation_id = @owner) ORDER BY seq`,
  listLapsed: `SELECT ${GRANT_COLS} FROM grants WHERE state = 'active' AND not_on_or_after <= @at ORDER BY not_on_or_after, seq LIMIT @limit`,
  // Either side's events: two index range scans (an organisation is never both sides of one grant).
  listEvents: `SELECT ${EVENT_COLS} FROM (
      SELECT ${EVENT_COLS} FROM grant_events WHERE owner_organisation_id = @org AND seq > @after
      UNION ALL SELECT ${EVENT_COLS} FROM grant_events WHERE consumer_organisation_id = @org AND seq > @after
    ) AS e ORDER BY seq LIMIT @limit`,
} as const;

export type ListGrantsQuery = Parameters<SharingStore['listGrants']>[0];
export const listGrantsParams = (q: ListGrantsQuery, limit: number): Record<string, unknown> => ({
  org: q.organisationId, after: decodeCursor(q.cursor), state: q.state ?? null, limit: limit + 1,
});
export const activeParams = (q: Parameters<SharingStore['listActiveGrants']>[0]): Record<string, unknown> => ({
  consumer: q.consumerOrganisationId, at: q.at, owner: q.ownerOrganisationId ?? null,
});
export const eventParams = (q: Parameters<SharingStore['listGrantEvents']>[0]): Record<string, unknown> => {
  if (!Number.isSafeInteger(q.afterSeq) || q.afterSeq < 0) throw new RangeError(`afterSeq must be a non-negative integer, got ${q.afterSeq}`);
  return { org: q.organisationId, after: q.afterSeq, limit: checkLimit(q.limit) };
};

type P = Record<string, unknown>;
type Statements = { [K in keyof typeof SHARING_SQL]: Database.Statement<[P], unknown> };

export class SqliteSharingStore implements SharingStore {
  readonly #s: Statements;

  constructor(db: Database.Database, private readonly audited: <T>(change: () => T, audit: AuditAppend) => T) {
    this.#s = Object.fromEntries(Object.entries(SHARING_SQL).map(([k, sql]) => [k, db.prepare<[P]>(sql)])) as Statements;
  }

  async createGrant(g: GrantRecord, event: GrantEventRecord, audit: AuditAppend): Promise<void> {
    this.audited(() => {
      this.#s.insertGrant.run(grantParams(g));
      this.#s.insertEvent.run(grantEventParams(event));
    }, audit);
  }

  async transitionGrant(id: string, t: GrantTransition, event: GrantEventRecord, audit: AuditAppend): Promise<boolean> {
    return this.audited(() => {
      if (this.#s.transition.run(transitionParams(id, t)).changes === 0) return false;
      this.#s.insertEvent.run(grantEventParams(event));
      return true;
    }, audit);
  }

  async getGrant(id: string): Promise<GrantRecord | undefined> {
    const row = this.#s.getGrant.get({ id }) as GrantRow | undefined;
    return row && toGrant(row);
  }

  async listGrants(q: ListGrantsQuery): Promise<Page<GrantRecord>> {
    const limit = checkLimit(q.limit);
    const stmt = q.role === 'owner' ? this.#s.listOwned : this.#s.listConsumed;
    return toPage(stmt.all(listGrantsParams(q, limit)) as GrantRow[], limit, toGrant);
  }

  async listActiveGrants(q: Parameters<SharingStore['listActiveGrants']>[0]): Promise<GrantRecord[]> {
    return (this.#s.listActive.all(activeParams(q)) as GrantRow[]).map(toGrant);
  }

  async listLapsedGrants(at: string, limit: number): Promise<GrantRecord[]> {
    return (this.#s.listLapsed.all({ at, limit: checkLimit(limit) }) as GrantRow[]).map(toGrant);
  }

  async listGrantEvents(q: Parameters<SharingStore['listGrantEvents']>[0]): Promise<Array<GrantEventRecord & { seq: number }>> {
    return (this.#s.listEvents.all(eventParams(q)) as GrantEventRow[]).map(toGrantEvent);
  }
}
