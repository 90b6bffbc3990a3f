import { closeSync, fdatasync, fstatSync, openSync, statSync } from 'node:fs';

/** fs.fdatasync's shape, so a test can make it fail (a real disk's EIO cannot be had on demand). */
export type FdatasyncFn = (fd: number, callback: (err: NodeJS.ErrnoException | null) => void) => void;

/**
 * One asynchronous fdatasync(2) of the WAL file per group commit (issue 12 §2). The ingest connection commits at
 * synchronous=NORMAL, so COMMIT returns once its frames are written (in the page cache); this makes them durable
 * on the libuv threadpool while the event loop goes on, and the caller answers only after it resolved.
 *
 * - The fd follows the file: before each sync the path's inode is compared with the fd's, and a WAL that SQLite
 *   deleted and created again (all connections closed, or the file replaced) is opened again.
 * - Syncs are serial: one asked for while another is in flight starts after it (it must cover frames written
 *   after the running one began). The group committer asks for one per batch.
 * - A failed fdatasync cannot be retried (after EIO the kernel may have dropped the dirty pages and marked them
 *   clean, so a second fdatasync "succeeds" without the data) and the commit cannot be rolled back: the syncer
 *   rejects every waiter and calls `onFailure`, which must stop the process (the default exits it).
 */
export class WalSyncer {
  readonly #path: string;
  readonly #fdatasync: FdatasyncFn;
  readonly #onFailure: (err: Error) => void;
  #fd = -1;
  #ino = -1n;
  #tail: Promise<void> = Promise.resolve();
  #last: Promise<void> | undefined;
  #failed: Error | undefined;

  constructor(o: { walPath: string; fdatasync?: FdatasyncFn; onFailure?: (err: Error) => void }) {
    this.#path = o.walPath;
    this.#fdatasync = o.fdatasync ?? fdatasync;
    this.#onFailure = o.onFailure ?? stopProcess;
  }

  /** The inode the fd is open on (-1 before the first sync): for tests of the fd following the file. */
  get inode(): bigint {
    return this.#ino;
  }

  /**
   * Resolves when everything written to the WAL before this call is on stable storage. Syncs run one at a time,
   * each after the one before (which may have begun before this caller's frames were written).
   */
  sync(): Promise<void> {
    if (this.#failed) return Promise.reject(this.#failed);
    const p = this.#tail.then(() => this.#run());
    this.#tail = p.catch(() => undefined);
    this.#last = p;
    return p;
  }

  /** The latest sync asked for (a read of committed data waits for it before answering); undefined before any. */
  pending(): Promise<void> | undefined {
    return this.#last;
  }

  close(): void {
    if (this.#fd >= 0) closeSync(this.#fd);
    this.#fd = -1;
  }

  #run(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.#failed) {
        reject(this.#failed);
        return;
      }
      let fd: number;
      try {
        fd = this.#open();
      } catch (err) {
        reject(this.#fail(err));
        return;
      }
      this.#fdatasync(fd, (err) => {
        if (err) reject(this.#fail(err));
        else resolve();
      });
    });
  }

  #open(): number {
    const onDisk = statSync(this.#path, { bigint: true }).ino;
    if (this.#fd >= 0 && onDisk === this.#ino && fstatSync(this.#fd, { bigint: true }).ino === onDisk) return this.#fd;
    this.close();
    this.#fd = openSync(this.#path, 'r+');
    this.#ino = fstatSync(this.#fd, { bigint: true }).ino;
    return this.#fd;
  }

  #fail(err: unknown): Error {
    const failure = new Error(`fdatasync of ${this.#path} failed: acknowledged commits may not be durable; stopping`, { cause: err });
    this.#failed = failure;
    this.#onFailure(failure);
    return failure;
  }
}

/** The default reaction to a failed fdatasync: say why on stderr and exit (as PostgreSQL PANICs on fsync failure). */
function stopProcess(err: Error): void {
  process.stderr.write(`${JSON.stringify({ level: 60, code: 'WAL_SYNC_FAILED', msg: err.message, cause: String((err.cause as Error)?.message ?? err.cause) })}\n`);
  process.exit(70);
}
