import { VaultgateError, type Clock } from '../../protocol/index.js';
import type { DirectoryEntry, Page, Store } from '../../store/index.js';
import type { AuditContext, AuditTrail } from './audit/audit-trail.js';

/*
 * The directory of organisations (issue 16), free of Fastify. An organisation admin chooses whether it is listed (not
 * by default: privacy by default); any signed-in person searches the listed, active organisations by a part of the
 * name, and finds the one company whose business id is given exactly whatever its listing (a business id is public
 * and a consumer may already request a grant by it). An entry shows the name, business id, description and kinds,
 * never members or anything else. Authorization is the routes'.
 */

/** Longest description, in characters. */
export const MAX_DESCRIPTION = 280;
/** Longest search text, in characters. */
export const MAX_QUERY = 200;

export interface DirectoryDeps {
  store: Store;
  clock: Clock;
  audit: AuditTrail;
}

/** An organisation's own listing as its members see it. */
export interface ListingView {
  organisationId: string;
  listed: boolean;
  description: string;
  /** null while the organisation has never set its listing. */
  updatedAt: string | null;
}

/** One organisation in the directory. */
export interface DirectoryItem {
  organisationId: string;
  name: string;
  businessId: string | null;
  description: string;
  kinds: Array<'company' | 'vendor'>;
}

const item = (e: DirectoryEntry): DirectoryItem => ({
  organisationId: e.organisationId, name: e.name, businessId: e.businessId, description: e.description,
  kinds: [...(e.companyId !== null ? ['company' as const] : []), ...(e.partyId !== null ? ['vendor' as const] : [])],
});

/** The Unicode lower case both the listing's name key and the search text are compared in (NFC first). */
export const nameKey = (s: string): string => s.normalize('NFC').toLowerCase();

export class Directory {
  constructor(private readonly d: DirectoryDeps) {}

  async listing(organisationId: string): Promise<ListingView> {
    const l = await this.d.store.getDirectoryListing(organisationId);
    return l
      ? { organisationId, listed: l.listed, description: l.description, updatedAt: l.updatedAt }
      : { organisationId, listed: false, description: '', updatedAt: null };
  }

  /**
   * Lists (or unlists) an organisation; `description` (≤ MAX_DESCRIPTION characters, trimmed) replaces the one kept
   * when given. Audited as `organisation.directory-listing`. NOT_FOUND for an unknown organisation.
   */
  async setListing(organisationId: string, input: { listed: boolean; description?: string | undefined }, ctx: AuditContext): Promise<ListingView> {
    const org = await this.d.store.getOrganisation(organisationId);
    if (!org) throw new VaultgateError('NOT_FOUND', { detail: `No organisation ${organisationId}.` });
    const description = input.description !== undefined ? input.description.trim() : (await this.d.store.getDirectoryListing(organisationId))?.description ?? '';
    if ([...description].length > MAX_DESCRIPTION) throw new VaultgateError('INVALID_REQUEST', { detail: `description is at most ${MAX_DESCRIPTION} characters.` });
    const updatedAt = new Date(this.d.clock.now()).toISOString();
    const ok = await this.d.store.setDirectoryListing(
      { organisationId, listed: input.listed, description, nameKey: nameKey(org.name), updatedAt, updatedBy: ctx.actor.id },
      this.d.audit.event(ctx, {
        action: 'organisation.directory-listing', subject: organisationId, tenants: org.companyId ? [org.companyId] : [],
        details: { listed: input.listed, description },
      }),
    );
    if (!ok) throw new VaultgateError('NOT_FOUND', { detail: `No organisation ${organisationId}.` });
    return { organisationId, listed: input.listed, description, updatedAt };
  }

  /**
   * Listed, active organisations whose name contains `q` (case-insensitive; '' lists them all), plus the active
   * company whose business id is exactly `q` (trimmed), listed or not; oldest first, `limit` a page (CURSOR_INVALID on
   * a cursor this list did not give out).
   */
  async search(q: { q?: string | undefined; limit: number; cursor?: string | undefined }): Promise<Page<DirectoryItem>> {
    const text = (q.q ?? '').trim();
    if (text.length > MAX_QUERY) throw new VaultgateError('INVALID_REQUEST', { detail: `q is at most ${MAX_QUERY} characters.` });
    const page = await this.d.store.searchDirectory({ nameContains: nameKey(text), businessId: text === '' ? undefined : text, cursor: q.cursor, limit: q.limit });
    return { items: page.items.map(item), nextCursor: page.nextCursor };
  }
}
