/**
 * The power-loss test (issue 12 §3), bench/power-loss.mjs, run from the test suite on request: it mounts ext4
 * images on loop devices (root), kill -9s the server under load, copies the image file, restarts on the copy and
 * checks every acknowledged message; the negative control (acknowledged before the WAL's fdatasync) must lose
 * some. It takes half a minute and the machine's loop devices, so it runs under CI=true (CI runs as root on a
 * machine with loop devices: there it must run and pass) or with VAULTGATE_POWER_LOSS=1, and says it skipped otherwise.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/servers.js';

const wanted = process.env.VAULTGATE_POWER_LOSS === '1' || process.env.CI === 'true';

describe('power loss', () => {
  if (!wanted) {
    const reason = 'set VAULTGATE_POWER_LOSS=1 (CI=true sets it) to run it (needs root and loop devices; ~30-60 s); or run node bench/power-loss.mjs';
    process.stderr.write(`[skip] power loss: ${reason}\n`);
    it.skip(`skipped: ${reason}`, () => undefined);
    return;
  }
  it('loses no acknowledged message; the control that skips the fdatasync loses some', async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [join(REPO, 'bench/power-loss.mjs'), '--seconds', '3'], { timeout: 240_000, maxBuffer: 16 << 20 }, (err, out, errOut) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout: String(out), stderr: String(errOut) }));
    });
    if (stdout.includes('power-loss: skipped:') && process.env.CI !== 'true') {
      process.stderr.write(`[skip] power loss: ${stdout.trim()}\n`);
      return;
    }
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    const { powerLoss } = JSON.parse(stdout.trim().split('\n').pop()!) as { powerLoss: { mode: string; acknowledged: number; lost: number; wrong: number }[] };
    const [durable, control] = powerLoss;
    expect(durable).toMatchObject({ mode: 'durable', lost: 0, wrong: 0 });
    expect(durable!.acknowledged).toBeGreaterThan(0);
    expect(control!.mode).toMatch(/^control/);
    expect(control!.lost).toBeGreaterThan(0);
  }, 300_000);
});
