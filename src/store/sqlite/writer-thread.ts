import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { IngestOutcome } from '../port.js';
import { runIngestBatch, type IngestRow } from './ingest-batch.js';
import { INGEST_SQL } from './statements.js';

/*
 * Two threads with their own connections to the database file keep the event loop off the disk:
 *
 * - the writer runs every ingest batch in one BEGIN IMMEDIATE … COMMIT with synchronous=FULL, and answers only
 *   after COMMIT returned, so the fsync of a batch no longer blocks the requests being parsed, authenticated and
 *   sealed meanwhile (the caller still replies only after that answer: durability is unchanged);
 * - the checkpointer copies the WAL back into the database (PASSIVE: it never blocks the writer) every
 *   `checkpointIntervalMs`; a WAL over `walLimitBytes` gets a TRUNCATE checkpoint instead, which empties it as
 *   soon as no reader pins it (it never waits for readers, so commits are held back only for the copy).
 *   journal_size_limit = walLimitBytes on every connection trims the file whenever the WAL restarts. The bound:
 *   walLimitBytes plus what is committed while readers pin the WAL (issue 11 §7: it grew to 514 MiB unbounded). Every connection of the store sets wal_autocheckpoint=0, so no commit on the request
 *   path ever pays for a checkpoint (on this disk one costs 80-400 ms).
 *
 * The thread code is evaluated from source text (the batch body is `runIngestBatch`'s own source), so it runs the
 * same whether the package runs from dist/ or from TypeScript sources under the test runner.
 */
const THREAD_SOURCE = `
const { parentPort, workerData: w } = require('node:worker_threads');
const Database = require(w.driver);
const db = new Database(w.file, { timeout: w.busyTimeoutMs, fileMustExist: true });
db.pragma('busy_timeout = ' + w.busyTimeoutMs);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('foreign_keys = ON');
db.pragma('wal_autocheckpoint = 0');
db.pragma('journal_size_limit = ' + w.walLimitBytes);
if (w.role === 'writer') {
  const runIngestBatch = ${runIngestBatch.toString()};
  const s = {
    insertLedger: db.prepare(w.sql.insertLedger),
    getLedger: db.prepare(w.sql.getLedger),
    insertMessage: db.prepare(w.sql.insertMessage),
  };
  const batch = db.transaction((rows) => runIngestBatch(s, rows));
  parentPort.on('message', (m) => {
    if (m.type === 'close') {
      db.close();
      parentPort.close();
      return;
    }
    try {
      parentPort.postMessage({ id: m.id, outcomes: batch.immediate(m.rows) });
    } catch (err) {
      parentPort.postMessage({ id: m.id, error: { message: String(err && err.message), code: err && err.code } });
    }
  });
} else {
  const { statSync } = require('node:fs');
  // TRUNCATE holds the writer lock while it waits for readers, so it does not wait: without a busy handler it
  // completes when no reader pins the WAL and otherwise copies what it can, as PASSIVE (a long reader would
  // otherwise hold every commit back).
  db.pragma('busy_timeout = 0');
  let timer;
  const round = () => {
    try {
      const st = statSync(w.file + '-wal', { throwIfNoEntry: false });
      // Over the bound, TRUNCATE copies everything and, when no reader pins the WAL, leaves it empty; under it,
      // PASSIVE never blocks anyone, and the next commit restarts a fully copied WAL (journal_size_limit trims it).
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
}
`;

const DRIVER = createRequire(import.meta.url).resolve('better-sqlite3');

interface Pending {
  resolve: (o: IngestOutcome[]) => void;
  reject: (e: unknown) => void;
}

export interface WriterThreadOptions {
  file: string;
  busyTimeoutMs: number;
  checkpointIntervalMs: number;
  /** journal_size_limit of every connection, and the WAL size over which the checkpointer TRUNCATEs. */
  walLimitBytes: number;
}

/** The writer and checkpointer threads of one SQLite store; started on the first batch. */
export class WriterThread {
  readonly #pending = new Map<number, Pending>();
  #writer: Worker | undefined;
  #checkpointer: Worker | undefined;
  #next = 0;

  constructor(private readonly options: WriterThreadOptions) {}

  /** Starts the threads now rather than on the first batch (so the first request does not wait for them). */
  start(): void {
    if (!this.#writer) this.#start();
  }

  /** Commits the rows in one durable transaction on the writer thread; resolves after its COMMIT returned. */
  ingest(rows: IngestRow[]): Promise<IngestOutcome[]> {
    const writer = this.#writer ?? this.#start();
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      if (this.#pending.size === 0) writer.ref();
      this.#pending.set(id, { resolve, reject });
      writer.postMessage({ type: 'batch', id, rows });
    });
  }

  /** Lets both threads finish what they were sent, close their connections and end. */
  async close(): Promise<void> {
    await Promise.all([this.#writer, this.#checkpointer].map((w) => (w ? stop(w) : undefined)));
    this.#writer = undefined;
    this.#checkpointer = undefined;
  }

  #spawn(role: 'writer' | 'checkpointer'): Worker {
    const { file, busyTimeoutMs, checkpointIntervalMs, walLimitBytes } = this.options;
    return new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: { role, driver: DRIVER, file, busyTimeoutMs, checkpointIntervalMs, walLimitBytes, sql: INGEST_SQL },
    });
  }

  #start(): Worker {
    const writer = this.#spawn('writer');
    writer.unref();
    writer.on('message', (m: { id: number; outcomes?: IngestOutcome[]; error?: { message: string; code?: string } }) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (this.#pending.size === 0) writer.unref();
      if (m.outcomes) p.resolve(m.outcomes);
      else p.reject(Object.assign(new Error(m.error?.message ?? 'ingest failed'), { code: m.error?.code }));
    });
    const fail = (err: unknown): void => {
      if (this.#writer === writer) this.#writer = undefined;
      const failure = err instanceof Error ? err : new Error(`the SQLite writer thread stopped (${String(err)})`);
      for (const p of this.#pending.values()) p.reject(failure);
      this.#pending.clear();
    };
    writer.on('error', fail);
    writer.on('exit', (code) => {
      if (this.#pending.size > 0) fail(code);
      if (this.#writer === writer) this.#writer = undefined;
    });
    this.#writer = writer;
    if (!this.#checkpointer) {
      const checkpointer = this.#spawn('checkpointer');
      checkpointer.unref();
      // A failing checkpointer only lets the WAL grow; the next store open checkpoints it.
      const forget = (): void => {
        if (this.#checkpointer === checkpointer) this.#checkpointer = undefined;
      };
      checkpointer.on('error', forget);
      checkpointer.on('exit', forget);
      this.#checkpointer = checkpointer;
    }
    return writer;
  }
}

function stop(w: Worker): Promise<void> {
  return new Promise((resolve) => {
    w.once('exit', () => resolve());
    w.ref();
    w.postMessage({ type: 'close' });
  });
}
