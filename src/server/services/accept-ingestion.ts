import { originForm, parseContentEncoding, VaultgateError, type ContentCoding, type ContentDigests, type HeaderBag, type Receipt } from '../../protocol/index.js';
import type { ChannelRecord, MessageTypeAgreement } from '../../store/index.js';
import type { MacPrincipal } from './authenticate-mac.js';
import { authenticateRequest, type AuthDeps, type RequestOrigin } from './authenticate-request.js';
import { authorizeBearerIngestion, readIdempotencyKey } from './authorize-bearer.js';
import { decodeContent } from './decode-content.js';
import { acceptSignedOrAuthenticate, checkBodyIntegrity, readBodyIntegrity, type IngestionPrincipal } from './body-integrity.js';
import { checkMessageHeaders, findChannel, ingestMessage, type IngestDeps } from './ingest-message.js';
import type { IngestionRateLimits, RateLimitState } from './ingestion-rate-limits.js';

/** An ingestion request that passed every check made before its body is read. */
export interface AcceptedIngestion {
  channel: ChannelRecord;
  principal: IngestionPrincipal;
  agreement: MessageTypeAgreement;
  mediaType: string;
  /** The MAC TransactionId or the bearer Idempotency-Key: consumed once per party, with the message. */
  transactionId: string | undefined;
  /** The Content-Encoding codings in the order applied (RFC 9110 §8.4); the body is decoded before it is stored. */
  codings: ContentCoding[];
  /** The known Content-Digest digests (issue 17), checked against the body as received; undefined when none was sent. */
  contentDigests: ContentDigests | undefined;
  /** Fair use (issue 17 §3): the RateLimit header fields for the answer, when a limit is in force. */
  rateLimit?: RateLimitState | undefined;
}

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/**
 * The checks of ingestion.md before the body is read, in order: the channel exists in this environment, the caller
 * is authenticated (by the scheme its headers choose), is the channel's party acting for the channel's company,
 * holds the ingest scope, the channel is active, the message type and media type are agreed, the declared size is
 * within limits, the content codings accepted (415 before the body is read). Both HTTP paths (the Fastify route and the lean socket path) run exactly this.
 */
export async function acceptIngestion(
  d: IngestDeps & AuthDeps & { rateLimits?: IngestionRateLimits | undefined },
  r: {
    channelId: string; headers: HeaderBag; rawTarget: string; mac: boolean; origin?: RequestOrigin;
    /**
     * Messages to charge to the party's and channel's rate limits (default 1). A batch passes 0 and charges its item
     * count once the body is parsed (`d.rateLimits.consume(…, items)`), before anything is stored.
     */
    charge?: number;
  },
): Promise<AcceptedIngestion> {
  const channel = await findChannel(d, r.channelId);
  // Issue 17: a request with Signature-Input is authenticated by its HTTP message signature (body-integrity.ts).
  const principal = await acceptSignedOrAuthenticate(d, r.headers, r.rawTarget, r.mac, r.origin, authenticateRequest);
  let transactionId: string | undefined;
  if (principal.scheme === 'http-signature') {
    if (principal.party.id !== channel.partyId) {
      throw new VaultgateError('SERVICE_ACCESS_ERROR', { detail: 'Only a key of the channel\'s party may sign messages into it.', logReason: `signature key ${principal.key.id} is not of the channel party` });
    }
    transactionId = principal.input.nonce;
  } else if (principal.scheme === 'bearer') {
    authorizeBearerIngestion(principal, channel);
    transactionId = readIdempotencyKey(r.headers);
  } else {
    await authorizeMacIngestion(d, principal, channel);
    transactionId = principal.headers.transactionId;
  }
  if (channel.status !== 'active') throw new VaultgateError('CHANNEL_DISABLED');
  const { agreement, mediaType } = checkMessageHeaders(channel, {
    messageType: requestedMessageType(one(r.headers['x-message-type']), r.rawTarget),
    contentType: one(r.headers['content-type']),
    contentLength: one(r.headers['content-length']),
  }, d.maxBodyBytes);
  const codings = parseContentEncoding(one(r.headers['content-encoding']));
  const contentDigests = await readBodyIntegrity(d, channel, r.headers, principal.scheme === 'http-signature');
  // --- fair use (issue 17 §3): last of the checks, so only well-formed, authorised requests are charged ---
  const charge = r.charge ?? 1;
  const rateLimit = charge > 0 ? await d.rateLimits?.consume({ partyId: channel.partyId, channelId: channel.id }, charge) : undefined;
  return { channel, principal, agreement, mediaType, transactionId, codings, contentDigests, rateLimit };
}

/**
 * The message type a request names: `X-Message-Type`, or `?messageType=` in the URL (for clients that can choose
 * the URL but not add headers; the MAC covers it, being part of the URL). Both may be given when they are equal;
 * different values, or the parameter repeated, are MESSAGE_TYPE_CONFLICT. An empty value counts as not given.
 * Undefined when neither names one (the channel's only message type then applies).
 */
export function requestedMessageType(header: string | undefined, rawTarget: string): string | undefined {
  const target = originForm(rawTarget).target;
  const q = target.indexOf('?');
  const inUrl = q < 0 ? [] : new URLSearchParams(target.slice(q + 1)).getAll('messageType');
  if (inUrl.length > 1) {
    throw new VaultgateError('MESSAGE_TYPE_CONFLICT', { detail: `?messageType= is given ${inUrl.length} times; give it once.` });
  }
  const fromUrl = inUrl[0] || undefined;
  const fromHeader = header || undefined;
  if (fromUrl !== undefined && fromHeader !== undefined && fromUrl !== fromHeader) {
    throw new VaultgateError('MESSAGE_TYPE_CONFLICT', {
      // JSON-quoted: a value from the URL may hold any character, and the answer must stay well-formed.
      detail: `X-Message-Type ${JSON.stringify(fromHeader.slice(0, 100))} and ?messageType= ${JSON.stringify(fromUrl.slice(0, 100))} differ.`,
    });
  }
  return fromHeader ?? fromUrl;
}

/** The MAC scheme's step 6: the partner is the channel's party, the customer credential the channel company's, with ingest. */
export async function authorizeMacIngestion(d: IngestDeps, principal: MacPrincipal, channel: ChannelRecord): Promise<void> {
  const company = await d.cache.get(`company:${channel.companyId}`, () => d.store.getCompany(channel.companyId));
  if (
    principal.party.id !== channel.partyId ||
    principal.customer.companyId !== channel.companyId ||
    !company || principal.headers.organisationId !== company.businessId
  ) {
    throw new VaultgateError('SERVICE_ACCESS_ERROR', { logReason: 'credentials not of the channel party/company' });
  }
  if (!principal.customer.scopes.includes('ingest')) {
    throw new VaultgateError('SCOPE_MISSING', { detail: 'Sending needs a customer credential with the ingest scope.' });
  }
}

/**
 * Stores the body of an accepted request durably (ingestMessage); resolves with the receipt after the commit.
 * `received` is the body as it came off the wire: it is decoded first (decodeContent, within maxBodyBytes), and the
 * decoded message is what is hashed, stored and read back.
 */
export async function ingestAccepted(d: IngestDeps, a: AcceptedIngestion, received: Buffer, contentType: string): Promise<Receipt> {
  checkBodyIntegrity(a.contentDigests, received);
  const body = a.codings.length === 0 ? received : await decodeContent(received, a.codings, d.maxBodyBytes);
  return ingestMessage(d, {
    channel: a.channel, messageType: a.agreement.name, mediaType: a.mediaType, contentType, body,
    transactionId: a.transactionId,
  });
}
