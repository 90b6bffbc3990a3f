import { ERROR_CATALOGUE, MAC_HEADERS, usesBearerScheme, type Clock, type HeaderBag } from '../../../protocol/index.js';
import type { ChannelRecord, IngestionRefusalInput, RefusalScheme, Store } from '../../../store/index.js';
import type { RegistryCache } from '../registry-cache.js';
import { bearerCredentialId, macCredentialId } from '../authenticate-request.js';

/** What the request path hands over when it refuses an ingestion request: references only, nothing parsed or looked up. */
export interface RefusalSighting {
  /** When it was refused (ms since the epoch, from the clock). */
  at: number;
  code: string;
  /** The HTTP status answered (the catalogue's status of the code is what is recorded when the code is known). */
  status: number;
  /** The channel id of the URL, as matched by the route. */
  channelId: string;
  headers: HeaderBag;
  requestId: string;
  clientAddress: string | undefined;
}

export interface RefusalRecorderOptions {
  store: Store;
  clock: Clock;
  cache: RegistryCache;
  /** Flush when this many refusals are waiting (default 100). */
  batchSize?: number;
  /** Flush at most this long after the first refusal of a batch (default 250 ms). */
  flushMs?: number;
  /** Refusals beyond this many waiting are dropped and counted (default 1,000). */
  maxQueued?: number;
  /** Refusals dropped: the queue was full, or a batch could not be written. */
  onDropped?: (n: number, why: 'queue-full' | 'write-failed', err?: unknown) => void;
}

const TRANSACTION_ID_CHARS = 100;
/*
 * The code's own status, not the answer's: a MAC client without UseHTTPResponseStatusCodes: 1 is answered 200 with the
 * failure envelope, yet its refusal is the same refusal as a problem+json client's.
 */
const statusOf = (s: RefusalSighting): number => (Object.hasOwn(ERROR_CATALOGUE, s.code) ? ERROR_CATALOGUE[s.code as keyof typeof ERROR_CATALOGUE].status : s.status);
const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
const clip = (v: string | undefined, n: number): string | null => (v === undefined || v === '' ? null : v.slice(0, n));

/**
 * Records refused `POST /ingestion/{channelId}` requests (issue 16) without costing the request path: `record` only
 * queues the sighting; a batch is resolved (channel, claimed credential) and written in one transaction off the path,
 * at most `flushMs` after its first refusal or as soon as `batchSize` wait. The queue is bounded: beyond `maxQueued`
 * a sighting is dropped and counted (a flood of refusals must not grow memory). `close` writes what waits.
 *
 * Attribution is only what the request proves or names: the channel of the URL gives the company and the party; a
 * claimed partner id or client that is not the channel party's keeps the record the company's only; an unknown
 * channel gives no tenant (the operator's list only).
 */
export class RefusalRecorder {
  #queue: RefusalSighting[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #closed = false;
  readonly #batchSize: number;
  readonly #flushMs: number;
  readonly #maxQueued: number;

  constructor(private readonly d: RefusalRecorderOptions) {
    this.#batchSize = d.batchSize ?? 100;
    this.#flushMs = d.flushMs ?? 250;
    this.#maxQueued = d.maxQueued ?? 1_000;
  }

  /** How many refusals wait to be written. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Queues one refusal (never throws, never waits). */
  record(s: RefusalSighting): void {
    if (this.#queue.length >= this.#maxQueued) {
      this.d.onDropped?.(1, 'queue-full');
      return;
    }
    this.#queue.push(s);
    if (this.#closed) return;
    if (this.#queue.length >= this.#batchSize) this.#schedule(0);
    else this.#schedule(this.#flushMs);
  }

  #schedule(ms: number): void {
    if (this.#timer && ms > 0) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, ms);
    this.#timer.unref();
  }

  /** Writes every waiting refusal (in batches of at most maxQueued, one transaction each); concurrent calls share one. */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#queue.length === 0) return;
    const batch = this.#queue;
    this.#queue = [];
    this.#flushing = this.#write(batch).finally(() => {
      this.#flushing = undefined;
    });
    await this.#flushing;
    // Refusals queued while this batch was written get their own turn.
    if (this.#queue.length > 0 && !this.#closed) this.#schedule(this.#queue.length >= this.#batchSize ? 0 : this.#flushMs);
  }

