import { describe, expect, it } from 'vitest';
import { seriesOf } from './traffic-series.js';

describe('the dashboard chart series', () => {
  it('has one series per channel and message type with a value per day of the span, 0 on quiet days', () => {
    const { dates, series } = seriesOf([
      { date: '2026-11-28', channelId: 'ch_b', messageType: 'Invoice', count: 2 },
      { date: '2026-11-30', channelId: 'ch_a', messageType: 'Order', count: 5 },
      { date: '2026-11-30', channelId: 'ch_b', messageType: 'Invoice', count: 1 },
    ], 3, '2026-11-30');
    expect(dates).toEqual(['2026-11-28', '2026-11-29', '2026-11-30']);
    expect(series).toEqual([{ label: 'ch_a · Order', values: [0, 0, 5] }, { label: 'ch_b · Invoice', values: [2, 0, 1] }]);
  });

  it('keeps days older than the span that the API gave, and follows a newest day later than today', () => {
    const { dates } = seriesOf([
      { date: '2026-11-01', channelId: 'ch_a', messageType: 'Order', count: 1 },
      { date: '2026-12-02', channelId: 'ch_a', messageType: 'Order', count: 1 },
    ], 2, '2026-11-30');
    expect(dates).toEqual(['2026-11-01', '2026-12-01', '2026-12-02']);
  });
});
