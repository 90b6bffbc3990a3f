import { VaultgateError } from '../../protocol/index.js';

/*
 * A cursor is the sequence number of the last row a page returned, as base64url of `v1.<seq>`. The version tag
 * leaves room to change the encoding; decoding is strict (only what encodeCursor produces) so that a client cannot
 * smuggle anything but a position through it.
 */
const PREFIX = 'v1.';
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const SEQ = /^[1-9][0-9]{0,15}$/;

export function encodeCursor(seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 1) throw new RangeError(`cursor position must be a positive integer`);
  return Buffer.from(`${PREFIX}${seq}`, 'utf8').toString('base64url');
}

function invalidCursor(): VaultgateError {
  return new VaultgateError('CURSOR_INVALID', { detail: 'cursor is not valid' });
}

/** The position after which the next page starts; 0 when there is no cursor. */
export function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  if (cursor.length === 0 || cursor.length > 64 || !BASE64URL.test(cursor)) throw invalidCursor();
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(PREFIX)) throw invalidCursor();
  const digits = text.slice(PREFIX.length);
  if (!SEQ.test(digits)) throw invalidCursor();
  const seq = Number(digits);
  // Reject non-canonical spellings (e.g. trailing bits) so each position has exactly one cursor.
  if (!Number.isSafeInteger(seq) || encodeCursor(seq) !== cursor) throw invalidCursor();
  return seq;
}

/** Checks a page size from the caller: a programmer error, not a client one, so a plain error. */
export function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  return limit;
}

/**
 * Turns `limit + 1` fetched rows into a page: the extra row only says that another page exists.
 */
export function toPage<R extends { seq: number }, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
): { items: T[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(map), nextCursor: more && last ? encodeCursor(last.seq) : null };
}
