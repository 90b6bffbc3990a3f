/*
 * A parser of the Prometheus text exposition format 0.0.4 (what GET /metrics answers), for the operator's health page:
 * samples with their labels, and the arithmetic the charts need (a counter's rate between two scrapes, a histogram's
 * mean and quantile estimate). Comments other than # TYPE are skipped; a malformed line throws with its number.
 */

/** One sample: `name{labels} value`. `value` may be NaN or ±Infinity (`+Inf` bucket bounds live in labels). */
export interface Sample { name: string; labels: Record<string, string>; value: number }

/** A parsed scrape: the samples in order and each metric family's type (`counter`, `gauge`, `histogram`, …). */
export interface Scrape { samples: Sample[]; types: Record<string, string> }

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

function parseValue(s: string, line: number): number {
  if (s === '+Inf' || s === 'Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  const v = Number(s);
  if (s === '' || Number.isNaN(v)) throw new Error(`metrics line ${line}: "${s}" is not a number`);
  return v;
}

/** Parses the labels at `text[i] === '{'`; returns them and the index after '}'. */
function parseLabels(text: string, i: number, line: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  i++;
  for (;;) {
    while (text[i] === ' ' || text[i] === ',') i++;
    if (text[i] === '}') return [labels, i + 1];
    const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i));
    if (!m || text[i + m[0].length] !== '=' || text[i + m[0].length + 1] !== '"') throw new Error(`metrics line ${line}: bad label`);
    i += m[0].length + 2;
    let v = '';
    for (; i < text.length && text[i] !== '"'; i++) {
      if (text[i] === '\\') {
        const n = text[++i];
        v += n === 'n' ? '\n' : n;
      } else v += text[i];
    }
    if (i >= text.length) throw new Error(`metrics line ${line}: unterminated label value`);
    labels[m[0]] = v;
    i++;
  }
}

/**
 * Parses a scrape.
 *
 * @example parsePrometheusText('# TYPE up gauge\nup{job="a"} 1\n') // { samples: [{ name: 'up', labels: { job: 'a' }, value: 1 }], types: { up: 'gauge' } }
 */
export function parsePrometheusText(text: string): Scrape {
  const samples: Sample[] = [];
  const types: Record<string, string> = {};
  text.split('\n').forEach((raw, n) => {
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^#\s*TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (m) types[m[1]!] = m[2]!;
      return;
    }
    const name = NAME.exec(line)?.[0];
    if (!name) throw new Error(`metrics line ${n + 1}: no metric name`);
    let i = name.length;
    let labels: Record<string, string> = {};
    if (line[i] === '{') [labels, i] = parseLabels(line, i, n + 1);
    const [value] = line.slice(i).trim().split(/\s+/);
    samples.push({ name, labels, value: parseValue(value ?? '', n + 1) });
  });
  return { samples, types };
}

/** The sum of the samples named `name` whose labels include `match`, grouped by the label `by` (or '' for all). */
export function sumBy(s: Scrape, name: string, by?: string, match: Record<string, string> = {}): Map<string, number> {
  const out = new Map<string, number>();
  for (const x of s.samples) {
    if (x.name !== name || !Object.entries(match).every(([k, v]) => x.labels[k] === v)) continue;
    const key = by ? (x.labels[by] ?? '') : '';
    out.set(key, (out.get(key) ?? 0) + x.value);
  }
  return out;
}

/** Per-second rate of a counter between two scrapes `seconds` apart; a counter reset (the server restarted) counts from 0. */
export function rate(before: number | undefined, after: number, seconds: number): number {
  if (seconds <= 0) return 0;
  const delta = before === undefined || after < before ? after : after - before;
  return delta / seconds;
}

/**
 * A quantile (0…1) estimated from cumulative histogram buckets (`le` → count), linear within the bucket, as
 * Prometheus's histogram_quantile does; null without observations.
 */
export function histogramQuantile(q: number, buckets: Map<string, number>): number | null {
  const sorted = [...buckets.entries()].map(([le, c]) => [parseValue(le, 0), c] as const).sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of sorted) {
    if (count >= rank) {
      if (le === Infinity) return prevLe;
      return prevLe + (le - prevLe) * ((rank - prevCount) / Math.max(1, count - prevCount));
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}
