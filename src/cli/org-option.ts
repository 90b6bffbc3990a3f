/**
 * The organisation option of `vaultgate account …` and `vaultgate org …`: one spelling, `--org <organisationId>`,
 * everywhere. The older `--organisation <id>` (once used by `account tokens create`) is accepted as a hidden alias so
 * that scripts written against it keep working; it is not in the help.
 */
import { Command, Option } from 'commander';

const HELP = 'the organisation (co_… or tp_…; vaultgate account me lists yours)';

/** Adds `--org <organisationId>` and its hidden alias to a command; read them with `orgOf`. */
export function withOrgOption(cmd: Command, description = HELP): Command {
  return cmd.addOption(new Option('--org <organisationId>', description)).addOption(new Option('--organisation <organisationId>').hideHelp());
}

/** The organisation id given with `--org` (or the alias, here or on a parent command); a usage error (exit 2) when none. */
export function orgOf(cmd: Command): string {
  const o = cmd.optsWithGlobals<{ org?: string; organisation?: string }>();
  if (o.org !== undefined && o.organisation !== undefined && o.org !== o.organisation) {
    cmd.error(`error: --org ${o.org} and --organisation ${o.organisation} disagree: give --org only`, { exitCode: 2, code: 'vaultgate.conflictingOrg' });
  }
  const id = o.org ?? o.organisation;
  if (!id) cmd.error("error: required option '--org <organisationId>' not specified", { exitCode: 2, code: 'commander.missingMandatoryOptionValue' });
  return id;
}
