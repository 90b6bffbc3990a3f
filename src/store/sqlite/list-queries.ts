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
  /** A list of channels (any of them), a list of types (any of them): consumer reads of a grant's scope. */
  channelIds?: boolean;
  messageTypes?: boolean;
  /** Select the encrypted bodies too (exports). */
  bodies?: boolean;
}

export interface ChannelListShape {
  companyId: boolean;
  partyId: boolean;
}

/*
 * Two message schemas share these shapes: PostgreSQL's (TEXT company, channel and party ids on the row, an index
 * per list shape; `messageListSql`, `MESSAGE_COLUMNS`) and SQLite's lean one since migration 3 (lean-migration.ts:
 * integer seqs on the row, one list index; `leanMessageListSql`, `LEAN_MESSAGE_COLUMNS`). Both select the same
 * columns under the same names, so rows.ts maps either.
 */
const MESSAGE_META_COLUMNS = `seq, id, company_id, channel_id, party_id, message_type, media_type, content_type,
  size, sha256, received_at, transaction_id`;

export const MESSAGE_COLUMNS = `${MESSAGE_META_COLUMNS}, body_ciphertext, key_version`;

/* The lean schema: the public ids come from the rows the seqs point at, joined in this fixed order (CROSS JOIN
 * keeps SQLite from starting anywhere but messages). */
export const LEAN_META_COLUMNS = `m.seq AS seq, m.id AS id, co.id AS company_id, ch.id AS channel_id, p.id AS party_id,
  m.message_type AS message_type, m.media_type AS media_type, m.content_type AS content_type, m.size AS size,
  m.sha256 AS sha256, m.received_at AS received_at, m.transaction_id AS transaction_id`;

export const LEAN_MESSAGE_COLUMNS = `${LEAN_META_COLUMNS}, m.body_ciphertext AS body_ciphertext, m.key_version AS key_version`;

export const LEAN_MESSAGE_FROM = `messages m CROSS JOIN companies co ON co.seq = m.company_seq
  CROSS JOIN channels ch ON ch.seq = m.channel_seq CROSS JOIN parties p ON p.seq = m.party_seq`;

/** The seq of the company (channel) named by a parameter, as a scalar subquery (NULL when there is none). */
export const COMPANY_SEQ = (param: string): string => `(SELECT seq FROM companies WHERE id = @${param})`;
export const CHANNEL_SEQ = (param: string): string => `(SELECT seq FROM channels WHERE id = @${param})`;

export const CHANNEL_COLUMNS = 'seq, id, company_id, party_id, message_types, status, created_at, disabled_at';

/** A small integer naming the shape, for the statement cache. */
export function messageShapeKey(s: MessageListShape): number {
  return (s.channelId ? 1 : 0) | (s.messageType ? 2 : 0) | (s.from ? 4 : 0) | (s.to ? 8 : 0) | (s.bodies ? 16 : 0)
    | (s.channelIds ? 32 : 0) | (s.messageTypes ? 64 : 0);
}

/** A list on the PostgreSQL schema: each shape has its index ending in seq (postgres/vault.ts). */
export function messageListSql(s: MessageListShape): string {
  const where = ['company_id = @companyId'];
  if (s.channelId) where.push('channel_id = @channelId');
  if (s.messageType) where.push('message_type = @messageType');
  if (s.channelIds) where.push('channel_id = ANY(@channelIds::text[])');
  if (s.messageTypes) where.push('message_type = ANY(@messageTypes::text[])');
  if (s.from) where.push('received_at >= @from');
  if (s.to) where.push('received_at < @to');
  where.push('seq > @after');
  return `SELECT ${s.bodies ? MESSAGE_COLUMNS : MESSAGE_META_COLUMNS} FROM messages WHERE ${where.join(' AND ')} ORDER BY seq LIMIT @limit`;
}

/** A list on SQLite's lean schema: every shape walks messages_list (company_seq, seq, channel_seq, message_type). */
export function leanMessageListSql(s: MessageListShape): string {
  const where = [`m.company_seq = ${COMPANY_SEQ('companyId')}`];
  if (s.channelId) where.push(`m.channel_seq = ${CHANNEL_SEQ('channelId')}`);
  if (s.messageType) where.push('m.message_type = @messageType');
  // The lists arrive as JSON arrays (one statement whatever their length).
  if (s.channelIds) where.push('m.channel_seq IN (SELECT seq FROM channels WHERE id IN (SELECT value FROM json_each(@channelIds)))');
  if (s.messageTypes) where.push('m.message_type IN (SELECT value FROM json_each(@messageTypes))');
  if (s.from) where.push('m.received_at >= @from');
  if (s.to) where.push('m.received_at < @to');
  where.push('m.seq > @after');
  return `SELECT ${s.bodies ? LEAN_MESSAGE_COLUMNS : LEAN_META_COLUMNS} FROM ${LEAN_MESSAGE_FROM} WHERE ${where.join(' AND ')} ORDER BY m.seq LIMIT @limit`;
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
