import { ERROR_CATALOGUE, errorMessage, errorRemedy, VaultgateError, type Clock, type ErrorCode, type Language } from '../../../protocol/index.js';
import { isoBound } from '../read-vault.js';
import type { ChannelRecord, IngestionRefusalRecord, MessageDayCount, OrganisationRecord, Page, RefusalQuery, RefusalScope, Store } from '../../../store/index.js';

/** GET …/ingestion/stats: the organisation's channels' traffic over `days` UTC days, and its refusals of the last 24 h. */
export interface IngestionStats {
  /** Messages received per UTC day (YYYY-MM-DD), channel and message type; days without messages are absent. */
  days: MessageDayCount[];
  /** The newest message of each channel that has one. */
  lastIngestion: { channelId: string; at: string; messageType: string }[];
  /** Refused ingestion requests of the last 24 hours by code, most first. */
  failures24h: { code: string; count: number }[];
}

/** One refused ingestion request as an organisation sees it: the catalogue's title and remedy (request language). */
export interface RefusalView {
  code: string;
  title: string;
  remedy: string;
  status: number;
  at: string;
  channelId: string | null;
  scheme: 'mac' | 'bearer' | 'none';
  credentialId: string | null;
  transactionId: string | null;
  requestId: string;
}

/** The operator's view adds the tenancy and the client address. */
export interface OperatorRefusalView extends RefusalView {
  companyId: string | null;
  partyId: string | null;
  clientAddress: string | null;
}

export interface RefusalFilters {
  /** An ISO 8601 date or date-time (INVALID_REQUEST otherwise). */
  since?: string | undefined;
  code?: string | undefined;
  channelId?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

export const DEFAULT_STATS_DAYS = 14;
export const MAX_STATS_DAYS = 90;
const DAY_MS = 86_400_000;

/**
 * The company dashboard's and the vendor page's ingestion data (issue 16), from the vault's message rows and the
 * recorded refusals. A company organisation sees its channels and the refusals on them; a vendor (party) organisation
 * the channels of its party and the refusals attributed to it; an organisation that is both, the union.
 */
export class IngestionInsights {
  constructor(private readonly d: { store: Store; clock: Clock }) {}

  async #organisation(id: string): Promise<OrganisationRecord> {
    const o = await this.d.store.getOrganisation(id);
    if (!o) throw new VaultgateError('NOT_FOUND', { detail: `No organisation ${id}.` });
    return o;
  }

  #scope(o: OrganisationRecord): RefusalScope {
    return { companyId: o.companyId ?? undefined, partyId: o.partyId ?? undefined };
  }

  async #channels(o: OrganisationRecord): Promise<ChannelRecord[]> {
    const byId = new Map<string, ChannelRecord>();
    for (const filter of [o.companyId ? { companyId: o.companyId } : undefined, o.partyId ? { partyId: o.partyId } : undefined]) {
      if (!filter) continue;
      let cursor: string | undefined;
      do {
        const page = await this.d.store.listChannels({ ...filter, cursor, limit: 500 });
        for (const c of page.items) byId.set(c.id, c);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    }
    return [...byId.values()];
  }

  /** `days` (1–90, default 14) UTC days back from today, today included. INVALID_REQUEST outside. */
  async stats(organisationId: string, days: number = DEFAULT_STATS_DAYS): Promise<IngestionStats> {
    if (!Number.isInteger(days) || days < 1 || days > MAX_STATS_DAYS) {
      throw new VaultgateError('INVALID_REQUEST', { detail: `days must be a whole number from 1 to ${MAX_STATS_DAYS}.` });
    }
    const o = await this.#organisation(organisationId);
    const now = this.d.clock.now();
    const since = new Date(Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS).toISOString();
    const byCompany = new Map<string, string[]>();
    for (const c of await this.#channels(o)) byCompany.set(c.companyId, [...(byCompany.get(c.companyId) ?? []), c.id]);
    const counts: MessageDayCount[] = [];
    const last: IngestionStats['lastIngestion'] = [];
    for (const [companyId, channelIds] of byCompany) {
      counts.push(...(await this.d.store.countMessagesByDay({ companyId, channelIds, since })));
      last.push(...(await this.d.store.lastMessages({ companyId, channelIds })));
    }
    counts.sort((a, b) => cmp(a.date, b.date) || cmp(a.channelId, b.channelId) || cmp(a.messageType, b.messageType));
    last.sort((a, b) => cmp(b.at, a.at) || cmp(a.channelId, b.channelId));
    const failures24h = await this.d.store.countIngestionRefusals({ ...this.#scope(o), since: new Date(now - DAY_MS).toISOString() });
    return { days: counts, lastIngestion: last, failures24h };
  }

  /** The organisation's refusals, newest first. */
  async refusals(organisationId: string, f: RefusalFilters, language: Language): Promise<Page<RefusalView>> {
    const o = await this.#organisation(organisationId);
    const page = await this.d.store.listIngestionRefusals(query(this.#scope(o), f));
    return { items: page.items.map((r) => view(r, language)), nextCursor: page.nextCursor };
  }

  /** Every refusal, unattributed ones too (the operator), newest first. */
  async allRefusals(f: RefusalFilters, language: Language): Promise<Page<OperatorRefusalView>> {
    const page = await this.d.store.listIngestionRefusals(query({}, f));
    return {
      items: page.items.map((r) => ({ ...view(r, language), companyId: r.companyId, partyId: r.partyId, clientAddress: r.clientAddress })),
      nextCursor: page.nextCursor,
    };
  }
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function query(scope: RefusalScope, f: RefusalFilters): RefusalQuery {
  return { ...scope, since: isoBound('since', f.since), code: f.code, channelId: f.channelId, cursor: f.cursor, limit: f.limit };
}

function view(r: IngestionRefusalRecord, language: Language): RefusalView {
  const known = Object.hasOwn(ERROR_CATALOGUE, r.code);
  return {
    code: r.code,
    title: known ? errorMessage(r.code as ErrorCode, language) : r.code,
    // A bearer request is told what to change about its token or client, as its answer told it (renderError).
    remedy: known ? errorRemedy(r.code as ErrorCode, language, r.scheme === 'bearer') : '',
    status: r.status, at: r.at, channelId: r.channelId, scheme: r.scheme, credentialId: r.credentialId, transactionId: r.transactionId, requestId: r.requestId,
  };
}
