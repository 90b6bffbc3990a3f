/**
 * `vaultgate feed checkpoints ls|set|rm` (issue 16): an organisation's feed checkpoints over /api/v1, as the signed-in
 * user (`--org`): named, server-side positions in its change feed. `vaultgate vault feed --checkpoint <name>` reads
 * from one and commits what it printed. Viewers list; members and admins set and remove.
 */
import { Command, Option } from 'commander';
import { list, paging } from './admin-commands.js';
import { withClientOptions } from './client-options.js';
import { orgApi } from './org-commands.js';
import { withOrgOption } from './org-option.js';
import { printJson } from './output.js';

const COLUMNS = ['name', 'messageSeq', 'grantEventSeq', 'updatedAt', 'updatedBy'];

export function feedCommand(): Command {
  const feed = withOrgOption(withClientOptions(new Command('feed').description("your organisation's change feed positions (/api/v1, as the signed-in user)"), ['url', 'language', 'sessionToken']))
    .option('--json', 'print JSON');
  const cps = feed.command('checkpoints').description('named feed positions kept by the server: read with vaultgate vault feed --checkpoint <name>');
  paging(cps.command('ls').description("the checkpoints, oldest first, and where the feed ends now (head): a checkpoint below it is behind"))
    .action(async (o: { limit?: string; cursor?: string }, cmd: Command) => {
      const c = orgApi(cmd);
      const r = await c.call('GET', list('/feed/checkpoints', o));
      if (c.json) return printJson(r);
      c.table(r, COLUMNS);
      process.stdout.write(`head: messageSeq ${r.head.messageSeq}, grantEventSeq ${r.head.grantEventSeq}\n`);
    });
  cps.command('set <name>').description('create or move a checkpoint (a member or admin): to a cursor the feed gave you, to the start, or to now')
    .addOption(new Option('--cursor <cursor>', 'a nextCursor of the feed').conflicts(['start', 'now']))
    .addOption(new Option('--start', 'the oldest item').conflicts('now'))
    .option('--now', "the feed's current end: only what arrives afterwards")
    .action(async (name: string, o: { cursor?: string; start?: boolean; now?: boolean }, cmd: Command) => {
      if (!o.cursor && !o.start && !o.now) cmd.error('error: give --cursor <cursor>, --start or --now', { exitCode: 2, code: 'commander.missingMandatoryOptionValue' });
      const c = orgApi(cmd);
      const body = o.cursor ? { cursor: o.cursor } : { position: o.start ? 'start' : 'now' };
      const r = await c.call('PUT', `/feed/checkpoints/${encodeURIComponent(name)}`, body, { cursor: '--cursor', position: '--start/--now' });
      if (c.json) return printJson(r);
      c.out({ name: r.name, created: r.created, messageSeq: r.messageSeq, grantEventSeq: r.grantEventSeq, updatedAt: r.updatedAt });
    });
  cps.command('rm <name>').description('delete a checkpoint (a member or admin)')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const c = orgApi(cmd);
      await c.call('DELETE', `/feed/checkpoints/${encodeURIComponent(name)}`);
      if (c.json) printJson({ deleted: name });
    });
  return feed;
}
