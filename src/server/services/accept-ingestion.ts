import { VaultgateError, type HeaderBag, type Receipt } from '../../protocol/index.js';
import type { ChannelRecord, MessageTypeAgreement } from '../../store/index.js';
import type { MacPrincipal } from './authenticate-mac.js';
import { authenticateRequest, type AuthDeps, type Principal, type RequestOrigin } from './authenticate-request.js';
import { authorizeBearerIngestion, readIdempotencyKey } from './authorize-bearer.js';
import { checkMessageHeaders, findChannel, ingestMessage, type IngestDeps } from './ingest-message.js';

/** An ingestion request that passed every check made before its body is read. */
export interface AcceptedIngestion {
  channel: ChannelRecord;
  principal: Principal;
  agreement: MessageTypeAgreement;
  mediaType: string;
  /** The MAC TransactionId or the bearer Idempotency-Key: consumed once per party, with the message. */
  transactionId: string | undefined;
}

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/**
 * The checks of ingestion.md before the body is read, in order: the channel exists in this environment, the caller
 * is authenticated (by the scheme its headers choose), is the channel's party acting for the channel's company,
 * holds the ingest scope, the channel is active, the message type and media type are agreed, the declared size is
 * within limits. Both HTTP paths (the Fastify route and the lean socket path) run exactly this.
 */
export async function acceptIngestion(
  d: IngestDeps & AuthDeps,
  r: { channelId: string; headers: HeaderBag; rawTarget: string; mac: boolean; origin?: RequestOrigin },
): Promise<AcceptedIngestion> {
  const channel = await findChannel(d, r.channelId);
  const principal = await authenticateRequest(d, r.headers, r.rawTarget, r.mac, r.origin);
  let transactionId: string | undefined;
  if (principal.scheme === 'bearer') {
    authorizeBearerIngestion(principal, channel);
    transactionId = readIdempotencyKey(r.headers);
  } else {
    await authorizeMacIngestion(d, principal, channel);
    transactionId = principal.headers.transactionId;
  }
  if (channel.status !== 'active') throw new VaultgateError('CHANNEL_DISABLED');
  const { agreement, mediaType } = checkMessageHeaders(channel, {
    messageType: one(r.headers['x-message-type']),
    contentType: one(r.headers['content-type']),
    contentLength: one(r.headers['content-length']),
  }, d.maxBodyBytes);
  return { channel, principal, agreement, mediaType, transactionId };
}

/** The MAC scheme's step 6: the partner is the channel's party, the customer credential the channel company's, with ingest. */
async function authorizeMacIngestion(d: IngestDeps, principal: MacPrincipal, channel: ChannelRecord): Promise<void> {
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

/** Stores the body of an accepted request durably (ingestMessage); resolves with the receipt after the commit. */
export function ingestAccepted(d: IngestDeps, a: AcceptedIngestion, body: Buffer, contentType: string): Promise<Receipt> {
  return ingestMessage(d, {
    channel: a.channel, messageType: a.agreement.name, mediaType: a.mediaType, contentType, body,
    transactionId: a.transactionId,
  });
}
