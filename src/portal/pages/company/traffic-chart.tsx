import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './company.css';
import { formatNumber, useT } from '../../i18n/index.js';
import { seriesOf, type DayCount } from './traffic-series.js';

const COLOURS = ['#1f5fa8', '#b0450e', '#2a7a3b', '#7b3fa0', '#8a6d00', '#0f7480', '#a3264f', '#4a4a4a'];

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
