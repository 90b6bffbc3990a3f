import { describe, expect, it } from 'vitest';
import { formatSeconds, Progress } from './progress.js';

const stream = (isTTY: boolean) => {
  const written: string[] = [];
  return { out: { isTTY, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream, written };
};

describe('progress', () => {
  it('on a terminal: a redrawn bar with count, rate, ETA and errors, a newline at the end', () => {
    const s = stream(true);
    const p = new Progress(200, s.out);
    p.update(50, 2);
    p.update(200, 2, true);
    expect(s.written[0]).toMatch(/^\r\[#{8}\.{22}\] 50\/200 sent {2}[\d.]+\/s {2}ETA \S+ {2}errors 2\x1b\[K$/);
    expect(s.written[1]).toMatch(/^\r\[#{30}\] 200\/200 sent .*\n$/);
  });
  it('in a log: no carriage returns, throttled lines, the final one always', () => {
    const s = stream(false);
    const p = new Progress(10, s.out);
    p.update(1, 0);
    p.update(10, 0, true);
    expect(s.written).toHaveLength(1);
    expect(s.written[0]).toMatch(/^10\/10 sent .* errors 0\n$/);
  });
  it('formats ETAs', () => {
    expect([formatSeconds(9), formatSeconds(75), formatSeconds(3725)]).toEqual(['9s', '1m15s', '1h02m']);
  });
});
