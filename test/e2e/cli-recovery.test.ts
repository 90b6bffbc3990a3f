import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/server/services/accounts/totp.js';
import { resetLinkParts } from '../../src/cli/recovery-commands.js';
import { apiCall, registerOrganisation } from '../helpers/organisations.js';
import { CLI, startTestServer, tempDir, type TestServer } from '../helpers/servers.js';

const run = promisify(execFile);

/*
 * The recovery CLI (issue 14) as a process against a real server: the operator issues a password-reset link (printed
 * without SMTP) and resets a TOTP; the person sets a new password with the link; a member replaces their authenticator;
 * an organisation's admin resets a member's TOTP.
 */
describe('vaultgate admin users, account password-reset, totp replace, members reset-totp', () => {
  let s: TestServer;
  const home = tempDir();
  let env: Record<string, string>;
  const vg = async (args: string[], extra: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> =>
    run(process.execPath, [CLI, ...args], { env: { ...env, ...extra } }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  const PASSWORD = 'komentorivin salasana on pitkä';
  beforeAll(async () => {
    s = await startTestServer();
    env = { PATH: process.env.PATH ?? '', XDG_CONFIG_HOME: home, VAULTGATE_URL: s.url, VAULTGATE_ADMIN_TOKEN: s.adminToken };
  });
  afterAll(async () => {
    await s.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('reads the server and token from a reset link, or takes a bare token', () => {
    expect(resetLinkParts('https://vg.example.fi/base/api/v1/password-reset/vgr_abc', 'x')).toEqual({ url: 'https://vg.example.fi/base', token: 'vgr_abc' });
    expect(resetLinkParts('vgr_abc', 'http://127.0.0.1:8080')).toEqual({ url: 'http://127.0.0.1:8080', token: 'vgr_abc' });
  });

  it('the operator issues a link, the person sets a new password with it; TOTP reset and replacement', async () => {
    const org = await registerOrganisation(s.url, s.adminToken, { kind: 'company', email: 'iida@cli.test', businessId: '1967543-8', password: PASSWORD });
    const issued = await vg(['admin', 'users', 'password-reset', org.userId]);
    expect(issued.code, issued.stderr).toBe(0);
    expect(issued.stderr).toContain('no mail server is configured');
    const link = /link: (\S+)/.exec(issued.stdout)![1]!;
    const NEW = 'ja uusi salasana on vielä pidempi';
    const short = await vg(['account', '--json', 'password-reset', link], { VAULTGATE_PASSWORD: 'lyhyt' });
    expect(short.code).toBe(1);
    expect(JSON.parse(short.stdout).code).toBe('PASSWORD_TOO_SHORT');
    // No password (empty standard input): the usage error register gives, exit 2.
    const none = run(process.execPath, [CLI, 'account', 'password-reset', link], { env });
    none.child.stdin?.end();
    const noPassword = await none.then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toContain('no password on standard input (or set VAULTGATE_PASSWORD)');
    const done = await vg(['account', 'password-reset', link], { VAULTGATE_PASSWORD: NEW });
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).toContain('vaultgate account signin');
    const again = await vg(['account', '--json', 'password-reset', link], { VAULTGATE_PASSWORD: NEW });
    expect(JSON.parse(again.stdout).code).toBe('PASSWORD_RESET_INVALID');

    // Sign in with the new password; enrol; replace the authenticator with a current code of it.
    expect((await vg(['account', 'signin', '--email', 'iida@cli.test'], { VAULTGATE_PASSWORD: NEW })).code).toBe(0);
    const enrol = JSON.parse((await vg(['account', '--json', 'totp', 'enrol'])).stdout);
    expect((await vg(['account', 'totp', 'confirm', totpCode(enrol.secret, Date.now())])).code).toBe(0);
    const replaced = await vg(['account', '--json', 'totp', 'replace', totpCode(enrol.secret, Date.now() + 30_000)]);
    expect(replaced.code, replaced.stdout + replaced.stderr).toBe(0);
    const fresh = JSON.parse(replaced.stdout);
    expect(fresh.otpauthUri).toContain(fresh.secret);
    expect((await vg(['account', 'totp', 'confirm', totpCode(fresh.secret, Date.now())])).code).toBe(0);

    // The admin resets a member's authenticator; the operator resets the admin's.
    const inv = await apiCall(s.url, 'POST', `/organisations/${org.orgId}/invitations`, org.admin, { email: 'juho@cli.test', role: 'member' });
    const member = (await apiCall(s.url, 'POST', `/invitations/${/vgi_[^/]+/.exec(inv.body.link)![0]}/accept`, undefined, { displayName: 'Juho', password: PASSWORD })).body.userId as string;
    const juho = (await apiCall(s.url, 'POST', '/session', undefined, { email: 'juho@cli.test', password: PASSWORD, tokenInBody: true })).body.sessionToken as string;
    const e = await apiCall(s.url, 'POST', '/me/totp', juho);
    await apiCall(s.url, 'POST', '/me/totp/confirm', juho, { code: totpCode(e.body.secret, Date.now()) });
    const byAdmin = await vg(['account', '--json', 'members', 'reset-totp', member, '--org', org.orgId]);
    expect(byAdmin.code, byAdmin.stdout + byAdmin.stderr).toBe(0);
    expect(JSON.parse(byAdmin.stdout)).toMatchObject({ id: member, totpEnrolled: false });
    const byOperator = await vg(['admin', '--json', 'users', 'reset-totp', org.userId]);
    expect(byOperator.code, byOperator.stdout + byOperator.stderr).toBe(0);
    expect(JSON.parse(byOperator.stdout)).toMatchObject({ id: org.userId, totpEnrolled: false });
    // That ended the admin's sessions: the kept one is refused.
    const me = await vg(['account', 'me']);
    expect(me.code).toBe(1);
    expect(me.stderr).toContain('SESSION_REQUIRED');
  });

  it('admin --profile: an operator user resets as themselves (audited as the user); a non-operator profile is refused', async () => {
    const org = await registerOrganisation(s.url, s.adminToken, { kind: 'company', email: 'kalle@cli.test', businessId: '0112038-9', password: PASSWORD });
    expect((await vg(['admin', 'operators', 'add', '--email', 'oona@cli.test', '--display-name', 'Oona'], { VAULTGATE_PASSWORD: PASSWORD })).code).toBe(0);
    expect((await vg(['account', 'signin', '--profile', 'oona', '--email', 'oona@cli.test'], { VAULTGATE_PASSWORD: PASSWORD })).code).toBe(0);
    const enrol = JSON.parse((await vg(['account', '--profile', 'oona', '--json', 'totp', 'enrol'])).stdout);
    expect((await vg(['account', '--profile', 'oona', 'totp', 'confirm', totpCode(enrol.secret, Date.now())])).code).toBe(0);
    expect((await vg(['account', 'signin', '--profile', 'kalle', '--email', 'kalle@cli.test'], { VAULTGATE_PASSWORD: PASSWORD })).code).toBe(0);
    const oona = JSON.parse((await vg(['account', '--profile', 'oona', '--json', 'me'])).stdout).user.id as string;
    // The operator finds Kalle's id by email (any case), and the operators; adding Kalle as an operator says why not.
    const found = await vg(['admin', '--profile', 'oona', 'users', 'ls', '--email', 'KALLE@cli.test']);
    expect(found.code, found.stderr).toBe(0);
    expect(found.stdout).toMatch(/^id\s+email\s+displayName\s+platformRole\s+status\s+totpEnrolled\s+createdAt$/m);
    expect(found.stdout).toContain(org.userId);
    const ops = JSON.parse((await vg(['admin', '--json', 'users', 'ls', '--operators', '--limit', '1'])).stdout);
    expect(ops.items.map((u: { email: string }) => u.email)).toEqual(['oona@cli.test']);
    const paged = await vg(['admin', 'users', 'ls', '--limit', '1']);
    expect(paged.stdout).toMatch(/^more: --cursor \S+$/m);
    const taken = await vg(['admin', 'operators', 'add', '--email', 'kalle@cli.test', '--display-name', 'Kalle'], { VAULTGATE_PASSWORD: PASSWORD });
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('there is no promotion');
    // No admin token anywhere (neither the environment nor a data directory): the profile's session is the credential.
    const noToken = { VAULTGATE_ADMIN_TOKEN: '' };
    const issued = await vg(['admin', '--profile', 'oona', '--data-dir', home, 'users', 'password-reset', org.userId], noToken);
    expect(issued.code, issued.stderr).toBe(0);
    expect(issued.stdout).toMatch(/link: \S+/);
    const reset = await vg(['admin', '--profile', 'oona', '--json', 'users', 'reset-totp', org.userId], noToken);
    expect(JSON.parse(reset.stdout).code).toBe('STATE_CONFLICT'); // reached the server as Oona: Kalle has no authenticator
    const ev = (await s.admin('GET', '/audit?limit=1000&action=user.password-reset-issue')).body.items as { subject: string; actor: { kind: string; id?: string } }[];
    expect(ev.filter((e) => e.subject === org.userId).map((e) => e.actor)).toEqual([expect.objectContaining({ kind: 'user', id: oona })]);
    // Kalle's own profile is not an operator's: refused, even with the admin token in the environment.
    const refused = await vg(['admin', '--profile', 'kalle', '--json', 'users', 'password-reset', org.userId]);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).code).toBe('ACCOUNT_FORBIDDEN');
    // Kalle uses the link with his profile: the next step names it.
    const link = /link: (\S+)/.exec(issued.stdout)![1]!;
    const done = await vg(['account', 'password-reset', link, '--profile', 'kalle'], { VAULTGATE_PASSWORD: 'kallen uusi salasana on pitkä' });
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).toContain('every session ended: vaultgate account signin --profile kalle --email');
  });
});
