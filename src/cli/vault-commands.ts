import { writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { Command, InvalidArgumentError, Option } from 'commander';
import { exportVaultToFile, VaultgateIncompleteExportError, type AuditPage, type MessageMeta } from '../sdk/index.js';
import { saveExport } from './audit-commands.js';
import { feedCommand } from './feed-commands.js';
import { clientFor, clientOf, clientSettings, withClientOptions, type ClientSettings } from './client-options.js';
import { printJson, printTable } from './output.js';
import { Progress } from './progress.js';
import { writeStdout } from './stdio.js';

const count = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
};
/** The selection options; `--channel` (as in `grants`), with `--channel-id` kept as a hidden alias. */
const selection = (c: Command): Command => c.option('--channel <id>', 'one channel (ch_…)').addOption(new Option('--channel-id <id>').hideHelp())
  .option('--message-type <name>').option('--from <iso>', 'received at or after').option('--to <iso>', 'received before');
const filters = (o: Record<string, string | undefined>) => ({ channelId: o.channel ?? o.channelId, messageType: o.messageType, from: o.from, to: o.to });

/** `vaultgate vault …`: the owner's reads of its own vault (MAC credentials with vault.read, or a company OAuth client). */
export function vaultCommand(): Command {
  const vault = withClientOptions(new Command('vault')).description("read your company's vault (MAC credentials with vault.read, or --client-id/--client-secret of a company OAuth client)");

  selection(vault.command('ls').description('list messages (metadata), oldest first'))
    .option('--max <n>', 'list at most n messages', count, 100)
    .option('--json', 'print JSON (an array)')
    .action(async (o: Record<string, any>, cmd: Command) => {
      const client = clientFor(cmd);
      const rows: MessageMeta[] = [];
      try {
        for await (const m of client.listMessages(filters(o), { pageSize: Math.min(1000, o.max) })) {
          rows.push(m);
          if (rows.length >= o.max) break;
        }
      } finally {
        await client.close();
      }
      if (o.json) printJson(rows);
      else printTable(rows as unknown as Record<string, unknown>[], ['messageId', 'receivedAt', 'messageType', 'mediaType', 'size', 'transactionId']);
    });

  vault.command('get <messageId>').description('write one message\'s original bytes to stdout (or --out); metadata on stderr')
    .option('--out <file>', 'write the body into this file')
    .action(async (id: string, o: { out?: string }, cmd: Command) => {
      const client = clientFor(cmd);
      try {
        const m = await client.getMessage(id);
        process.stderr.write(`${m.messageId}  ${m.messageType}  ${m.contentType}  ${m.body.length} bytes  received ${m.receivedAt}\n`);
        if (o.out) writeFileSync(o.out, m.body);
        else process.stdout.write(m.body);
      } finally {
        await client.close();
      }
    });

  selection(vault.command('export').description('export the vault as NDJSON into a file (run again to resume an interrupted export), or to stdout'))
    .option('--out <file>', 'NDJSON file, appended to when resuming; omitted or "-": stdout (not resumable)')
    .action(exportAction());
  vaultAuditCommands(vault);
  feedCommand(vault);
  sharedCommands(vault);
  return vault;
}

/** `vaultgate vault audit ls|export`: the company's own audit trail, with the same credentials as its vault reads. */
function vaultAuditCommands(vault: Command): void {
  const audit = vault.command('audit').description("your vault's audit trail: every read of its data by anyone, changes to its credentials and channels, refusals (docs/audit.md)");
  audit.command('ls').description('events, oldest first')
    .option('--action <action>', 'an action, or an area ending in "." (vault.)').option('--from <iso>', 'at or after').option('--to <iso>', 'before')
    .option('--max <n>', 'list at most n events', count, 100)
    .option('--json', 'print JSON (an array)')
    .action(async (o: Record<string, any>, cmd: Command) => {
      const client = clientFor(cmd);
      const rows: AuditPage['items'] = [];
      try {
        for await (const page of client.auditPages({ action: o.action, from: o.from, to: o.to }, { pageSize: Math.min(1000, o.max) })) {
          rows.push(...page.items.slice(0, o.max - rows.length));
          if (rows.length >= o.max) break;
        }
      } finally {
        await client.close();
      }
      if (o.json) printJson(rows);
      else printTable(rows.map((e) => ({ ...e, actor: `${e.actor.kind}:${e.actor.id}` })), ['seq', 'at', 'actor', 'action', 'subject', 'outcome']);
    });
  audit.command('export').description('your audit export as NDJSON (your events whole, other companies\' as hash links), verifiable with vaultgate audit verify --export')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (o: { out?: string }, cmd: Command) => {
      const client = clientFor(cmd);
      try {
        const n = await saveExport(Readable.from(await client.auditExport()), o.out);
        if (o.out !== undefined && o.out !== '-') process.stderr.write(`${n} events and links written to ${o.out}\n`);
      } finally {
        await client.close();
      }
    });
}

/**
 * Streams the export's NDJSON lines to stdout, waiting for the pipe to drain; stops (and closes the download) as
 * soon as stdout's reader goes away (`vault export | head -1`). Resolves with the number of lines written.
 */
