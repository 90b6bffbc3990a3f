import { Readable } from 'node:stream';
import { parseId, scopeCovers, scopesCovering, VaultgateError, type ReadScope } from '../../../protocol/index.js';
import type { MessageMeta, Page } from '../../../store/index.js';
import type { MacPrincipal } from '../authenticate-mac.js';
import type { Principal } from '../authenticate-request.js';
import { checkId } from '../ids.js';
import { messageAad } from '../ingest-message.js';
import {
  authorizeVaultRead, consumeReadTransaction, exportChunks, isoBound, pageLimit, view,
  type ExportPage, type MessageView, type VaultDeps, type VaultReader,
} from '../read-vault.js';
import { narrowQuery, type Selection } from './scope-query.js';
import type { ScopesFor } from './read-scopes.js';

/*
 * Consumer reads (issue 15): an organisation reads another owner's vault, within the scopes its active grants give it
 * (action `read`), re-resolved on every request (and, during an export, at every page). What no scope covers does not
 * exist for the reader: a message outside every scope is NOT_FOUND exactly like one that does not exist.
 */

export interface SharedDeps extends VaultDeps {
  scopesFor: ScopesFor;
}

/** Who reads shared data: the consumer organisation, and the ledger namespace and transaction id of the request. */
export interface SharedReader {
  organisationId: string;
  /** The ledger namespace (the party of a MAC request, the client of a bearer one) and the id to consume. */
  ledger: Omit<VaultReader, 'company'>;
}

/**
 * Authorises a consumer read: a MAC customer credential with `vault.read` whose Organisation-ID is its own company's
 * business id (the company's organisation reads), or a bearer token with the `shared.read` role (the organisation of
 * the client's company, or of its party for a vendor-only organisation, whose id is the party's). A company client
 * with only `vault.read` reads its own vault, not shared ones: SCOPE_MISSING.
 */
export async function authorizeSharedRead(d: VaultDeps, p: Principal, idempotencyKey: string | undefined): Promise<SharedReader> {
  if (p.scheme === 'bearer') {
    if (!p.roles.includes('shared.read')) {
      throw new VaultgateError('SCOPE_MISSING', { detail: 'Reading a vault shared with your organisation needs a token with the shared.read role.' });
    }
    return { organisationId: p.ownerId, ledger: { partyId: p.clientId, transactionId: idempotencyKey } };
  }
  const r = await authorizeVaultRead(d, p as MacPrincipal);
  return { organisationId: r.company.id, ledger: { partyId: r.partyId, transactionId: r.transactionId } };
}

/**
 * The scopes the reader's grants give it over the owner's vault now — never its own vault's (ownerScope): a shared
 * read does not fall back to the reader's own vault, which it reads at /vault/v1/messages.
 */
const grantScopesNow = async (d: SharedDeps, reader: SharedReader, owner: string): Promise<ReadScope[]> =>
  (await d.scopesFor(reader.organisationId, 'read', new Date(d.clock.now()).toISOString(), owner)).filter((s) => s.grantId !== null);

/**
 * The reader's grant scopes over the owner's vault now; GRANT_REQUIRED when it holds none (its own company id, and an
 * unknown or malformed owner, included, so that the answer tells nothing about which companies exist).
 */
export async function sharedScopes(d: SharedDeps, reader: SharedReader, ownerCompanyId: string): Promise<ReadScope[]> {
  const parsed = parseId(ownerCompanyId, 'company', d.environment);
  if (!parsed.ok && parsed.reason === 'other-environment') checkId(ownerCompanyId, 'company', d.environment);
  const scopes = parsed.ok ? await grantScopesNow(d, reader, ownerCompanyId) : [];
  if (scopes.length === 0) {
    throw new VaultgateError('GRANT_REQUIRED', { detail: `No active grant with the read action over ${ownerCompanyId.slice(0, 80)}.` });
  }
  return scopes;
}

