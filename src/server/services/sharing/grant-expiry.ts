/*
 * The periodic expiry of grants (issue 15): records `expired`, with its event in both sides' feeds, for active grants
 * past their notOnOrAfter. Only the record waits for it: the scope resolver already treats a grant past its window
 * as ended, at the first request after notOnOrAfter.
 */
export class GrantExpirySweeper {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #stopped = false;

  constructor(private readonly d: { expire: () => Promise<number>; onSweep?: (expired: number) => void; onError?: (err: unknown) => void }) {}

  /** Sweeps every `intervalS` seconds (0: never) until stopped. */
  start(intervalS: number): void {
    if (intervalS <= 0) return;
    const tick = (): void => {
      this.#timer = setTimeout(() => {
        this.sweepOnce().then(this.d.onSweep, this.d.onError).finally(() => {
          if (!this.#stopped) tick();
        });
      }, intervalS * 1000);
      this.#timer.unref();
    };
    tick();
  }

  /** Stops the schedule and waits for a sweep in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  /** One sweep; concurrent calls share the sweep in progress. */
  sweepOnce(): Promise<number> {
    this.#running ??= this.d.expire().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }
}
