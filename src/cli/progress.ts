/** Progress on stderr: a redrawn bar on a terminal, a plain line every few seconds otherwise (CI logs). */
export class Progress {
  private readonly started = Date.now();
  private lastDraw: number;

  constructor(
    private readonly total: number,
    private readonly out: NodeJS.WriteStream,
    private readonly label = 'sent',
  ) {
    // A terminal shows the bar at once; a log gets its first line after one interval.
    this.lastDraw = out.isTTY ? 0 : this.started;
  }

  update(done: number, errors: number, final = false): void {
    const now = Date.now();
    const interval = this.out.isTTY ? 100 : 5000;
    if (!final && now - this.lastDraw < interval) return;
    this.lastDraw = now;
    const secs = (now - this.started) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    const eta = rate > 0 ? Math.ceil((this.total - done) / rate) : undefined;
    const text = `${done}/${this.total} ${this.label}  ${rate.toFixed(1)}/s  ETA ${eta === undefined ? '?' : formatSeconds(eta)}  errors ${errors}`;
    if (this.out.isTTY) {
      const width = 30;
      const filled = this.total > 0 ? Math.round((done / this.total) * width) : width;
      this.out.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}\x1b[K${final ? '\n' : ''}`);
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