/** The grants of a set of scopes, oldest first (the owner's own scope has none). */
export const scopeGrantIds = (scopes: readonly ReadScope[]): string[] => scopes.flatMap((s) => (s.grantId === null ? [] : [s.grantId]));

/** The grants whose scopes cover a message, oldest first. */
export const grantIdsCovering = (scopes: readonly ReadScope[], m: MessageMeta): string[] => scopeGrantIds(scopesCovering(scopes, m));

/** Store reads one list request may make to fill a page from several combined scopes (a short page resumes after). */
const MAX_SCANS = 8;

function selectionOf(d: VaultDeps, owner: string, q: { channelId?: string; messageType?: string; from?: string; to?: string }): Selection {
  if (q.channelId !== undefined) checkId(q.channelId, 'channel', d.environment, 'CHANNEL_NOT_FOUND');
  return { companyId: owner, channelId: q.channelId, messageType: q.messageType, from: isoBound('from', q.from), to: isoBound('to', q.to) };
}

export interface SharedPage extends Page<MessageView> {
  /** The grants the page's messages came through (for the audit trail). */
  grantIds: string[];
}

/**
 * One page of the owner's messages the reader's scopes cover, in position order, no message twice however many
 * scopes cover it. The scopes' channels, types and window go into the store query (narrowQuery); scopeCovers is the
 * final check. A page may be shorter than `limit` with a nextCursor when the combined scopes skip many messages
 * (at most MAX_SCANS store reads per request): keep following nextCursor until it is null.
 */
export async function listSharedMessages(
  d: SharedDeps, reader: SharedReader, owner: string, scopes: readonly ReadScope[],
  q: { channelId?: string; messageType?: string; from?: string; to?: string; cursor?: string; limit?: string },
): Promise<SharedPage> {
  const limit = pageLimit(q.limit);
  const query = narrowQuery(selectionOf(d, owner, q), scopes);
  const items: MessageView[] = [];
  const used = new Set<string>();
  let cursor = q.cursor;
  let nextCursor: string | null = null;
  if (query) {
    for (let scans = 0; scans < MAX_SCANS; scans++) {
      // Never more rows than the page still has room for: the store's cursor is then exactly after the last one seen.
      const page = await d.store.listMessages({ ...query, cursor, limit: limit - items.length });
      for (const m of page.items) {
        if (!scopes.some((s) => scopeCovers(s, m))) continue;
        for (const id of grantIdsCovering(scopes, m)) used.add(id);
        items.push(view(m));
      }
      nextCursor = page.nextCursor;
      if (nextCursor === null || items.length === limit) break;
      cursor = nextCursor;
    }
  }
  await consumeReadTransaction(d, reader.ledger);
  return { items, nextCursor, grantIds: [...used] };
}

/** One message the reader's scopes cover, decrypted, with the grants covering it; NOT_FOUND otherwise. */
export async function readSharedMessage(
  d: SharedDeps, reader: SharedReader, owner: string, scopes: readonly ReadScope[], messageId: string,
): Promise<{ meta: MessageView; body: Buffer; grantIds: string[] }> {
  checkId(messageId, 'message', d.environment);
  const m = await d.store.getMessage(owner, messageId);
  // Outside every scope is answered exactly as absent: the same code and detail, before any other work.
  if (!m || !scopes.some((s) => scopeCovers(s, m))) throw new VaultgateError('NOT_FOUND', { detail: `No message ${messageId} in this vault.` });
  const body = await d.crypto.open(m.bodyCiphertext, messageAad(m.companyId, m.id), m.companyId);
  await consumeReadTransaction(d, reader.ledger);
  const { bodyCiphertext: _b, keyVersion: _k, ...meta } = m;
  return { meta: view(meta), body, grantIds: grantIdsCovering(scopes, meta) };
}

/**
 * Messages per store read of a shared export: also how many lines at most are produced beyond what the connection has
 * taken when a grant ends (the stream holds one page; the next is read and checked only when the consumer drained it).
 */
export const SHARED_EXPORT_PAGE = 100;

