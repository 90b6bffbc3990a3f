import { describe, expect, it } from 'vitest';
import { VaultgateError } from '../../protocol/index.js';
import { checkLimit, decodeCursor, encodeCursor, toPage } from './cursor.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

function refusal(cursor: string): unknown {
  try {
    decodeCursor(cursor);
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('cursor', () => {
  it('round-trips positions as opaque base64url', () => {
    for (const seq of [1, 42, 1_000_000, Number.MAX_SAFE_INTEGER]) {
      const cursor = encodeCursor(seq);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(cursor)).toBe(seq);
    }
    expect(decodeCursor(undefined)).toBe(0);
  });

  it('refuses anything it did not issue with INVALID_REQUEST', () => {
    const bad = [
      '',
      '***',
      b64('v1.0'),
      b64('v1.-1'),
      b64('v1.01'),
      b64('v1.5x'),
      b64('v1. 5'),
      b64('v2.5'),
      b64('5'),
      b64('v1.9007199254740993'),
      'djEuNR', // same bytes as v1.5 with other padding bits: not canonical
      'djEuNQ==',
      b64(`v1.${'9'.repeat(60)}`),
    ];
    for (const cursor of bad) {
      const err = refusal(cursor);
      expect(err, cursor).toBeInstanceOf(VaultgateError);
      expect((err as VaultgateError).code).toBe('CURSOR_INVALID');
      expect((err as VaultgateError).detail).toBe('cursor is not valid');
    }
    expect(decodeCursor('djEuNQ')).toBe(5);
  });

  it('treats bad positions and limits as programming errors', () => {
    expect(() => encodeCursor(0)).toThrow(RangeError);
    expect(() => encodeCursor(1.5)).toThrow(RangeError);
    expect(() => checkLimit(0)).toThrow(RangeError);
    expect(() => checkLimit(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(checkLimit(1)).toBe(1);
  });

  it('builds a page from limit + 1 rows', () => {
    const rows = [{ seq: 3 }, { seq: 7 }, { seq: 9 }];
    expect(toPage(rows, 2, (r) => r.seq)).toEqual({ items: [3, 7], nextCursor: encodeCursor(7) });
    expect(toPage(rows, 3, (r) => r.seq)).toEqual({ items: [3, 7, 9], nextCursor: null });
    expect(toPage([], 3, (r: { seq: number }) => r.seq)).toEqual({ items: [], nextCursor: null });
  });
});
