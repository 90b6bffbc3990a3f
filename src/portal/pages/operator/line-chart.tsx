import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatLocale } from '../../i18n/index.js';

const COLOURS = ['#1f5fa8', '#b3261e', '#2e7d32', '#8a4b00', '#6a1b9a', '#00695c', '#5d4037', '#37474f'];

/**
 * The time axis's labels: `splits` in Unix seconds (what the chart is given, uPlot's default `ms: 1e-3`) as a 24-hour
 * clock time in the portal's locale (formatLocale()), with seconds when the ticks are closer than a minute.
 */
export function timeAxisLabels(splits: number[], locale = formatLocale()): string[] {
  const step = splits.length > 1 ? Math.abs(splits[1]! - splits[0]!) : 60;
  const f = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', ...(step < 60 ? { second: '2-digit' } : {}), hourCycle: 'h23' });
  return splits.map((s) => f.format(new Date(s * 1000)));
}

/**
 * A time-series line chart drawn with uPlot: `times` in Unix seconds, one `series` per line (null for a gap).
 * Decorative for assistive technology (aria-hidden): every chart on the page has a table with the same numbers.
 * The time axis's labels (timeAxisLabels) are also written to the element's `data-ticks` (for tests: the canvas has
 * no text).
 */
export function LineChart({ title, times, series, unit, windowS = 180 }: { title: string; times: number[]; series: { label: string; values: (number | null)[] }[]; unit: string; windowS?: number }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return undefined;
    const plot = new uPlot({
      width: Math.min(640, el.current.clientWidth || 640), height: 220, title,
      series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: COLOURS[i % COLOURS.length]!, width: 2, spanGaps: false }))],
      // The last `windowS` seconds up to the newest sample, so one sample does not stretch the axis over years.
      scales: { x: { time: true, range: (_u, _min, max) => [max - windowS, max] } },
      axes: [{
        values: (_u, splits) => {
          const labels = timeAxisLabels(splits);
          if (el.current) el.current.dataset.ticks = labels.join(' | ');
          return labels;
        },
      }, { label: unit, size: 70 }],
      legend: { live: false },
      cursor: { show: false },
    }, [times, ...series.map((s) => s.values)] as uPlot.AlignedData, el.current);
    return () => plot.destroy();
  }, [times, series, title, unit, windowS]);
  return <div class="chart" ref={el} aria-hidden="true" data-testid="chart" />;
}
