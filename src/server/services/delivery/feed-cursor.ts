import { VaultgateError } from '../../../protocol/index.js';

/**
 * Where a reader is in its change feed: the last message position (seq) seen in each owner vault's stream, and the
 * last grant event position. A cursor carries positions only, no server state, so it survives restarts and works
 * on any gateway process; it grants nothing (scopes are resolved again at every poll).
 */
export interface FeedPosition {
  /** Owner company id → the seq of the last message of that vault the reader has passed. */
  messages: Record<string, number>;
  /** The seq of the last grant event passed. */
  grantEvents: number;
}

/** The wire form: base64url of JSON `{"v":1,"r":<reader>,"m":{…},"g":n}`; `r` binds a cursor to its reader. */
interface Wire { v: 1; r: string; m: Record<string, number>; g: number }

/** Longer cursors are refused before decoding (a reader of thousands of vaults still fits). */
const MAX_CURSOR_CHARS = 64 * 1024;
const ID = /^co_(live|uat|test)_[0-9a-z]{1,64}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

const position = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

export function encodeFeedCursor(reader: string, p: FeedPosition): string {
  const wire: Wire = { v: 1, r: reader, m: p.messages, g: p.grantEvents };
  return Buffer.from(JSON.stringify(wire), 'utf8').toString('base64url');
}

function invalid(detail: string): VaultgateError {
  return new VaultgateError('FEED_CURSOR_INVALID', { detail });
}

/** The position a cursor names (the start when there is none); FEED_CURSOR_INVALID when malformed or another reader's. */
export function decodeFeedCursor(reader: string, cursor: string | undefined): FeedPosition {
  if (cursor === undefined) return { messages: {}, grantEvents: 0 };
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_CHARS || !BASE64URL.test(cursor)) throw invalid('cursor is not a feed cursor');
  let wire: Partial<Wire>;
  try {
    wire = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Wire>;
  } catch {
    throw invalid('cursor is not a feed cursor');
  }
  if (typeof wire !== 'object' || wire === null || wire.v !== 1 || typeof wire.r !== 'string' || !position(wire.g)
    || typeof wire.m !== 'object' || wire.m === null || Array.isArray(wire.m)) throw invalid('cursor is not a feed cursor');
  if (wire.r !== reader) throw invalid('cursor belongs to another reader');
  const messages: Record<string, number> = {};
  for (const [companyId, seq] of Object.entries(wire.m)) {
    if (!ID.test(companyId) || !position(seq)) throw invalid('cursor is not a feed cursor');
    messages[companyId] = seq;
  }
  return { messages, grantEvents: wire.g };
}
