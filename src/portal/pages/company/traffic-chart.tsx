import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './company.css';
import { formatNumber, useT } from '../../i18n/index.js';

/** One bar of GET …/ingestion/stats `days`: messages of one UTC day (YYYY-MM-DD), channel and message type. */
export interface DayCount { date: string; channelId: string; messageType: string; count: number }

const COLOURS = ['#1f5fa8', '#b0450e', '#2a7a3b', '#7b3fa0', '#8a6d00', '#0f7480', '#a3264f', '#4a4a4a'];

/** The series of the chart: one per channel and message type, a value per day (0 on days without messages). */
export function seriesOf(days: DayCount[]): { dates: string[]; series: { label: string; values: number[] }[] } {
  const dates = [...new Set(days.map((d) => d.date))].sort();
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
export function TrafficChart({ days }: { days: DayCount[] }) {
  const t = useT();
  const box = useRef<HTMLDivElement>(null);
  const { dates, series } = seriesOf(days);
  useEffect(() => {
    if (!box.current || dates.length === 0) return;
    const xs = dates.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
    const plot = new uPlot({
      width: Math.min(900, Math.max(320, box.current.clientWidth || 900)), height: 280,
      legend: { show: false },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      axes: [{}, { label: t('company.dashboard.axisMessages') }],
      series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: COLOURS[i % COLOURS.length]!, width: 2, points: { show: true, size: 6 } }))],
    }, [xs, ...series.map((s) => s.values)], box.current);
    return () => plot.destroy();
  }, [JSON.stringify(days)]);
  const total = series.reduce((n, s) => n + s.values.reduce((a, b) => a + b, 0), 0);
  return (
    <figure class="chart">
      <div ref={box} class="chart-canvas" role="img" aria-label={t('company.dashboard.chartSummary', { total: formatNumber(total), series: series.length, days: dates.length })} />
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
