#!/usr/bin/env node
/** `vaultgate`: run the platform (`serve`) and operate it (`admin …`). */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../server/config/load-config.js';
import { CONFIG_SCHEMA, type ConfigName } from '../server/config/schema.js';
import { VaultgateApiError } from '../sdk/index.js';
import { ApiError } from './admin-client.js';
import { accountCommand, adminRegistrationCommands } from './account-commands.js';
import { recoveryCommands } from './recovery-commands.js';
import { orgCommand } from './org-commands.js';
import { grantsCommand } from './grant-commands.js';
import { adminCommand } from './admin-commands.js';
import { adminAuditCommands, auditCommand } from './audit-commands.js';
import { describeProblem, printJson } from './output.js';
import { profileInArgs, totpEnrolHint } from './profiles.js';
import { handleBrokenPipes } from './stdio.js';
import { postmanCommand } from './postman-commands.js';
import { profileCommand, sendCommand, signCommand } from './send-commands.js';
import { clientCommands } from './client-commands.js';
import { tokenCommand } from './token-command.js';
import { vaultCommand } from './vault-commands.js';
import { directoryCommand } from './directory-commands.js';
import { feedCommand } from './checkpoint-commands.js';

handleBrokenPipes();
const program = new Command('vaultgate').description('Vaultgate: ingestion channels into per-company data vaults').version('0.1.0');
program.exitOverride();

/**
 * The configuration keys `migrate` reads (migrateStorage → openStorage: where the data is, the PostgreSQL schemas and
 * pool, the log level); its help lists only their flags. `serve` takes every key that has a flag.
 */
const MIGRATE_KEYS: readonly ConfigName[] = ['dataDir', 'databaseSchema', 'databasePoolSize', 'keystoreSchema', 'logLevel'];

/**
 * Adds `--config` and a flag per configuration key (secrets have none) to a command that loads the configuration:
 * every key, or only `keys`. The environment and the file still set any key; flags are for what the command uses.
 */
function withConfigFlags(cmd: Command, keys: readonly ConfigName[] = Object.keys(CONFIG_SCHEMA) as ConfigName[]): Command {
  cmd.option('--config <file>', 'JSON configuration file (also VAULTGATE_CONFIG)');
  for (const name of keys) {
    const key = CONFIG_SCHEMA[name];
    if (key.flag) cmd.option(`${key.flag} <value>`, `${key.description} [${key.env}]`);
  }
  return cmd;
}

function configSources(opts: Record<string, string | undefined>) {
  const flags: Partial<Record<ConfigName, unknown>> = {};
  for (const name of Object.keys(CONFIG_SCHEMA) as ConfigName[]) if (opts[name] !== undefined) flags[name] = opts[name];
  return { env: process.env, flags, file: opts.config };
}

withConfigFlags(program.command('serve').description('run the platform (embedded SQLite store by default)'))
  .action(async (opts: Record<string, string>) => {
    const { startServer } = await import('../server/main.js');
    await startServer(configSources(opts), { installSignalHandlers: true });
  });
withConfigFlags(program.command('migrate')
  .description('apply pending schema migrations to the configured database and key store, then exit (same configuration as serve)'), MIGRATE_KEYS)
  .option('--json', 'print the result as JSON')
  .action(async (opts: Record<string, string | undefined> & { json?: boolean }) => {
    const { migrateStorage } = await import('../server/main.js');
    const r = await migrateStorage(configSources(opts));
    if (opts.json) printJson(r);
    else {
      const line = (what: string, m: { applied: number[]; version: number }): string =>
        `${what}: ${m.applied.length > 0 ? `applied ${m.applied.join(', ')}` : 'up to date'} (schema version ${m.version})\n`;
      process.stdout.write(line(`${r.store} database`, r.database));
      if (r.keyStore) process.stdout.write(line(`${r.store} key store`, r.keyStore));
    }
  });
const admin = adminCommand();
clientCommands(admin);
adminAuditCommands(admin);
adminRegistrationCommands(admin);
program.addCommand(admin);
program.addCommand(accountCommand());
recoveryCommands(program);
program.addCommand(orgCommand());
program.addCommand(grantsCommand());
program.addCommand(vaultCommand());
program.addCommand(feedCommand());
program.addCommand(directoryCommand());
program.addCommand(auditCommand());
program.addCommand(sendCommand());
program.addCommand(signCommand());
program.addCommand(profileCommand());
program.addCommand(postmanCommand());
program.addCommand(tokenCommand());
// Usage errors exit 2 everywhere (subcommands do not inherit exitOverride).
const overrideExit = (c: Command): void => {
  c.exitOverride();
  c.commands.forEach(overrideExit);
};
overrideExit(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
  if (err instanceof ConfigError) {
    process.stderr.write(`vaultgate: ${err.message}\n`);
    process.exit(78);
  }
  if (err instanceof VaultgateApiError) {
    process.stderr.write(`vaultgate: ${describeProblem(err.message, err.body)}\n`);
    process.exit(1);
  }
  if (err instanceof ApiError) {
    if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(err.retryAfterS === undefined ? err.problem : { ...err.problem, retryAfterS: err.retryAfterS }, null, 2)}\n`);
    process.stderr.write(`vaultgate: ${err.describe()}\n`);
    // Held until they enrol (the detail points at /me/totp): the steps for the profile in use, which the remedy cannot name.
    const profile = profileInArgs(process.argv.slice(2));
    if (err.problem.code === 'TOTP_REQUIRED' && String(err.problem.detail ?? '').includes('/me/totp') && profile && profile !== 'default') {
      process.stderr.write(`${totpEnrolHint(profile)}\n`);
    }
    process.exit(1);
  }
  process.stderr.write(`vaultgate: ${(err as Error).message}\n`);
  process.exit(1);
}
