/*
 * SQL for the lists whose filters are optional. Each combination of present filters is its own statement (rather
 * than `(@x IS NULL OR col = @x)`, which keeps SQLite from using the matching index); the store prepares each
 * shape once, on first use, and reuses it. Every list walks an index ending in seq, so no sort step is needed.
 */

export interface MessageListShape {
  channelId: boolean;
  messageType: boolean;
  from: boolean;
  to: boolean;
  /** Select the encrypted bodies too (exports). */
  bodies?: boolean;
}

export interface ChannelListShape {
  companyId: boolean;
  partyId: boolean;
}

const MESSAGE_META_COLUMNS = `seq, id, company_id, channel_id, party_id, message_type, media_type, content_type,
  size, sha256, received_at, transaction_id`;

export const MESSAGE_COLUMNS = `${MESSAGE_META_COLUMNS}, body_ciphertext, key_version`;

export const CHANNEL_COLUMNS = 'seq, id, company_id, party_id, message_types, status, created_at, disabled_at';

/** A small integer naming the shape, for the statement cache. */
export function messageShapeKey(s: MessageListShape): number {
  return (s.channelId ? 1 : 0) | (s.messageType ? 2 : 0) | (s.from ? 4 : 0) | (s.to ? 8 : 0) | (s.bodies ? 16 : 0);
}

export function messageListSql(s: MessageListShape): string {
  const where = ['company_id = @companyId'];
  if (s.channelId) where.push('channel_id = @channelId');
  if (s.messageType) where.push('message_type = @messageType');
  if (s.from) where.push('received_at >= @from');
  if (s.to) where.push('received_at < @to');
  where.push('seq > @after');
  return `SELECT ${s.bodies ? MESSAGE_COLUMNS : MESSAGE_META_COLUMNS} FROM messages WHERE ${where.join(' AND ')} ORDER BY seq LIMIT @limit`;
}

export function channelShapeKey(s: ChannelListShape): number {
  return (s.companyId ? 1 : 0) | (s.partyId ? 2 : 0);
}

export function channelListSql(s: ChannelListShape): string {
  const where: string[] = [];
  if (s.companyId) where.push('company_id = @companyId');
  if (s.partyId) where.push('party_id = @partyId');
  where.push('seq > @after');
  return `SELECT ${CHANNEL_COLUMNS} FROM channels WHERE ${where.join(' AND ')} ORDER BY seq LIMIT @limit`;
}
