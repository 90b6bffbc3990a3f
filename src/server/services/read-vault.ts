import { VaultgateError, type Clock, type Environment } from '../../protocol/index.js';
import type { CompanyRecord, MessageMeta, MessageRecord, Page, Store } from '../../store/index.js';
import type { VaultCrypto } from '../crypto/vault-crypto.js';
import type { MacPrincipal } from './authenticate-mac.js';
import { checkId } from './ids.js';
import { messageAad } from './ingest-message.js';

export interface VaultDeps {
  store: Store;
  crypto: VaultCrypto;
  clock: Clock;
  environment: Environment;
}

export type MessageView = Omit<MessageMeta, 'companyId' | 'id'> & { messageId: string };

/** A message's metadata as the API shows it (the id as messageId, without the company id). */
export const view = ({ id, companyId: _c, ...rest }: MessageMeta): MessageView => ({ messageId: id, ...rest });

/** Who reads a vault: the company, and the transaction id the read must consume once it succeeds. */
export interface VaultReader {
  company: CompanyRecord;
  partyId: string;
  /** Undefined for a bearer read without Idempotency-Key: nothing to consume. */
  transactionId: string | undefined;
}

/**
 * Authorises a vault read: the customer credential has `vault.read`, and Organisation-ID is the business id of the
 * credential's own company.
 */
export async function authorizeVaultRead(d: VaultDeps, p: MacPrincipal): Promise<VaultReader> {
  const company = await d.store.getCompany(p.customer.companyId);
  if (!company || company.businessId !== p.headers.organisationId) {
    throw new VaultgateError('SERVICE_ACCESS_ERROR', { logReason: 'Organisation-ID is not the credential company' });
  }
  if (!p.customer.scopes.includes('vault.read')) {
    throw new VaultgateError('SCOPE_MISSING', { detail: 'Reading a vault needs a customer credential with the vault.read scope.' });
  }
  return { company, partyId: p.party.id, transactionId: p.headers.transactionId };
}

/**
 * Consumes a read's transaction id, after the read itself succeeded (a failed request never burns one); a replay is
 * REQUEST_NOT_UNIQUE.
 */
export async function consumeReadTransaction(d: VaultDeps, r: Pick<VaultReader, 'partyId' | 'transactionId'>): Promise<void> {
  if (r.transactionId === undefined) return;
  const fresh = await d.store.consumeTransactionId(r.partyId, r.transactionId, new Date(d.clock.now()).toISOString());
  if (!fresh) throw new VaultgateError('REQUEST_NOT_UNIQUE', { extra: { messageId: null } });
}

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

export function isoBound(name: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  // Date.parse rolls an impossible day over (2026-02-31 becomes 3 March): check the calendar date too.
  const [y, m, d] = v.slice(0, 10).split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  if (!ISO.test(v) || Number.isNaN(Date.parse(v)) || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) {
    throw new VaultgateError('INVALID_REQUEST', { detail: `${name} must be an ISO 8601 date or date-time.` });
  }
  return new Date(v).toISOString();
}

/** A list's page size from the query: 1-1000, default 100; INVALID_REQUEST otherwise. */
export function pageLimit(raw: string | undefined): number {
  const limit = raw === undefined ? 100 : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new VaultgateError('INVALID_REQUEST', { detail: 'limit must be a whole number from 1 to 1000.' });
  }
  return limit;
}

export async function listVaultMessages(
  d: VaultDeps,
  reader: VaultReader,
  q: { channelId?: string; messageType?: string; from?: string; to?: string; cursor?: string; limit?: string },
): Promise<Page<MessageView>> {
  if (q.channelId !== undefined) checkId(q.channelId, 'channel', d.environment, 'CHANNEL_NOT_FOUND');
  const limit = pageLimit(q.limit);
  const page = await d.store.listMessages({
    companyId: reader.company.id, channelId: q.channelId, messageType: q.messageType,
    from: isoBound('from', q.from), to: isoBound('to', q.to), cursor: q.cursor, limit,
  });
  await consumeReadTransaction(d, reader);
  return { items: page.items.map(view), nextCursor: page.nextCursor };
}

