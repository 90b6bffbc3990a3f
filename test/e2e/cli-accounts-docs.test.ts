import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/server/services/accounts/totp.js';
import { CLI, REPO, startTestServer, tempDir, type TestServer } from '../helpers/servers.js';

const run = promisify(execFile);

/*
 * docs/accounts.md's copy-paste blocks of registration and of an operator-created company's first admin, run by bash
 * as written (needs jq and openssl, as the README's walkthrough does), with `vaultgate` defined as the document says.
 */
describe('docs/accounts.md blocks through the CLI', () => {
  let s: TestServer;
  const home = tempDir();
  let env: Record<string, string>;
  const vg = (args: string[], extra: Record<string, string> = {}) => run(process.execPath, [CLI, ...args], { env: { ...env, ...extra } });

  beforeAll(async () => {
    s = await startTestServer();
    env = { PATH: process.env.PATH ?? '', XDG_CONFIG_HOME: home, VAULTGATE_URL: s.url, VAULTGATE_ADMIN_TOKEN: s.adminToken };
    // The second block's premise: an operator user signed in with --profile operator, TOTP enrolled.
    const password = 'operaattorin oma pitkä salalause';
    await vg(['admin', 'operators', 'add', '--email', 'operaattori@docs.example', '--display-name', 'Operaattori'], { VAULTGATE_PASSWORD: password });
    await vg(['account', 'signin', '--profile', 'operator', '--email', 'operaattori@docs.example'], { VAULTGATE_PASSWORD: password });
    const enrol = JSON.parse((await vg(['account', '--profile', 'operator', '--json', 'totp', 'enrol'])).stdout);
    await vg(['account', '--profile', 'operator', 'totp', 'confirm', totpCode(enrol.secret, Date.now())]);
  });
  afterAll(async () => {
    await s.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('registers, is approved, signs in; the operator invites the first admin of a company it created', async () => {
    const doc = readFileSync(join(REPO, 'docs/accounts.md'), 'utf8');
    const blockAfter = (heading: string): string => {
      const at = doc.indexOf(heading);
      expect(at, heading).toBeGreaterThan(-1);
      return /```sh\n([\s\S]*?)```/.exec(doc.slice(at))![1]!;
    };
    const script = ['set -euo pipefail', `vaultgate() { node ${JSON.stringify(CLI)} "$@"; }`, blockAfter('## Registration and approval'), blockAfter('### A company the operator created')].join('\n');
    const { stdout } = await run('bash', ['-c', script], { env });
    expect(stdout).toMatch(/^reg_test_\S+\s+pending\s+company\s+Huolinta Oy\s+2745101-2/m); // registrations ls
    expect(stdout).toMatch(/^email\s+eero@huolinta\.example$/m); // me
    expect(stdout).toMatch(/^co_test_\S+\s+Huolinta Oy\s+admin\s+active$/m);
    expect(stdout).toMatch(/^role\s+admin$/m); // accepted
    expect(stdout).toMatch(/^usr_test_\S+\s+hilla@satama\.example\s+Hilla\s+admin\s/m); // members ls
  });
});
