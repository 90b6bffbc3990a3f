/**
 * A task run every `intervalS` seconds until stopped (the retention sweep, the grant expiry sweep): one run at a time
 * (a run asked for while one is in progress shares it), the next scheduled only after the previous one ended, the
 * timer never keeping the process alive, and stop() waiting for a run in progress.
 */
export class PeriodicTask<T> {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<T> | undefined;
  #stopped = false;

  constructor(private readonly run: () => Promise<T>, private readonly o: { onDone?: ((r: T) => void) | undefined; onError?: ((err: unknown) => void) | undefined } = {}) {}

  /** Whether stop() was called (a long run checks it between batches). */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Runs every `intervalS` seconds (0: never) until stopped. */
  start(intervalS: number): void {
    if (intervalS <= 0) return;
    const tick = (): void => {
      this.#timer = setTimeout(() => {
        this.runOnce().then(this.o.onDone, this.o.onError).finally(() => {
          if (!this.#stopped) tick();
        });
      }, intervalS * 1000);
      this.#timer.unref();
    };
    tick();
  }

  /** Stops the schedule and waits for a run in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  /** One run now; concurrent calls share the run in progress. */
  runOnce(): Promise<T> {
    this.#running ??= this.run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }
}
