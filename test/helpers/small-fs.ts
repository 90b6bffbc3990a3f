import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';

/*
 * Real small filesystems for the tests of a store that runs out of room (issue 11 §7): a tmpfs of a given size
 * mounted on a fresh directory. Mounting needs root (CAP_SYS_ADMIN); where it is refused the tests that need it
 * are reported as skipped with the reason, except under CI=true (CI runs as root), where that is a failure.
 */
const REQUIRED = process.env.CI === 'true';

export interface SmallFs {
  dir: string;
  /** Unmounts (lazily, so a file still open does not keep it) and removes the mount point. */
  unmount(): void;
}

/** Mounts a tmpfs of `sizeBytes` on a new directory; throws with the reason when mount is not permitted. */
export function mountTmpfs(sizeBytes: number): SmallFs {
  const dir = mkdtempSync(join(tmpdir(), 'vg-smallfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`mount -t tmpfs is not permitted here: ${e.stderr?.toString().trim() || e.message}`);
  }
  return {
    dir,
    unmount: () => {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Why a small filesystem cannot be mounted here, or undefined when it can (probed once with a 1 MiB tmpfs). */
export const smallFsUnavailable: string | undefined = (() => {
  try {
    mountTmpfs(1 << 20).unmount();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
})();

/** `describe` for tests that need to mount a small filesystem: skipped with the reason where mount is refused. */
export function describeSmallFs(name: string, body: () => void): void {
  if (!smallFsUnavailable) {
    describe(name, body);
    return;
  }
  describe(name, () => {
    if (REQUIRED) {
      it('needs mount (CI=true)', () => {
        throw new Error(`${smallFsUnavailable}; CI runs as root and must run this`);
      });
    } else {
      process.stderr.write(`[skip] ${name}: ${smallFsUnavailable}\n`);
      it.skip(`skipped: ${smallFsUnavailable}`, () => undefined);
    }
  });
}

/** Writes `path` until the filesystem refuses with ENOSPC (in ever smaller writes, so not a byte is left). */
export function fillFilesystem(path: string): number {
  const fd = openSync(path, 'w');
  let written = 0;
  try {
    for (const size of [1 << 20, 64 << 10, 4 << 10, 512, 1]) {
      const chunk = Buffer.alloc(size, 0x5a);
      for (;;) {
        try {
          written += writeSync(fd, chunk);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}
