import { randomUUID, createHash } from 'node:crypto';
import { contentDigestHeader } from '../protocol/index.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request, type Dispatcher } from 'undici';
import { authorizerFor, type RequestAuthorizer, type VaultgateCredentials } from './auth.js';
import { apiErrorFrom, VaultgateApiError, VaultgateIncompleteExportError, VaultgateNetworkError } from './errors.js';
import type { HttpSignatureKey } from '../protocol/index.js';
import { httpSignatureHeaders } from './http-signer.js';
import { DEFAULT_RETRY, isRetryableStatus, parseRetryAfter, retryDelay, type RetryPolicy } from './retry.js';
import { BATCH_MEDIA_TYPE, type BatchCapability, type BatchResult } from '../protocol/index.js';
import { batchLine, batchResults, chunkLines, refusedFrom, type BatchItem, type BatchSendResult } from './batch.js';
import { exhaustedLimits, RatePacer, rateLimitResetMs, type RateLimitWait } from './rate-limit.js';
import type { AuditFilters, AuditPage, ExportedMessage, FeedOptions, FeedPage, MessageMeta, MessagePage, Receipt, SendResult, SharedOwners, VaultFilters, VaultMessage } from './types.js';

export interface VaultgateClientOptions {
  /** Where the deployment is reached, e.g. `https://vaultgate.example.com` (the public base URL it signs against). */
  baseUrl: string;
  /**
   * MAC credentials; or OAuth client credentials `{ clientId, clientSecret, tokenUrl? }` (token fetched from
   * `${baseUrl}/oauth2/token` by default, cached, refreshed before expiry); or `{ tokenProvider }`. May be left out
   * with `signature` (sends only).
   */
  credentials?: VaultgateCredentials | undefined;
  /**
   * Retries of network errors, 5xx and 429 (default: 5 attempts, 200 ms doubling, Retry-After honoured). The client
   * also paces itself by the server's RateLimit field: once a policy says `r=0`, requests wait its `t` (at most maxDelayMs).
   */
  retry?: Partial<RetryPolicy>;
  /** Longest wait for the answer's headers and between body chunks (default 30 s). */
  timeoutMs?: number;
  /** An undici dispatcher to use instead of the client's own connection pool (which `close()` then leaves alone). */
  dispatcher?: Dispatcher;
  /**
   * Sent as `Accept-Language` (RFC 9110 §12.5.4) on every request and token request, e.g. `fi` or `sv`: the language
   * of the server's error messages (`title`, and so `VaultgateApiError.message`). MAC credentials' `language`
   * (X-Netvisor-Interface-Language) takes precedence on the MAC scheme. Default: none (English).
   */
  acceptLanguage?: string | undefined;
  /**
   * Sign sends with HTTP Message Signatures (RFC 9421) instead of `credentials` (issue 17, docs/http-signatures.md):
   * the key id registered for the party, its algorithm, and the HMAC secret (bytes) or private key (PEM, JWK or
   * KeyObject). Every send then carries Content-Digest; reads still use `credentials`.
   */
  signature?: HttpSignatureKey | undefined;
  /** Send Content-Digest (RFC 9530, sha-256) with every message (always so with `signature`). Default false. */
  contentDigest?: boolean | undefined;
  /**
   * Called before each wait for the rate limits (a 429's Retry-After, or pacing by RateLimit once nothing is left),
   * with how long, until when and which limits (docs/api.md "Limits"); e.g. to tell a person why nothing moves.
   */
  onRateLimitWait?: ((wait: RateLimitWait) => void) | undefined;
}

export interface SendOptions {
  /** An agreed message type of the channel (may be omitted when the channel has exactly one). */
  messageType?: string;
  /** An agreed media type, sent as Content-Type, e.g. `application/json`. */
  mediaType: string;
  /** Transaction id / idempotency key; generated when absent. The same one is sent on every retry. */
  transactionId?: string;
}

