import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/servers.js';

/** Runs an example as a newcomer does, from a directory whose .vaultgate/ holds what the test put there. */
function runExample(cwd: string, script: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO, 'examples', script), ...args], { cwd, env: { ...process.env, VAULTGATE_URL: 'http://127.0.0.1:9' } }, (err, _out, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr: String(stderr) }));
  });
}

// The README's examples read credential files the loop writes; run twice, the loop's admin commands fail and the files
// hold error answers. The examples then say what to do (exit 2) instead of failing inside the HTTP library.
describe('examples/send.mjs and read.mjs without usable credential files', () => {
  it('a missing file: names it and the README block that creates it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vg-examples-'));
    const r = await runExample(dir, 'send.mjs', ['ch_test_x', '{}']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('.vaultgate/partner.json: missing');
    expect(r.stderr).not.toMatch(/ERR_HTTP|at .*node:/);
  });

  it('a file holding an error answer (an admin command that failed): names the code and how to start over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vg-examples-'));
    mkdirSync(join(dir, '.vaultgate'));
    writeFileSync(join(dir, '.vaultgate/partner.json'), JSON.stringify({ partnerId: 'pid_test_1', partnerKey: 'k' }));
    writeFileSync(join(dir, '.vaultgate/reader.json'), JSON.stringify({ status: 404, code: 'NOT_FOUND', title: 'Not found.' }));
    const r = await runExample(dir, 'read.mjs', ['msg_test_x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('.vaultgate/reader.json holds no credential but an error answer (NOT_FOUND)');
    expect(r.stderr).toContain('Starting over');
  });
});
