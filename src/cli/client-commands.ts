import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { action, enc, list, paging } from './admin-commands.js';

const ONCE = 'The client secret above is shown once. Store it now; it cannot be shown again.';

/** `--party` or `--company` (exactly one): the owner's collection path. */
function owner(o: Record<string, string | undefined>): string {
  if ((o.party === undefined) === (o.company === undefined)) throw new Error('give exactly one of --party <partyId> or --company <companyId>');
  return o.party !== undefined ? `/parties/${enc(o.party)}` : `/companies/${enc(o.company!)}`;
}

/** `vaultgate admin client …` (OAuth clients, links of external issuers' clients) and `admin token-keys …`. */
export function clientCommands(admin: Command): void {
  const client = admin.command('client').description('OAuth clients (bearer tokens) and links of external issuers\' clients');
  const ownerOpts = (c: Command): Command => c.option('--party <partyId>', 'a party client (sends; role ingest)').option('--company <companyId>', 'a company client (reads its vault; role vault.read)');

  ownerOpts(client.command('create').description('create a client: a secret (shown once), or --jwk-file for private_key_jwt'))
    .requiredOption('--name <name>')
    .option('--role <role...>', 'ingest (party) or vault.read (company), and/or shared.read (reads vaults shared with the organisation); default: the owner\'s role')
    .option('--jwk-file <file>', 'the client\'s PUBLIC JWK (JSON): it authenticates with private_key_jwt')
    .action(action(admin, (c, _a, o) => c.request('POST', `${owner(o)}/clients`, {
      name: o.name, ...(o.role ? { roles: o.role } : {}), ...(o.jwkFile ? { jwk: JSON.parse(readFileSync(o.jwkFile, 'utf8')) } : {}),
    }), undefined, (r) => (r.clientSecret ? ONCE : undefined)));
  paging(ownerOpts(client.command('list')))
    .action(action(admin, (c, _a, o) => c.request('GET', list(`${owner(o)}/clients`, o)), ['clientId', 'name', 'roles', 'authMethod', 'status', 'createdAt']));
  client.command('get <clientId>').action(action(admin, (c, [id]) => c.request('GET', `/clients/${enc(id!)}`)));
  client.command('disable <clientId>').description('revoke at once: its tokens are refused from the next request')
    .action(action(admin, (c, [id]) => c.request('POST', `/clients/${enc(id!)}/disable`)));

  ownerOpts(client.command('link').alias('add-client').description('link an external issuer\'s client id (azp/appid/client_id) to a party or company'))
    .requiredOption('--issuer <iss>', 'a configured issuer (VAULTGATE_OIDC_ISSUERS), exactly as in the tokens')
    .requiredOption('--client-id <id>', 'the client id the issuer puts in its tokens')
    .option('--role <role...>', 'the most this client may do (default: the owner\'s role)')
    .action(action(admin, (c, _a, o) => c.request('POST', `${owner(o)}/external-clients`, {
      issuer: o.issuer, clientId: o.clientId, ...(o.role ? { roles: o.role } : {}),
    })));
  paging(ownerOpts(client.command('links').description('list linked external clients')))
    .action(action(admin, (c, _a, o) => c.request('GET', list(`${owner(o)}/external-clients`, o)), ['id', 'issuer', 'clientId', 'roles', 'status']));
  client.command('unlink <linkId>').description('remove a link at once')
    .action(action(admin, (c, [id]) => c.request('POST', `/external-clients/${enc(id!)}/disable`)));

  const keys = admin.command('token-keys').description('signing keys of the built-in token issuer');
  keys.command('list').action(action(admin, (c) => c.request('GET', '/oauth/signing-keys'), ['kid', 'alg', 'current', 'createdAt', 'publishUntil']));
  keys.command('rotate').description('sign with a new key from now on; old keys stay published until their tokens expire')
    .action(action(admin, (c) => c.request('POST', '/oauth/signing-keys/rotate')));
}