type Attempted = { status: number; headers: Record<string, string | string[] | undefined>; attempts: number };
type Buffered = Attempted & { text: string };
type Streamed = Attempted & { body: Dispatcher.ResponseData['body'] };

const UA = 'vaultgate-sdk/0.1.0';

/** The authorizer of a client that has only a signature key: sends are signed per request; anything else needs credentials. */
const SIGNATURE_ONLY: RequestAuthorizer = {
  scheme: 'mac',
  headers: () => Promise.reject(new Error('this client has only a signature key (sends); reading needs credentials')),
  rejected: () => undefined,
};

/**
 * A Vaultgate client: sends messages into ingestion channels and reads the owner's vault.
 *
 * @example
 * const vg = new VaultgateClient({ baseUrl: 'https://vaultgate.example.com', credentials: {
 *   partnerId, partnerKey, customerId, customerKey, organisationId: '1967543-8' } });
 * const r = await vg.send('ch_test_…', JSON.stringify(order), { messageType: 'TransportOrder', mediaType: 'application/json' });
 * console.log(r.messageId);
 * await vg.close();
 */
export class VaultgateClient {
  readonly baseUrl: string;
  private readonly auth: RequestAuthorizer;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly dispatcher: Dispatcher;
  private readonly ownDispatcher: boolean;
  private readonly acceptLanguage: Record<string, string>;
  private readonly signature: HttpSignatureKey | undefined;
  private readonly contentDigest: boolean;
  private batchOffer: Promise<BatchCapability | null> | undefined;
  /** Fair use (issue 17 §3): waits while the server's RateLimit field says nothing is left. */
  private readonly pacer: RatePacer;
  private readonly onRateLimitWait: ((wait: RateLimitWait) => void) | undefined;

  constructor(o: VaultgateClientOptions) {
    this.baseUrl = o.baseUrl.replace(/\/+$/, '');
    new URL(this.baseUrl); // throws early on a malformed base URL
    if (!o.credentials && !o.signature) throw new Error('VaultgateClient needs credentials, or a signature key for sends');
    this.auth = o.credentials ? authorizerFor(o.credentials, { baseUrl: this.baseUrl, acceptLanguage: o.acceptLanguage }) : SIGNATURE_ONLY;
    this.acceptLanguage = o.acceptLanguage ? { 'accept-language': o.acceptLanguage } : {};
    this.signature = o.signature;
    this.contentDigest = o.contentDigest === true;
    this.retry = { ...DEFAULT_RETRY, ...o.retry };
    this.pacer = new RatePacer(this.retry.maxDelayMs);
    this.onRateLimitWait = o.onRateLimitWait;
    this.timeoutMs = o.timeoutMs ?? 30_000;
    this.ownDispatcher = o.dispatcher === undefined;
    this.dispatcher = o.dispatcher ?? new Agent({ keepAliveTimeout: 10_000, headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs });
  }

  /**
   * Sends one message and resolves once the server has committed it. Retries network errors, 5xx and 429 with the
   * same transaction id; when, after an attempt whose fate is unknown (connection lost, 5xx), a retry is refused as
   * `REQUEST_NOT_UNIQUE` naming a stored message, that attempt was stored and the result says `alreadyStored: true`.
   * Other refusals throw `VaultgateApiError` (a first-attempt `REQUEST_NOT_UNIQUE` too: the id was used before).
   *
   * @example
   * const r = await vg.send(channelId, '<order/>', { messageType: 'TransportOrder', mediaType: 'application/xml' });
   * if (!r.alreadyStored) console.log(r.sha256);
   */
  async send(channelId: string, body: Uint8Array | string, o: SendOptions): Promise<SendResult> {
    const transactionId = o.transactionId ?? randomUUID();
    const headers: Record<string, string> = { 'content-type': o.mediaType };
    if (o.messageType !== undefined) headers['x-message-type'] = o.messageType;
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    // Issue 17: sign each attempt afresh (new created, the same nonce), or add Content-Digest on request.
    const signature = this.signature;
    const sign = signature
      ? (url: string): Promise<Record<string, string>> => httpSignatureHeaders(signature, { method: 'POST', url, contentType: o.mediaType, body: bytes, nonce: transactionId, nowMs: Date.now() })
      : undefined;
    if (!sign && this.contentDigest) headers['content-digest'] = contentDigestHeader(bytes);
    try {
      const r = await this.buffered('POST', `/ingestion/${encodeURIComponent(channelId)}`, { headers, body: bytes, transactionId, ...(sign ? { sign } : {}) });
      return { ...(JSON.parse(r.text) as Receipt), alreadyStored: false };
    } catch (err) {
      if (err instanceof RetriedNotUnique && err.cause.messageId) {
        return { alreadyStored: true, messageId: err.cause.messageId, channelId, transactionId };
      }
      throw err instanceof RetriedNotUnique ? err.cause : err;
    }
  }

