/**
 * Broken pipes: `vaultgate vault ls | head -2` closes the CLI's stdout while the CLI still writes. Node then emits
 * EPIPE as an 'error' event on the stream, which (with no listener) is thrown as an uncaught exception: a stack trace
 * and exit 1, after the message was already stored.
 *
 * The rule here: a reader that stops reading is the reader's choice, not the command's failure. The first EPIPE on
 * stdout or stderr turns further writes to that stream into no-ops (nothing is printed about it: the stream is
 * gone), and the command carries on to its own outcome, which alone decides the exit code (0 when the message was
 * stored or the listing fetched). Commands that only produce output (an export to stdout) watch `stdoutClosed` and
 * stop their work early. We do not exit 141 (128 + SIGPIPE) as a shell tool killed by SIGPIPE would: a send that
 * stored its message succeeded, and scripts under `set -o pipefail` should see that.
 */

let closed = false;
const closeListeners: (() => void)[] = [];

/** Whether stdout's reader has gone away (writes since are dropped). */
export function stdoutClosed(): boolean {
  return closed;
}

/** Calls `fn` once when stdout's reader goes away (at once if it already has); returns a function that cancels it. */
export function onStdoutClosed(fn: () => void): () => void {
  if (closed) {
    fn();
    return () => {};
  }
  closeListeners.push(fn);
  return () => {
    const i = closeListeners.indexOf(fn);
    if (i !== -1) closeListeners.splice(i, 1);
  };
}

function silence(stream: NodeJS.WriteStream, onClosed?: () => void): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
    // Every later write (ours, commander's, a library's) is dropped; `true` so that no one waits for 'drain'.
    stream.write = ((...args: unknown[]): boolean => {
      const cb = args.find((a) => typeof a === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    }) as typeof stream.write;
    onClosed?.();
  });
}

/** Installs the broken-pipe rule on stdout and stderr; call once, before the command runs. */
export function handleBrokenPipes(): void {
  silence(process.stdout, () => {
    if (closed) return;
    closed = true;
    for (const fn of closeListeners.splice(0)) fn();
  });
  silence(process.stderr);
}

/**
 * Writes to stdout, waiting for the pipe to drain when it is full, or for its reader to go away. Resolves false once
 * stdout's reader has gone (the caller stops producing: `vaultgate … export | head -c 100`), true otherwise.
 */
export async function writeStdout(chunk: string | Uint8Array): Promise<boolean> {
  if (closed) return false;
  if (!process.stdout.write(chunk)) {
    await new Promise<void>((resolve) => {
      let cancel = (): void => {};
      const done = (): void => {
        process.stdout.off('drain', done);
        cancel();
        resolve();
      };
      process.stdout.once('drain', done);
      cancel = onStdoutClosed(done);
    });
  }
  return !closed;
}
