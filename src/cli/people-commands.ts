/**
 * `vaultgate account invite|accept|members …` (an organisation's people) and `vaultgate admin organisations
 * ls|get|suspend|reinstate` (the operator), over /api/v1 (issue 14). Without SMTP configured on the server, `invite`
 * prints the invitation link (shown once) for the inviter to pass on.
 */
import { Command, Option } from 'commander';
import { list, paging } from './admin-commands.js';
import type { ApiCallOptions } from './account-commands.js';
import { printJson, printRecord, printPage, printTable } from './output.js';
import { accountHint, createProfileIfNew } from './profiles.js';
import { orgOf, withOrgOption } from './org-option.js';

type Api = (url: string, method: string, path: string, o?: ApiCallOptions) => Promise<any>;
interface Settings { url: string; sessionToken?: string | undefined; acceptLanguage?: string | undefined; json?: boolean | undefined; profile: string }

const out = (json: boolean | undefined, r: Record<string, unknown>): void => (json ? printJson(r) : printRecord(r));
const ROLES = ['admin', 'member', 'viewer'];

/** The token of an invitation link (…/api/v1/invitations/vgi_…) or the token itself. */
export const invitationToken = (linkOrToken: string): string => linkOrToken.replace(/\/+$/, '').split('/').at(-1)!.split(/[?#]/)[0]!;

export function registerPeopleCommands(
  account: Command, api: Api, settings: (cmd: Command, mayBeNew?: boolean) => Settings, signedIn: (cmd: Command) => Settings, password: (cmd: Command) => Promise<string>,
): void {
  withOrgOption(account.command('invite <email>').description("invite a person into an organisation (admin); without SMTP on the server, prints the link to pass on"))
    .addOption(new Option('--role <role>').choices(ROLES).default('member'))
    .addOption(new Option('--invitee-language <lang>', "the mail's language (default: yours)").choices(['en', 'fi', 'sv']))
    .action(async (email: string, o: { role: string; inviteeLanguage?: string }, cmd: Command) => {
      const org = orgOf(cmd);
      const s = signedIn(cmd);
      const r = await api(s.url, 'POST', `/organisations/${encodeURIComponent(org)}/invitations`, {
        bearer: s.sessionToken, acceptLanguage: s.acceptLanguage, body: { email, role: o.role, ...(o.inviteeLanguage ? { language: o.inviteeLanguage } : {}) },
        flags: { email: '<email>', role: '--role', language: '--invitee-language' },
      });
      if (s.json) return printJson(r);
      printRecord(r.invitation);
      if (r.link) process.stdout.write(`link: ${r.link}\n`);
      process.stderr.write(r.mailed ? `mailed to ${email}\n` : 'no mail server is configured: pass the link on to the person (it works once; it is not shown again)\n');
    });

  account.command('accept <link>').description('accept an invitation: a new user with --display-name (password on stdin or VAULTGATE_PASSWORD), or signed in as the invited email; with --profile, a new profile is created')
    .option('--display-name <name>', 'a new user: your name')
    .addOption(new Option('--user-language <lang>', 'a new user: your preferred language').choices(['en', 'fi', 'sv']))
    .action(async (link: string, o: { displayName?: string; userLanguage?: string }, cmd: Command) => {
      const token = encodeURIComponent(invitationToken(link));
      const s = settings(cmd, true);
      // What the link invites to, and whether its email has a user: that decides how to accept (GET needs no session).
      const about = await api(s.url, 'GET', `/invitations/${token}`, { acceptLanguage: s.acceptLanguage });
      const email = about.invitation.email as string;
      const signinHint = accountHint(s.profile, 'signin', `--email ${email}`);
      let r: Record<string, unknown>;
      if (!about.existingUser) {
        if (!o.displayName) cmd.error('error: new user: pass --display-name and the password on stdin or VAULTGATE_PASSWORD', { exitCode: 2, code: 'vaultgate.newUser' });
        const body = { displayName: o.displayName, password: await password(cmd), ...(o.userLanguage ? { language: o.userLanguage } : {}) };
        r = await api(s.url, 'POST', `/invitations/${token}/accept`, { acceptLanguage: s.acceptLanguage, body, flags: { displayName: '--display-name', language: '--user-language' } });
      } else {
        if (!s.sessionToken) throw new Error(`${email} has an account: sign in as it first (${signinHint}), then accept again`);
        r = await api(s.url, 'POST', `/invitations/${token}/accept`, { bearer: s.sessionToken, acceptLanguage: s.acceptLanguage, body: {} });
      }
      // Like register and signin: a new profile gets the server URL, so that the sign-in below finds the server.
      const file = createProfileIfNew(process.env, s.profile, s.url);
      if (file && !s.json) process.stderr.write(`profile "${s.profile}" created in ${file} (url ${s.url})\n`);
      out(s.json, r);
      if (s.json) return;
      process.stderr.write(about.existingUser
        ? `accepted: you are ${String(r.role)} in ${about.organisationName}; ${accountHint(s.profile, 'me')} lists it\n`
        : `accepted: you are ${String(r.role)} in ${about.organisationName}; next, sign in: ${signinHint}\n`);
    });

  const invitations = account.command('invitations').description("an organisation's invitations (admin): list, revoke an open one");
  withOrgOption(invitations.command('ls').description('invitations, with when each was accepted or revoked (never the links)'))
    .action(async (_o: unknown, cmd: Command) => {
      const org = orgOf(cmd);
      const s = signedIn(cmd);
      const r = await api(s.url, 'GET', `/organisations/${encodeURIComponent(org)}/invitations?limit=1000`, { bearer: s.sessionToken, acceptLanguage: s.acceptLanguage });
      if (s.json) return printJson(r);
      printTable(r.items, ['id', 'email', 'role', 'createdAt', 'expiresAt', 'acceptedAt', 'revokedAt']);
    });
  withOrgOption(invitations.command('revoke <invitationId>').description('revoke an open invitation: its link stops working'))
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const org = orgOf(cmd);
      const s = signedIn(cmd);
      await api(s.url, 'DELETE', `/organisations/${encodeURIComponent(org)}/invitations/${encodeURIComponent(id)}`, { bearer: s.sessionToken, acceptLanguage: s.acceptLanguage });
      out(s.json, { revoked: id, organisationId: org });
    });

  const members = account.command('members').description("an organisation's people (admin to change)");
  withOrgOption(members.command('ls').description('members and their roles'))
    .action(async (_o: unknown, cmd: Command) => {
      const s = signedIn(cmd);
      const r = await api(s.url, 'GET', `/organisations/${encodeURIComponent(orgOf(cmd))}/members?limit=1000`, { bearer: s.sessionToken, acceptLanguage: s.acceptLanguage });
      if (s.json) return printJson(r);
      printTable(r.items, ['userId', 'email', 'displayName', 'role', 'createdAt']);
    });
  withOrgOption(members.command('set-role <userId>').description("change a member's role (not the last admin's away from admin)"))
    .addOption(new Option('--role <role>').choices(ROLES).makeOptionMandatory())
    .action(async (userId: string, o: { role: string }, cmd: Command) => {
      const s = signedIn(cmd);
      out(s.json, await api(s.url, 'PUT', `/organisations/${encodeURIComponent(orgOf(cmd))}/members/${encodeURIComponent(userId)}`, { bearer: s.sessionToken, acceptLanguage: s.acceptLanguage, body: { role: o.role } }));
    });
  withOrgOption(members.command('rm <userId>').description('remove a member (not the last admin)'))
    .action(async (userId: string, _o: unknown, cmd: Command) => {
      const org = orgOf(cmd);
      const s = signedIn(cmd);
      await api(s.url, 'DELETE', `/organisations/${encodeURIComponent(org)}/members/${encodeURIComponent(userId)}`, { bearer: s.sessionToken, acceptLanguage: s.acceptLanguage });
      out(s.json, { removed: userId, organisationId: org });
    });
}

