import { acceptSignedOrAuthenticate, readBodyIntegrity, type IngestionPrincipal } from './body-integrity.js';
import type { ContentDigests } from '../../protocol/index.js';
import {
  BATCH_MAX_ITEMS, BATCH_MEDIA_TYPE, errorMessage, errorRemedy, mediaTypeEssence, parseContentEncoding, VaultgateError,
  type BatchItemRefused, type BatchItemResult, type BatchResult, type ContentCoding, type HeaderBag, type Language,
} from '../../protocol/index.js';
import type { ChannelRecord } from '../../store/index.js';
import { authorizeMacIngestion } from './accept-ingestion.js';
import { authenticateRequest, type AuthDeps, type RequestOrigin } from './authenticate-request.js';
import { authorizeBearerIngestion, readIdempotencyKey } from './authorize-bearer.js';
import { decodeContent } from './decode-content.js';
import { checkMessageHeaders, findChannel, ingestMessage, type IngestDeps } from './ingest-message.js';

/*
 * Batch ingestion (issue 17 part 1; docs/ingestion.md "Batches"): `POST /ingestion/{channelId}/batch`, NDJSON, one
 * message per line. Batch-level checks refuse the whole request with one coded error and store nothing; after them
 * every line is an item of its own: a malformed or refused line refuses only that item, and the valid ones are
 * committed durably (group commit) before the answer.
 */

/** A batch request that passed every check made before its body is read. */
export interface AcceptedBatch {
  channel: ChannelRecord;
  principal: IngestionPrincipal;
  /** The batch's own MAC TransactionId or bearer Idempotency-Key: replay protection of the request as a whole. */
  batchTransactionId: string | undefined;
  codings: ContentCoding[];
  /** The request's Content-Digest (RFC 9530), checked against the whole body as received before anything is parsed. */
  digests: ContentDigests | undefined;
}

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
const CONTROL = /[\u0000-\u001f\u007f]/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The batch checks before the body is read, in the order of a single message: channel exists, caller authenticated
 * (MAC with a TransactionId for the batch itself, or bearer) and is the channel's party with ingest, channel active,
 * Content-Type application/x-ndjson (BATCH_MEDIA_TYPE, 415), declared size 1..maxBodyBytes (BATCH_EMPTY,
 * BODY_TOO_LARGE), content codings known (CONTENT_ENCODING_UNSUPPORTED).
 */
export async function acceptBatch(
  d: IngestDeps & AuthDeps,
  r: { channelId: string; headers: HeaderBag; rawTarget: string; mac: boolean; origin?: RequestOrigin },
): Promise<AcceptedBatch> {
  const channel = await findChannel(d, r.channelId);
  // Issue 17 §2: a batch may be signed with an HTTP message signature too (body-integrity.ts), its nonce the batch's own id.
  const principal = await acceptSignedOrAuthenticate(d, r.headers, r.rawTarget, r.mac, r.origin, authenticateRequest);
  let batchTransactionId: string | undefined;
  if (principal.scheme === 'http-signature') {
    if (principal.party.id !== channel.partyId) {
      throw new VaultgateError('SERVICE_ACCESS_ERROR', { detail: 'Only a key of the channel\'s party may sign messages into it.', logReason: `signature key ${principal.key.id} is not of the channel party` });
    }
    batchTransactionId = principal.input.nonce;
  } else if (principal.scheme === 'bearer') {
    authorizeBearerIngestion(principal, channel);
    batchTransactionId = readIdempotencyKey(r.headers);
  } else {
    await authorizeMacIngestion(d, principal, channel);
    batchTransactionId = principal.headers.transactionId;
  }
  if (channel.status !== 'active') throw new VaultgateError('CHANNEL_DISABLED');
  const contentType = one(r.headers['content-type']);
  if (contentType === undefined || mediaTypeEssence(contentType) !== BATCH_MEDIA_TYPE) {
    throw new VaultgateError('BATCH_MEDIA_TYPE', {
      detail: contentType ? `Content-Type ${JSON.stringify(contentType.slice(0, 100))} is not ${BATCH_MEDIA_TYPE}.` : 'Content-Type is missing.',
      headers: { 'accept-post': BATCH_MEDIA_TYPE },
    });
  }
  const length = one(r.headers['content-length']);
  if (length !== undefined) {
    if (Number(length) === 0) throw new VaultgateError('BATCH_EMPTY');
    if (Number(length) > d.maxBodyBytes) throw new VaultgateError('BODY_TOO_LARGE', { detail: `Limit: ${d.maxBodyBytes} bytes for the whole batch.` });
  }
  const codings = parseContentEncoding(one(r.headers['content-encoding']));
  // Content-Digest as on a single message (issue 17 part 2): malformed, or missing where the channel requires it, refuses the whole batch.
  const digests = await readBodyIntegrity(d, channel, r.headers, principal.scheme === 'http-signature');
  return { channel, principal, batchTransactionId, codings, digests };
}

/** The lines of a decoded batch body: split at `\n` (a `\r` before it dropped); a final line end adds no line. */
export function batchLines(body: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  while (start < body.length) {
    let end = body.indexOf(0x0a, start);
    const next = end < 0 ? body.length : end + 1;
    if (end < 0) end = body.length;
    if (lines.length === BATCH_MAX_ITEMS) {
      throw new VaultgateError('BATCH_TOO_MANY_ITEMS', { detail: `More than ${BATCH_MAX_ITEMS} lines; nothing was stored.` });
    }
    lines.push(body.subarray(start, end > start && body[end - 1] === 0x0d ? end - 1 : end));
    start = next;
  }
  if (lines.length === 0) throw new VaultgateError('BATCH_EMPTY');
  return lines;
}

