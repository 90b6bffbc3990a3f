import { describe, expect, it } from 'vitest';
import { midSentence } from './mid-sentence.js';

describe('midSentence (the confirm question "Really …?")', () => {
  it('lower-cases a verb that starts the label, keeping the rest as written', () => {
    expect(midSentence('Approve Koodi Oy')).toBe('approve Koodi Oy');
    expect(midSentence('Hyväksy Koodi Oy')).toBe('hyväksy Koodi Oy');
    expect(midSentence('Återställ TOTP')).toBe('återställ TOTP');
  });
  it('leaves acronyms, one-letter and empty labels alone', () => {
    expect(midSentence('TOTP reset for a@b.fi')).toBe('TOTP reset for a@b.fi');
    expect(midSentence('')).toBe('');
  });
});