/** One message, decrypted; NOT_FOUND when it is not in this company's vault. */
export async function readVaultMessage(
  d: VaultDeps,
  reader: VaultReader,
  messageId: string,
): Promise<{ meta: MessageView; body: Buffer }> {
  checkId(messageId, 'message', d.environment);
  const m = await d.store.getMessage(reader.company.id, messageId);
  if (!m) throw new VaultgateError('NOT_FOUND', { detail: `No message ${messageId} in this vault.` });
  const body = await d.crypto.open(m.bodyCiphertext, messageAad(m.companyId, m.id), m.companyId);
  await consumeReadTransaction(d, reader);
  const { bodyCiphertext: _b, keyVersion: _k, ...meta } = m;
  return { meta: view(meta), body };
}

export const TEXT_MEDIA = /^(text\/|application\/(json|xml|edifact|x-ndjson|csv)$|application\/[\w.+-]+\+(json|xml)$)/;

/** Messages fetched (and decrypted) per store query during an export: bounds the memory an export holds. */
const EXPORT_PAGE = 500;
/** Lines are written to the response in chunks of about this many bytes (one socket write each, not one per line). */
const EXPORT_CHUNK_BYTES = 64 * 1024;

/** The fields of an export line that most messages of a vault share with the message before them. */
interface SharedFields {
  channelId: string;
  partyId: string;
  messageType: string;
  mediaType: string;
  contentType: string;
  /** Their part of the line, from `"channelId"` to the comma after contentType. */
  json: string;
  /** Whether the media type's bodies are exported as `body` text (when valid UTF-8). */
  text: boolean;
}

/** The shared part of `m`'s line: `prev`'s when every field is the same (nearly always, within an export), else built. */
function sharedFields(m: MessageMeta, prev: SharedFields | undefined): SharedFields {
  if (
    prev !== undefined && prev.channelId === m.channelId && prev.partyId === m.partyId && prev.messageType === m.messageType
    && prev.mediaType === m.mediaType && prev.contentType === m.contentType
  ) return prev;
  const j = JSON.stringify;
  return {
    channelId: m.channelId, partyId: m.partyId, messageType: m.messageType, mediaType: m.mediaType, contentType: m.contentType,
    json: `"channelId":${j(m.channelId)},"partyId":${j(m.partyId)},"messageType":${j(m.messageType)},`
      + `"mediaType":${j(m.mediaType)},"contentType":${j(m.contentType)},`,
    text: TEXT_MEDIA.test(m.mediaType),
  };
}

/**
 * One NDJSON line of an export, in three parts to be written one after the other: exactly `JSON.stringify` of
 * {messageId, channelId, partyId, messageType, mediaType, contentType, size, sha256, receivedAt, transactionId,
 * body | bodyBase64, cursor}, built field by field (each value through JSON.stringify, so escaping is JSON's) without
 * the intermediate objects. The body's part is its own string, never joined to the others: the 1 KiB body is then
 * copied once, into the output chunk, instead of once more into a joined line.
 */
function exportLineParts(m: MessageMeta, shared: SharedFields, body: Buffer, cursor: string, utf8: TextDecoder): [string, string, string] {
  let text: string | undefined;
  if (shared.text) {
    try {
      text = utf8.decode(body);
    } catch {
      text = undefined;
    }
  }
  const j = JSON.stringify;
  const head = `{"messageId":${j(m.id)},${shared.json}"size":${j(m.size)},"sha256":${j(m.sha256)},`
    + `"receivedAt":${j(m.receivedAt)},"transactionId":${j(m.transactionId)},`;
  return text !== undefined
    ? [`${head}"body":`, j(text), `,"cursor":${j(cursor)}}\n`]
    : [`${head}"bodyBase64":"`, body.toString('base64'), `","cursor":${j(cursor)}}\n`];
}

/** One message of an export: the stored record and the cursor that resumes after it. */
export type ExportItem = MessageRecord & { cursor: string };

/** One page of an export's messages, in order; `stop` on the last page ends the export short with that line instead of the completion line. */
export interface ExportPage {
  items: ExportItem[];
  stop?: Record<string, unknown>;
}

/**
 * NDJSON chunks of an export (see {@link exportVault} for the line format), from pages pulled one at a time as the
 * consumer reads: constant memory, one page and about EXPORT_CHUNK_BYTES of output at a time. The last line is
 * `{"complete":true,"count":N}`, or the last page's `stop` with the count when the source ends the export short.
 */