/** How a shared export ended: every line sent (`complete`), or stopped because a grant ended or narrowed. */
export interface SharedExportEnd {
  complete: boolean;
  count: number;
  lastMessageId: string | null;
}

/**
 * The covered messages as NDJSON (the format of /vault/v1/export), as a byte stream that respects backpressure: it
 * holds at most one page (one chunk of at most SHARED_EXPORT_PAGE lines) beyond what its consumer has taken, and reads
 * and checks the next page only when that one is drained. The scopes are resolved again before each store
 * read of SHARED_EXPORT_PAGE messages: a line the export's scopes covered that the current ones do not (a grant was
 * revoked, withdrawn or expired, or its validity ended) stops the stream there, with the line
 * `{"complete":false,"code":"GRANT_REQUIRED","cursor":<the last cursor sent, or the one asked>,"count":N}` instead
 * of the completion line. The export never widens: a grant activated meanwhile is not added to it.
 */
export async function exportShared(
  d: SharedDeps, reader: SharedReader, owner: string, scopes: readonly ReadScope[],
  q: { channelId?: string; messageType?: string; from?: string; to?: string; cursor?: string },
  onEnd: (end: SharedExportEnd) => void,
): Promise<Readable> {
  const query = narrowQuery(selectionOf(d, owner, q), scopes);
  const read = (cursor: string | undefined) => d.store.listMessagesWithBodies({ ...query!, cursor, limit: SHARED_EXPORT_PAGE });
  const first = query ? await read(q.cursor) : { items: [], nextCursor: null };
  await consumeReadTransaction(d, reader.ledger);
  let count = 0;
  let lastMessageId: string | null = null;
  async function* pages(): AsyncGenerator<ExportPage> {
    let page = first;
    let lastCursor = q.cursor ?? null;
    for (let n = 0; ; n++) {
      const now = n === 0 ? scopes : await grantScopesNow(d, reader, owner);
      const items: ExportPage['items'] = [];
      for (const m of page.items) {
        if (!scopes.some((s) => scopeCovers(s, m))) continue;
        if (!now.some((s) => scopeCovers(s, m))) {
          onEnd({ complete: false, count: count + items.length, lastMessageId: items.at(-1)?.id ?? lastMessageId });
          yield { items, stop: { complete: false, code: 'GRANT_REQUIRED', cursor: items.at(-1)?.cursor ?? lastCursor } };
          return;
        }
        items.push(m);
      }
      count += items.length;
      lastMessageId = items.at(-1)?.id ?? lastMessageId;
      lastCursor = items.at(-1)?.cursor ?? lastCursor;
      if (!page.nextCursor) {
        onEnd({ complete: true, count, lastMessageId });
        yield { items };
        return;
      }
      yield { items };
      page = await read(page.nextCursor);
    }
  }
  // highWaterMark 1 (byte): the stream asks for the next chunk only once the one it holds was taken.
  return Readable.from(exportChunks(d, owner, pages(), { flushEachPage: true }), { objectMode: false, highWaterMark: 1 });
}

/** The grants the reader holds now with `read`, by owner: what GET /vault/v1/shared answers. */
export async function listSharedOwners(d: SharedDeps, reader: SharedReader): Promise<{ owners: Array<{ companyId: string; name: string | null; businessId: string | null; grants: Array<Omit<ReadScope, 'companyId'>> }> }> {
  const scopes = await d.scopesFor(reader.organisationId, 'read', new Date(d.clock.now()).toISOString());
  const byOwner = new Map<string, Array<Omit<ReadScope, 'companyId'>>>();
  for (const { companyId, ...rest } of scopes) {
    if (rest.grantId === null) continue; // the reader's own vault is /vault/v1/messages
    byOwner.set(companyId, [...(byOwner.get(companyId) ?? []), rest]);
  }
  const owners = [];
  for (const [companyId, grants] of byOwner) {
    const c = await d.store.getCompany(companyId);
    owners.push({ companyId, name: c?.name ?? null, businessId: c?.businessId ?? null, grants });
  }
  return { owners };
}
