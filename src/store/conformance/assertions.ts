import { expect } from 'vitest';
import { VaultgateError, type ErrorCode } from '../../protocol/index.js';
import type { ListQuery, Page } from '../port.js';

/** Asserts that `actual` holds exactly the bytes of `expected`, without printing megabytes on failure. */
export function expectBytes(actual: Uint8Array | undefined, expected: Uint8Array): void {
  expect(actual).toBeInstanceOf(Uint8Array);
  const a = Buffer.from(actual!.buffer, actual!.byteOffset, actual!.byteLength);
  const e = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  expect(a.byteLength).toBe(e.byteLength);
  expect(a.equals(e)).toBe(true);
}

/** Walks every page of a list and returns all items and the number of pages fetched. */
export async function collectPages<T>(
  fetch: (cursor: string | undefined) => Promise<Page<T>>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await fetch(cursor);
    pages += 1;
    items.push(...page.items);
    if (page.nextCursor === null) return { items, pages };
    expect(typeof page.nextCursor).toBe('string');
    cursor = page.nextCursor;
    if (pages > 10_000) throw new Error('pagination does not end');
  }
}

/** Asserts that a promise rejects with a VaultgateError of this code (and detail, when given). */
export async function expectCode(promise: Promise<unknown>, code: ErrorCode, detail?: string): Promise<void> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VaultgateError);
  expect((err as VaultgateError).code).toBe(code);
  if (detail !== undefined) expect((err as VaultgateError).detail).toBe(detail);
}

/** Cursors no adapter could have issued. */
export const INVALID_CURSORS = ['', 'not a cursor!', '%%%', '....', 'AAAA', 'x'.repeat(5000)];

/** Asserts that a list rejects every invalid cursor with CURSOR_INVALID. */
export async function expectInvalidCursorsRefused(list: (q: ListQuery) => Promise<Page<unknown>>): Promise<void> {
  for (const cursor of INVALID_CURSORS) {
    await expectCode(list({ cursor, limit: 10 }), 'CURSOR_INVALID', 'cursor is not valid');
  }
}