  /**
   * Whether the server offers batches, and their limits (`OPTIONS /ingestion/{channelId}/batch`); null on a server
   * without them (404/405/501). Asked once per client; a failed probe is asked again next time.
   *
   * @example
   * const cap = await vg.batchCapability(channelId); // { mediaType: 'application/x-ndjson', maxItems: 1000, maxBytes, maxItemBytes } or null
   */
  batchCapability(channelId: string): Promise<BatchCapability | null> {
    this.batchOffer ??= (async () => {
      try {
        // The offer needs no authentication (so a signature-only client can ask too): no credential headers are sent.
        const r = await this.buffered('OPTIONS', `/ingestion/${encodeURIComponent(channelId)}/batch`, { sign: async () => ({}) });
        const cap = JSON.parse(r.text) as Partial<BatchCapability>;
        return cap.mediaType === BATCH_MEDIA_TYPE && typeof cap.maxItems === 'number' && typeof cap.maxBytes === 'number' ? cap as BatchCapability : null;
      } catch (err) {
        if (err instanceof VaultgateApiError && [404, 405, 501].includes(err.status)) return null;
        this.batchOffer = undefined;
        throw err;
      }
    })();
    return this.batchOffer;
  }

  /**
   * Sends many messages, in as few requests as the server's batch limits allow (`POST /ingestion/{channelId}/batch`,
   * NDJSON, at most 1,000 per request), and resolves once every stored one is committed. One result per item, in
   * input order: stored (with its receipt), already stored (an earlier attempt's answer was lost: each item keeps
   * its transaction id, generated when absent, across retries), or refused with its code, title, detail and remedy.
   * A request refused as a whole, or not delivered after every retry, throws (VaultgateApiError /
   * VaultgateNetworkError); the requests before it were stored, and sending the same items again is safe. On a
   * server without batches, the items are sent one by one with `send`.
   *
   * @example
   * const results = await vg.sendBatch(channelId, orders.map((o) => ({ body: JSON.stringify(o), mediaType: 'application/json' })));
   * for (const r of results) if (r.status === 'refused') console.error(r.index, r.code, r.remedy);
   */
  async sendBatch(channelId: string, items: readonly BatchItem[]): Promise<BatchSendResult[]> {
    const lines = items.map((item, index) => ({ index, item, ...batchLine(item) }));
    const cap = await this.batchCapability(channelId);
    if (!cap) return this.sendEach(channelId, lines);
    const results: BatchSendResult[] = [];
    for (const chunk of chunkLines(lines, cap)) {
      if (chunk[0]!.line.length > cap.maxBytes) {
        results.push(...await this.sendEach(channelId, chunk)); // too large as a line; as a message it may still fit
        continue;
      }
      const body = Buffer.concat(chunk.map((l) => l.line));
      // Issue 17 §2: a signed client signs each attempt of a batch (a fresh nonce: a retry is a new batch id, its items
      // keep theirs); otherwise Content-Digest on request.
      const signature = this.signature;
      const sign = signature
        ? (url: string): Promise<Record<string, string>> => httpSignatureHeaders(signature, { method: 'POST', url, contentType: BATCH_MEDIA_TYPE, body, nonce: randomUUID(), nowMs: Date.now() })
        : undefined;
      const headers: Record<string, string> = { 'content-type': BATCH_MEDIA_TYPE };
      if (!sign && this.contentDigest) headers['content-digest'] = contentDigestHeader(body);
      const r = await this.buffered('POST', `/ingestion/${encodeURIComponent(channelId)}/batch`, { headers, body, ...(sign ? { sign } : {}) });
      results.push(...batchResults(JSON.parse(r.text) as BatchResult, chunk.map((l) => l.transactionId), chunk[0]!.index, r.attempts > 1));
    }
    return results;
  }

