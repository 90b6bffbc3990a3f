import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { JsonWebKey } from 'node:crypto';
import { Command, Option } from 'commander';
import { AuditChainVerifier, type AuditCheckpoint, type AuditRecord, type ChainVerdict } from '../protocol/index.js';
import { action, list, paging } from './admin-commands.js';
import { resolveToken } from './admin-client.js';
import { printJson } from './output.js';

/** Events read per query while verifying a database. */
const PAGE = 5000;

/** Loads published keys: a JWKS (`{"keys":[…]}`) or a single JWK, from a file or an http(s) URL. */
export async function loadPublicKeys(source: string): Promise<JsonWebKey[]> {
  const text = /^https?:\/\//.test(source) ? await (await fetch(source)).text() : readFileSync(source, 'utf8');
  const parsed = JSON.parse(text) as { keys?: JsonWebKey[] } & JsonWebKey;
  return Array.isArray(parsed.keys) ? parsed.keys : [parsed];
}

/**
 * Verifies an export (NDJSON, docs/audit.md) read once from a stream: header, checkpoints, events, end. Without
 * `keys`, the export's own header keys are used (the caller says so: they prove nothing unless they match the
 * published ones). An export without its end line was cut short: reported as a break after its last event.
 */
export async function verifyExport(input: NodeJS.ReadableStream, keys: JsonWebKey[] | undefined): Promise<ChainVerdict & { keysFrom: 'given' | 'export' }> {
  let headerKeys: JsonWebKey[] = [];
  const checkpoints: AuditCheckpoint[] = [];
  let v: AuditChainVerifier | undefined;
  let ended = false;
  for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
    if (raw.trim() === '') continue;
    const line = JSON.parse(raw) as { type: string } & Record<string, unknown>;
    if (line.type === 'header') headerKeys = (line.keys as JsonWebKey[]) ?? [];
    else if (line.type === 'checkpoint') {
      const { type: _t, ...cp } = line;
      checkpoints.push(cp as unknown as AuditCheckpoint);
    } else if (line.type === 'event') {
      v ??= new AuditChainVerifier({ checkpoints, keys: keys ?? headerKeys });
      const { type: _t, ...r } = line;
      v.add(r as unknown as AuditRecord);
    } else if (line.type === 'link') {
      v ??= new AuditChainVerifier({ checkpoints, keys: keys ?? headerKeys });
      v.addLink(line as unknown as { seq: number; prevHash: string; hash: string });
    } else if (line.type === 'end') ended = true;
  }
  const verdict = (v ?? new AuditChainVerifier({ checkpoints, keys: keys ?? headerKeys })).finish();
  if (!ended && verdict.ok) {
    return { ...verdict, ok: false, firstBreak: { seq: (verdict.lastSeq ?? 0) + 1, reason: 'the export has no end line (it was cut short)' }, keysFrom: keys ? 'given' : 'export' };
  }
  return { ...verdict, keysFrom: keys ? 'given' : 'export' };
}

/** Verifies the chain of a database, read-only, a page at a time. */
export async function verifyDatabase(source: { file: string } | { url: string; schema: string }, keys: JsonWebKey[] | undefined): Promise<ChainVerdict & { keysFrom: 'given' | 'database' }> {
  const { openAuditReader } = await import('../server/main.js');
  const reader = await openAuditReader(source);
  try {
    const v = new AuditChainVerifier({ checkpoints: await reader.checkpoints(), keys: keys ?? ((await reader.publicKeys()) as JsonWebKey[]) });
    for (let after = 0; ;) {
      const page = await reader.chain(after, PAGE);
      if (page.length === 0) break;
      for (const r of page) v.add(r);
      after = page[page.length - 1]!.seq;
    }
    return { ...v.finish(), keysFrom: keys ? 'given' : 'database' };
  } finally {
    await reader.close();
  }
}

/** Prints a verdict; exit code 0 when the chain verifies, 3 when it does not. */
function report(verdict: ChainVerdict & { keysFrom: string }, json: boolean | undefined): void {
  if (json) printJson(verdict);
  else if (verdict.ok) {
    process.stdout.write(`ok: ${verdict.events} events (seq ${verdict.firstSeq ?? '-'}…${verdict.lastSeq ?? '-'}), ${verdict.checkpointsVerified} checkpoints verified, last at seq ${verdict.lastCheckpointSeq ?? '-'}\n`);
    if (verdict.withheld > 0) process.stdout.write(`note: ${verdict.withheld} events of other companies were links only (their hashes taken as given)\n`);
    if (verdict.lastCheckpointSeq !== verdict.lastSeq) process.stdout.write(`note: events after seq ${verdict.lastCheckpointSeq ?? 0} are not covered by a checkpoint yet\n`);
  } else {
    process.stdout.write(`BROKEN at seq ${verdict.firstBreak!.seq}: ${verdict.firstBreak!.reason}\n`);
  }
  if (verdict.keysFrom !== 'given') {
    process.stderr.write(`warning: checkpoint signatures were checked against the keys in the ${verdict.keysFrom} itself; pass --public-key with the published keys (GET /.well-known/vaultgate-audit-keys) for a proof\n`);
  }
  if (!verdict.ok) process.exitCode = 3;
}

