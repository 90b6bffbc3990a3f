import { execFile } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/server/services/accounts/totp.js';
import { CLI, startTestServer, tempDir, type TestServer } from '../helpers/servers.js';

const run = promisify(execFile);

/*
 * The accounts CLI (issue 14) against a real server: register, the operator's registrations ls/approve, sign in
 * (the session kept in the profile, mode 0600), me, sign out everywhere (the kept session refused afterwards).
 */
describe('vaultgate account and admin registrations', () => {
  let s: TestServer;
  const home = tempDir();
  let env: Record<string, string>;
  const vg = async (args: string[], password?: string): Promise<{ code: number; stdout: string; stderr: string }> => {
    const child = run(process.execPath, [CLI, ...args], { env: { ...env, ...(password ? { VAULTGATE_PASSWORD: password } : {}) } }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
    return child;
  };
  beforeAll(async () => {
    s = await startTestServer();
    env = { PATH: process.env.PATH ?? '', XDG_CONFIG_HOME: home, VAULTGATE_URL: s.url, VAULTGATE_ADMIN_TOKEN: s.adminToken };
  });
  afterAll(async () => {
    await s.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('registers, is approved by the operator, signs in, shows me, signs out everywhere', async () => {
    const password = 'seitsemän veljestä metsässä';
    const short = await vg(['account', '--json', 'register', '--organisation-name', 'Kiva Oy', '--business-id', '1967543-8', '--email', 'kiva@example.fi', '--display-name', 'Kiva'], 'lyhyt');
    expect(short.code).toBe(1);
    expect(JSON.parse(short.stdout).code).toBe('PASSWORD_TOO_SHORT');
    const reg = await vg(['account', '--json', 'register', '--organisation-name', 'Kiva Oy', '--business-id', '1967543-8', '--email', 'kiva@example.fi', '--display-name', 'Kiva', '--user-language', 'fi'], password);
    expect(reg.code, reg.stderr).toBe(0);
    const registration = JSON.parse(reg.stdout);
    expect(registration).toMatchObject({ status: 'pending', kind: 'company' });

    const ls = await vg(['admin', 'registrations', 'ls', '--status', 'pending']);
    expect(ls.stdout).toContain(registration.id);
    const approved = await vg(['admin', '--json', 'registrations', 'approve', registration.id]);
    expect(JSON.parse(approved.stdout)).toMatchObject({ status: 'approved', organisationId: expect.stringMatching(/^co_test_/) });

    const wrong = await vg(['account', 'signin', '--email', 'kiva@example.fi'], 'not the right password');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('SIGN_IN_FAILED');
    const signin = await vg(['account', 'signin', '--email', 'kiva@example.fi'], password);
    expect(signin.code, signin.stderr).toBe(0);
    const file = join(home, 'vaultgate', 'credentials');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const token = /session_token = (\S+)/.exec(readFileSync(file, 'utf8'))![1]!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // TOTP from the CLI: enrol, confirm with the app's code; then sign-in needs it.
    const enrol = JSON.parse((await vg(['account', '--json', 'totp', 'enrol'])).stdout);
    expect(enrol.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    const confirmed = await vg(['account', '--json', 'totp', 'confirm', totpCode(enrol.secret, Date.now())]);
    expect(JSON.parse(confirmed.stdout).totpEnrolled).toBe(true);
    expect((await vg(['account', 'signin', '--email', 'kiva@example.fi'], password)).stderr).toContain('TOTP_REQUIRED');

    // Personal API tokens from the CLI: create (shown once), list, revoke.
    const org = JSON.parse(approved.stdout).organisationId;
    const created = JSON.parse((await vg(['account', '--json', 'tokens', 'create', '--org', org, '--name', 'nightly', '--role', 'member'])).stdout);
    expect(created.token).toMatch(/^vgp_/);
    // The old spelling still works (hidden from the help); without either, a usage error.
    const aliased = JSON.parse((await vg(['account', '--json', 'tokens', 'create', '--organisation', org, '--name', 'old script'])).stdout);
    expect(aliased).toMatchObject({ organisationId: org, name: 'old script' });
    expect((await vg(['account', 'tokens', 'create', '--help'])).stdout).not.toContain('--organisation');
    const missing = await vg(['account', 'tokens', 'create', '--name', 'x']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--org <organisationId>' not specified");
    const members = await fetch(`${s.url}/api/v1/organisations/${org}/members`, { headers: { authorization: `Bearer ${created.token}` } });
    expect(members.status).toBe(200);
    expect((await vg(['account', 'tokens', 'ls'])).stdout).toContain('nightly');
    expect(JSON.parse((await vg(['account', '--json', 'tokens', 'revoke', created.id])).stdout)).toEqual({ revoked: created.id });
    expect((await fetch(`${s.url}/api/v1/organisations/${org}/members`, { headers: { authorization: `Bearer ${created.token}` } })).status).toBe(401);

    const me = await vg(['account', '--json', 'me']);
    expect(JSON.parse(me.stdout)).toMatchObject({ user: { email: 'kiva@example.fi', language: 'fi' }, memberships: [{ role: 'admin' }] });
    const out = await vg(['account', '--json', 'signout', '--everywhere']);
    expect(JSON.parse(out.stdout)).toEqual({ signedOut: 1 });
    expect(readFileSync(file, 'utf8')).toMatch(/session_token = \n/);
    expect((await vg(['account', 'me'])).stderr).toContain('not signed in');
    const old = await fetch(`${s.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(old.status).toBe(401);
  });

  it("prints a refusal's remedy, and the wait of a throttled sign-in (Retry-After)", async () => {
    const wrong = await vg(['account', 'signin', '--email', 'kiva@example.fi'], 'still not the right password');
    expect(wrong.stderr).toContain('SIGN_IN_FAILED');
    expect(wrong.stderr).toContain('\n  Check the email and password');
    let throttled = wrong;
    for (let i = 0; i < 8 && !throttled.stderr.includes('SIGN_IN_THROTTLED'); i++) throttled = await vg(['account', 'signin', '--email', 'kiva@example.fi'], 'still not the right password');
    expect(throttled.code).toBe(1);
    expect(throttled.stderr).toContain('SIGN_IN_THROTTLED');
    expect(throttled.stderr).toContain('\n  Wait the seconds given in Retry-After');
    const wait = Number(/\n {2}retry in (\d+) s\n/.exec(throttled.stderr)?.[1]);
    expect(wait).toBeGreaterThan(0);
    const json = await vg(['account', '--json', 'signin', '--email', 'kiva@example.fi'], 'still not the right password');
    expect(JSON.parse(json.stdout)).toMatchObject({ code: 'SIGN_IN_THROTTLED', remedy: expect.any(String), retryAfterS: expect.any(Number) });
  });
  it('a platform operator without TOTP is held: the CLI prints TOTP_REQUIRED with why and the remedy, then enrols', async () => {
    const password = 'operaattorin oma pitkä salalause';
    const created = await fetch(`${s.url}/api/v1/admin/operators`, {
      method: 'POST', headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ops@example.fi', displayName: 'Ops', password }),
    });
    expect(created.status).toBe(201);
    expect((await vg(['profile', 'set', '--profile', 'ops', '--url', s.url])).code).toBe(0);
    const signin = await vg(['account', '--profile', 'ops', 'signin', '--email', 'ops@example.fi'], password);
    expect(signin.code, signin.stderr).toBe(0);
    const held = await vg(['account', '--profile', 'ops', 'tokens', 'ls']);
    expect(held.code).toBe(1);
    expect(held.stderr).toContain('TOTP_REQUIRED');
    expect(held.stderr).toContain('A platform operator needs a second factor');
    expect(held.stderr).toContain('\n  At sign-in, send the 6-digit code');
    expect(held.stderr).toContain('vaultgate account totp enrol');
    const enrol = JSON.parse((await vg(['account', '--profile', 'ops', '--json', 'totp', 'enrol'])).stdout);
    expect((await vg(['account', '--profile', 'ops', 'totp', 'confirm', totpCode(enrol.secret, Date.now())])).code).toBe(0);
    const free = await vg(['account', '--profile', 'ops', 'tokens', 'ls']);
    expect(free.code, free.stderr).toBe(0);
  });
});