  /** Items one by one (send), refusals as results; failures to deliver throw. */
  private async sendEach(channelId: string, lines: { index: number; item: BatchItem; transactionId: string }[]): Promise<BatchSendResult[]> {
    const out: BatchSendResult[] = [];
    for (const { index, item, transactionId } of lines) {
      try {
        const r = await this.send(channelId, item.body, { mediaType: item.mediaType, transactionId, ...(item.messageType !== undefined ? { messageType: item.messageType } : {}) });
        out.push(r.alreadyStored
          ? { index, status: 'stored', alreadyStored: true, messageId: r.messageId, transactionId }
          : { index, status: 'stored', alreadyStored: false, receipt: r });
      } catch (err) {
        if (!(err instanceof VaultgateApiError) || err.status >= 500 || err.status === 429 || err.status === 401) throw err;
        out.push(refusedFrom(index, err));
      }
    }
    return out;
  }

  /**
   * The vault's messages, page by page (oldest first), following `nextCursor` until the end.
   *
   * @example
   * for await (const page of vg.listPages({ messageType: 'TransportOrder' }, { pageSize: 500 })) console.log(page.items.length);
   */
  listPages(filters: VaultFilters = {}, o: { pageSize?: number; cursor?: string } = {}): AsyncGenerator<MessagePage> {
    return this.pages<MessagePage>('/vault/v1/messages', { ...filters }, o);
  }