  /** Stops the timer and writes what waits (shutdown, before the store closes). */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }

  async #write(batch: RefusalSighting[]): Promise<void> {
    try {
      // One lookup per claimed credential and channel per batch: a flood of refusals usually repeats them.
      const memo = new Map<string, Promise<unknown>>();
      const rows: IngestionRefusalInput[] = [];
      for (const s of batch) rows.push(await this.#resolve(s, memo));
      await this.d.store.appendIngestionRefusals(rows);
    } catch (err) {
      this.d.onDropped?.(batch.length, 'write-failed', err);
    }
  }

  async #resolve(s: RefusalSighting, memo: Map<string, Promise<unknown>>): Promise<IngestionRefusalInput> {
    const h = s.headers;
    const scheme: RefusalScheme = usesBearerScheme(h) ? 'bearer' : Object.values(MAC_HEADERS).some((name) => h[name] !== undefined) ? 'mac' : 'none';
    const credentialId = scheme === 'bearer' ? bearerCredentialId(h) : scheme === 'mac' ? macCredentialId(h) : undefined;
    const transactionId = scheme === 'bearer' ? one(h['idempotency-key']) : scheme === 'mac' ? one(h[MAC_HEADERS.transactionId]) : undefined;
    const channel = await this.#channel(s.channelId);
    const claimKey = `${scheme} ${credentialId ?? ''} ${channel?.id ?? ''}`;
    if (channel && !memo.has(claimKey)) memo.set(claimKey, this.#claimsChannelParty(scheme, h, channel));
    const partyId = channel && (await memo.get(claimKey)) === true ? channel.partyId : null;
    return {
      at: new Date(s.at).toISOString(), code: s.code, status: statusOf(s), channelId: clip(s.channelId, 200), companyId: channel?.companyId ?? null, partyId,
      scheme, credentialId: clip(credentialId, 300), transactionId: clip(transactionId, TRANSACTION_ID_CHARS), requestId: s.requestId,
      clientAddress: s.clientAddress ?? null,
    };
  }

  async #channel(id: string): Promise<ChannelRecord | undefined> {
    try {
      return await this.d.cache.get(`channel:${id}`, () => this.d.store.getChannel(id));
    } catch {
      return undefined;
    }
  }

  /**
   * Whether the credential the request claims (unverified) is the channel party's, or it claims none: only then may
   * the party see the refusal. A MAC partner id names a partner credential; a bearer token names a client of this
   * server or an external issuer's client linked here.
   */
  async #claimsChannelParty(scheme: RefusalScheme, h: HeaderBag, channel: ChannelRecord): Promise<boolean> {
    if (scheme === 'none') return true;
    if (scheme === 'mac') {
      const partner = one(h[MAC_HEADERS.partnerId]);
      if (!partner) return true;
      const cred = await this.d.store.getPartnerCredential(partner);
      return cred?.partyId === channel.partyId;
    }
    const claimed = bearerCredentialId(h);
    if (!claimed) return true;
    const bar = claimed.indexOf('|');
    const issuer = claimed.slice(0, bar);
    const clientId = claimed.slice(bar + 1);
    if (clientId === '') return true;
    const own = await this.d.store.getOAuthClient(clientId);
    if (own) return own.ownerKind === 'party' && own.ownerId === channel.partyId;
    const link = await this.d.store.findExternalClientLink(issuer, clientId);
    return link !== undefined && link.ownerKind === 'party' && link.ownerId === channel.partyId;
  }
}