/** `vaultgate audit verify`: offline, from a database file, a PostgreSQL URL or an export; no server needed. */
export function auditCommand(): Command {
  const audit = new Command('audit').description('verify an audit trail offline (docs/audit.md)');
  audit.command('verify')
    .description('walk the hash chain and check every checkpoint signature; names the first event where the chain breaks (exit 3)')
    .addOption(new Option('--database <file>', 'a SQLite database file (opened read-only)').conflicts(['databaseUrl', 'export']))
    .addOption(new Option('--database-url <url>', 'a PostgreSQL URL').conflicts(['export']))
    .option('--database-schema <schema>', 'the PostgreSQL schema', 'vaultgate')
    .option('--export <file>', 'an NDJSON export (vaultgate admin audit export), or - for stdin')
    .option('--public-key <jwks>', 'the published keys: a JWKS file or URL (e.g. https://…/.well-known/vaultgate-audit-keys)')
    .option('--json', 'print the verdict as JSON')
    .action(async (o: { database?: string; databaseUrl?: string; databaseSchema: string; export?: string; publicKey?: string; json?: boolean }) => {
      const keys = o.publicKey ? await loadPublicKeys(o.publicKey) : undefined;
      if (o.export) report(await verifyExport(o.export === '-' ? process.stdin : createReadStream(o.export), keys), o.json);
      else if (o.database) report(await verifyDatabase({ file: o.database }, keys), o.json);
      else if (o.databaseUrl) report(await verifyDatabase({ url: o.databaseUrl, schema: o.databaseSchema }, keys), o.json);
      else throw new Error('say what to verify: --database <file>, --database-url <url> or --export <file>');
    });
  return audit;
}

/** `vaultgate admin audit …`: the operator's view through the admin API. */
export function adminAuditCommands(admin: Command): void {
  const audit = admin.command('audit').description('the audit trail (docs/audit.md)');
  paging(audit.command('ls').description('events, oldest first')
    .option('--tenant <companyId>').option('--actor <id>').option('--action <action>', 'an action, or an area ending in "." (vault.)')
    .option('--from <iso>').option('--to <iso>'))
    .action(action(admin, (c, _a, o) => c.request('GET', list('/audit', o, { tenant: o.tenant, actor: o.actor, action: o.action, from: o.from, to: o.to })),
      ['seq', 'at', 'action', 'subject', 'outcome']));
  audit.command('checkpoint').description('sign a checkpoint of the chain head now')
    .action(action(admin, (c) => c.request('POST', '/audit/checkpoints')));
  const base = (): { url: string; token: string } => {
    const g = admin.opts<{ url: string; token?: string; dataDir?: string }>();
    return { url: g.url.replace(/\/+$/, ''), token: resolveToken({ url: g.url, token: g.token, dataDir: g.dataDir }) };
  };
  audit.command('key').description('the published checkpoint keys (JWKS)').action(async () => {
    printJson(await (await fetch(`${base().url}/.well-known/vaultgate-audit-keys`)).json());
  });
  const download = async (): Promise<Response> => {
    const { url, token } = base();
    const res = await fetch(`${url}/admin/v1/audit/export`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok || !res.body) throw new Error(`export failed: HTTP ${res.status} ${await res.text()}`);
    return res;
  };
  audit.command('export').description('the whole chain as NDJSON with its checkpoints and keys (verifiable offline)')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (o: { out?: string }) => {
      const res = await download();
      await pipeline(Readable.fromWeb(res.body as never), o.out ? createWriteStream(o.out) : process.stdout);
    });
  audit.command('verify').description("download the export and verify it against the server's published keys")
    .option('--json', 'print the verdict as JSON')
    .action(async (o: { json?: boolean }) => {
      const keys = await loadPublicKeys(`${base().url}/.well-known/vaultgate-audit-keys`);
      report(await verifyExport(Readable.fromWeb((await download()).body as never), keys), o.json || admin.opts<{ json?: boolean }>().json);
    });
}
