/**
 * `vaultgate account …` (a person's account: register, sign in, sign out, who am I) and `vaultgate admin
 * registrations …` (the operator's decisions), over /api/v1 (issue 14). The session token is kept in the profile of
 * the credentials file (`session_token`, mode 0600) like the other credentials; the CLI signs in with
 * `tokenInBody`, so it sends the token as a bearer and needs no CSRF token.
 */
import { Command, Option } from 'commander';
import { acceptLanguageOf, notSignedIn, resolvedValues, withClientOptions } from './client-options.js';
import { adminSettings, ApiError, resolveToken, retryAfterOf, type FieldFlags } from './admin-client.js';
import { printJson, printRecord, printPage, printTable } from './output.js';
import { oidcSignIn } from './oidc-signin.js';
import { accountHint, createProfileIfNew, totpEnrolHint, writeProfile } from './profiles.js';
import { orgOf, withOrgOption } from './org-option.js';
import { adminOrganisationCommands, registerPeopleCommands } from './people-commands.js';

/** What a call to /api/v1 sends besides method and path; `flags` names the command's flags for the API's fields in errors. */
export interface ApiCallOptions { bearer?: string | undefined; body?: unknown; acceptLanguage?: string | undefined; flags?: FieldFlags }

/** A call to /api/v1 (JSON in and out); ApiError for an error answer. */
export async function api(url: string, method: string, path: string, o: ApiCallOptions = {}): Promise<any> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (o.bearer) headers.authorization = `Bearer ${o.bearer}`;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  if (o.acceptLanguage) headers['accept-language'] = o.acceptLanguage;
  let res: Response;
  try {
    res = await fetch(`${url.replace(/\/+$/, '')}/api/v1${path}`, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
  } catch (err) {
    throw new Error(`Cannot reach ${url}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
  }
  const text = await res.text();
  const parsed = text ? JSON.parse(text) : {};
  if (!res.ok) throw new ApiError(res.status, parsed as Record<string, unknown>, retryAfterOf(res), o.flags);
  return parsed;
}

/**
 * The password: VAULTGATE_PASSWORD, else the first line of standard input (never a flag: it would show in `ps`). None
 * is a usage error of `cmd` (exit 2).
 */
export async function password(cmd: Command): Promise<string> {
  if (process.env.VAULTGATE_PASSWORD) return process.env.VAULTGATE_PASSWORD;
  const none = (): never => cmd.error('error: no password on standard input (or set VAULTGATE_PASSWORD)', { exitCode: 2, code: 'vaultgate.noPassword' });
  if (process.stdin.isTTY) none();
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  const line = text.split(/\r?\n/)[0] ?? '';
  if (line === '') none();
  return line;
}

const out = (json: boolean | undefined, r: Record<string, unknown>): void => (json ? printJson(r) : printRecord(r));

export function accountCommand(): Command {
  const account = withClientOptions(new Command('account').description('your account: register an organisation, sign in and out (/api/v1)'), ['url', 'language', 'sessionToken'])
    .option('--json', 'print JSON');
  /** The settings; `mayBeNew`: a command that creates the profile it is given (register, signin) does not need it to exist. */
  const settings = (cmd: Command, mayBeNew = false) => {
    const v = resolvedValues(cmd, process.env, { mayBeNew });
    return { url: v.url ?? 'http://127.0.0.1:8080', sessionToken: v.sessionToken || undefined, ...acceptLanguageOf(v), profile: cmd.optsWithGlobals<{ profile?: string }>().profile ?? 'default', json: cmd.optsWithGlobals<{ json?: boolean }>().json };
  };
  const signedIn = (cmd: Command) => {
    const s = settings(cmd);
    if (!s.sessionToken) throw notSignedIn(s.profile);
    return s;
  };

  account.command('register').description('register a company or software vendor with yourself as its admin (password on stdin or VAULTGATE_PASSWORD)')
    .addOption(new Option('--kind <kind>', 'company, party (software vendor) or both').choices(['company', 'party', 'both']).default('company'))
    .requiredOption('--organisation-name <name>').option('--business-id <id>', 'required for a company, e.g. 1967543-8')
    .requiredOption('--email <email>').requiredOption('--display-name <name>')
    .addOption(new Option('--user-language <lang>', 'your preferred language').choices(['en', 'fi', 'sv']).default('en'))
    .action(async (o: Record<string, string>, cmd: Command) => {
      const s = settings(cmd, true);
      const r = await api(s.url, 'POST', '/registrations', {
        acceptLanguage: s.acceptLanguage,
        body: { kind: o.kind, organisationName: o.organisationName, ...(o.businessId ? { businessId: o.businessId } : {}), email: o.email, displayName: o.displayName, language: o.userLanguage, password: await password(cmd) },
        flags: { kind: '--kind', organisationName: '--organisation-name', businessId: '--business-id', email: '--email', displayName: '--display-name', language: '--user-language' },
      });
      out(s.json, r);
      // A new profile gets the server URL, so that `account signin --profile …` finds the server.
      const file = createProfileIfNew(process.env, s.profile, s.url);
      if (file && !s.json) process.stderr.write(`profile "${s.profile}" created in ${file} (url ${s.url})\n`);
      if (!s.json && r.status === 'pending') process.stderr.write(`pending: an operator approves the registration; then sign in with ${accountHint(s.profile, 'signin', `--email ${o.email}`)}\n`);
    });

  account.command('signin').description('sign in (password on stdin or VAULTGATE_PASSWORD, or --oidc in a browser); keeps the session in the profile')
    .option('--email <email>', 'your email (with --oidc: its domain chooses the provider)').option('--totp <code>', 'the code of your authenticator app, once enrolled')
    .option('--oidc', "sign in through your organisation's OpenID Connect provider: prints a URL to open, waits on a loopback redirect")
    .option('--provider <id>', 'with --oidc: the provider by name instead of by email domain')
    .option('--timeout-s <seconds>', 'with --oidc: how long to wait for the browser', '300')
    .action(async (o: { email?: string; totp?: string; oidc?: boolean; provider?: string; timeoutS: string }, cmd: Command) => {
      const s = settings(cmd, true);
      let r: { user: Record<string, unknown>; expiresAt: string; sessionToken: string };
      if (o.oidc) {
        if (!o.email && !o.provider) throw new Error('--oidc needs --email or --provider');
        r = await oidcSignIn(s.url, { email: o.email, provider: o.provider, timeoutMs: Number(o.timeoutS) * 1000, acceptLanguage: s.acceptLanguage });
      } else {
        if (!o.email) throw new Error('--email is required (or sign in with --oidc)');
        r = await api(s.url, 'POST', '/session', { acceptLanguage: s.acceptLanguage, body: { email: o.email, password: await password(cmd), ...(o.totp ? { totp: o.totp } : {}), tokenInBody: true } });
      }
      const file = writeProfile(process.env, s.profile, { url: s.url, sessionToken: r.sessionToken });
      const shown = { ...r.user, expiresAt: r.expiresAt };
      out(s.json, shown);
      if (s.json) return;
      process.stderr.write(`signed in; session kept in ${file} [${s.profile}]\n`);
      // Whether a second factor must be enrolled first (the sign-in answer does not say); a failure here is no failure of the sign-in.
      const me = await api(s.url, 'GET', '/me', { bearer: r.sessionToken, acceptLanguage: s.acceptLanguage }).catch(() => undefined);
      if (me?.totpEnrolmentRequired) process.stderr.write(`${totpEnrolHint(s.profile)}\n`);
    });

  account.command('signout').description('sign out this session, or with --everywhere every session of yours')
    .option('--everywhere', 'sign out every session (other devices and browsers too)')
    .action(async (o: { everywhere?: boolean }, cmd: Command) => {
      const s = signedIn(cmd);
      const r = await api(s.url, 'DELETE', o.everywhere ? '/sessions' : '/session', { bearer: s.sessionToken, acceptLanguage: s.acceptLanguage });
      writeProfile(process.env, s.profile, { sessionToken: '' });
      out(s.json, o.everywhere ? r : { signedOut: 1 });
    });

  account.command('me').description('who you are signed in as: organisations and roles')
    .action(async (_o: unknown, cmd: Command) => {
      const s = signedIn(cmd);
      const r = await api(s.url, 'GET', '/me', { bearer: s.sessionToken, acceptLanguage: s.acceptLanguage });
      if (s.json) return printJson(r);
      printRecord({ ...r.user, totpEnrolmentRequired: r.totpEnrolmentRequired, via: r.via });
      printTable(r.memberships.map((m: any) => ({ organisationId: m.organisationId, name: m.organisation.name, role: m.role, status: m.organisation.status === 'suspended' ? 'SUSPENDED' : m.organisation.status })), ['organisationId', 'name', 'role', 'status']);
      for (const m of r.memberships.filter((x: any) => x.organisation.status === 'suspended')) {
        process.stderr.write(`${m.organisationId} (${m.organisation.name}) is suspended: an operator reinstates it; until then its credentials and your access to it are refused\n`);
      }
      if (r.totpEnrolmentRequired) process.stderr.write(`${totpEnrolHint(s.profile)}\n`);
    });
  const totp = account.command('totp').description('a TOTP second factor (authenticator app)');
  totp.command('enrol').description('start enrolment: prints the otpauth:// URI (shown once) to add to an authenticator app')
    .action(async (_o: unknown, cmd: Command) => {
      const s = signedIn(cmd);
      out(s.json, await api(s.url, 'POST', '/me/totp', { bearer: s.sessionToken, acceptLanguage: s.acceptLanguage }));
      if (!s.json) process.stderr.write(`then: ${accountHint(s.profile, 'totp confirm', '<code shown by the app>')}\n`);
    });
  totp.command('confirm <code>').description('confirm enrolment with the current code; from then on sign-in needs --totp')
    .action(async (code: string, _o: unknown, cmd: Command) => {
      const s = signedIn(cmd);
      out(s.json, await api(s.url, 'POST', '/me/totp/confirm', { bearer: s.sessionToken, acceptLanguage: s.acceptLanguage, body: { code } }));
    });

  const tokens = account.command('tokens').description('personal API tokens: one organisation and role each, for automation');
  withOrgOption(tokens.command('create').description('create a token (printed once: store it now)'), 'the organisation it acts for (co_… or tp_…)')
    .requiredOption('--name <name>')
    .addOption(new Option('--role <role>').choices(['admin', 'member', 'viewer']).default('viewer'))
    .option('--expires-in-days <days>', '1-365 (default 90)')
    .action(async (o: { name: string; role: string; expiresInDays?: string }, cmd: Command) => {
      const organisationId = orgOf(cmd);
      const s = signedIn(cmd);
      const body = { organisationId, role: o.role, name: o.name, ...(o.expiresInDays ? { expiresInDays: Number(o.expiresInDays) } : {}) };
      out(s.json, await api(s.url, 'POST', '/me/api-tokens', { bearer: s.sessionToken, acceptLanguage: s.acceptLanguage, body, flags: { organisationId: '--org', expiresInDays: '--expires-in-days', name: '--name', role: '--role' } }));
      if (!s.json) process.stderr.write('the token above is shown once; use it as --session-token or VAULTGATE_SESSION_TOKEN (vaultgate org …, vaultgate account me)\n');
    });
  tokens.command('ls').description('your tokens (never the tokens themselves)')
    .action(async (_o: unknown, cmd: Command) => {
      const s = signedIn(cmd);
      const r = await api(s.url, 'GET', '/me/api-tokens?limit=1000', { bearer: s.sessionToken, acceptLanguage: s.acceptLanguage });
      if (s.json) return printJson(r);
      printTable(r.items, ['id', 'name', 'organisationId', 'role', 'expiresAt', 'revokedAt']);
    });
  tokens.command('revoke <tokenId>').description('revoke a token')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const s = signedIn(cmd);
      await api(s.url, 'DELETE', `/me/api-tokens/${encodeURIComponent(id)}`, { bearer: s.sessionToken, acceptLanguage: s.acceptLanguage });
      out(s.json, { revoked: id });
    });
  registerPeopleCommands(account, api, settings, signedIn, password);
  return account;
}

/** `vaultgate admin registrations ls|approve|decline`, with the operator token of the admin command. */
export function adminRegistrationCommands(admin: Command): void {
  const g = () => admin.opts<{ json?: boolean; language?: string }>();
  const call = (method: string, path: string, body?: unknown) => {
    const a = adminSettings(admin);
    return api(a.url, method, path, { bearer: resolveToken(a), body, ...acceptLanguageOf({ language: g().language }) });
  };
  const regs = admin.command('registrations').description('registrations of organisations waiting for (or given) a decision');
  regs.command('ls').description('list registrations')
    .addOption(new Option('--status <status>').choices(['pending', 'approved', 'declined']))
    .option('--limit <n>').option('--cursor <cursor>')
    .action(async (o: { status?: string; limit?: string; cursor?: string }) => {
      const q = new URLSearchParams(Object.entries(o).filter(([, v]) => v !== undefined) as [string, string][]);
      const r = await call('GET', `/admin/registrations${q.size ? `?${q}` : ''}`);
      if (g().json) return printJson(r);
      printPage(r, ['id', 'status', 'kind', 'organisationName', 'businessId', 'createdAt']);
    });
  for (const decision of ['approve', 'decline'] as const) {
    regs.command(`${decision} <registrationId>`).description(`${decision} a pending registration`)
      .action(async (id: string) => out(g().json, await call('POST', `/admin/registrations/${encodeURIComponent(id)}/${decision}`)));
  }
  admin.command('operators').description('platform operators (users with the operator role)')
    .command('add').description('add an operator user (password on stdin or VAULTGATE_PASSWORD); they sign in with vaultgate account signin')
    .requiredOption('--email <email>').requiredOption('--display-name <name>')
    .addOption(new Option('--user-language <lang>', 'their preferred language').choices(['en', 'fi', 'sv']).default('en'))
    .action(async (o: { email: string; displayName: string; userLanguage: string }, cmd: Command) => {
      const body = { email: o.email, displayName: o.displayName, language: o.userLanguage, password: await password(cmd) };
      out(g().json, await call('POST', '/admin/operators', body));
      if (!g().json) process.stderr.write('enrol a TOTP second factor right after the first sign-in: vaultgate account totp enrol\n');
    });
  adminOrganisationCommands(admin, call);
}
