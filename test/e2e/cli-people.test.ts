import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, startTestServer, tempDir, type TestServer } from '../helpers/servers.js';

const run = promisify(execFile);

/*
 * The people CLI (issue 14) against a real server without SMTP: an admin invites (the CLI prints the link), the
 * invitee accepts as a new user in another profile, the admin lists members, changes a role, removes one (not the last
 * admin); the operator suspends the organisation (the member's session is refused) and reinstates it.
 */
describe('vaultgate account invite|accept|members and admin organisations', () => {
  let s: TestServer;
  const home = tempDir();
  let env: Record<string, string>;
  const home2 = tempDir();
  /** The CLI; `uusi` runs it as the invitee, with a credentials file of their own. */
  const vg = async (args: string[], password?: string): Promise<{ code: number; stdout: string; stderr: string }> => {
    const as = args[0] === 'uusi' ? { XDG_CONFIG_HOME: home2 } : {};
    if (args[0] === 'uusi') args = args.slice(1);
    return run(process.execPath, [CLI, ...args], { env: { ...env, ...as, ...(password ? { VAULTGATE_PASSWORD: password } : {}) } }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  };
  beforeAll(async () => {
    s = await startTestServer({ VAULTGATE_REGISTRATION_AUTO_APPROVE: 'true' });
    env = { PATH: process.env.PATH ?? '', XDG_CONFIG_HOME: home, VAULTGATE_URL: s.url, VAULTGATE_ADMIN_TOKEN: s.adminToken };
  });
  afterAll(async () => {
    await s.stop();
    rmSync(home, { recursive: true, force: true });
    rmSync(home2, { recursive: true, force: true });
  });

  it('invites with the printed link, accepts, manages members, and the operator suspends and reinstates', async () => {
    const password = 'seitsemän veljestä metsässä';
    const reg = JSON.parse((await vg(['account', '--json', 'register', '--organisation-name', 'Kiva Oy', '--business-id', '1967543-8', '--email', 'kiva@example.fi', '--display-name', 'Kiva'], password)).stdout);
    const org = reg.organisationId as string;
    expect((await vg(['account', 'signin', '--email', 'kiva@example.fi'], password)).code).toBe(0);

    const invited = await vg(['account', 'invite', 'uusi@example.fi', '--org', org, '--role', 'member']);
    expect(invited.code, invited.stderr).toBe(0);
    expect(invited.stderr).toContain('no mail server is configured');
    const link = /^link: (\S+)$/m.exec(invited.stdout)![1]!;
    expect(link).toMatch(new RegExp(`^${s.url}/api/v1/invitations/vgi_`));

    const accepted = await vg(['uusi', 'account', '--json', 'accept', link, '--display-name', 'Uusi', '--user-language', 'sv'], 'kahdeksan kissaa kiipeää puuhun');
    expect(accepted.code, accepted.stderr).toBe(0);
    const uusi = JSON.parse(accepted.stdout);
    expect(uusi).toMatchObject({ organisationId: org, role: 'member' });
    const again = await vg(['uusi', 'account', 'accept', link, '--display-name', 'Uusi'], 'kahdeksan kissaa kiipeää puuhun');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('INVITATION_INVALID');
    expect((await vg(['uusi', 'account', 'signin', '--email', 'uusi@example.fi'], 'kahdeksan kissaa kiipeää puuhun')).code).toBe(0);

    const ls = await vg(['account', 'members', 'ls', '--org', org]);
    expect(ls.stdout).toContain('uusi@example.fi');
    const me = JSON.parse((await vg(['account', '--json', 'me'])).stdout);
    const last = await vg(['account', 'members', 'set-role', me.user.id, '--org', org, '--role', 'viewer']);
    expect(last.code).toBe(1);
    expect(last.stderr).toContain('LAST_ADMIN');
    expect(JSON.parse((await vg(['account', '--json', 'members', 'set-role', uusi.userId, '--org', org, '--role', 'viewer'])).stdout)).toMatchObject({ role: 'viewer' });

    expect(JSON.parse((await vg(['admin', '--json', 'organisations', 'suspend', org])).stdout)).toMatchObject({ id: org, status: 'suspended' });
    const refused = await vg(['uusi', 'account', 'members', 'ls', '--org', org]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('ORGANISATION_SUSPENDED');
    expect(JSON.parse((await vg(['admin', '--json', 'organisations', 'reinstate', org])).stdout)).toMatchObject({ status: 'active' });
    expect((await vg(['uusi', 'account', 'members', 'ls', '--org', org])).code).toBe(0);

    expect(JSON.parse((await vg(['account', '--json', 'members', 'rm', uusi.userId, '--org', org])).stdout)).toEqual({ removed: uusi.userId, organisationId: org });
    expect((await vg(['uusi', 'account', 'members', 'ls', '--org', org])).stderr).toContain('ACCOUNT_FORBIDDEN');
  });
});
