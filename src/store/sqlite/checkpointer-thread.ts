import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';

/*
 * A thread with its own connection copies the WAL back into the database file, so neither a commit nor the event
 * loop pays for a checkpoint (on this disk one costs 80-400 ms). Every connection of the store sets
 * wal_autocheckpoint=0.
 *
 * - Every `checkpointIntervalMs` it runs a PASSIVE checkpoint (it never blocks a commit); once all frames are
 *   copied, the next commit restarts the WAL from its start, and journal_size_limit trims the file.
 * - A WAL over `walLimitBytes` gets a TRUNCATE checkpoint instead, which empties the file as soon as no reader
 *   pins it. It runs with no busy handler, so it never waits for readers: holding the writer lock while waiting
 *   would hold every commit back (a long reader would fail them). The bound: walLimitBytes plus what is committed
 *   while readers pin the WAL (issue 11 §7: it grew to 514 MiB unbounded).
 * - The connection keeps synchronous=FULL: a checkpoint syncs the WAL before copying and the database after, so a
 *   restarted WAL never overwrites frames that are not yet durable in the database file.
 *
 * The thread code is evaluated from source text, so it runs the same from dist/ and from TypeScript sources.
 */
const THREAD_SOURCE = `
const { parentPort, workerData: w } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(w.driver);
const db = new Database(w.file, { fileMustExist: true });
db.pragma('busy_timeout = 0');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('wal_autocheckpoint = 0');
db.pragma('journal_size_limit = ' + w.walLimitBytes);
let timer;
const round = () => {
  try {
    const st = statSync(w.file + '-wal', { throwIfNoEntry: false });
    db.pragma(st && st.size > w.walLimitBytes ? 'wal_checkpoint(TRUNCATE)' : 'wal_checkpoint(PASSIVE)');
  } catch {
    // SQLITE_BUSY, SQLITE_FULL (the database file could not grow) and the like: the next round catches up.
  }
  timer = setTimeout(round, w.checkpointIntervalMs);
};
timer = setTimeout(round, w.checkpointIntervalMs);
parentPort.on('message', (m) => {
  if (m.type === 'close') {
    clearTimeout(timer);
    db.close();
    parentPort.close();
  }
});
`;

const DRIVER = createRequire(import.meta.url).resolve('better-sqlite3');

export interface CheckpointerOptions {
  file: string;
  checkpointIntervalMs: number;
  /** journal_size_limit of the thread's connection, and the WAL size over which it TRUNCATEs. */
  walLimitBytes: number;
}

/** The checkpointer thread of one SQLite store. */
export class CheckpointerThread {
  #worker: Worker | undefined;

  constructor(private readonly options: CheckpointerOptions) {}

  start(): void {
    if (this.#worker) return;
    const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { driver: DRIVER, ...this.options } });
    worker.unref();
    // A failing checkpointer only lets the WAL grow (readiness reports a full disk); the next open checkpoints it.
    const forget = (): void => {
      if (this.#worker === worker) this.#worker = undefined;
    };
    worker.on('error', forget);
    worker.on('exit', forget);
    this.#worker = worker;
  }

  /** Lets the thread finish its round, close its connection and end. */
  async close(): Promise<void> {
    const w = this.#worker;
    this.#worker = undefined;
    if (!w) return;
    await new Promise<void>((resolve) => {
      w.once('exit', () => resolve());
      w.ref();
      w.postMessage({ type: 'close' });
    });
  }
}
