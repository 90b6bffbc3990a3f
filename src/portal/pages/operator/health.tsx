import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, apiRaw } from '../../api/client.js';
import { ErrorBox } from '../../components/error-box.js';
import { formatNumber, useT } from '../../i18n/index.js';
import { parsePrometheusText, type Scrape } from '../../lib/prometheus-text.js';
import { LineChart } from './line-chart.js';
import { busiest, pointOf, type Point } from './metrics-history.js';

const EVERY_MS = 3000;
const KEEP = 60;

/**
 * Health and throughput: GET /healthz and /readyz, and charts (uPlot) of GET /metrics sampled every 3 s while the page
 * is open (the last 3 minutes): request rate by route and outcome code, latency p50/p95, ingestion throughput. A table
 * under the charts gives the latest numbers for screen readers. Errors: ADMIN_UNAUTHORIZED, STORE_UNAVAILABLE (readyz).
 */
export function Health() {
  const t = useT();
  const [health, setHealth] = useState<{ status: string; version?: string; store?: string } | undefined>();
  const [ready, setReady] = useState<{ status: string; freeBytes?: number } | undefined>();
  const [probeError, setProbeError] = useState<unknown>();
  const [metricsError, setMetricsError] = useState<unknown>();
  const [points, setPoints] = useState<Point[]>([]);
  const prev = useRef<{ scrape: Scrape; t: number } | undefined>();

  useEffect(() => {
    let stopped = false;
    const tick = async () => {
      try {
        setHealth(await api('GET', '/healthz'));
        setReady(await api('GET', '/readyz'));
        setProbeError(undefined);
      } catch (e) { setProbeError(e); }
      try {
        const text = await (await apiRaw('GET', '/metrics', { headers: { accept: 'text/plain' } })).text();
        const now = Date.now() / 1000;
        const scrape = parsePrometheusText(text);
        const p = pointOf(scrape, now, prev.current);
        prev.current = { scrape, t: now };
        if (!stopped) setPoints((ps) => [...ps, p].slice(-KEEP));
        setMetricsError(undefined);
      } catch (e) { setMetricsError(e); }
    };
    void tick();
    const id = setInterval(() => void tick(), EVERY_MS);
    return () => { stopped = true; clearInterval(id); };
  }, []);

  const charted = points.slice(1); // the first scrape has no interval before it
  const times = useMemo(() => charted.map((p) => p.t), [points]);
  const top = useMemo(() => busiest(charted, 6), [points]);
  const reqSeries = useMemo(() => top.map((k) => ({ label: k, values: charted.map((p) => p.requests.get(k) ?? 0) })), [points]);
  const latSeries = useMemo(() => [
    { label: 'p50', values: charted.map((p) => (p.p50 === null ? null : p.p50 * 1000)) },
    { label: 'p95', values: charted.map((p) => (p.p95 === null ? null : p.p95 * 1000)) },
  ], [points]);
  const ingSeries = useMemo(() => [{ label: t('operator.health.messagesPerS'), values: charted.map((p) => p.messagesPerS) }], [points]);
  const last = points.at(-1);
  const num = (x: number | null | undefined, digits = 2) => (x === null || x === undefined ? '–' : formatNumber(x, { maximumFractionDigits: digits }));

  return (
    <>
      <h1>{t('operator.health.title')}</h1>
      <section aria-labelledby="probes">
        <h2 id="probes">{t('operator.health.probes')}</h2>
        <ErrorBox error={probeError} />
        <dl class="facts" data-testid="probes">
          <dt>{t('operator.health.live')}</dt><dd>{health ? `${health.status} (${health.version ?? ''}, ${health.store ?? ''})` : '…'}</dd>
          <dt>{t('operator.health.ready')}</dt><dd>{ready ? `${ready.status}${ready.freeBytes !== undefined ? `, ${t('operator.health.free', { mb: formatNumber(Math.round(ready.freeBytes / 1e6)) })}` : ''}` : '…'}</dd>
        </dl>
      </section>
      <section aria-labelledby="throughput">
        <h2 id="throughput">{t('operator.health.charts')}</h2>
        <p>{t('operator.health.sampling', { s: EVERY_MS / 1000 })}</p>
        <ErrorBox error={metricsError} />
        {charted.length > 0 && (
          <div class="charts">
            <LineChart title={t('operator.health.requests')} unit={t('operator.health.perSecond')} times={times} series={reqSeries} />
            <LineChart title={t('operator.health.latency')} unit="ms" times={times} series={latSeries} />
            <LineChart title={t('operator.health.ingestion')} unit={t('operator.health.perSecond')} times={times} series={ingSeries} />
          </div>
        )}
        {last && (
          <div class="table-wrap">
            <table data-testid="metrics-table">
              <caption>{t('operator.health.tableCaption')}</caption>
              <thead><tr><th scope="col">{t('operator.health.measure')}</th><th scope="col">{t('operator.health.value')}</th></tr></thead>
              <tbody>
                <tr><th scope="row">{t('operator.health.totalRequests')}</th><td>{num(last.totals.requests, 0)}</td></tr>
                <tr><th scope="row">{t('operator.health.totalMessages')}</th><td>{num(last.totals.messages, 0)}</td></tr>
                <tr><th scope="row">{t('operator.health.totalBytes')}</th><td>{num(last.totals.bytes, 0)}</td></tr>
                <tr><th scope="row">{t('operator.health.messagesPerS')}</th><td>{num(last.messagesPerS)}</td></tr>
                <tr><th scope="row">{t('operator.health.bytesPerS')}</th><td>{num(last.bytesPerS)}</td></tr>
                <tr><th scope="row">{t('operator.health.p50')}</th><td>{num(last.p50 === null ? null : last.p50 * 1000)}</td></tr>
                <tr><th scope="row">{t('operator.health.p95')}</th><td>{num(last.p95 === null ? null : last.p95 * 1000)}</td></tr>
                {[...last.requests.entries()].filter(([, v]) => v > 0).map(([k, v]) => (
                  <tr key={k}><th scope="row">{t('operator.health.rateOf', { series: k })}</th><td>{num(v)}</td></tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
