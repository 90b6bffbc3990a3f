/**
 * `vaultgate directory search <q>` (issue 16): the directory of organisations over /api/v1, as the signed-in user (the
 * session kept by `vaultgate account signin`, or a personal API token in --session-token): listed organisations whose
 * name contains q, and the company whose business id is exactly q. `vaultgate org listing` lists your own.
 */
import { Command } from 'commander';
import { api } from './account-commands.js';
import { list, paging } from './admin-commands.js';
import { acceptLanguageOf, notSignedIn, resolvedValues, withClientOptions } from './client-options.js';
import { printJson, printPage } from './output.js';

export function directoryCommand(): Command {
  const dir = withClientOptions(new Command('directory').description('find organisations to request data from (/api/v1, as the signed-in user)'), ['url', 'language', 'sessionToken'])
    .option('--json', 'print JSON');
  paging(dir.command('search [q]').description('listed organisations whose name contains q (any case), and the company whose business id is exactly q; oldest first, a page at a time'))
    .action(async (q: string | undefined, o: { limit?: string; cursor?: string }, cmd: Command) => {
      const v = resolvedValues(cmd);
      const g = cmd.optsWithGlobals<{ json?: boolean; profile?: string }>();
      if (!v.sessionToken) throw notSignedIn(g.profile ?? 'default');
      const page = await api(v.url ?? 'http://127.0.0.1:8080', 'GET', list('/directory', o, { q }), { bearer: v.sessionToken, ...acceptLanguageOf(v) });
      if (g.json) return printJson(page);
      printPage({ ...page, items: page.items.map((i: any) => ({ ...i, kinds: i.kinds.join(',') })) }, ['organisationId', 'name', 'businessId', 'kinds', 'description']);
    });
  return dir;
}
