import type { Environment } from './ids.js';

/**
 * The receipt of a stored message (ingestion.md), as the server answers it and the SDK returns it: sent only after
 * the message is committed durably.
 *
 * @example { messageId: 'msg_test_…', channelId: 'ch_test_…', environment: 'test', messageType: 'TransportOrder',
 *   mediaType: 'application/json', size: 17, sha256: '…', receivedAt: '2026-11-25T12:00:00.000Z', transactionId: '…' }
 */
export interface Receipt {
  messageId: string;
  channelId: string;
  environment: Environment;
  messageType: string;
  mediaType: string;
  size: number;
  /** Hex SHA-256 of the body as received. */
  sha256: string;
  receivedAt: string;
  transactionId?: string;
}