/** The columns of an organisation in a table. */
const ORGANISATION_COLUMNS = ['id', 'name', 'businessId', 'companyId', 'partyId', 'status', 'requireTotp', 'createdAt'];

/**
 * `vaultgate admin organisations ls|get|suspend|reinstate`, with the operator token of the admin command (`call` is
 * a call to /api/v1 with it).
 */
export function adminOrganisationCommands(admin: Command, call: (method: string, path: string) => Promise<any>): void {
  const json = () => admin.opts<{ json?: boolean }>().json;
  const orgs = admin.command('organisations').description('organisations: list, show, suspend (every credential, client, token and session stops) or reinstate');
  paging(orgs.command('ls').description('list organisations, oldest first').addOption(new Option('--status <status>').choices(['active', 'suspended'])))
    .action(async (o: { status?: string; limit?: string; cursor?: string }) => {
      const r = await call('GET', list('/admin/organisations', o, { status: o.status }));
      if (json()) return printJson(r);
      printPage(r, ORGANISATION_COLUMNS);
    });
  orgs.command('get <organisationId>').description('one organisation')
    .action(async (id: string) => out(json(), await call('GET', `/organisations/${encodeURIComponent(id)}`)));
  for (const action of ['suspend', 'reinstate'] as const) {
    orgs.command(`${action} <organisationId>`).description(`${action} an organisation`)
      .action(async (id: string) => out(json(), await call('POST', `/admin/organisations/${encodeURIComponent(id)}/${action}`)));
  }
}
