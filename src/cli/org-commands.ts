/**
 * `vaultgate org …`: an organisation's self-service over /api/v1 (issue 14), as the signed-in user (the session kept
 * by `vaultgate account signin`, or a personal API token in --session-token): the organisation itself (show, require
 * TOTP of its members), its credentials and OAuth clients (list, create, disable, rotate with an overlap window) and
 * its channels (request, approve, decline, disable, the Postman files, the Content-Digest rule) and a vendor's
 * HTTP-signature keys. Secrets are printed once, as the server
 * returns them once.
 */
import { Command, Option } from 'commander';
import { api } from './account-commands.js';
import type { FieldFlags } from './admin-client.js';
import { acceptLanguageOf, notSignedIn, resolvedValues, withClientOptions } from './client-options.js';
import { collectMessageTypes, messageTypesText, type MessageTypeAgreement } from './message-types.js';
import { list, ONCE, paging } from './admin-commands.js';
import { printJson, printPage, printRecord } from './output.js';
import { orgOf, withOrgOption } from './org-option.js';
import { postmanSecretsHint, writePostmanFiles } from './postman-commands.js';
import { integrityCommand, signatureKeysCommand, type KeysContext } from './signature-key-commands.js';
import { webhooksCommand } from './webhook-commands.js';

type Kind = 'customer' | 'partner' | 'client';
/** The fields in which the server returns a key or secret, once. */
const SECRET_FIELDS = ['customerKey', 'partnerKey', 'clientSecret'];
const PATHS: Record<Kind, string> = { customer: 'customer-credentials', partner: 'partner-credentials', client: 'clients' };
const COLUMNS: Record<Kind, string[]> = {
  customer: ['customerId', 'name', 'scopes', 'status', 'createdAt'],
  partner: ['partnerId', 'status', 'createdAt'],
  client: ['clientId', 'name', 'ownerKind', 'roles', 'authMethod', 'status'],
};

/** Which kind a credential id is, by its prefix (cid_, pid_, oc_). */
function kindOf(id: string): Kind {
  if (id.startsWith('cid_')) return 'customer';
  if (id.startsWith('pid_')) return 'partner';
  if (id.startsWith('oc_')) return 'client';
  throw new Error(`${id}: not a customer credential (cid_…), partner credential (pid_…) or OAuth client (oc_…) id`);
}


/**
 * The /api/v1 calls of an organisation command (`--org`, `--json` and the client options on it or its parents), as
 * the signed-in user: `call` under /organisations/{org} (`--org`, org-option.ts), `out` a record, `table` a page (with the
 * `more: --cursor …` hint when there is another).
 */
export function orgApi(cmd: Command) {
  const id = orgOf(cmd);
  const v = resolvedValues(cmd);
  const g = cmd.optsWithGlobals<{ json?: boolean; profile?: string }>();
  if (!v.sessionToken) throw notSignedIn(g.profile ?? 'default');
  const base = `/organisations/${encodeURIComponent(id)}`;
  const call = (method: string, path: string, body?: unknown, flags?: FieldFlags) =>
    api(v.url ?? 'http://127.0.0.1:8080', method, `${base}${path}`, { bearer: v.sessionToken, ...acceptLanguageOf(v), ...(body === undefined ? {} : { body }), ...(flags ? { flags } : {}) });
  const out = (r: Record<string, unknown>) => (g.json ? printJson(r) : printRecord(r));
  const table = (r: { items: Record<string, unknown>[]; nextCursor?: string | null }, cols: string[]) => (g.json ? printJson(r) : printPage(r, cols));
  /** A record that may carry a key or secret (shown once): says so on stderr in the human output. */
  const outSecret = (r: Record<string, unknown>) => {
    out(r);
    if (!g.json && SECRET_FIELDS.some((f) => typeof r[f] === 'string')) process.stderr.write(`${ONCE}\n`);
  };
  return { call, out, outSecret, table, json: g.json === true };
}

