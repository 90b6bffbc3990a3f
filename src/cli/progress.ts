/**
 * Progress on stderr: a bar redrawn with `\r` on a terminal, a plain line every few seconds otherwise (CI logs, a
 * file, a pipe), and always a final line. Counts are shown apart (`95 sent  20 already stored  5 failed`): the bar
 * and the rate count every one of them as done, the words say which is which.
 */
export class Progress {
  private readonly started = Date.now();
  private lastDraw: number;

  /**
   * @param total how many items there are; undefined when unknown (no bar, no ETA: counts and rate only)
   * @param out where to draw (stderr); a TTY gets the redrawn bar
   */
  constructor(
    private readonly total: number | undefined,
    private readonly out: NodeJS.WriteStream,
  ) {
    // A terminal shows the bar at once; a log gets its first line after one interval.
    this.lastDraw = out.isTTY ? 0 : this.started;
  }

  /** Writes a line of its own (e.g. a rate-limit wait): on a terminal it replaces the bar, redrawn by the next update. */
  note(line: string): void {
    this.out.write(this.out.isTTY ? `\r${line}\x1b[K\n` : `${line}\n`);
    if (this.out.isTTY) this.lastDraw = 0;
  }

  /** Draws `counts` (label → number, in order; their sum is the number done) unless drawn too recently; `final` always draws. */
  update(counts: Record<string, number>, final = false): void {
    const now = Date.now();
    const interval = this.out.isTTY ? 100 : 5000;
    if (!final && now - this.lastDraw < interval) return;
    this.lastDraw = now;
    const done = Object.values(counts).reduce((a, b) => a + b, 0);
    const secs = (now - this.started) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    const parts = Object.entries(counts).map(([label, n]) => `${n} ${label}`);
    let text = `${parts.join('  ')}  ${rate.toFixed(1)}/s`;
    if (this.total !== undefined) {
      const eta = rate > 0 ? Math.ceil((this.total - done) / rate) : undefined;
      text = `${done}/${this.total}: ${text}  ETA ${eta === undefined ? '?' : formatSeconds(eta)}`;
    }
    if (this.out.isTTY) {
      const width = 30;
      const bar = this.total === undefined ? '' : (() => {
        const filled = this.total > 0 ? Math.min(width, Math.round((done / this.total) * width)) : width;
        return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] `;
      })();
      this.out.write(`\r${bar}${text}\x1b[K${final ? '\n' : ''}`);
    } else {
      this.out.write(`${text}\n`);
    }
  }
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
