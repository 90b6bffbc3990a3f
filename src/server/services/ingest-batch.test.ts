import { describe, expect, it } from 'vitest';
import { BATCH_MAX_ITEMS, VaultgateError } from '../../protocol/index.js';
import { batchLines } from './ingest-batch.js';

const text = (lines: Buffer[]): string[] => lines.map((l) => l.toString('utf8'));
const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return (e as VaultgateError).code;
  }
  return undefined;
};

describe('batchLines (the NDJSON split of a batch body)', () => {
  it('splits at \\n, drops a \\r before it, and a final line end adds no line; inner empty lines stay items', () => {
    expect(text(batchLines(Buffer.from('{"a":1}\r\n{"b":2}\n')))).toEqual(['{"a":1}', '{"b":2}']);
    expect(text(batchLines(Buffer.from('{"a":1}\n\n{"b":2}')))).toEqual(['{"a":1}', '', '{"b":2}']);
    expect(text(batchLines(Buffer.from('\n')))).toEqual(['']);
  });

  it('takes exactly 1,000 lines and refuses 1,001 as a whole; an empty body is BATCH_EMPTY', () => {
    expect(batchLines(Buffer.from('{}\n'.repeat(BATCH_MAX_ITEMS)))).toHaveLength(BATCH_MAX_ITEMS);
    expect(code(() => batchLines(Buffer.from(`${'{}\n'.repeat(BATCH_MAX_ITEMS)}{}`)))).toBe('BATCH_TOO_MANY_ITEMS');
    expect(code(() => batchLines(Buffer.alloc(0)))).toBe('BATCH_EMPTY');
  });
});
