import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { histogramQuantile, parsePrometheusText, rate, sumBy } from './prometheus-text.js';

describe('parsePrometheusText', () => {
  it('reads what prom-client writes: counters with labels, histogram buckets, types', async () => {
    const registry = new Registry();
    const c = new Counter({ name: 'vaultgate_requests_total', help: 'h', labelNames: ['route', 'code'], registers: [registry] });
    c.inc({ route: '/a', code: 'OK' }, 3);
    c.inc({ route: '/a', code: 'NOT_FOUND' });
    c.inc({ route: '/b "quoted"\\', code: 'OK' }, 2);
    const h = new Histogram({ name: 'd_seconds', help: 'h', buckets: [0.1, 1], registers: [registry] });
    for (const v of [0.05, 0.5, 0.5, 5]) h.observe(v);
    const s = parsePrometheusText(await registry.metrics());
    expect(s.types).toMatchObject({ vaultgate_requests_total: 'counter', d_seconds: 'histogram' });
    expect(sumBy(s, 'vaultgate_requests_total', 'route')).toEqual(new Map([['/a', 4], ['/b "quoted"\\', 2]]));
    expect(sumBy(s, 'vaultgate_requests_total', 'code', { route: '/a' })).toEqual(new Map([['OK', 3], ['NOT_FOUND', 1]]));
    const buckets = sumBy(s, 'd_seconds_bucket', 'le');
    expect(buckets).toEqual(new Map([['0.1', 1], ['1', 3], ['+Inf', 4]]));
    expect(sumBy(s, 'd_seconds_count').get('')).toBe(4);
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.1 + 0.9 * (1 / 2));
    expect(histogramQuantile(0.99, buckets)).toBe(1);
    expect(histogramQuantile(0.5, new Map([['+Inf', 0]]))).toBeNull();
  });

  it('reads special values and timestamps, and names the line of a malformed one', () => {
    const s = parsePrometheusText('# HELP x y\nx NaN\ny{a="1"} +Inf 1700000000000\nz -1.5e3\n');
    expect(s.samples.map((x) => x.value)).toEqual([NaN, Infinity, -1500]);
    expect(() => parsePrometheusText('ok 1\nbad{a=1} 2\n')).toThrow(/line 2/);
    expect(() => parsePrometheusText('v abc\n')).toThrow(/line 1: "abc" is not a number/);
  });

  it('computes a counter rate, across a reset too', () => {
    expect(rate(10, 40, 3)).toBe(10);
    expect(rate(undefined, 6, 3)).toBe(2);
    expect(rate(50, 5, 5)).toBe(1);
    expect(rate(1, 2, 0)).toBe(0);
  });
});
