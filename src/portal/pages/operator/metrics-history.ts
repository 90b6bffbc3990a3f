import { histogramQuantile, rate, sumBy, type Scrape } from '../../lib/prometheus-text.js';

/*
 * What the health page charts, from successive scrapes of GET /metrics: per interval, the request rate by route and
 * outcome code (vaultgate_requests_total), latency p50/p95 of the requests in the interval
 * (vaultgate_request_duration_seconds buckets), and ingestion throughput (vaultgate_ingested_messages_total, _bytes_total).
 */

export interface Point {
  /** Unix seconds of the scrape. */
  t: number;
  /** requests/s by "route code" in the interval before `t`. */
  requests: Map<string, number>;
  p50: number | null;
  p95: number | null;
  messagesPerS: number;
  bytesPerS: number;
  /** Totals since the server started (the counters as scraped). */
  totals: { requests: number; messages: number; bytes: number };
}

const byRouteCode = (s: Scrape): Map<string, number> => {
  const out = new Map<string, number>();
  for (const x of s.samples) {
    if (x.name !== 'vaultgate_requests_total') continue;
    const k = `${x.labels.route ?? '?'} ${x.labels.code ?? '?'}`;
    out.set(k, (out.get(k) ?? 0) + x.value);
  }
  return out;
};
const total = (s: Scrape, name: string): number => sumBy(s, name).get('') ?? 0;

/** The point of scrape `now` taken at `t` (Unix s), given the previous scrape (`prev`, taken at `prevT`) or none. */
export function pointOf(now: Scrape, t: number, prev?: { scrape: Scrape; t: number }): Point {
  const secs = prev ? t - prev.t : 0;
  const before = prev ? byRouteCode(prev.scrape) : new Map<string, number>();
  const requests = new Map<string, number>();
  for (const [k, v] of byRouteCode(now)) requests.set(k, prev ? rate(before.get(k), v, secs) : 0);
  const buckets = sumBy(now, 'vaultgate_request_duration_seconds_bucket', 'le');
  if (prev) {
    const old = sumBy(prev.scrape, 'vaultgate_request_duration_seconds_bucket', 'le');
    for (const [le, c] of buckets) buckets.set(le, Math.max(0, c - (old.get(le) ?? 0)));
  }
  const totals = { requests: total(now, 'vaultgate_requests_total'), messages: total(now, 'vaultgate_ingested_messages_total'), bytes: total(now, 'vaultgate_ingested_bytes_total') };
  return {
    t, requests, p50: histogramQuantile(0.5, buckets), p95: histogramQuantile(0.95, buckets), totals,
    messagesPerS: prev ? rate(total(prev.scrape, 'vaultgate_ingested_messages_total'), totals.messages, secs) : 0,
    bytesPerS: prev ? rate(total(prev.scrape, 'vaultgate_ingested_bytes_total'), totals.bytes, secs) : 0,
  };
}

/** The `n` busiest "route code" series over the history (by summed rate), busiest first. */
export function busiest(points: Point[], n: number): string[] {
  const sum = new Map<string, number>();
  for (const p of points) for (const [k, v] of p.requests) sum.set(k, (sum.get(k) ?? 0) + v);
  return [...sum.entries()].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]).slice(0, n).map(([k]) => k);
}