async function exportToStdout(s: ClientSettings, f: ReturnType<typeof filters>, onProgress: (n: number) => void, owner?: string): Promise<number> {
  const client = clientOf(s);
  let written = 0;
  try {
    for await (const line of owner === undefined ? client.exportLines(f) : client.exportSharedLines(owner, f)) {
      if (!(await writeStdout(`${line}\n`))) break;
      written++;
      if (written % 1000 === 0) onProgress(written);
    }
  } finally {
    await client.close();
  }
  return written;
}

/** What a stopped export needs before it can resume. */
function resumeHint(err: VaultgateIncompleteExportError, owner: string | undefined): string {
  return err.code === 'GRANT_REQUIRED'
    ? `Resuming needs an active grant over ${owner ?? 'that vault'} again (vaultgate vault shared ls lists yours; ask the owner).`
    : '';
}

/** The export command's action: the own vault, or with `owner` (--owner) another owner's within the active grants. */
function exportAction() {
  return async (o: Record<string, string | undefined>, cmd: Command): Promise<void> => {
    const s = clientSettings(cmd);
    const progress = new Progress(undefined, process.stderr);
    const toStdout = o.out === undefined || o.out === '-';
    try {
      if (toStdout) {
        const written = await exportToStdout(s, filters(o), (n) => progress.update({ exported: n }), o.owner);
        progress.update({ exported: written }, true);
        return;
      }
    } catch (err) {
      // stdout keeps what arrived but has no resume point: say how to get one.
      if (err instanceof VaultgateIncompleteExportError) throw new Error([`${err.message}.`, resumeHint(err, o.owner), 'What arrived is on stdout; to be able to resume, export with --out <file> (a run again continues after its last line).'].filter(Boolean).join(' '));
      throw err;
    }
    const started = Date.now();
    const r = await exportVaultToFile({
      baseUrl: s.url, credentials: s.credentials, acceptLanguage: s.acceptLanguage, out: o.out!, filters: filters(o), owner: o.owner,
      onProgress: (n) => progress.update({ exported: n }),
    }).catch((err: unknown) => {
      if (err instanceof VaultgateIncompleteExportError) {
        throw new Error([`${err.message}; what arrived is in ${o.out}.`, resumeHint(err, o.owner), `Run the same command again (same --out ${o.out}) to resume after the last line written.`].filter(Boolean).join(' '));
      }
      throw err;
    });
    progress.update({ exported: r.written }, true);
    process.stderr.write(`${r.resumedFrom ? 'resumed; ' : ''}${r.written} messages written to ${o.out} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  };
}

/**
 * `vaultgate vault shared …` (issue 15): other owners' vaults, within your organisation's active grants (MAC
 * credentials with vault.read, or a client with the shared.read role).
 */
function sharedCommands(vault: Command): void {
  const shared = vault.command('shared').description("read other owners' vaults within your organisation's active grants (MAC vault.read credentials, or a client with the shared.read role)");
  const owner = (c: Command, required: boolean): Command => (required
    ? c.requiredOption('--owner <companyId>', "the owner's company id (vault shared ls lists them)")
    : c.option('--owner <companyId>', "the owner's company id; without it, the owners and grants you hold"));

  selection(owner(shared.command('ls').alias('list').description('without --owner: the owners and active grants you hold; with it: that vault\'s messages you may read (metadata), oldest first'), false))
    .option('--max <n>', 'list at most n messages', count, 100)
    .option('--json', 'print JSON (an array)')
    .action(async (o: Record<string, any>, cmd: Command) => {
      const client = clientFor(cmd);
      try {
        if (o.owner === undefined) {
          const { owners } = await client.sharedOwners();
          const rows = owners.flatMap((w) => w.grants.map((g) => ({
            owner: w.companyId, name: w.name, grantId: g.grantId, channels: g.channelIds?.join(',') ?? '*', types: g.messageTypes?.join(',') ?? '*',
            from: g.receivedFrom ?? '', before: g.receivedBefore ?? '',
          })));
          if (o.json) printJson(owners);
          else printTable(rows, ['owner', 'name', 'grantId', 'channels', 'types', 'from', 'before']);
          return;
        }
        const rows: MessageMeta[] = [];
        for await (const m of client.listShared(o.owner, filters(o), { pageSize: Math.min(1000, o.max) })) {
          rows.push(m);
          if (rows.length >= o.max) break;
        }
        if (o.json) printJson(rows);
        else printTable(rows as unknown as Record<string, unknown>[], ['messageId', 'receivedAt', 'channelId', 'messageType', 'mediaType', 'size']);
      } finally {
        await client.close();
      }
    });

  owner(shared.command('get <messageId>'), true).description('write one shared message\'s original bytes to stdout (or --out); metadata and the grant on stderr')
    .option('--out <file>', 'write the body into this file')
    .action(async (id: string, o: { out?: string; owner: string }, cmd: Command) => {
      const client = clientFor(cmd);
      try {
        const m = await client.getShared(o.owner, id);
        process.stderr.write(`${m.messageId}  ${m.messageType}  ${m.contentType}  ${m.body.length} bytes  received ${m.receivedAt}  grant ${m.grantId ?? '-'}\n`);
        if (o.out) writeFileSync(o.out, m.body);
        else process.stdout.write(m.body);
      } finally {
        await client.close();
      }
    });

  selection(owner(shared.command('export'), true).description('export the shared messages as NDJSON into a file (run again to resume), or to stdout; stops when a grant ends'))
    .option('--out <file>', 'NDJSON file, appended to when resuming; omitted or "-": stdout (not resumable)')
    .action(exportAction());
}
