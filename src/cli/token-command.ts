import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { decodeAccessToken, fetchClientCredentialsToken } from '../sdk/index.js';
import { printJson } from './output.js';

/** `vaultgate token`: fetch an access token by client credentials and print it (or its decoded claims). */
export function tokenCommand(): Command {
  return new Command('token').description('fetch an access token (OAuth 2.0 client credentials) and print it')
    .addOption(new Option('--url <url>', 'server base URL').env('VAULTGATE_URL').default('http://127.0.0.1:8080'))
    .addOption(new Option('--token-url <url>', 'token endpoint (default <url>/oauth2/token)'))
    .addOption(new Option('--client-id <id>').env('VAULTGATE_CLIENT_ID').makeOptionMandatory())
    .addOption(new Option('--client-secret <secret>', 'client_secret_post').env('VAULTGATE_CLIENT_SECRET'))
    .addOption(new Option('--key-file <file>', 'private JWK (JSON) for private_key_jwt instead of a secret'))
    .option('--scope <scope>', '<client_id>/.default (default) or space-separated roles')
    .option('--decode', 'print the header and claims instead of the token')
    .option('--json', 'print the whole answer as JSON')
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const keyFile = o.keyFile as string | undefined;
      const token = await fetchClientCredentialsToken({
        tokenUrl: (o.tokenUrl as string | undefined) ?? `${String(o.url).replace(/\/+$/, '')}/oauth2/token`,
        clientId: o.clientId as string,
        clientSecret: o.clientSecret as string | undefined,
        privateJwk: keyFile ? JSON.parse(readFileSync(keyFile, 'utf8')) : undefined,
        scope: o.scope as string | undefined,
      });
      if (o.decode) printJson({ ...decodeAccessToken(token.accessToken), expiresIn: token.expiresIn });
      else if (o.json) printJson(token);
      else process.stdout.write(`${token.accessToken}\n`);
    });
}
