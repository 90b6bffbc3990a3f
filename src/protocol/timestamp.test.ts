import { describe, expect, it } from 'vitest';
import { formatEnvelopeTimestamp, formatMacTimestamp, parseMacTimestamp } from './timestamp.js';

describe('parseMacTimestamp', () => {
  it('reads the scheme form as UTC', () => {
    expect(parseMacTimestamp('2024-03-15 08:30:45.123')).toBe(Date.UTC(2024, 2, 15, 8, 30, 45, 123));
    expect(parseMacTimestamp('2024-03-15 08:30:45.123')).toBe(1710491445123);
  });

  it('takes the fraction as optional and of any length up to 7 digits', () => {
    expect(parseMacTimestamp('2024-03-15 08:30:45')).toBe(Date.UTC(2024, 2, 15, 8, 30, 45));
    expect(parseMacTimestamp('2024-03-15 08:30:47.5')).toBe(Date.UTC(2024, 2, 15, 8, 30, 47, 500));
    expect(parseMacTimestamp('2024-03-15 08:30:47.1234567')).toBe(Date.UTC(2024, 2, 15, 8, 30, 47, 123));
    expect(parseMacTimestamp('2024-03-15 08:30:47.12345678')).toBeUndefined();
  });

  it('agrees with every vector timestamp and its TimestampUnix', () => {
    expect(Math.floor(parseMacTimestamp('2024-12-31 23:59:59.999')! / 1000)).toBe(1735689599);
    expect(Math.floor(parseMacTimestamp('2024-03-15 08:30:46.000')! / 1000)).toBe(1710491446);
  });

  it('accepts ISO 8601 with Z', () => {
    expect(parseMacTimestamp('2024-03-15T08:30:45Z')).toBe(Date.UTC(2024, 2, 15, 8, 30, 45));
    expect(parseMacTimestamp('2024-03-15T08:30:45.123Z')).toBe(Date.UTC(2024, 2, 15, 8, 30, 45, 123));
  });

  it('accepts ISO 8601 with an offset and converts to UTC', () => {
    expect(parseMacTimestamp('2024-03-15T10:30:45+02:00')).toBe(Date.UTC(2024, 2, 15, 8, 30, 45));
    expect(parseMacTimestamp('2024-03-15T10:30:45+0200')).toBe(Date.UTC(2024, 2, 15, 8, 30, 45));
    expect(parseMacTimestamp('2024-03-15T03:00:45.250-05:30')).toBe(Date.UTC(2024, 2, 15, 8, 30, 45, 250));
    expect(parseMacTimestamp('2024-01-01T01:00:00+02:00')).toBe(Date.UTC(2023, 11, 31, 23, 0, 0));
  });

  it.each([
    '2024-02-31 00:00:00',
    '2023-02-29 12:00:00',
    '2024-13-01 00:00:00',
    '2024-00-10 00:00:00',
    '2024-03-15 24:00:00',
    '2024-03-15 08:60:00',
    '2024-03-15 08:30:60',
    '2024-02-31T00:00:00Z',
    '2024-03-15T24:00:00Z',
    '2024-03-15T08:30:45+24:00',
    '2024-03-15T08:30:45+02:60',
  ])('refuses the impossible %s', (s) => {
    expect(parseMacTimestamp(s)).toBeUndefined();
  });

  it('accepts 29 February in a leap year', () => {
    expect(parseMacTimestamp('2024-02-29 12:00:00')).toBe(Date.UTC(2024, 1, 29, 12));
  });

  it('takes exactly the calendar dates Date itself has, in both forms (every day 00-32 of every month, leap rules, years below 100)', () => {
    const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
    for (const y of [99, 100, 1900, 1999, 2000, 2023, 2024, 2100, 2400, 9999]) {
      for (let mo = 0; mo <= 13; mo++) {
        for (let d = 0; d <= 32; d++) {
          const t = Date.UTC(y, mo - 1, d, 1, 2, 3);
          const back = new Date(t);
          const real = back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d;
          const date = `${pad(y, 4)}-${pad(mo)}-${pad(d)}`;
          expect(parseMacTimestamp(`${date} 01:02:03`), date).toBe(real ? t : undefined);
          expect(parseMacTimestamp(`${date}T01:02:03Z`), date).toBe(real ? t : undefined);
        }
      }
    }
  });

  it.each([
    '2024-03-15T08:30:45',
    '2024-03-15T08:30:45.123',
    '2024-03-15 08:30:45Z',
    '2024-03-15',
    '15.03.2024 08:30:45',
    '1710491445',
    '',
    'now',
    ' 2024-03-15 08:30:45',
    '2024-03-15 08:30:45 ',
    '2024-3-15 08:30:45',
    'Fri, 15 Mar 2024 08:30:45 GMT',
  ])('refuses %j (no zone, other forms, garbage)', (s) => {
    expect(parseMacTimestamp(s)).toBeUndefined();
  });
});

describe('formatMacTimestamp', () => {
  it('writes YYYY-MM-DD HH:MM:SS.fff in UTC', () => {
    expect(formatMacTimestamp(1710491445123)).toBe('2024-03-15 08:30:45.123');
    expect(formatMacTimestamp(Date.UTC(2024, 0, 2, 3, 4, 5))).toBe('2024-01-02 03:04:05.000');
  });

  it('round-trips through parseMacTimestamp', () => {
    for (const ms of [0, 1710491445123, 1735689599999, Date.UTC(2026, 10, 22, 12, 0, 0, 1), 4102444799999]) {
      expect(parseMacTimestamp(formatMacTimestamp(ms))).toBe(ms);
    }
    expect(formatMacTimestamp(parseMacTimestamp('2024-12-31 23:59:59.999')!)).toBe('2024-12-31 23:59:59.999');
  });
});

describe('formatEnvelopeTimestamp', () => {
  it('writes d.M.yyyy H:mm:ss in Helsinki winter time (UTC+2)', () => {
    expect(formatEnvelopeTimestamp(Date.UTC(2026, 10, 22, 12, 0, 0))).toBe('22.11.2026 14:00:00');
  });

  it('writes Helsinki summer time (UTC+3)', () => {
    expect(formatEnvelopeTimestamp(Date.UTC(2026, 6, 15, 12, 5, 9))).toBe('15.7.2026 15:05:09');
  });

  it('has no leading zeros on day, month and hour, and uses a 24-hour clock', () => {
    expect(formatEnvelopeTimestamp(Date.UTC(2026, 0, 4, 5, 7, 3))).toBe('4.1.2026 7:07:03');
    expect(formatEnvelopeTimestamp(Date.UTC(2026, 0, 1, 22, 0, 0))).toBe('2.1.2026 0:00:00');
    expect(formatEnvelopeTimestamp(Date.UTC(2026, 0, 1, 21, 59, 59))).toBe('1.1.2026 23:59:59');
  });

  it('follows the daylight-saving switches (last Sunday of March and October at 01:00 UTC)', () => {
    expect(formatEnvelopeTimestamp(Date.UTC(2026, 2, 29, 0, 59, 59))).toBe('29.3.2026 2:59:59');
    expect(formatEnvelopeTimestamp(Date.UTC(2026, 2, 29, 1, 0, 0))).toBe('29.3.2026 4:00:00');
    expect(formatEnvelopeTimestamp(Date.UTC(2026, 9, 25, 0, 59, 59))).toBe('25.10.2026 3:59:59');
    expect(formatEnvelopeTimestamp(Date.UTC(2026, 9, 25, 1, 0, 0))).toBe('25.10.2026 3:00:00');
  });
});
