/*
 * SQL for the lists whose filters are optional. Each combination of present filters is its own statement (rather
 * than `(@x IS NULL OR col = @x)`, which keeps SQLite from using the matching index); the store prepares each
 * shape once, on first use, and reuses it. Every list walks an index in seq order, so no sort step is needed.
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

/*
 * Messages name their company, channel and party by seq (lean-migration.ts); the public ids come from the rows
 * they point at, joined in this fixed order (CROSS JOIN keeps SQLite from starting anywhere but messages).
 */
const MESSAGE_META_COLUMNS = `m.seq AS seq, m.id AS id, co.id AS company_id, ch.id AS channel_id, p.id AS party_id,
  m.message_type AS message_type, m.media_type AS media_type, m.content_type AS content_type, m.size AS size,
  m.sha256 AS sha256, m.received_at AS received_at, m.transaction_id AS transaction_id`;

export const MESSAGE_COLUMNS = `${MESSAGE_META_COLUMNS}, m.body_ciphertext AS body_ciphertext, m.key_version AS key_version`;

export const MESSAGE_FROM = `messages m CROSS JOIN companies co ON co.seq = m.company_seq
  CROSS JOIN channels ch ON ch.seq = m.channel_seq CROSS JOIN parties p ON p.seq = m.party_seq`;

/** The seq of the company (channel) named by a parameter, as a scalar subquery (NULL when there is none). */
export const COMPANY_SEQ = (param: string): string => `(SELECT seq FROM companies WHERE id = @${param})`;
export const CHANNEL_SEQ = (param: string): string => `(SELECT seq FROM channels WHERE id = @${param})`;

export const CHANNEL_COLUMNS = 'seq, id, company_id, party_id, message_types, status, created_at, disabled_at';

/** A small integer naming the shape, for the statement cache. */
export function messageShapeKey(s: MessageListShape): number {
  return (s.channelId ? 1 : 0) | (s.messageType ? 2 : 0) | (s.from ? 4 : 0) | (s.to ? 8 : 0) | (s.bodies ? 16 : 0);
}

/** Every shape walks messages_list (company_seq, seq, channel_seq, message_type) in seq order. */
export function messageListSql(s: MessageListShape): string {
  const where = [`m.company_seq = ${COMPANY_SEQ('companyId')}`];
  if (s.channelId) where.push(`m.channel_seq = ${CHANNEL_SEQ('channelId')}`);
  if (s.messageType) where.push('m.message_type = @messageType');
  if (s.from) where.push('m.received_at >= @from');
  if (s.to) where.push('m.received_at < @to');
  where.push('m.seq > @after');
  return `SELECT ${s.bodies ? MESSAGE_COLUMNS : MESSAGE_META_COLUMNS} FROM ${MESSAGE_FROM} WHERE ${where.join(' AND ')} ORDER BY m.seq LIMIT @limit`;
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