export function orgCommand(): Command {
  const org = withOrgOption(withClientOptions(new Command('org').description("an organisation's credentials, OAuth clients and channels (/api/v1, as the signed-in user)"), ['url', 'language', 'sessionToken']))
    .option('--json', 'print JSON');
  const ctx = orgApi;
  org.addCommand(webhooksCommand(ctx));
  // Issue 17: a vendor's HTTP-signature keys, and a channel's Content-Digest rule (either side).
  const keysCtx = (cmd: Command): KeysContext => {
    const c = ctx(cmd);
    return { call: c.call, out: c.out, table: c.table, once: (r) => { if (!c.json && typeof r.secret === 'string') process.stderr.write(`${ONCE}\n`); } };
  };
  org.addCommand(signatureKeysCommand(keysCtx, () => '/signature-keys'));

  org.command('show').description('the organisation: name, business id, status, whether it requires TOTP (any member)')
    .action(async (_o: unknown, cmd: Command) => {
      const c = ctx(cmd);
      c.out(await c.call('GET', ''));
    });
  org.command('require-totp <on|off>').description('require a TOTP second factor of the members, or stop requiring it (an admin)')
    .action(async (value: string, _o: unknown, cmd: Command) => {
      if (value !== 'on' && value !== 'off') cmd.error(`error: require-totp takes on or off, not ${value}`, { exitCode: 2, code: 'commander.invalidArgument' });
      const c = ctx(cmd);
      c.out(await c.call('PUT', '/require-totp', { required: value === 'on' }));
    });

  org.command('listing').description('the organisation\'s directory listing; with --listed, list it or not (an admin; not listed by default)')
    .addOption(new Option('--listed <listed>', 'true: found by name in vaultgate directory search; false: only by its exact business id').choices(['true', 'false']))
    .option('--description <text>', 'what others see in the directory (at most 280 characters)')
    .action(async (o: { listed?: 'true' | 'false'; description?: string }, cmd: Command) => {
      const c = ctx(cmd);
      if (o.listed === undefined && o.description !== undefined) cmd.error('error: --description needs --listed true or false', { exitCode: 2, code: 'commander.missingMandatoryOptionValue' });
      c.out(o.listed === undefined ? await c.call('GET', '/directory-listing')
        : await c.call('PUT', '/directory-listing', { listed: o.listed === 'true', ...(o.description !== undefined ? { description: o.description } : {}) }, { listed: '--listed', description: '--description' }));
    });

  const creds = org.command('credentials').description('customer credentials (a company), partner credentials (a vendor) and OAuth clients');
  const kindOption = () => new Option('--kind <kind>', 'customer, partner or client (OAuth)').choices(['customer', 'partner', 'client']).makeOptionMandatory();
  paging(creds.command('ls').description('list them, oldest first, a page at a time (never their secrets)').addOption(kindOption()))
    .action(async (o: { kind: Kind; limit?: string; cursor?: string }, cmd: Command) => {
      const c = ctx(cmd);
      c.table(await c.call('GET', list(`/${PATHS[o.kind]}`, o)), COLUMNS[o.kind]);
    });
  creds.command('create').description('create one (an admin); the key or secret is printed once: store it now').addOption(kindOption())
    .option('--name <name>', 'customer credentials and clients: a name').option('--scopes <scopes>', 'customer credentials: ingest and/or vault.read, comma-separated (default ingest)')
    .addOption(new Option('--owner <owner>', 'clients of an organisation that is both: company (reads the vault) or party (sends)').choices(['company', 'party']))
    .option('--roles <roles>', 'clients: comma-separated; vault.read (company, default) or ingest (party, default), and/or shared.read (reads vaults shared with the organisation)')
    .action(async (o: { kind: Kind; name?: string; scopes?: string; owner?: string; roles?: string }, cmd: Command) => {
      const c = ctx(cmd);
      if (o.kind !== 'partner' && !o.name) throw new Error('--name is required for a customer credential or a client');
      const body = o.kind === 'partner' ? undefined : { name: o.name, ...(o.scopes ? { scopes: o.scopes.split(',') } : {}), ...(o.owner ? { owner: o.owner } : {}), ...(o.kind === 'client' && o.roles ? { roles: o.roles.split(',') } : {}) };
      c.outSecret(await c.call('POST', `/${PATHS[o.kind]}`, body, { name: '--name', scopes: '--scopes', owner: '--owner', roles: '--roles' }));
    });
  creds.command('disable <id>').description('revoke one at once (an admin)')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const c = ctx(cmd);
      c.out(await c.call('POST', `/${PATHS[kindOf(id)]}/${encodeURIComponent(id)}/disable`));
    });
  creds.command('rotate <id>').description('a new key or secret, printed once; the old one keeps working for the overlap window (an admin)')
    .option('--overlap-hours <hours>', 'how long the old one keeps working: 0-168 (default 24)')
    .action(async (id: string, o: { overlapHours?: string }, cmd: Command) => {
      const c = ctx(cmd);
      c.outSecret(await c.call('POST', `/${PATHS[kindOf(id)]}/${encodeURIComponent(id)}/rotate`, o.overlapHours === undefined ? {} : { overlapHours: Number(o.overlapHours) }, { overlapHours: '--overlap-hours' }));
    });

  const channels = org.command('channels').description('channels by request (a vendor) and approval (a company)');
  paging(channels.command('ls').description("the organisation's channels (as the company and as the vendor), a page at a time"))
    .action(async (o: { limit?: string; cursor?: string }, cmd: Command) => {
      const c = ctx(cmd);
      c.table(await c.call('GET', list('/channels', o)), ['id', 'companyId', 'partyId', 'status', 'url']);
    });
  paging(channels.command('requests').description('channel requests made (as a vendor) and received (as a company): who asks, for which types, what was granted; a page at a time'))
    .addOption(new Option('--status <status>').choices(['pending', 'approved', 'declined']))
    .action(async (o: { status?: string; limit?: string; cursor?: string }, cmd: Command) => {
      const c = ctx(cmd);
      const r = await c.call('GET', list('/channel-requests', o, { status: o.status }));
      const rows = r.items.map((x: any) => ({ ...x, requested: messageTypesText(x.messageTypes), granted: messageTypesText(x.grantedMessageTypes) }));
      c.table({ ...r, items: c.json ? r.items : rows }, ['id', 'status', 'vendorName', 'requestedByEmail', 'companyName', 'requested', 'granted', 'channelId', 'createdAt']);
    });
  channels.command('request').description("request a channel to a company (a vendor's admin)")
    .requiredOption('--business-id <id>', "the company's business id, e.g. 1967543-8")
    .requiredOption('--type <Name:media/type,…>', 'a message type and its media types, Name:… or Name=… (repeatable)', collectMessageTypes)
    .action(async (o: { businessId: string; type: MessageTypeAgreement[] }, cmd: Command) => {
      const c = ctx(cmd);
      c.out(await c.call('POST', '/channel-requests', { businessId: o.businessId, messageTypes: o.type }, { businessId: '--business-id', messageTypes: '--type' }));
    });
  channels.command('approve <requestId>').description("approve a request (a company's admin): the channel is created")
    .option('--type <Name:media/type,…>', 'grant only these, Name:… or Name=… (a narrowing of the request; repeatable)', collectMessageTypes)
    .action(async (id: string, o: { type?: MessageTypeAgreement[] }, cmd: Command) => {
      const c = ctx(cmd);
      const r = await c.call('POST', `/channel-requests/${encodeURIComponent(id)}/approve`, o.type ? { messageTypes: o.type } : {}, { messageTypes: '--type' });
      // What the channel got (possibly narrowed), not what was asked: the JSON has both.
      if (c.json) return printJson(r);
      printRecord({ id: r.id, status: r.status, channelId: r.channelId, vendorName: r.vendorName, granted: messageTypesText(r.grantedMessageTypes), channelStatus: r.channel.status });
    });
  channels.command('decline <requestId>').description("decline a request (a company's admin)")
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const c = ctx(cmd);
      c.out(await c.call('POST', `/channel-requests/${encodeURIComponent(id)}/decline`));
    });
  channels.command('disable <channelId>').description('disable a channel (an admin of either side; at once)')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const c = ctx(cmd);
      c.out(await c.call('POST', `/channels/${encodeURIComponent(id)}/disable`));
    });
  channels.addCommand(integrityCommand('integrity', keysCtx, (id) => `/channels/${encodeURIComponent(id)}`));
  channels.command('postman <channelId>').description('the Postman collection and environment of a channel: with --out, written as files (their names printed); else as JSON')
    .addOption(new Option('--auth <auth>').choices(['mac', 'oauth']).default('mac'))
    .option('--out <dir>', 'write <dir>/<channelId>.postman_collection.json and .postman_environment.json (created if missing)')
    .action(async (id: string, o: { auth: string; out?: string }, cmd: Command) => {
      const c = ctx(cmd);
      const files = await c.call('GET', `/channels/${encodeURIComponent(id)}/postman?auth=${o.auth}`);
      if (!o.out) return printJson(files);
      writePostmanFiles(o.out, id, files, false);
      process.stderr.write(`${postmanSecretsHint(id, o.auth, o.out, files.collection)}\n`);
    });
  return org;
}
