import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const COLOURS = ['#1f5fa8', '#b3261e', '#2e7d32', '#8a4b00', '#6a1b9a', '#00695c', '#5d4037', '#37474f'];

/**
 * A time-series line chart drawn with uPlot: `times` in Unix seconds, one `series` per line (null for a gap).
 * Decorative for assistive technology (aria-hidden): every chart on the page has a table with the same numbers.
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
      axes: [{}, { label: unit, size: 70 }],
      legend: { live: false },
      cursor: { show: false },
    }, [times, ...series.map((s) => s.values)] as uPlot.AlignedData, el.current);
    return () => plot.destroy();
  }, [times, series, title, unit, windowS]);
  return <div class="chart" ref={el} aria-hidden="true" data-testid="chart" />;
}