  /** The pages of a list route, following `nextCursor` from `o.cursor` until the end. */
  private async *pages<P extends { nextCursor: string | null }>(path: string, params: Record<string, string | undefined>, o: { pageSize?: number; cursor?: string }): AsyncGenerator<P> {
    let cursor = o.cursor;
    do {
      const q = query({ ...params, cursor, limit: o.pageSize === undefined ? undefined : String(o.pageSize) });
      const page = JSON.parse((await this.buffered('GET', `${path}${q}`, {})).text) as P;
      yield page;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  /**
   * Every message's metadata in the vault, one at a time (pages fetched as needed).
   *
   * @example
   * for await (const m of vg.listMessages({ channelId })) console.log(m.messageId, m.size);
   */
  async *listMessages(filters: VaultFilters = {}, o: { pageSize?: number } = {}): AsyncGenerator<MessageMeta> {
    for await (const page of this.listPages(filters, o)) yield* page.items;
  }

  /**
   * One message's original bytes and Content-Type; the body is checked against the server's `Repr-Digest`.
   *
   * @example
   * const m = await vg.getMessage('msg_test_…'); // m.body is a Buffer, m.contentType 'application/json'
   */
  async getMessage(messageId: string): Promise<VaultMessage> {
    return this.readMessage(`/vault/v1/messages/${encodeURIComponent(messageId)}`, messageId);
  }

  private async readMessage(path: string, messageId: string): Promise<VaultMessage> {
    const r = await this.streamed('GET', path);
    const body = Buffer.from(await r.body.arrayBuffer());
    const h = (n: string): string | undefined => first(r.headers[n]);
    const digest = /^sha-256=:([^:]+):$/.exec(h('repr-digest') ?? '')?.[1];
    if (digest && createHash('sha256').update(body).digest('base64') !== digest) {
      throw new VaultgateNetworkError(`the body of ${messageId} does not match its Repr-Digest`, r.attempts);
    }
    return {
      messageId: h('x-message-id') ?? messageId, channelId: h('x-channel-id') ?? '', messageType: h('x-message-type') ?? '',
      contentType: h('content-type') ?? 'application/octet-stream', receivedAt: h('x-received-at') ?? '',
      transactionId: h('x-transaction-id'), body, ...(h('x-grant-id') ? { grantId: h('x-grant-id') } : {}),
    };
  }

  /**
   * The vault as a stream of messages (bodies included), in constant memory. Pass `cursor` (the last one received)
   * to resume; a stream cut short throws `VaultgateIncompleteExportError` carrying the cursor to resume from.
   *
   * @example
   * for await (const m of vg.exportVault({ from: '2026-01-01T00:00:00Z' })) process.stdout.write(m.body ?? '');
   */
  async *exportVault(filters: VaultFilters = {}, o: { cursor?: string } = {}): AsyncGenerator<ExportedMessage> {
    for await (const line of this.exportLines(filters, o)) yield JSON.parse(line) as ExportedMessage;
  }

  /** The export's NDJSON lines as received (without the closing `{"complete":true}` line). */
  exportLines(filters: VaultFilters = {}, o: { cursor?: string } = {}): AsyncGenerator<string> {
    return this.ndjson('/vault/v1/export', filters, o);
  }

  /** The NDJSON lines of an export route; a line `{"complete":false,…}` (the server stopped it) throws with its code. */
  private async *ndjson(path: string, filters: VaultFilters, o: { cursor?: string }): AsyncGenerator<string> {
    const r = await this.streamed('GET', `${path}${query({ ...filters, cursor: o.cursor })}`);
    const decoder = new TextDecoder('utf-8');
    let pending = '';
    let received = 0;
    let cursor = o.cursor;
    let complete = false;
    try {
      for await (const chunk of r.body) {
        pending += decoder.decode(chunk as Buffer, { stream: true });
        let nl: number;
        while ((nl = pending.indexOf('\n')) !== -1) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          if (line.startsWith('{"complete":true')) {
            complete = true;
            continue;
          }
          if (line === '') continue;
          if (line.startsWith('{"complete":false')) {
            const stop = JSON.parse(line) as { code?: string; cursor?: string | null };
            throw new VaultgateIncompleteExportError(received, stop.cursor ?? cursor, stop.code ?? 'INCOMPLETE');
          }
          received++;
          cursor = /"cursor":"([^"]+)"/.exec(line)?.[1] ?? cursor;
          yield line;
        }
      }
    } catch (err) {
      if (err instanceof VaultgateIncompleteExportError) throw err;
      throw new VaultgateIncompleteExportError(received, cursor);
    }
    if (!complete) throw new VaultgateIncompleteExportError(received, cursor);
  }

  // --- consumer reads (issue 15): another owner's vault, within your organisation's active grants ---

  /**
   * The owners whose vaults you may read now, with the active grants (read) you hold over each. Needs a MAC
   * vault.read credential or a client with the shared.read role.
   *
   * @example
   * const { owners } = await vg.sharedOwners(); // [{ companyId: 'co_test_…', name, businessId, grants: [{ grantId, channelIds, … }] }]
   */
  async sharedOwners(): Promise<SharedOwners> {
    return JSON.parse((await this.buffered('GET', '/vault/v1/shared', {})).text) as SharedOwners;
  }

  /** The pages of another owner's messages your grants cover (a page may be short while nextCursor is set). */
  sharedPages(owner: string, filters: VaultFilters = {}, o: { pageSize?: number; cursor?: string } = {}): AsyncGenerator<MessagePage> {
    return this.pages<MessagePage>(`/vault/v1/shared/${encodeURIComponent(owner)}/messages`, { ...filters }, o);
  }

  /**
   * Every message of another owner's vault that your active grants cover, one at a time, oldest first. Throws
   * VaultgateApiError GRANT_REQUIRED when you hold no active grant over that vault.
   *
   * @example
   * for await (const m of vg.listShared('co_test_…', { messageType: 'Invoice' })) console.log(m.messageId);
   */
  async *listShared(owner: string, filters: VaultFilters = {}, o: { pageSize?: number } = {}): AsyncGenerator<MessageMeta> {
    for await (const page of this.sharedPages(owner, filters, o)) yield* page.items;
  }

  /**
   * One message of another owner's vault that your grants cover: bytes, Content-Type and `grantId` (the grant the
   * read came through). NOT_FOUND for a message outside every grant, exactly as for one that does not exist.
   *
   * @example
   * const m = await vg.getShared('co_test_…', 'msg_test_…'); // m.grantId 'grt_test_…'
   */
  getShared(owner: string, messageId: string): Promise<VaultMessage> {
    return this.readMessage(`/vault/v1/shared/${encodeURIComponent(owner)}/messages/${encodeURIComponent(messageId)}`, messageId);
  }

  /**
   * Another owner's messages your grants cover, bodies included, as a stream (the format of exportVault). When a
   * grant ends mid-export the stream stops with VaultgateIncompleteExportError, `code` GRANT_REQUIRED and the cursor
   * after the last message received.
   *
   * @example
   * for await (const m of vg.exportShared('co_test_…')) console.log(m.messageId);
   */
  async *exportShared(owner: string, filters: VaultFilters = {}, o: { cursor?: string } = {}): AsyncGenerator<ExportedMessage> {
    for await (const line of this.exportSharedLines(owner, filters, o)) yield JSON.parse(line) as ExportedMessage;
  }

  /** The shared export's NDJSON lines as received (without the closing line). */
  exportSharedLines(owner: string, filters: VaultFilters = {}, o: { cursor?: string } = {}): AsyncGenerator<string> {
    return this.ndjson(`/vault/v1/shared/${encodeURIComponent(owner)}/export`, filters, o);
  }

  /**
   * The audit events that concern your vault (docs/audit.md "Reading it"): every read of its data by anyone, changes to
   * its credentials and channels, refusals; oldest first, page by page following `nextCursor`.
   *
   * @example
   * for await (const page of vg.auditPages({ action: 'vault.' })) for (const e of page.items) console.log(e.seq, e.action);
   */
  auditPages(filters: AuditFilters = {}, o: { pageSize?: number } = {}): AsyncGenerator<AuditPage> {
    return this.pages<AuditPage>('/vault/v1/audit', { ...filters }, o);
  }

  /**
   * Your audit export (`GET /vault/v1/audit/export`): NDJSON bytes as they arrive, your events whole and other
   * companies' as hash links, with the checkpoints; `vaultgate audit verify --export` checks it offline.
   *
   * @example
   * for await (const chunk of await vg.auditExport()) process.stdout.write(chunk);
   */
  async auditExport(): Promise<AsyncIterable<Uint8Array>> {
    return (await this.streamed('GET', '/vault/v1/audit/export')).body;
  }

  /**
   * One poll of the change feed (`GET /vault/v1/feed`): items after `cursor` in order, and the cursor to continue
   * from. MAC vault.read credentials or a client with vault.read see the company's vault and what its grants cover;
   * a client with only shared.read (a company's or a vendor-only organisation's) sees what its grants cover. With `wait` (seconds, 0-60) the server holds the answer until an item arrives or the wait ends (the
   * request's timeout is extended to match). Refusals throw `VaultgateApiError` (FEED_CURSOR_INVALID,
   * INVALID_REQUEST; 429/503 are retried after Retry-After). With `checkpoint` instead of `cursor`, the poll starts at
   * that feed checkpoint of the reader's organisation (FEED_CHECKPOINT_NOT_FOUND when it has none).
   *
   * @example
   * const page = await vg.feed({ cursor, wait: 30 }); // page.items, page.nextCursor
   * const fromCheckpoint = await vg.feed({ checkpoint: 'main' }); // then commit fromCheckpoint.nextCursor over /api/v1
   */
  async feed(o: FeedOptions = {}): Promise<FeedPage> {
    const q = query({
      cursor: o.cursor, checkpoint: o.checkpoint, limit: o.limit === undefined ? undefined : String(o.limit), wait: o.wait === undefined ? undefined : String(o.wait), body: o.body,
    });
    const waitMs = (o.wait ?? 0) * 1000;
    return JSON.parse((await this.attempt('GET', `/vault/v1/feed${q}`, { buffer: true, timeoutMs: Math.max(this.timeoutMs, waitMs + 15_000) }) as Buffered).text) as FeedPage;
  }

  /**
   * Follows the change feed for ever: long-polls (`wait`, default 30 s) from `cursor`, yielding every answer that
   * has items (a batch; `nextCursor` resumes after it), and polling again at once while `hasMore`. Stops when
   * `signal` aborts or the caller breaks out of the loop. With `checkpoint` (and no `cursor`) the first poll starts at
   * that checkpoint, the next ones after the previous answer.
   *
   * @example
   * for await (const batch of vg.follow({ cursor: saved })) { handle(batch.items); saved = batch.nextCursor; }
   */
  async *follow(o: FeedOptions & { signal?: AbortSignal } = {}): AsyncGenerator<FeedPage> {
    let cursor = o.cursor;
    while (!o.signal?.aborted) {
      const page = await this.feed({ ...o, cursor, checkpoint: cursor === undefined ? o.checkpoint : undefined, wait: o.wait ?? 30 });
      cursor = page.nextCursor;
      if (page.items.length > 0) yield page;
    }
  }

  /** Closes the client's connection pool (not a dispatcher passed in). */
  async close(): Promise<void> {
    if (this.ownDispatcher) await this.dispatcher.close();
  }

  private async buffered(method: string, path: string, o: { headers?: Record<string, string>; body?: Uint8Array; transactionId?: string; sign?: (url: string) => Promise<Record<string, string>> }): Promise<Buffered> {
    return (await this.attempt(method, path, { ...o, buffer: true })) as Buffered;
  }

  private async streamed(method: string, path: string): Promise<Streamed> {
    return (await this.attempt(method, path, { buffer: false })) as Streamed;
  }

  /**
   * One request with retries. Every attempt is authorized afresh (a MAC gets a new timestamp) with the same
   * transaction id when one is given (sends), a new one otherwise (reads). With `buffer`, a connection lost while
   * the body is read is retried too.
   */
  private async attempt(
    method: string,
    path: string,
    o: { headers?: Record<string, string>; body?: Uint8Array; transactionId?: string; buffer: boolean; timeoutMs?: number; sign?: (url: string) => Promise<Record<string, string>> },
  ): Promise<Buffered | Streamed> {
    const url = this.baseUrl + path;
    let lastError: unknown;
    let wait = 0;
    let freshTokenTried = false;
    // Whether an earlier attempt may have been stored although we saw no receipt (its connection failed, or 5xx).
    let fateUnknown = false;
    for (let attempt = 1; attempt <= this.retry.maxAttempts; attempt++) {
      if (attempt > 1) await sleep(wait);
      const paced = this.pacer.delayMs(Date.now());
      if (paced > 0) {
        this.onRateLimitWait?.({ waitMs: paced, untilMs: Date.now() + paced, limits: this.pacer.limits, refused: false });
        await sleep(paced);
      }
      const transactionId = o.transactionId ?? randomUUID();
      let authHeaders: Record<string, string>;
      try {
        authHeaders = o.sign ? await o.sign(url) : await this.auth.headers({ method, url, transactionId });
      } catch (err) {
        // The token endpoint unreachable, timing out or answering 5xx/429: retried like the request itself (nothing
        // was sent, so the send's fate stays as it was). Refusals (invalid_client, …) are thrown at once.
        if (!tokenFetchRetryable(err)) throw err;
        if (attempt === this.retry.maxAttempts) {
          if (err instanceof VaultgateApiError) throw err;
          throw new VaultgateNetworkError(`no token: the token endpoint failed ${attempt} times: ${(err as Error).message}`, attempt, { cause: err });
        }
        lastError = err;
        wait = retryDelay(attempt, this.retry, undefined);
        continue;
      }
      const headers = { ...authHeaders, accept: 'application/json', ...this.acceptLanguage, 'user-agent': UA, ...o.headers };
      let status: number;
      let resHeaders: Record<string, string | string[] | undefined>;
      let text: string | undefined;
      let body: Dispatcher.ResponseData['body'];
      try {
        const res = await request(url, {
          method: method as Dispatcher.HttpMethod, headers, body: o.body, dispatcher: this.dispatcher,
          ...(o.timeoutMs === undefined ? {} : { headersTimeout: o.timeoutMs, bodyTimeout: o.timeoutMs }),
        });
        status = res.statusCode;
        resHeaders = res.headers;
        this.pacer.observe(resHeaders.ratelimit, Date.now(), resHeaders['ratelimit-policy']);
        body = res.body;
        if (o.buffer || status >= 300) text = await res.body.text();
      } catch (err) {
        // A request undici refuses to send (say, a header value it cannot encode) fails the same way every time.
        if ((err as { code?: string }).code === 'UND_ERR_INVALID_ARG') throw err;
        lastError = err;
        fateUnknown = true;
        wait = retryDelay(attempt, this.retry, undefined);
        continue;
      }
      if (status < 300) return text === undefined ? { status, headers: resHeaders, attempts: attempt, body } : { status, headers: resHeaders, attempts: attempt, text };
      const error = apiErrorFrom(status, text ?? '');
      if (status === 401) {
        this.auth.rejected();
        // A cached bearer token may have expired early (clock skew, revocation): one more try with a fresh one.
        if (this.auth.scheme === 'bearer' && !freshTokenTried && attempt < this.retry.maxAttempts) {
          freshTokenTried = true;
          wait = 0;
          lastError = error;
          continue;
        }
      }
      if (fateUnknown && o.transactionId !== undefined && error.code === 'REQUEST_NOT_UNIQUE') throw new RetriedNotUnique(error);
      if (status >= 500) fateUnknown = true;
      if (!isRetryableStatus(status) || attempt === this.retry.maxAttempts) throw error;
      lastError = error;
      // A 429 says when to come back (Retry-After, else the exhausted policy's reset in RateLimit); the retry
      // carries the same transaction id, so it is stored at most once.
      wait = retryDelay(attempt, this.retry, parseRetryAfter(resHeaders['retry-after'], Date.now()) ?? (status === 429 ? rateLimitResetMs(resHeaders.ratelimit) : undefined));
      if (status === 429) this.onRateLimitWait?.({ waitMs: wait, untilMs: Date.now() + wait, limits: exhaustedLimits(resHeaders.ratelimit, resHeaders['ratelimit-policy']), refused: true });
    }
    if (lastError instanceof VaultgateApiError) throw lastError;
    const cause = lastError as Error & { code?: string };
    throw new VaultgateNetworkError(`${method} ${url} failed after ${this.retry.maxAttempts} attempts: ${cause.code ?? cause.message}`, this.retry.maxAttempts, { cause });
  }
}

/** A REQUEST_NOT_UNIQUE answered to a retry of the same send: the first attempt was stored. */
class RetriedNotUnique extends Error {
  constructor(override readonly cause: VaultgateApiError) {
    super(cause.message);
  }
}

/** A token fetch that failed for a passing reason: a network error or timeout of `fetch`, or a 5xx/429 answer. */
function tokenFetchRetryable(err: unknown): boolean {
  if (err instanceof VaultgateApiError) return isRetryableStatus(err.status);
  const e = err as { name?: string; message?: string };
  return e.name === 'TimeoutError' || (err instanceof TypeError && e.message === 'fetch failed');
}

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  return q.size ? `?${q}` : '';
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
