/**
 * Timestamps of the signed-header scheme: `YYYY-MM-DD HH:MM:SS.fff` in UTC (fraction optional), or ISO 8601 with
 * `Z` or an offset.
 */

const NETVISOR = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):?(\d{2}))$/;

/** Milliseconds of a UTC wall-clock time, or undefined when a field is out of range (2024-02-31, 24:00, …). */
function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number, fraction: string | undefined): number | undefined {
  if (h > 23 || mi > 59 || s > 59) return undefined;
  // Date.UTC rolls overflowing fields over (and maps years 0-99 to 19xx): refuse instead. The calendar's own rule
  // (proleptic Gregorian, as Date's), without a Date object per parse: this runs twice per signed request.
  if (y < 100 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  const ms = fraction ? Number(fraction.padEnd(3, '0').slice(0, 3)) : 0;
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysInMonth = (y: number, mo: number): number =>
  mo === 2 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0) ? 29 : DAYS[mo - 1]!;

/**
 * Milliseconds since the epoch, or undefined when the value is not a valid timestamp.
 *
 * @example
 * parseMacTimestamp('2024-03-15 08:30:45.123'); // 1710491445123
 */
export function parseMacTimestamp(value: string): number | undefined {
  const m = NETVISOR.exec(value);
  if (m) return utcMs(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), m[7]);
  // ISO 8601 is checked field by field too: Date.parse would accept 2024-02-31T00:00:00Z as 2 March.
  const iso = ISO.exec(value);
  if (iso) {
    const [y, mo, d, h, mi] = iso.slice(1, 6).map(Number) as [number, number, number, number, number];
    const t = utcMs(y, mo, d, h, mi, iso[6] ? Number(iso[6]) : 0, iso[7]);
    if (t === undefined) return undefined;
    if (iso[8] === 'Z') return t;
    const oh = Number(iso[10]);
    const om = Number(iso[11]);
    if (oh > 23 || om > 59) return undefined;
    return t - (iso[9] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  return undefined;
}

/**
 * Formats an instant the way the scheme's clients send it.
 *
 * @example
 * formatMacTimestamp(1710491445123); // '2024-03-15 08:30:45.123'
 */
export function formatMacTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

const HELSINKI = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Helsinki',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/**
 * The envelope's `TimeStamp`: `d.M.yyyy H:mm:ss`, Helsinki time.
 *
 * @example
 * formatEnvelopeTimestamp(Date.UTC(2026, 10, 22, 12, 0, 0)); // '22.11.2026 14:00:00'
 */
export function formatEnvelopeTimestamp(ms: number): string {
  // Every answer of the MAC scheme carries one; within a second they are all the same text (Intl is slow).
  const second = Math.floor(ms / 1000);
  if (second === lastEnvelope.second) return lastEnvelope.text;
  const p = Object.fromEntries(HELSINKI.formatToParts(new Date(second * 1000)).map((x) => [x.type, x.value]));
  const text = `${Number(p.day)}.${Number(p.month)}.${p.year} ${Number(p.hour)}:${p.minute}:${p.second}`;
  lastEnvelope = { second, text };
  return text;
}

let lastEnvelope = { second: Number.NaN, text: '' };
