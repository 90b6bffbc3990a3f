import { Command, Option } from 'commander';
import { AdminClient, adminSettings } from './admin-client.js';
import { acceptLanguageOf } from './client-options.js';
import { collectMessageTypes } from './message-types.js';
import { printJson, printRecord, printPage } from './output.js';
import { integrityCommand, signatureKeysCommand, type KeysContext } from './signature-key-commands.js';

interface GlobalOpts { json?: boolean; language?: string }

type Run = (client: AdminClient, args: string[], opts: Record<string, any>) => Promise<unknown>;

/** One admin command: calls the API and prints the answer (a record, or a table for lists). */
export function action(root: Command, run: Run, columns?: string[], note?: (r: any) => string | undefined) {
  return async (...a: unknown[]): Promise<void> => {
    const cmd = a[a.length - 1] as Command;
    const opts = cmd.opts();
    const g = root.opts<GlobalOpts>();
    const client = new AdminClient({ ...adminSettings(root), ...acceptLanguageOf({ language: g.language }) });
    const result = (await run(client, a.slice(0, -2) as string[], opts)) as any;
    if (g.json) return printJson(result);
    if (columns) {
      printPage(result, columns);
    } else {
      printRecord(result);
      const n = note?.(result);
      if (n) process.stderr.write(`${n}\n`);
    }
  };
}

export const list = (path: string, o: Record<string, any>, extra: Record<string, string | undefined> = {}): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ cursor: o.cursor, limit: o.limit, ...extra })) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
};

export const paging = (c: Command): Command => c.option('--cursor <cursor>', 'page cursor from a previous list').option('--limit <n>', 'page size (1-1000)');
export const enc = encodeURIComponent;
/** Said on stderr after a key or secret is printed. */
export const ONCE = 'The key or secret above is shown once. Store it now; it cannot be shown again.';