export async function* exportChunks(
  d: VaultDeps, companyId: string, pages: AsyncIterable<ExportPage>, o: { flushEachPage?: boolean } = {},
): AsyncGenerator<Buffer> {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let count = 0;
  let chunk = Buffer.allocUnsafe(EXPORT_CHUNK_BYTES);
  let used = 0;
  let shared: SharedFields | undefined;
  let stop: Record<string, unknown> | undefined;
  for await (const page of pages) {
    // The keys are the company's own: a ciphertext naming another owner's key fails (DATA_INTEGRITY_ERROR).
    const bodies = await d.crypto.openMany(page.items, companyId, (m) => m.bodyCiphertext, (m) => messageAad(m.companyId, m.id));
    for (let i = 0; i < page.items.length; i++) {
      const m = page.items[i]!;
      shared = sharedFields(m, shared);
      const [head, content, tail] = exportLineParts(m, shared, bodies[i]!, m.cursor, utf8);
      count++;
      // A UTF-16 code unit is at most 3 bytes of UTF-8: below that bound the line surely fits without measuring.
      const room = chunk.length - used;
      if ((head.length + content.length + tail.length) * 3 > room) {
        const bytes = Buffer.byteLength(head, 'utf8') + Buffer.byteLength(content, 'utf8') + Buffer.byteLength(tail, 'utf8');
        if (bytes > room) {
          if (used > 0) yield chunk.subarray(0, used);
          chunk = Buffer.allocUnsafe(Math.max(EXPORT_CHUNK_BYTES, bytes));
          used = 0;
        }
      }
      used += chunk.write(head, used, 'utf8');
      used += chunk.write(content, used, 'utf8');
      used += chunk.write(tail, used, 'utf8');
    }
    if (page.stop) {
      stop = page.stop;
      break;
    }
    // flushEachPage: a chunk never holds lines of two pages (a shared export checks its grants per page; lines
    // checked long ago must not wait in a chunk while the next page is read).
    if (used >= EXPORT_CHUNK_BYTES / 2 || (o.flushEachPage === true && used > 0)) {
      yield chunk.subarray(0, used);
      chunk = Buffer.allocUnsafe(EXPORT_CHUNK_BYTES);
      used = 0;
    }
  }
  // The completion line says the export is whole: a stream cut short has no such line.
  if (used > 0) yield chunk.subarray(0, used);
  yield Buffer.from(`${JSON.stringify(stop ? { ...stop, count } : { complete: true, count })}\n`, 'utf8');
}

/**
 * The selection of the list route as NDJSON lines, streamed a page at a time (constant memory whatever the vault
 * size: one page of EXPORT_PAGE messages and one chunk of about EXPORT_CHUNK_BYTES; the next page is read only when
 * the consumer pulls, so a slow reader holds the export back instead of growing a buffer). Each line carries the
 * metadata, the body (as `body` text for text media types that are valid UTF-8, else `bodyBase64`), and `cursor`:
 * pass the last cursor received to resume an interrupted export after it. The last line is
 * `{"complete":true,"count":N}`. Validates the query and consumes the transaction id before the first byte is sent.
 * Yields chunks of whole lines.
 */
export async function exportVault(
  d: VaultDeps,
  reader: VaultReader,
  q: { channelId?: string; messageType?: string; from?: string; to?: string; cursor?: string },
): Promise<AsyncGenerator<Buffer>> {
  if (q.channelId !== undefined) checkId(q.channelId, 'channel', d.environment, 'CHANNEL_NOT_FOUND');
  const companyId = reader.company.id;
  const query = {
    companyId, channelId: q.channelId, messageType: q.messageType,
    from: isoBound('from', q.from), to: isoBound('to', q.to), limit: EXPORT_PAGE,
  };
  const first = await d.store.listMessagesWithBodies({ ...query, cursor: q.cursor });
  await consumeReadTransaction(d, reader);
  return exportChunks(d, companyId, (async function* pages() {
    let page = first;
    for (;;) {
      yield page;
      if (!page.nextCursor) return;
      page = await d.store.listMessagesWithBodies({ ...query, cursor: page.nextCursor });
    }
  })());
}