/** One line parsed into a message to store; throws the item's refusal (BATCH_LINE_INVALID and the single-message codes). */
export function parseBatchLine(
  channel: ChannelRecord, line: Buffer, maxItemBytes: number,
): { messageType: string; mediaType: string; contentType: string; body: Buffer; transactionId: string | undefined } {
  const invalid = (detail: string): VaultgateError => new VaultgateError('BATCH_LINE_INVALID', { detail });
  if (line.length === 0) throw invalid('The line is empty.');
  let v: unknown;
  try {
    v = JSON.parse(UTF8.decode(line));
  } catch {
    throw invalid('The line is not a JSON object in UTF-8.');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid('The line is not a JSON object.');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['messageType', 'mediaType', 'transactionId', 'idempotencyKey', 'body', 'bodyBase64'].includes(k)) throw invalid(`Unknown member ${JSON.stringify(k.slice(0, 50))}.`);
  }
  for (const k of ['messageType', 'mediaType', 'transactionId', 'idempotencyKey', 'body', 'bodyBase64']) {
    if (o[k] !== undefined && typeof o[k] !== 'string') throw invalid(`${k} must be a string.`);
  }
  const s = o as { messageType?: string; mediaType?: string; transactionId?: string; idempotencyKey?: string; body?: string; bodyBase64?: string };
  if (s.mediaType === undefined) throw invalid('mediaType is missing.');
  if ((s.body === undefined) === (s.bodyBase64 === undefined)) throw invalid('Give exactly one of body and bodyBase64.');
  if (s.transactionId !== undefined && s.idempotencyKey !== undefined) throw invalid('Give at most one of transactionId and idempotencyKey.');
  const transactionId = s.transactionId ?? s.idempotencyKey;
  if (transactionId !== undefined && (transactionId.length === 0 || transactionId.length > 255 || CONTROL.test(transactionId))) {
    throw invalid('transactionId/idempotencyKey must be 1-255 characters without control characters.');
  }
  if (s.bodyBase64 !== undefined && !BASE64.test(s.bodyBase64)) throw invalid('bodyBase64 is not base64 (RFC 4648 §4, padded).');
  const { agreement, mediaType } = checkMessageHeaders(channel, { messageType: s.messageType, contentType: s.mediaType, contentLength: undefined }, maxItemBytes);
  const body = s.body !== undefined ? Buffer.from(s.body, 'utf8') : Buffer.from(s.bodyBase64!, 'base64');
  if (body.length === 0) throw new VaultgateError('BODY_EMPTY');
  if (body.length > maxItemBytes) throw new VaultgateError('BODY_TOO_LARGE', { detail: `Limit: ${maxItemBytes} bytes per message.` });
  return { messageType: agreement.name, mediaType, contentType: s.mediaType, body, transactionId };
}

/** An item's refusal as the answer carries it. */
function refusal(index: number, err: VaultgateError, language: Language): BatchItemRefused {
  const r: BatchItemRefused = { index, status: 'refused', code: err.code, title: errorMessage(err.code, language), remedy: errorRemedy(err.code, language) };
  if (err.detail && err.status < 500) r.detail = err.detail;
  if (typeof err.extra?.messageId === 'string') r.messageId = err.extra.messageId;
  return r;
}

/**
 * Stores the items of an accepted batch. `received` is the body as it came off the wire: decoded (within
 * maxBodyBytes), split into lines (BATCH_EMPTY, BATCH_TOO_MANY_ITEMS refuse the whole batch), then the batch's own
 * transaction id is consumed (REQUEST_NOT_UNIQUE when it was used: a replayed batch stores nothing). Each line is
 * parsed and checked on its own and every valid item is submitted to the group committer at once; resolves after
 * every one is committed durably or refused, with the results in line order. `toError` turns a failure that is not
 * coded (a store error) into the catalogue's code (the route's error rules), so such an item is refused with it.
 */
export async function ingestBatch(
  d: IngestDeps, a: AcceptedBatch, received: Buffer,
  o: { language: Language; toError: (err: unknown) => VaultgateError; /** Charges the rate limits with the item count (throws RATE_LIMITED). */ charge?: ((items: number) => Promise<void>) | undefined },
): Promise<BatchResult> {
  const body = a.codings.length === 0 ? received : await decodeContent(received, a.codings, d.maxBodyBytes);
  const lines = batchLines(body);
  await o.charge?.(lines.length);
  if (a.batchTransactionId !== undefined) {
    const fresh = await d.store.consumeTransactionId(a.channel.partyId, a.batchTransactionId, new Date(d.clock.now()).toISOString());
    if (!fresh) throw new VaultgateError('REQUEST_NOT_UNIQUE', { detail: 'The batch\'s own transaction id (TransactionId / Idempotency-Key) was used before; nothing of this batch was stored.' });
  }
  const settled = await Promise.allSettled(lines.map(async (line) => {
    const item = parseBatchLine(a.channel, line, d.maxBodyBytes);
    return ingestMessage(d, { channel: a.channel, ...item });
  }));
  let stored = 0;
  const items: BatchItemResult[] = settled.map((s, index) => {
    if (s.status === 'fulfilled') {
      stored++;
      return { index, status: 'stored', receipt: s.value };
    }
    return refusal(index, o.toError(s.reason), o.language);
  });
  return { channelId: a.channel.id, stored, refused: items.length - stored, items };
}
