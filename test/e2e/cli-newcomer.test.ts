import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/server/services/accounts/totp.js';
import { businessIds, CLI, startTestServer, tempDir, type TestServer } from '../helpers/servers.js';

/*
 * What a newcomer ran into with the CLI (issue 14), each against a real server with the CLI as a process: accepting
 * an invitation as a new user, personal API tokens as --session-token, `admin --profile` with an operator's session,
 * invitations ls|revoke, both spellings of message types, `account me` (how signed in, TOTP, suspended
 * organisations), errors that name the command's flags, a missing password, the Postman hint of `org channels postman`.
 */
describe('vaultgate CLI: the newcomer findings', () => {
  let s: TestServer;
  const home = tempDir();
  const file = join(home, 'vaultgate', 'credentials');
  const out = tempDir();
  const [companyBid] = businessIds(2617000, 1);
  const password = 'uuden käyttäjän pitkä salalause';
  let company = '';
  let vendor = '';

  /**
   * The CLI with its own credentials file; `password` in VAULTGATE_PASSWORD; `stdin` written (else standard input is
   * closed at once, as from /dev/null); `env` added (a key set to '' is left out); `adminToken: false` leaves
   * VAULTGATE_ADMIN_TOKEN out.
   */
  const vg = (args: string[], o: { password?: string; stdin?: string; env?: Record<string, string>; adminToken?: boolean } = {}) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
      const all = {
        PATH: process.env.PATH ?? '', XDG_CONFIG_HOME: home, VAULTGATE_URL: s.url, ...(o.adminToken === false ? {} : { VAULTGATE_ADMIN_TOKEN: s.adminToken }),
        ...(o.password ? { VAULTGATE_PASSWORD: o.password } : {}), ...o.env,
      };
      const env = Object.fromEntries(Object.entries(all).filter(([, v]) => v !== '')); // '' in `o.env`: leave it out
      const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += String(d)));
      child.stderr.on('data', (d) => (stderr += String(d)));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(o.stdin ?? '');
    });
  const json = async (args: string[], o: Parameters<typeof vg>[1] = {}): Promise<any> => {
    const r = await vg(args, o);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    s = await startTestServer({ VAULTGATE_REGISTRATION_AUTO_APPROVE: 'true' });
    company = (await json(['account', '--json', 'register', '--profile', 'yritys', '--organisation-name', 'Yritys Oy', '--business-id', companyBid!, '--email', 'admin@yritys.example', '--display-name', 'Admin'], { password })).organisationId;
    vendor = (await json(['account', '--json', 'register', '--profile', 'toimittaja', '--kind', 'party', '--organisation-name', 'Toimittaja Oy', '--email', 'admin@toimittaja.example', '--display-name', 'Vendor'], { password })).organisationId;
    for (const [p, email] of [['yritys', 'admin@yritys.example'], ['toimittaja', 'admin@toimittaja.example']]) {
      expect((await vg(['account', 'signin', '--profile', p!, '--email', email!], { password })).code).toBe(0);
    }
  });
  afterAll(async () => {
    await s.stop();
    rmSync(home, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it('register without a password is a usage error that says where the password goes', async () => {
    const r = await vg(['account', 'register', '--organisation-name', 'Ei Salasanaa Oy', '--business-id', businessIds(2618000, 1)[0]!, '--email', 'ei@salasanaa.example', '--display-name', 'Ei']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no password on standard input (or set VAULTGATE_PASSWORD)');
    // From standard input it works (the first line).
    const ok = await vg(['account', '--json', 'register', '--kind', 'party', '--organisation-name', 'Stdin Oy', '--email', 'stdin@salasanaa.example', '--display-name', 'Stdin'], { stdin: `${password}\n` });
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('accept: a new user is told what to give, a new --profile is created, the next step is printed; invitations ls and revoke', async () => {
    const invited = await vg(['account', '--profile', 'yritys', 'invite', 'uusi@yritys.example', '--org', company, '--role', 'member']);
    expect(invited.code, invited.stderr).toBe(0);
    const link = /^link: (\S+)$/m.exec(invited.stdout)![1]!;

    const bare = await vg(['account', '--profile', 'uusi', 'accept', link]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('new user: pass --display-name and the password on stdin or VAULTGATE_PASSWORD');
    expect(bare.stderr).not.toContain('not signed in');

    const accepted = await vg(['account', '--profile', 'uusi', 'accept', link, '--display-name', 'Uusi'], { password });
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stdout).toMatch(/^role\s+member$/m);
    expect(accepted.stderr).toContain(`profile "uusi" created in ${file} (url ${s.url})`);
    expect(accepted.stderr).toContain('accepted: you are member in Yritys Oy; next, sign in: vaultgate account signin --profile uusi --email uusi@yritys.example');
    expect((await vg(['account', 'signin', '--profile', 'uusi', '--email', 'uusi@yritys.example'], { password, env: { VAULTGATE_URL: '' } })).code).toBe(0);

    // An existing user not signed in is told to sign in as the invited email.
    const second = /^link: (\S+)$/m.exec((await vg(['account', '--profile', 'toimittaja', 'invite', 'uusi@yritys.example', '--org', vendor])).stdout)![1]!;
    const other = await vg(['account', 'accept', second]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('uusi@yritys.example has an account: sign in as it first (vaultgate account signin --email uusi@yritys.example)');

    const ls = await vg(['account', '--profile', 'toimittaja', 'invitations', 'ls', '--org', vendor]);
    expect(ls.stdout).toMatch(/^id\s+email\s+role\s+createdAt\s+expiresAt\s+acceptedAt\s+revokedAt$/m);
    const id = /^(\S+)\s+uusi@yritys\.example\s+member\s/m.exec(ls.stdout)![1]!;
    const revoked = await vg(['account', '--profile', 'toimittaja', '--json', 'invitations', 'revoke', id, '--org', vendor]);
    expect(JSON.parse(revoked.stdout)).toEqual({ revoked: id, organisationId: vendor });
    const items = (await json(['account', '--profile', 'toimittaja', '--json', 'invitations', 'ls', '--org', vendor])).items;
    expect(items).toEqual([expect.objectContaining({ id, revokedAt: expect.any(String), acceptedAt: null })]);
    const dead = await vg(['account', '--profile', 'uusi', 'accept', second]);
    expect(dead.code).toBe(1);
    expect(dead.stderr).toContain('INVITATION_INVALID');
  });

  it('a personal API token works as --session-token / VAULTGATE_SESSION_TOKEN; account me says how, and shows TOTP and suspension', async () => {
    const token = (await json(['account', '--profile', 'yritys', '--json', 'tokens', 'create', '--org', company, '--name', 'ci', '--role', 'viewer'])).token as string;
    expect(token).toMatch(/^vgp_/);
    const shown = await json(['org', '--org', company, '--json', 'show'], { env: { VAULTGATE_SESSION_TOKEN: token } });
    expect(shown).toMatchObject({ id: company, name: 'Yritys Oy' });
    const me = await vg(['account', 'me', '--session-token', token]);
    expect(me.code, me.stderr).toBe(0);
    expect(me.stdout).toMatch(/^via\s+api-token$/m);
    expect(me.stdout).toMatch(/^totpEnrolmentRequired\s+false$/m);
    expect(me.stdout).toMatch(/^organisationId\s+name\s+role\s+status$/m);
    expect(me.stdout).toMatch(new RegExp(`^${company}\\s+Yritys Oy\\s+viewer\\s+active$`, 'm'));
    expect((await vg(['account', '--profile', 'yritys', 'me'])).stdout).toMatch(/^via\s+session$/m);
    const help = await vg(['org', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('a session token or a personal API token');

    // Requiring TOTP holds the member who has none; suspension shows in the table. The admin has none either, so
    // may not require it (it would lock them out); the operator does.
    const lockout = await vg(['org', '--profile', 'yritys', '--org', company, 'require-totp', 'on']);
    expect(lockout.code).toBe(1);
    expect(lockout.stderr).toContain('TOTP_ENROLMENT_FIRST');
    expect((await vg(['org', '--org', company, 'require-totp', 'on', '--session-token', s.adminToken])).code).toBe(0);
    const held = await vg(['account', '--profile', 'uusi', 'me']);
    expect(held.stdout).toMatch(/^totpEnrolmentRequired\s+true$/m);
    expect(held.stderr).toContain('a TOTP second factor is required of you: vaultgate account totp enrol --profile uusi');
    // The admin is held too (no TOTP of their own): the operator lifts the requirement.
    expect((await vg(['org', '--org', company, 'require-totp', 'off', '--session-token', s.adminToken])).code).toBe(0);
    expect((await vg(['admin', 'organisations', 'suspend', company])).code).toBe(0);
    const suspended = await vg(['account', '--profile', 'uusi', 'me']);
    expect(suspended.stdout).toMatch(new RegExp(`^${company}\\s+Yritys Oy\\s+member\\s+SUSPENDED$`, 'm'));
    expect(suspended.stderr).toContain(`${company} (Yritys Oy) is suspended`);
    expect((await vg(['admin', 'organisations', 'reinstate', company])).code).toBe(0);
  });

  it('admin --profile uses an operator user\'s session (no token, no admin-token file)', async () => {
    expect((await vg(['admin', 'operators', 'add', '--email', 'op@vaultgate.example', '--display-name', 'Op'], { password })).code).toBe(0);
    expect((await vg(['account', 'signin', '--profile', 'op', '--email', 'op@vaultgate.example'], { password })).code).toBe(0);
    const enrol = await json(['account', '--profile', 'op', '--json', 'totp', 'enrol']);
    expect((await vg(['account', '--profile', 'op', 'totp', 'confirm', totpCode(enrol.secret, Date.now())])).code).toBe(0);

    const noToken = await vg(['admin', '--data-dir', out, 'organisations', 'ls'], { adminToken: false });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('No admin token');
    // The profile's URL too: VAULTGATE_URL unset.
    const ls = await vg(['admin', '--profile', 'op', '--data-dir', out, 'organisations', 'ls'], { adminToken: false, env: { VAULTGATE_URL: '' } });
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout).toContain('Yritys Oy');
    // A flag before the environment: --profile wins over VAULTGATE_ADMIN_TOKEN, --token over --profile.
    const regs = await json(['admin', '--profile', 'op', '--json', 'registrations', 'ls'], { env: { VAULTGATE_ADMIN_TOKEN: 'wrong' } });
    expect(regs.items.length).toBeGreaterThan(0);
    expect((await vg(['admin', '--profile', 'op', '--token', 'wrong', 'registrations', 'ls'])).code).toBe(1);
    const empty = await vg(['admin', '--profile', 'uusi-ei-ole', 'organisations', 'ls']);
    expect(empty.stderr).toContain('no profile "uusi-ei-ole"');
    expect(existsSync(join(out, 'admin-token'))).toBe(false);
  });

  it('message types as Name=… or Name:…; errors name the flags; the Postman hint names vaultgate postman export in full', async () => {
    const request = await json(['org', '--profile', 'toimittaja', '--org', vendor, '--json', 'channels', 'request', '--business-id', companyBid!, '--type', 'TransportOrder=application/json,application/xml', '--type', 'Rahtikirja:text/csv']);
    expect(request.messageTypes).toEqual([{ name: 'TransportOrder', mediaTypes: ['application/json', 'application/xml'] }, { name: 'Rahtikirja', mediaTypes: ['text/csv'] }]);
    const approved = await json(['org', '--profile', 'yritys', '--org', company, '--json', 'channels', 'approve', request.id, '--type', 'TransportOrder=application/json']);
    expect(approved.grantedMessageTypes).toEqual([{ name: 'TransportOrder', mediaTypes: ['application/json'] }]);
    const bad = await vg(['org', '--profile', 'toimittaja', '--org', vendor, 'channels', 'request', '--business-id', companyBid!, '--type', 'TransportOrder']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Name=media/type[,media/type…] or Name:media/type');
    // The admin command takes both spellings through the same parser.
    const co = await json(['admin', '--json', 'company', 'create', '--name', 'Admin Oy', '--business-id', businessIds(2619000, 1)[0]!]);
    const tp = await json(['admin', '--json', 'party', 'create', '--name', 'Admin Vendor']);
    const ch = await json(['admin', '--json', 'channel', 'create', '--company', co.id, '--party', tp.id, '--message-type', 'TransportOrder:application/json', '--message-type', 'Rahtikirja=text/csv']);
    expect(ch.messageTypes.map((t: { name: string; mediaTypes: string[] }) => `${t.name}:${t.mediaTypes.join(',')}`)).toEqual(['TransportOrder:application/json', 'Rahtikirja:text/csv']);

    // Validation problems name the command's flags, not the API's fields.
    const customer = await json(['org', '--profile', 'yritys', '--org', company, '--json', 'credentials', 'create', '--kind', 'customer', '--name', 'x']);
    const rotate = await vg(['org', '--profile', 'yritys', '--org', company, 'credentials', 'rotate', customer.customerId, '--overlap-hours', '500']);
    expect(rotate.code).toBe(1);
    expect(rotate.stderr).toContain('--overlap-hours');
    expect(rotate.stderr).not.toContain('overlapHours');
    const rotateJson = await vg(['org', '--profile', 'yritys', '--org', company, '--json', 'credentials', 'rotate', customer.customerId, '--overlap-hours', '500']);
    expect(JSON.parse(rotateJson.stdout).detail).toContain('body/overlapHours'); // the JSON stays as the server sent it
    const days = await vg(['account', '--profile', 'yritys', 'tokens', 'create', '--org', company, '--name', 'y', '--expires-in-days', '999']);
    expect(days.code).toBe(1);
    expect(days.stderr).toContain('--expires-in-days');
    expect(days.stderr).not.toContain('expiresInDays');
    const noBid = await vg(['account', 'register', '--organisation-name', 'Ilman Oy', '--email', 'ilman@tunnusta.example', '--display-name', 'I'], { password });
    expect(noBid.code).toBe(1);
    expect(noBid.stderr).toContain('--business-id');
    expect(noBid.stderr).not.toMatch(/\bbusinessId\b/);

    const postman = await vg(['org', '--profile', 'toimittaja', '--org', vendor, 'channels', 'postman', approved.channelId, '--out', out]);
    expect(postman.code, postman.stderr).toBe(0);
    expect(postman.stderr).toContain(`vaultgate postman export --profile <profile> --channel ${approved.channelId} --message-type 'TransportOrder:application/json' --auth mac --out ${out} --with-secrets`);
    expect(readFileSync(join(out, `${approved.channelId}.postman_collection.json`), 'utf8')).toContain('TransportOrder');
  });
});
