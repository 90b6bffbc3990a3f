import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { decodeAccessToken, fetchClientCredentialsToken } from '../sdk/index.js';
import { acceptLanguageOf, resolvedValues, withClientOptions } from './client-options.js';
import { printJson } from './output.js';

/**
 * `vaultgate token`: fetch an access token by client credentials and print it (or its decoded claims). The URL,
 * client id, secret, token URL and language come from flags, else `VAULTGATE_*`, else the profile (`--profile`,
 * VAULTGATE_PROFILE, `default`), as for every other client command.
 */
export function tokenCommand(): Command {
  return withClientOptions(new Command('token'), ['url', 'clientId', 'clientSecret', 'tokenUrl', 'language'])
    .description('fetch an access token (OAuth 2.0 client credentials) and print it')
    .option('--key-file <file>', 'private JWK (JSON) for private_key_jwt instead of a secret')
    .option('--scope <scope>', '<client_id>/.default (default) or space-separated roles')
    .option('--decode', 'print the header and claims instead of the token')
    .option('--json', 'print the whole answer as JSON')
    .action(async (o: Record<string, string | boolean | undefined>, cmd: Command) => {
      const v = resolvedValues(cmd);
      if (!v.clientId) throw new Error('missing credentials: --client-id (VAULTGATE_CLIENT_ID), or client_id in a profile (vaultgate profile set)');
      const keyFile = o.keyFile as string | undefined;
      if (!keyFile && !v.clientSecret) throw new Error(`missing credentials: --client-secret (VAULTGATE_CLIENT_SECRET) or --key-file for client ${v.clientId}`);
      const token = await fetchClientCredentialsToken({
        tokenUrl: v.tokenUrl ?? `${(v.url ?? 'http://127.0.0.1:8080').replace(/\/+$/, '')}/oauth2/token`,
        clientId: v.clientId,
        // A key file selects private_key_jwt even when a profile also holds a secret.
        clientSecret: keyFile ? undefined : v.clientSecret,
        privateJwk: keyFile ? JSON.parse(readFileSync(keyFile, 'utf8')) : undefined,
        scope: o.scope as string | undefined,
        ...acceptLanguageOf(v),
      });
      if (o.decode) printJson({ ...decodeAccessToken(token.accessToken), expiresIn: token.expiresIn });
      else if (o.json) printJson(token);
      else process.stdout.write(`${token.accessToken}\n`);
    });
}
