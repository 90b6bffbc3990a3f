import { describe, expect, it } from 'vitest';
import { formatSeconds, Progress } from './progress.js';

const stream = (isTTY: boolean) => {
  const written: string[] = [];
  return { out: { isTTY, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream, written };
};

describe('progress', () => {
  it('on a terminal: a redrawn bar with the counts apart, rate and ETA, a newline at the end', () => {
    const s = stream(true);
    const p = new Progress(200, s.out);
    p.update({ sent: 40, 'already stored': 8, failed: 2 });
    p.update({ sent: 190, 'already stored': 8, failed: 2 }, true);
    expect(s.written[0]).toMatch(/^\r\[#{8}\.{22}\] 50\/200: 40 sent {2}8 already stored {2}2 failed {2}[\d.]+\/s {2}ETA \S+\x1b\[K$/);
    expect(s.written[1]).toMatch(/^\r\[#{30}\] 200\/200: 190 sent .*\n$/);
  });
  it('in a log: no carriage returns, throttled lines, the final one always', () => {
    const s = stream(false);
    const p = new Progress(10, s.out);
    p.update({ sent: 1, failed: 0 });
    p.update({ sent: 9, failed: 1 }, true);
    expect(s.written).toHaveLength(1);
    expect(s.written[0]).toMatch(/^10\/10: 9 sent {2}1 failed {2}[\d.]+\/s {2}ETA \S+\n$/);
  });
  it('without a total: counts and rate, no bar and no ETA', () => {
    const tty = stream(true);
    new Progress(undefined, tty.out).update({ exported: 3000 }, true);
    expect(tty.written[0]).toMatch(/^\r3000 exported {2}[\d.]+\/s\x1b\[K\n$/);
    const log = stream(false);
    new Progress(undefined, log.out).update({ exported: 3000 }, true);
    expect(log.written[0]).toMatch(/^3000 exported {2}[\d.]+\/s\n$/);
  });
  it('formats ETAs', () => {
    expect([formatSeconds(9), formatSeconds(75), formatSeconds(3725)]).toEqual(['9s', '1m15s', '1h02m']);
  });
});
