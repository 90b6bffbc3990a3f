/**
 * The way back after a forgotten password or a lost authenticator (issue 14), over /api/v1:
 * - `vaultgate admin users ls [--email …] [--operators]` (an operator: find a user's id);
 * - `vaultgate admin users reset-totp <userId>` and `… password-reset <userId>` (an operator: the admin token, or an
 *   operator user's signed-in profile with `admin --profile <name>`); without SMTP on the server, `password-reset` prints the link (shown once);
 * - `vaultgate account members reset-totp <userId> --org …` (an organisation's admin, for a member);
 * - `vaultgate account password-reset <link>` (the person; the new password on stdin or VAULTGATE_PASSWORD);
 * - `vaultgate account totp replace <current code>` (a signed-in user; then `vaultgate account totp confirm <new code>`).
 * Registered onto the `admin` and `account` commands main.ts builds.
 */
import type { Command } from 'commander';
import { api, password } from './account-commands.js';
import { adminSettings, resolveToken } from './admin-client.js';
import { acceptLanguageOf, notSignedIn, resolvedValues } from './client-options.js';
import { accountHint } from './profiles.js';
import { orgOf, withOrgOption } from './org-option.js';
import { list, paging } from './admin-commands.js';
import { printJson, printPage, printRecord } from './output.js';

const out = (json: boolean | undefined, r: Record<string, unknown>): void => (json ? printJson(r) : printRecord(r));
const sub = (parent: Command, name: string): Command => {
  const c = parent.commands.find((x) => x.name() === name);
  if (!c) throw new Error(`recovery commands: no "${parent.name()} ${name}" command to add to`);
  return c;
};

/** The server and token of a reset link (…/api/v1/password-reset/vgr_…); a bare token goes to `fallbackUrl`. */
export function resetLinkParts(link: string, fallbackUrl: string): { url: string; token: string } {
  const m = /^(.*)\/api\/v1\/password-reset\/([^/?#]+)\/?$/.exec(link.trim());
  return m ? { url: m[1]!, token: decodeURIComponent(m[2]!) } : { url: fallbackUrl, token: link.trim() };
}

export function recoveryCommands(program: Command): void {
  const admin = sub(program, 'admin');
  const account = sub(program, 'account');
  const g = () => admin.opts<{ json?: boolean; language?: string }>();
  // The same token resolution as every other `admin` command: --token, else --profile's session, else the admin token.
  const call = (method: string, path: string) => {
    const a = adminSettings(admin);
    return api(a.url, method, path, { bearer: resolveToken(a), ...acceptLanguageOf({ language: g().language }) });
  };
  const users = admin.command('users').description("users (operator): find one by email; their way back: reset their authenticator, or issue a password-reset link");
  paging(users.command('ls').description('list users, oldest first: find one by email (exact, case-insensitive), or only the operators'))
    .option('--email <email>', 'only the user with this address').option('--operators', 'only platform operators')
    .action(async (o: { email?: string; operators?: boolean; limit?: string; cursor?: string }) => {
      const r = await call('GET', list('/admin/users', o, { email: o.email, platformRole: o.operators ? 'operator' : undefined }));
      if (g().json) return printJson(r);
      printPage(r, ['id', 'email', 'displayName', 'platformRole', 'status', 'totpEnrolled', 'createdAt']);
    });
  users.command('reset-totp <userId>').description('remove the user\'s TOTP authenticator (they sign in with the password and enrol again); their sessions end')
    .action(async (userId: string) => out(g().json, await call('DELETE', `/admin/users/${encodeURIComponent(userId)}/totp`)));
  users.command('password-reset <userId>').description('issue a password-reset link (single use, expiring): mailed to the user, or printed when the server has no SMTP')
    .action(async (userId: string) => {
      const r = await call('POST', `/admin/users/${encodeURIComponent(userId)}/password-reset`);
      if (g().json) return printJson(r);
      printRecord(r.passwordReset);
      if (r.link) process.stdout.write(`link: ${r.link}\n`);
      process.stderr.write(r.mailed ? 'mailed to the user\n' : 'no mail server is configured: pass the link on to the person (it works once; it is not shown again)\n');
    });

  const settings = (cmd: Command) => {
    const v = resolvedValues(cmd, process.env, { mayBeNew: true });
    const g = cmd.optsWithGlobals<{ json?: boolean; profile?: string }>();
    return { url: v.url ?? 'http://127.0.0.1:8080', sessionToken: v.sessionToken || undefined, ...acceptLanguageOf(v), json: g.json, profile: g.profile ?? 'default' };
  };
  const signedIn = (cmd: Command) => {
    const s = settings(cmd);
    if (!s.sessionToken) throw notSignedIn(s.profile);
    return s;
  };
  account.command('password-reset <link>').description('set a new password with the link an operator issued (new password on stdin or VAULTGATE_PASSWORD); signs you out everywhere')
    .action(async (link: string, _o: unknown, cmd: Command) => {
      const s = settings(cmd);
      const { url, token } = resetLinkParts(link, s.url);
      const r = await api(url, 'POST', `/password-reset/${encodeURIComponent(token)}`, { acceptLanguage: s.acceptLanguage, body: { password: await password(cmd) } });
      out(s.json, r);
      if (!s.json) process.stderr.write(`password set; every session ended: ${accountHint(s.profile, 'signin', '--email …')}\n`);
    });
  sub(account, 'totp').command('replace <currentCode>').description('replace your authenticator: a current code of it; prints the new otpauth:// URI (shown once)')
    .action(async (code: string, _o: unknown, cmd: Command) => {
      const s = signedIn(cmd);
      out(s.json, await api(s.url, 'POST', '/me/totp', { bearer: s.sessionToken, acceptLanguage: s.acceptLanguage, body: { code } }));
      if (!s.json) process.stderr.write(`the old one works until: ${accountHint(s.profile, 'totp confirm', '<code shown by the new one>')}\n`);
    });
  withOrgOption(sub(account, 'members').command('reset-totp <userId>').description("reset a member's authenticator (admin; not an operator's, an admin's of another organisation, or yours)"))
    .action(async (userId: string, _o: unknown, cmd: Command) => {
      const s = signedIn(cmd);
      out(s.json, await api(s.url, 'DELETE', `/organisations/${encodeURIComponent(orgOf(cmd))}/members/${encodeURIComponent(userId)}/totp`, { bearer: s.sessionToken, acceptLanguage: s.acceptLanguage }));
    });
}
