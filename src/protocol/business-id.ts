/**
 * Business ids. The Finnish form (Y-tunnus) `NNNNNNN-C` carries a mod-11 check digit; other national forms are
 * accepted as free text of 1-32 printable characters.
 */

const FINNISH = /^(\d{7})-(\d)$/;
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2];

/** The check digit of the seven digits of a Finnish business id, or undefined when no valid one exists. */
export function finnishCheckDigit(sevenDigits: string): number | undefined {
  let sum = 0;
  for (let i = 0; i < 7; i++) sum += Number(sevenDigits[i]) * WEIGHTS[i]!;
  const r = sum % 11;
  if (r === 0) return 0;
  if (r === 1) return undefined; // no valid id has remainder 1
  return 11 - r;
}

export type BusinessIdCheck =
  | { ok: true; form: 'FI' | 'other' }
  | { ok: false; reason: 'check-digit' | 'format' };

/**
 * Validates a business id. Something that looks Finnish (`1234567-8`) must have the right check digit.
 *
 * @example
 * checkBusinessId('1967543-8'); // { ok: true, form: 'FI' }
 * checkBusinessId('1967543-7'); // { ok: false, reason: 'check-digit' }
 */
export function checkBusinessId(id: string): BusinessIdCheck {
  const m = FINNISH.exec(id);
  if (m) {
    const expected = finnishCheckDigit(m[1]!);
    return expected !== undefined && expected === Number(m[2]) ? { ok: true, form: 'FI' } : { ok: false, reason: 'check-digit' };
  }
  if (id.length < 1 || id.length > 32 || !/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(id)) {
    return { ok: false, reason: 'format' };
  }
  return { ok: true, form: 'other' };
}