/** `vaultgate admin …`: the admin API from the command line. */
export function adminCommand(): Command {
  const admin = new Command('admin').description('operate the registry through the admin API')
    .addOption(new Option('--url <url>', 'server base URL').env('VAULTGATE_URL').default('http://127.0.0.1:8080'))
    .addOption(new Option('--token <token>', 'admin token (else the admin-token file in --data-dir)').env('VAULTGATE_ADMIN_TOKEN'))
    .addOption(new Option('--profile <name>', "without --token: the session token (and URL) of this profile, an operator user's (vaultgate account signin --profile <name>); before VAULTGATE_ADMIN_TOKEN"))
    .addOption(new Option('--data-dir <dir>', 'data directory holding the generated admin-token').env('VAULTGATE_DATA_DIR').default('./data'))
    .addOption(new Option('--language <FI|EN|SE>', 'language of error messages (default EN)').env('VAULTGATE_LANGUAGE'))
    .option('--json', 'print JSON');

  const company = admin.command('company').description('companies (data owners)');
  company.command('create').requiredOption('--name <name>').requiredOption('--business-id <id>', 'e.g. 1967543-8')
    .action(action(admin, (c, _a, o) => c.request('POST', '/companies', { name: o.name, businessId: o.businessId })));
  paging(company.command('list').option('--business-id <id>'))
    .action(action(admin, (c, _a, o) => c.request('GET', list('/companies', o, { businessId: o.businessId })), ['id', 'businessId', 'name', 'createdAt']));
  company.command('get <companyId>').action(action(admin, (c, [id]) => c.request('GET', `/companies/${enc(id!)}`)));

  company.command('delete <companyId>').description('delete a company for good: destroys its data keys (crypto-shredding)')
    .requiredOption('--confirm <businessId>', "the company's business id, to confirm")
    .action(action(admin, (c, [id], o) => c.request('DELETE', `/companies/${enc(id!)}?confirm=${enc(o.confirm)}`)));

  const party = admin.command('party').description('technical parties (software vendors)');
  party.command('create').requiredOption('--name <name>').action(action(admin, (c, _a, o) => c.request('POST', '/parties', { name: o.name })));
  paging(party.command('list')).action(action(admin, (c, _a, o) => c.request('GET', list('/parties', o)), ['id', 'name', 'status', 'createdAt']));
  party.command('get <partyId>').action(action(admin, (c, [id]) => c.request('GET', `/parties/${enc(id!)}`)));
  party.command('disable <partyId>').description('disable a party with its partner credentials and channels')
    .action(action(admin, (c, [id]) => c.request('POST', `/parties/${enc(id!)}/disable`)));

  const partner = admin.command('partner-credential').description("a party's partner id and key (MAC scheme)");
  partner.command('create').requiredOption('--party <partyId>')
    .action(action(admin, (c, _a, o) => c.request('POST', `/parties/${enc(o.party)}/partner-credentials`), undefined, () => ONCE));
  paging(partner.command('list').requiredOption('--party <partyId>'))
    .action(action(admin, (c, _a, o) => c.request('GET', list(`/parties/${enc(o.party)}/partner-credentials`, o)), ['partnerId', 'partyId', 'status', 'createdAt']));
  partner.command('get <partnerId>').action(action(admin, (c, [id]) => c.request('GET', `/partner-credentials/${enc(id!)}`)));
  partner.command('disable <partnerId>').description('revoke at once')
    .action(action(admin, (c, [id]) => c.request('POST', `/partner-credentials/${enc(id!)}/disable`)));

  const customer = admin.command('customer-credential').description("a company's customer id and key (MAC scheme)");
  customer.command('create').requiredOption('--company <companyId>').requiredOption('--name <name>')
    .option('--scope <scope...>', 'ingest and/or vault.read (default ingest)')
    .action(action(admin, (c, _a, o) => c.request('POST', `/companies/${enc(o.company)}/customer-credentials`, { name: o.name, ...(o.scope ? { scopes: o.scope } : {}) }), undefined, () => ONCE));
  paging(customer.command('list').requiredOption('--company <companyId>'))
    .action(action(admin, (c, _a, o) => c.request('GET', list(`/companies/${enc(o.company)}/customer-credentials`, o)), ['customerId', 'name', 'scopes', 'status', 'createdAt']));
  customer.command('get <customerId>').action(action(admin, (c, [id]) => c.request('GET', `/customer-credentials/${enc(id!)}`)));
  customer.command('disable <customerId>').description('revoke at once')
    .action(action(admin, (c, [id]) => c.request('POST', `/customer-credentials/${enc(id!)}/disable`)));

  const channel = admin.command('channel').description('ingestion channels (company + party + message types)');
  channel.command('create').requiredOption('--company <companyId>').requiredOption('--party <partyId>')
    .requiredOption('--message-type <Name=media/type,…>', 'an agreed message type with its media types, Name=… or Name:… (repeatable)', collectMessageTypes)
    .action(action(admin, (c, _a, o) => c.request('POST', '/channels', { companyId: o.company, partyId: o.party, messageTypes: o.messageType })));
  paging(channel.command('list').option('--company <companyId>').option('--party <partyId>'))
    .action(action(admin, (c, _a, o) => c.request('GET', list('/channels', o, { companyId: o.company, partyId: o.party })), ['id', 'companyId', 'partyId', 'status', 'url']));
  channel.command('get <channelId>').action(action(admin, (c, [id]) => c.request('GET', `/channels/${enc(id!)}`)));
  channel.command('disable <channelId>').description('disable at once')
    .action(action(admin, (c, [id]) => c.request('POST', `/channels/${enc(id!)}/disable`)));
  // Issue 17: a party's HTTP-signature keys and a channel's Content-Digest rule.
  const adminKeys = (cmd: Command): KeysContext => {
    const g = admin.opts<GlobalOpts>();
    const client = new AdminClient({ ...adminSettings(admin), ...acceptLanguageOf({ language: g.language }) });
    void cmd;
    return {
      call: (method, path, body) => client.request(method as 'GET' | 'POST', path, body),
      out: (r) => (g.json ? printJson(r) : printRecord(r)),
      table: (r, cols) => (g.json ? printJson(r) : printPage(r, cols)),
      once: (r) => { if (!g.json && typeof r.secret === 'string') process.stderr.write(`${ONCE}\n`); },
    };
  };
  channel.addCommand(integrityCommand('integrity', adminKeys, (id) => `/channels/${enc(id)}`));
  party.addCommand(signatureKeysCommand(adminKeys, (cmd) => `/parties/${enc(cmd.opts<{ party: string }>().party)}/signature-keys`,
    (c) => c.requiredOption('--party <partyId>', 'the party (vendor) the keys belong to')));
  const keys = admin.command('keys').description('master and vault keys');
  keys.command('status').description('master keys in use (ids only) and the data keys each wraps')
    .action(action(admin, (c) => c.request('GET', '/keys')));
  keys.command('rotate-master').description('re-wrap every data key under the current master key (resumable)')
    .option('--new-key', 'generate a new master key first (key-file deployments)')
    .action(action(admin, (c, _a, o) => c.request('POST', '/keys/rotate-master', { newKey: o.newKey === true })));
  keys.command('rotate-vault').description("start a new data key for a company's vault")
    .requiredOption('--company <companyId>')
    .action(action(admin, (c, _a, o) => c.request('POST', `/companies/${enc(o.company)}/rotate-key`)));

  admin.command('retention').description('retention').command('sweep').description('run the retention sweep now')
    .action(action(admin, (c) => c.request('POST', '/retention/sweep')));
  return admin;
}
