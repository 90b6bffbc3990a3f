/** `vaultgate postman export`: Postman files for a channel, generated locally by the same code as the admin route. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { postmanExport } from '../protocol/index.js';
import { parseMessageType } from './admin-commands.js';
import { resolvedValues, withClientOptions } from './client-options.js';
import { PROFILE_KEYS } from './profiles.js';

/**
 * Writes `<out>/<channelId>.postman_collection.json` and `.postman_environment.json` (the directory created if
 * missing) and prints their names on stdout, one a line. With `secrets` inside, the environment file is created anew
 * with mode 0600 (an existing one is replaced, never rewritten in place).
 */
export function writePostmanFiles(out: string, channelId: string, files: { collection: unknown; environment: unknown }, secrets: boolean): void {
  mkdirSync(out, { recursive: true });
  const base = join(out, channelId);
  writeFileSync(`${base}.postman_collection.json`, `${JSON.stringify(files.collection, null, 2)}\n`);
  const envFile = `${base}.postman_environment.json`;
  if (secrets) rmSync(envFile, { force: true });
  writeFileSync(envFile, `${JSON.stringify(files.environment, null, 2)}\n`, { mode: secrets ? 0o600 : 0o644 });
  process.stdout.write(`${base}.postman_collection.json\n${envFile}\n`);
}

export function postmanCommand(): Command {
  const postman = new Command('postman').description('Postman collections that sign requests (or fetch bearer tokens) in a pre-request script');
  // Everything a profile holds but the MAC algorithm (the collection's `macAlgorithm` variable chooses that).
  withClientOptions(postman.command('export'), PROFILE_KEYS.filter((k) => k !== 'algorithm'))
    .description('write <out>/<channel>.postman_collection.json and .postman_environment.json (URL and ids from flags, environment or profile)')
    .requiredOption('--channel <channelId>', 'the ingestion channel')
    .requiredOption('--message-type <Name=media/type,…>', "the channel's agreed message type with its media types (repeatable)", parseMessageType)
    .addOption(new Option('--auth <scheme>', 'authentication the collection uses').choices(['mac', 'oauth']).default('mac'))
    .requiredOption('--out <dir>', 'directory to write into (created if missing)')
    .option('--with-secrets', 'fill partnerKey and customerKey (--auth oauth: clientSecret) from your credentials (the environment file is then written with mode 0600)')
    .action((o: Record<string, any>, cmd: Command) => {
      const v = resolvedValues(cmd);
      const oauth = o.auth === 'oauth';
      const secrets = oauth ? 'clientSecret' : 'partnerKey and customerKey';
      const { collection, environment } = postmanExport({
        baseUrl: v.url ?? 'http://127.0.0.1:8080',
        channelId: o.channel,
        messageTypes: o.messageType,
        auth: o.auth,
        values: oauth
          ? { clientId: v.clientId, tokenUrl: v.tokenUrl, ...(o.withSecrets ? { clientSecret: v.clientSecret } : {}) }
          : {
            partnerId: v.partnerId, customerId: v.customerId, organisationId: v.organisationId, sender: v.sender, language: v.language,
            ...(o.withSecrets ? { partnerKey: v.partnerKey, customerKey: v.customerKey } : {}),
          },
      });
      if (o.withSecrets && (oauth ? !v.clientSecret : !v.partnerKey || !v.customerKey)) {
        throw new Error(`--with-secrets: no ${oauth ? 'client secret' : 'partner key and customer key'} in flags, environment or profile`);
      }
      writePostmanFiles(o.out, o.channel, { collection, environment }, o.withSecrets === true);
      if (!o.withSecrets) process.stderr.write(`${secrets} ${oauth ? 'is' : 'are'} left empty: fill ${oauth ? 'it' : 'them'} in Postman, or export again with --with-secrets\n`);
    });
  return postman;
}
