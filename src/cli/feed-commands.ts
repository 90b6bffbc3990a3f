import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import type { FeedPage } from '../sdk/index.js';
import { api } from './account-commands.js';
import { acceptLanguageOf, clientFor, notSignedIn, resolvedValues } from './client-options.js';
import { onStdoutClosed, writeStdout } from './stdio.js';

const seconds = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 60) throw new InvalidArgumentError('must be a whole number of seconds from 0 to 60');
  return n;
};
const limit = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError('must be a whole number from 1 to 1000');
  return n;
};

/** The cursor kept in a file: read at start (absent or empty: from the start), replaced whole after each batch. */
function readCursorFile(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8').trim() || undefined;
}

function writeCursorFile(file: string, cursor: string): void {
  // A crash mid-write must leave the old cursor or the new one, never half of one: write aside, then rename.
  const aside = `${file}.tmp`;
  writeFileSync(aside, `${cursor}\n`, { mode: 0o600 });
  renameSync(aside, file);
}

/**
 * The commit of a feed checkpoint after each printed batch (issue 16): PUT /api/v1/organisations/{org}/feed/checkpoints/
 * {name} as the signed-in user (session or personal API token; a member or admin). The organisation is `--org`, else
 * the one organisation of the session (a personal API token's).
 */
async function checkpointCommitter(cmd: Command, name: string, org: string | undefined): Promise<(cursor: string) => Promise<void>> {
  const v = resolvedValues(cmd);
  const profile = cmd.optsWithGlobals<{ profile?: string }>().profile ?? 'default';
  if (!v.sessionToken) throw notSignedIn(profile);
  const url = v.url ?? 'http://127.0.0.1:8080';
  const o = { bearer: v.sessionToken, ...acceptLanguageOf(v) };
  let id = org;
  if (id === undefined) {
    const memberships = ((await api(url, 'GET', '/me', o)) as { memberships: { organisationId: string }[] }).memberships;
    if (memberships.length !== 1) throw new Error(`--checkpoint: give --org <organisationId> (you are a member of ${memberships.length} organisations)`);
    id = memberships[0]!.organisationId;
  }
  const path = `/organisations/${encodeURIComponent(id)}/feed/checkpoints/${encodeURIComponent(name)}`;
  return async (cursor) => {
    await api(url, 'PUT', path, { ...o, body: { cursor } });
  };
}

/**
 * `vaultgate vault feed`: the change feed as NDJSON on stdout, one item per line (docs/sharing.md#change-feed: MAC
 * vault.read credentials, or a client with vault.read or shared.read; shared.read alone sees only what grants cover). One
 * poll by default; `--follow` long-polls until interrupted. `--cursor-file` makes it resumable: the cursor is read
 * at start and written after each batch is printed, so a restart goes on after the last batch it printed.
 * `--checkpoint <name>` does the same with a checkpoint the server keeps: it reads from it and commits each printed
 * batch's cursor to it (as the signed-in user: `--session-token` or the profile's session, a member or admin).
 */
export function feedCommand(vault: Command): void {
  vault.command('feed').description('new messages (and grant events) you may see, as NDJSON; --follow to keep reading; --cursor-file to resume across runs')
    .option('--cursor <cursor>', 'continue after this cursor (a nextCursor)')
    .option('--cursor-file <path>', 'read the cursor from this file at start and write it after each batch')
    .option('--checkpoint <name>', 'read from this feed checkpoint and commit it after each batch (needs a signed-in member: --session-token or the profile\'s session)')
    .option('--org <organisationId>', 'with --checkpoint: the organisation (default: the session\'s one organisation)')
    .option('--no-commit', 'with --checkpoint: read only, do not move it')
    .option('--follow', 'keep polling (long-polls of --wait seconds) until interrupted')
    .option('--wait <s>', 'seconds the server waits for an item when there is none (0-60; default 30 with --follow, else 0)', seconds)
    .option('--limit <n>', 'items per answer (1-1000)', limit)
    .option('--inline', 'include each message body (text as body, other bytes as bodyBase64)')
    .action(async (o: {
      cursor?: string; cursorFile?: string; checkpoint?: string; org?: string; commit: boolean; follow?: boolean; wait?: number; limit?: number; inline?: boolean;
    }, cmd: Command) => {
      if (o.checkpoint !== undefined && (o.cursor !== undefined || o.cursorFile !== undefined)) {
        cmd.error('error: --checkpoint keeps the position on the server: leave out --cursor and --cursor-file', { exitCode: 2, code: 'vaultgate.conflictingOptions' });
      }
      const client = clientFor(cmd);
      const commit = o.checkpoint !== undefined && o.commit ? await checkpointCommitter(cmd, o.checkpoint, o.org) : undefined;
      const stop = new AbortController();
      // Interrupted, it stops at once, even mid long-poll: the cursor file already holds the last batch printed (stdout
      // and files are written synchronously), so a restart goes on after it.
      const onSignal = (): never => process.exit(0);
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const cancel = onStdoutClosed(() => stop.abort());
      let cursor = o.cursor ?? (o.cursorFile ? readCursorFile(o.cursorFile) : undefined);
      const print = async (page: FeedPage): Promise<void> => {
        if (page.items.length > 0) await writeStdout(page.items.map((i) => `${JSON.stringify(i)}\n`).join(''));
        cursor = page.nextCursor;
        if (o.cursorFile) writeCursorFile(o.cursorFile, cursor);
        if (commit && page.items.length > 0) await commit(cursor);
      };
      const options = { limit: o.limit, body: o.inline ? 'inline' as const : undefined, checkpoint: o.checkpoint };
      try {
        if (o.follow) {
          for await (const page of client.follow({ ...options, cursor, wait: o.wait ?? 30, signal: stop.signal })) {
            await print(page);
            if (stop.signal.aborted) break;
          }
        } else {
          await print(await client.feed({ ...options, cursor, wait: o.wait ?? 0 }));
          process.stderr.write(`next cursor: ${cursor}\n`);
        }
      } catch (err) {
        // An interrupted follow ends quietly (the cursor file holds the last batch printed).
        if (!stop.signal.aborted) throw err;
      } finally {
        cancel();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await client.close();
      }
    });
}
