/**
 * `vaultgate account invite|accept|members …` (an organisation's people) and `vaultgate admin organisations
 * suspend|reinstate` (the operator), over /api/v1 (issue 14). Without SMTP configured on the server, `invite` prints
 * the invitation link (shown once) for the inviter to pass on.
 */
import { Command, Option } from 'commander';
import { resolveToken } from './admin-client.js';
import { printJson, printRecord, printTable } from './output.js';

type Api = (url: string, method: string, path: string, o?: { bearer?: string | undefined; body?: unknown; acceptLanguage?: string | undefined }) => Promise<any>;
interface Settings { url: string; sessionToken?: string | undefined; acceptLanguage?: string | undefined; json?: boolean | undefined }

const out = (json: boolean | undefined, r: Record<string, unknown>): void => (json ? printJson(r) : printRecord(r));
const ROLES = ['admin', 'member', 'viewer'];

/** The token of an invitation link (…/api/v1/invitations/vgi_…) or the token itself. */
export const invitationToken = (linkOrToken: string): string => linkOrToken.replace(/\/+$/, '').split('/').at(-1)!.split(/[?#]/)[0]!;

export function registerPeopleCommands(
  account: Command, api: Api, settings: (cmd: Command) => Settings, signedIn: (cmd: Command) => Settings, password: () => Promise<string>,
): void {
  account.command('invite <email>').description("invite a person into an organisation (admin); without SMTP on the server, prints the link to pass on")
    .requiredOption('--org <id>', 'organisation id (co_… or tp_…)')
    .addOption(new Option('--role <role>').choices(ROLES).default('member'))
    .addOption(new Option('--invitee-language <lang>', "the mail's language (default: yours)").choices(['en', 'fi', 'sv']))
    .action(async (email: string, o: { org: string; role: string; inviteeLanguage?: string }, cmd: Command) => {
      const s = signedIn(cmd);
      const r = await api(s.url, 'POST', `/organisations/${encodeURIComponent(o.org)}/invitations`, {
        bearer: s.sessionToken, acceptLanguage: s.acceptLanguage, body: { email, role: o.role, ...(o.inviteeLanguage ? { language: o.inviteeLanguage } : {}) },
      });
      if (s.json) return printJson(r);
      printRecord(r.invitation);
      if (r.link) process.stdout.write(`link: ${r.link}\n`);
      process.stderr.write(r.mailed ? `mailed to ${email}\n` : 'no mail server is configured: pass the link on to the person (it works once; it is not shown again)\n');
    });

  account.command('accept <link>').description('accept an invitation: signed in as the invited email, or as a new user with --display-name (password on stdin or VAULTGATE_PASSWORD)')
    .option('--display-name <name>', 'a new user: your name')
    .addOption(new Option('--user-language <lang>', 'a new user: your preferred language').choices(['en', 'fi', 'sv']))
    .action(async (link: string, o: { displayName?: string; userLanguage?: string }, cmd: Command) => {
      const path = `/invitations/${encodeURIComponent(invitationToken(link))}/accept`;
      if (o.displayName) {
        const s = settings(cmd);
        const body = { displayName: o.displayName, password: await password(), ...(o.userLanguage ? { language: o.userLanguage } : {}) };
        return out(s.json, await api(s.url, 'POST', path, { acceptLanguage: s.acceptLanguage, body }));
      }
      const s = signedIn(cmd);
      out(s.json, await api(s.url, 'POST', path, { bearer: s.sessionToken, acceptLanguage: s.acceptLanguage, body: {} }));
    });

  const members = account.command('members').description("an organisation's people (admin to change)");
  members.command('ls').description('members and their roles').requiredOption('--org <id>')
    .action(async (o: { org: string }, cmd: Command) => {
      const s = signedIn(cmd);
      const r = await api(s.url, 'GET', `/organisations/${encodeURIComponent(o.org)}/members?limit=1000`, { bearer: s.sessionToken, acceptLanguage: s.acceptLanguage });
      if (s.json) return printJson(r);
      printTable(r.items, ['userId', 'email', 'displayName', 'role', 'createdAt']);
    });
  members.command('set-role <userId>').description("change a member's role (not the last admin's away from admin)").requiredOption('--org <id>')
    .addOption(new Option('--role <role>').choices(ROLES).makeOptionMandatory())
    .action(async (userId: string, o: { org: string; role: string }, cmd: Command) => {
      const s = signedIn(cmd);
      out(s.json, await api(s.url, 'PUT', `/organisations/${encodeURIComponent(o.org)}/members/${encodeURIComponent(userId)}`, { bearer: s.sessionToken, acceptLanguage: s.acceptLanguage, body: { role: o.role } }));
    });
  members.command('rm <userId>').description('remove a member (not the last admin)').requiredOption('--org <id>')
    .action(async (userId: string, o: { org: string }, cmd: Command) => {
      const s = signedIn(cmd);
      await api(s.url, 'DELETE', `/organisations/${encodeURIComponent(o.org)}/members/${encodeURIComponent(userId)}`, { bearer: s.sessionToken, acceptLanguage: s.acceptLanguage });
      out(s.json, { removed: userId, organisationId: o.org });
    });
}

/** `vaultgate admin organisations suspend|reinstate <id>`, with the operator token of the admin command. */
export function adminOrganisationCommands(admin: Command, api: Api): void {
  const g = () => admin.opts<{ url: string; token?: string; dataDir?: string; json?: boolean }>();
  const orgs = admin.command('organisations').description('organisations: suspend (every credential, client, token and session stops) or reinstate');
  for (const action of ['suspend', 'reinstate'] as const) {
    orgs.command(`${action} <organisationId>`).description(`${action} an organisation`)
      .action(async (id: string) => {
        const r = await api(g().url, 'POST', `/admin/organisations/${encodeURIComponent(id)}/${action}`, { bearer: resolveToken({ url: g().url, token: g().token, dataDir: g().dataDir }) });
        out(g().json, r);
      });
  }
}
