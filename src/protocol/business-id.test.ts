import { describe, expect, it } from 'vitest';
import { checkBusinessId, finnishCheckDigit } from './business-id.js';

// Valid Finnish business ids: real ones from the spec, and ones computed by hand with weights 7,9,10,5,8,4,2
// (e.g. 1234567: 7+18+30+20+40+24+14 = 153, 153 mod 11 = 10, check digit 11-10 = 1).
const VALID = [
  '1967543-8',
  '2729069-3',
  '0112038-9',
  '1234567-1', // remainder 10
  '7654321-2', // 49+54+50+20+24+8+2 = 207, remainder 9
  '1572131-0', // 7+45+70+10+8+12+2 = 154, remainder 0 → 0
  '0000000-0', // remainder 0
  '0000001-9', // 2, remainder 2
  '1000000-4', // 7, remainder 7
];

// 3*7+1*9+4*10+1*5+5*8+9*4+2*2 = 155 and 2*7+7*9+1*10+8*5+2*8+8*4+1*2 = 177: both remainder 1, no valid digit.
const REMAINDER_ONE = ['3141592', '2718281'];

describe('finnishCheckDigit', () => {
  it('computes the mod-11 check digit', () => {
    expect(finnishCheckDigit('1967543')).toBe(8);
    expect(finnishCheckDigit('2729069')).toBe(3);
    expect(finnishCheckDigit('0112038')).toBe(9);
    expect(finnishCheckDigit('1234567')).toBe(1);
    expect(finnishCheckDigit('1572131')).toBe(0);
  });

  it('is undefined when the remainder is 1', () => {
    for (const seven of REMAINDER_ONE) expect(finnishCheckDigit(seven)).toBeUndefined();
  });
});

describe('checkBusinessId', () => {
  it.each(VALID)('accepts %s as Finnish', (id) => {
    expect(checkBusinessId(id)).toEqual({ ok: true, form: 'FI' });
  });

  it('refuses every wrong check digit of an id', () => {
    for (const id of ['1967543', '1572131', '1234567']) {
      const right = VALID.find((v) => v.startsWith(id))!.slice(-1);
      for (let d = 0; d <= 9; d++) {
        if (String(d) === right) continue;
        expect(checkBusinessId(`${id}-${d}`), `${id}-${d}`).toEqual({ ok: false, reason: 'check-digit' });
      }
    }
  });

  it('refuses an id whose remainder is 1, whatever its last digit', () => {
    for (const seven of REMAINDER_ONE) {
      for (let d = 0; d <= 9; d++) {
        expect(checkBusinessId(`${seven}-${d}`)).toEqual({ ok: false, reason: 'check-digit' });
      }
    }
  });

  it('refuses a changed digit in the body (check digit kept)', () => {
    expect(checkBusinessId('1967544-8')).toEqual({ ok: false, reason: 'check-digit' });
    expect(checkBusinessId('2967543-8')).toEqual({ ok: false, reason: 'check-digit' });
  });

  it.each(['SE556036-0793', '12345678', 'DE123456789', 'NO 923 609 016 MVA', 'x', 'A'.repeat(32)])(
    'accepts %s as another national form',
    (id) => {
      expect(checkBusinessId(id)).toEqual({ ok: true, form: 'other' });
    },
  );

  it.each([
    ['empty', ''],
    ['too long', 'A'.repeat(33)],
    ['a newline', '1967543-8\n'],
    ['a tab', 'SE556036\t0793'],
    ['NUL', 'SE\u00000793'],
    ['DEL', 'SE\u007f0793'],
    ['a leading space', ' 1967543-8'],
    ['a trailing space', 'SE556036-0793 '],
    ['only a space', ' '],
  ])('refuses %s as format', (_what, id) => {
    expect(checkBusinessId(id)).toEqual({ ok: false, reason: 'format' });
  });
});
