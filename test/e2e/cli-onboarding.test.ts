import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/server/services/accounts/totp.js';
import { CLI, startTestServer, tempDir, type TestServer } from '../helpers/servers.js';

const run = promisify(execFile);

/*
 * A newcomer's first steps with the CLI against a real server (issue 14): `account register` and `account signin`
 * with a `--profile` that does not exist yet create it (with the server URL), so later commands need only the
 * profile; the operator adds an operator user (`admin operators add`), lists organisations by status and shows one
 * (`admin organisations ls|get`).
 */
describe('vaultgate account with a new profile, admin operators and organisations', () => {
  let s: TestServer;
  const home = tempDir();
  const file = join(home, 'vaultgate', 'credentials');
  /** The CLI; `url: false` leaves VAULTGATE_URL out, so the URL must come from the profile. */
  const vg = async (args: string[], o: { password?: string; url?: boolean } = {}): Promise<{ code: number; stdout: string; stderr: string }> => {
    const env = {
      PATH: process.env.PATH ?? '', XDG_CONFIG_HOME: home, VAULTGATE_ADMIN_TOKEN: s.adminToken,
      ...(o.url === false ? {} : { VAULTGATE_URL: s.url }), ...(o.password ? { VAULTGATE_PASSWORD: o.password } : {}),
    };
    return run(process.execPath, [CLI, ...args], { env }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  };
  const password = 'uusi profiili syntyy kirjautuessa';

  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('register and signin create the profile they are given, with the server URL', async () => {
    expect(existsSync(file)).toBe(false);
    const reg = await vg(['account', 'register', '--profile', 'work', '--kind', 'party', '--organisation-name', 'Ohjelmisto Oy', '--email', 'eka@ohjelmisto.example', '--display-name', 'Eka'], { password });
    expect(reg.code, reg.stderr).toBe(0);
    expect(reg.stderr).toContain(`profile "work" created in ${file} (url ${s.url})`);
    expect(readFileSync(file, 'utf8')).toBe(`[work]\nurl = ${s.url}\n`);
    const id = /^id\s+(reg_test_\S+)$/m.exec(reg.stdout)![1]!;
    expect((await vg(['admin', 'registrations', 'approve', id])).code).toBe(0);

    // A profile that does not exist: signin creates it, with the URL given by --url.
    const signin = await vg(['account', 'signin', '--profile', 'laptop', '--url', s.url, '--email', 'eka@ohjelmisto.example'], { password, url: false });
    expect(signin.code, signin.stderr).toBe(0);
    expect(signin.stderr).toContain(`session kept in ${file} [laptop]`);
    expect(readFileSync(file, 'utf8')).toMatch(/^\[laptop\]\nurl = http:\/\/127\.0\.0\.1:\d+\nsession_token = \S+$/m);
    // Later commands need only the profile: its URL and session.
    const me = await vg(['account', '--profile', 'laptop', '--json', 'me'], { url: false });
    expect(me.code, me.stderr).toBe(0);
    expect(JSON.parse(me.stdout).user.email).toBe('eka@ohjelmisto.example');
    // Other commands still refuse a profile that does not exist (a typo should show).
    const typo = await vg(['account', '--profile', 'lapotp', 'me'], { url: false });
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('no profile "lapotp"');
  });

  it('the operator adds an operator user, lists organisations by status and shows one', async () => {
    const added = await vg(['admin', '--json', 'operators', 'add', '--email', 'operaattori@vaultgate.example', '--display-name', 'Operaattori', '--user-language', 'fi'], { password });
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ email: 'operaattori@vaultgate.example', platformRole: 'operator', language: 'fi', status: 'active' });
    const taken = await vg(['admin', 'operators', 'add', '--email', 'operaattori@vaultgate.example', '--display-name', 'Toinen'], { password });
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('USER_EMAIL_TAKEN');

    // The new operator signs in (a profile of their own) and lists organisations with their session as the token.
    const signin = await vg(['account', 'signin', '--profile', 'ops', '--email', 'operaattori@vaultgate.example'], { password });
    expect(signin.code).toBe(0);
    // Every next step names the profile in use (issue 14, second newcomer): enrol, confirm.
    expect(signin.stderr).toContain('vaultgate account totp enrol --profile ops, then vaultgate account totp confirm --profile ops <code>');
    // `admin --profile ops`: the profile's session stands in for the operator token (before VAULTGATE_ADMIN_TOKEN).
    // An operator without TOTP is held until they enrol (issue 14); enrolling lets the same session through.
    const held = await vg(['admin', '--profile', 'ops', 'organisations', 'ls']);
    expect(held.code).toBe(1);
    expect(held.stderr).toContain('TOTP_REQUIRED');
    expect(held.stderr).toContain('vaultgate account totp enrol --profile ops');
    expect((await vg(['account', 'totp', 'enrol', '--profile', 'ops'])).stderr).toContain('then: vaultgate account totp confirm --profile ops <code shown by the app>');
    const enrol = JSON.parse((await vg(['account', '--profile', 'ops', '--json', 'totp', 'enrol'])).stdout);
    expect((await vg(['account', '--profile', 'ops', 'totp', 'confirm', totpCode(enrol.secret, Date.now())])).code).toBe(0);
    const ls = await vg(['admin', '--profile', 'ops', 'organisations', 'ls']);
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout).toMatch(/^id\s+name\s+businessId\s+companyId\s+partyId\s+status\s+requireTotp\s+createdAt$/m);
    const org = /^(tp_test_\S+)\s+Ohjelmisto Oy\s/m.exec(ls.stdout)![1]!;

    expect(JSON.parse((await vg(['admin', '--json', 'organisations', 'suspend', org])).stdout).status).toBe('suspended');
    const suspended = JSON.parse((await vg(['admin', '--json', 'organisations', 'ls', '--status', 'suspended'])).stdout);
    expect(suspended).toEqual({ items: [expect.objectContaining({ id: org, status: 'suspended' })], nextCursor: null });
    expect(JSON.parse((await vg(['admin', '--json', 'organisations', 'ls', '--status', 'active'])).stdout).items).toEqual([]);
    const paged = await vg(['admin', 'organisations', 'ls', '--limit', '1']);
    expect(paged.stdout).not.toContain('more: --cursor'); // one organisation: one page
    expect((await vg(['admin', 'organisations', 'get', org])).stdout).toMatch(/^status\s+suspended$/m);
    const unknown = await vg(['admin', 'organisations', 'get', 'tp_test_nosuchorganisation0000']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('NOT_FOUND');
  });
});
