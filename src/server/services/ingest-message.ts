import { hash } from 'node:crypto';
import { mediaTypeEssence, newId, VaultgateError, type Clock, type Environment, type Receipt } from '../../protocol/index.js';
import type { ChannelRecord, MessageTypeAgreement, Store } from '../../store/index.js';
import type { VaultCrypto } from '../crypto/vault-crypto.js';
import type { GroupCommitter } from './group-committer.js';
import { checkId } from './ids.js';
import type { RegistryCache } from './registry-cache.js';

export interface IngestDeps {
  store: Store;
  cache: RegistryCache;
  crypto: VaultCrypto;
  clock: Clock;
  environment: Environment;
  committer: GroupCommitter;
  maxBodyBytes: number;
  /** Called once a message is stored (metrics). */
  onIngested?: (size: number) => void;
}

/** AAD binding a sealed body to its vault and message. */
export const messageAad = (companyId: string, messageId: string): string => `message:${companyId}:${messageId}`;

/** Step 1 of ingestion: the channel exists in this environment. */
export async function findChannel(d: Pick<IngestDeps, 'store' | 'environment' | 'cache'>, channelId: string): Promise<ChannelRecord> {
  checkId(channelId, 'channel', d.environment, 'CHANNEL_NOT_FOUND');
  const channel = await d.cache.get(`channel:${channelId}`, () => d.store.getChannel(channelId));
  if (!channel) throw new VaultgateError('CHANNEL_NOT_FOUND', { detail: `No channel ${channelId}.` });
  return channel;
}

/**
 * The checks after authorization, before the body is read: message type agreed, media type agreed, declared size
 * within limits. Returns the agreement and the media type essence.
 */
export function checkMessageHeaders(
  channel: ChannelRecord,
  headers: { messageType: string | undefined; contentType: string | undefined; contentLength: string | undefined },
  maxBodyBytes: number,
): { agreement: MessageTypeAgreement; mediaType: string } {
  let agreement: MessageTypeAgreement | undefined;
  if (headers.messageType === undefined || headers.messageType === '') {
    if (channel.messageTypes.length !== 1) {
      throw new VaultgateError('MESSAGE_TYPE_REQUIRED', { detail: `Agreed: ${channel.messageTypes.map((t) => t.name).join(', ')}.` });
    }
    agreement = channel.messageTypes[0];
  } else {
    agreement = channel.messageTypes.find((t) => t.name === headers.messageType);
    if (!agreement) {
      throw new VaultgateError('MESSAGE_TYPE_NOT_AGREED', {
        detail: `${JSON.stringify(headers.messageType.slice(0, 100))} is not one of: ${channel.messageTypes.map((t) => t.name).join(', ')}.`,
      });
    }
  }
  const mediaType = headers.contentType ? mediaTypeEssence(headers.contentType) : '';
  if (!agreement!.mediaTypes.includes(mediaType)) {
    const agreed = agreement!.mediaTypes.join(', ');
    throw new VaultgateError('MEDIA_TYPE_NOT_AGREED', {
      detail: headers.contentType
        ? `"${mediaType.slice(0, 100)}" is not agreed for ${agreement!.name}; agreed: ${agreed}.`
        : `Content-Type is missing; send one of the media types agreed for ${agreement!.name}: ${agreed}.`,
    });
  }
  if (headers.contentLength !== undefined) {
    const n = Number(headers.contentLength);
    if (n === 0) throw new VaultgateError('BODY_EMPTY');
    if (n > maxBodyBytes) throw new VaultgateError('BODY_TOO_LARGE', { detail: `Limit: ${maxBodyBytes} bytes.` });
  }
  return { agreement: agreement!, mediaType };
}

/**
 * Stores a message durably, consuming its transaction id in the same transaction. Resolves after the commit.
 * A reused transaction id is REQUEST_NOT_UNIQUE naming the message already stored under it.
 */
export async function ingestMessage(
  d: IngestDeps,
  input: {
    channel: ChannelRecord;
    messageType: string;
    mediaType: string;
    contentType: string;
    body: Buffer;
    transactionId: string | undefined;
  },
): Promise<Receipt> {
  const { channel, body } = input;
  if (body.length === 0) throw new VaultgateError('BODY_EMPTY');
  if (body.length > d.maxBodyBytes) throw new VaultgateError('BODY_TOO_LARGE', { detail: `Limit: ${d.maxBodyBytes} bytes.` });
  const now = d.clock.now();
  const id = newId('message', d.environment, now);
  const sha256 = hash('sha256', body, 'hex');
  const receivedAt = new Date(now).toISOString();
  const bodyCiphertext = await d.crypto.seal(channel.companyId, body, messageAad(channel.companyId, id));
  const outcome = await d.committer.submit({
    message: {
      id, companyId: channel.companyId, channelId: channel.id, partyId: channel.partyId,
      messageType: input.messageType, mediaType: input.mediaType, contentType: input.contentType,
      size: body.length, sha256, receivedAt, transactionId: input.transactionId ?? null,
      bodyCiphertext, keyVersion: 2,
    },
  });
  if (!outcome.ok) {
    throw new VaultgateError('REQUEST_NOT_UNIQUE', {
      detail: outcome.existingMessageId ? `Stored under it: ${outcome.existingMessageId}.` : undefined,
      extra: { messageId: outcome.existingMessageId },
    });
  }
  d.onIngested?.(body.length);
  const receipt: Receipt = {
    messageId: id, channelId: channel.id, environment: d.environment, messageType: input.messageType,
    mediaType: input.mediaType, size: body.length, sha256, receivedAt,
  };
  if (input.transactionId !== undefined) receipt.transactionId = input.transactionId;
  return receipt;
}
