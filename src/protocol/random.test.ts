import { describe, expect, it } from 'vitest';
import { randomNonSecretBytes } from './random.js';

describe('randomNonSecretBytes', () => {
  it('hands out fresh bytes of the length asked, across refills of the pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const b = randomNonSecretBytes(12);
      expect(b.length).toBe(12);
      seen.add(b.toString('hex'));
    }
    expect(seen.size).toBe(2000);
  });

  it('returns copies: a caller changing its bytes changes no one else’s', () => {
    const a = randomNonSecretBytes(16);
    const copy = Buffer.from(a);
    randomNonSecretBytes(16).fill(0);
    expect(a).toEqual(copy);
  });

  it('refuses lengths outside 0..256', () => {
    expect(() => randomNonSecretBytes(257)).toThrow(RangeError);
    expect(() => randomNonSecretBytes(-1)).toThrow(RangeError);
    expect(randomNonSecretBytes(0).length).toBe(0);
  });
});
