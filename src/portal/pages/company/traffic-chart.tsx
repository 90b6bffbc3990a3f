import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './company.css';
import { formatNumber, useT } from '../../i18n/index.js';

/** One bar of GET …/ingestion/stats `days`: messages of one UTC day (YYYY-MM-DD), channel and message type. */
export interface DayCount { date: string; channelId: string; messageType: string; count: number }

const COLOURS = ['#1f5fa8', '#b0450e', '#2a7a3b', '#7b3fa0', '#8a6d00', '#0f7480', '#a3264f', '#4a4a4a'];

/** The `span` UTC days (YYYY-MM-DD) ending with `last`, oldest first. */
function daysEnding(last: string, span: number): string[] {
  const end = Date.parse(`${last}T00:00:00Z`);
  return Array.from({ length: span }, (_, i) => new Date(end - (span - 1 - i) * 86_400_000).toISOString().slice(0, 10));
}

/**
 * The series of the chart: one per channel and message type, a value per day of the `span` UTC days ending today
 * (or the newest day given, when later), 0 on days without messages.
 */
export function seriesOf(days: DayCount[], span = 14): { dates: string[]; series: { label: string; values: number[] }[] } {
  const today = new Date().toISOString().slice(0, 10);
  const newest = days.reduce((m, d) => (d.date > m ? d.date : m), today);
  const dates = [...new Set([...daysEnding(newest, span), ...days.map((d) => d.date)])].sort();
  const keys = [...new Set(days.map((d) => `${d.channelId} · ${d.messageType}`))].sort();
  const series = keys.map((label) => ({ label, values: dates.map(() => 0) }));
  for (const d of days) series[keys.indexOf(`${d.channelId} · ${d.messageType}`)]!.values[dates.indexOf(d.date)]! += d.count;
  return { dates, series };
}

/**
 * Messages per day per channel and message type, drawn with uPlot (its CSS is bundled; it styles through CSSOM, which
 * the portal's CSP allows). The canvas is an image with a text summary; the legend is ours (colour, label, total), and
 * the page shows the same numbers as a table for screen readers.
 */
export function TrafficChart({ days, span = 14 }: { days: DayCount[]; span?: number }) {
  const t = useT();
  const box = useRef<HTMLDivElement>(null);
  const { dates, series } = seriesOf(days, span);
  useEffect(() => {
    if (!box.current || dates.length === 0) return;
    const xs = dates.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
    const plot = new uPlot({
      width: Math.min(900, Math.max(320, box.current.clientWidth || 900)), height: 280,
      legend: { show: false },
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      axes: [{}, { label: t('company.dashboard.axisMessages'), incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 100_000, 1_000_000] }],
      series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: COLOURS[i % COLOURS.length]!, width: 2, points: { show: true, size: 6 } }))],
    }, [xs, ...series.map((s) => s.values)], box.current);
    return () => plot.destroy();
  }, [JSON.stringify(days)]);
  const total = series.reduce((n, s) => n + s.values.reduce((a, b) => a + b, 0), 0);
  return (
    <figure class="chart">
      <div ref={box} class="chart-canvas" role="img" aria-label={t('company.dashboard.chartSummary', { total: formatNumber(total), series: series.length, days: span })} />
      <figcaption>
        <ul class="chart-legend">
          {series.map((s, i) => (
            <li key={s.label}><span class={`swatch swatch-${i % COLOURS.length}`} aria-hidden="true" /> {s.label}: {formatNumber(s.values.reduce((a, b) => a + b, 0))}</li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
