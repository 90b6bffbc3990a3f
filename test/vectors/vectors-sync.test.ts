import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// test/vectors/mac.json is a copy of ../shared/spec/vectors/mac.json, so that a clean clone (CI) has the vectors.
const shared = new URL('../../../shared/spec/vectors/mac.json', import.meta.url);
const copy = new URL('./mac.json', import.meta.url);

describe('vendored MAC vectors', () => {
  it.runIf(existsSync(shared))('are identical to ../shared/spec/vectors/mac.json (runs only where ../shared is checked out beside the repo)', () => {
    expect(readFileSync(copy, 'utf8')).toBe(readFileSync(shared, 'utf8'));
  });
  it('hold every vector and the negative cases', () => {
    const v = JSON.parse(readFileSync(copy, 'utf8'));
    expect(Object.keys(v.vectors).length).toBeGreaterThanOrEqual(5);
    expect(v.negative.map((n: { id: string }) => n.id)).toEqual(['N1', 'N2', 'N3', 'N4']);
  });
});
