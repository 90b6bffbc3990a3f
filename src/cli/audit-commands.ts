import { createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { JsonWebKey } from 'node:crypto';
import { Command, Option } from 'commander';
import { AuditChainVerifier, type AuditCheckpoint, type AuditRecord, type ChainVerdict } from '../protocol/index.js';
import { action, list, paging } from './admin-commands.js';
import { adminSettings, resolveToken } from './admin-client.js';
import { printJson } from './output.js';
import { writeStdout } from './stdio.js';

/** Events read per query while verifying a database. */
const PAGE = 5000;

/** Reads a file or an http(s) URL given with `flag`; a missing file or a failed download names the flag and the source. */
async function readSource(flag: string, source: string): Promise<string> {
  if (/^https?:\/\//.test(source)) {
    let res: Response;
    try {
      res = await fetch(source);
    } catch (err) {
      throw new Error(`cannot fetch ${flag} ${source}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
    }
    if (!res.ok) throw new Error(`cannot fetch ${flag} ${source}: HTTP ${res.status}`);
    return res.text();
  }
  try {
    return readFileSync(source, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`cannot read ${flag} ${source}: ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a directory' : e.message}`);
  }
}

/** Parses `text` as JSON, or says which flag's source is not JSON. */
function json(flag: string, source: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${flag} ${source} is not JSON`);
  }
}

/** Loads published keys: a JWKS (`{"keys":[…]}`) or a single JWK, from a file or an http(s) URL. */
export async function loadPublicKeys(source: string): Promise<JsonWebKey[]> {
  const parsed = json('--public-key', source, await readSource('--public-key', source)) as { keys?: JsonWebKey[] } & JsonWebKey;
  return Array.isArray(parsed.keys) ? parsed.keys : [parsed];
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** A checkpoint from its compact JWS alone: the claims and kid are inside it (the signature is checked later). */
function checkpointOfJws(jws: string, source: string): AuditCheckpoint {
  try {
    const [h, p] = jws.split('.');
    const header = JSON.parse(Buffer.from(h!, 'base64url').toString('utf8')) as { kid?: string };
    const c = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as { seq: number; headHash: string; at: string; environment: string };
    return { seq: c.seq, headHash: c.headHash, at: c.at, environment: c.environment, kid: String(header.kid), jws };
  } catch {
    throw new Error(`--checkpoint ${source}: not a checkpoint JWS`);
  }
}

/**
 * Checkpoints an auditor kept: each source is a compact JWS, or a file holding JWSs (one a line), the answer of
 * `POST /admin/v1/audit/checkpoints` or `GET /admin/v1/audit/checkpoints`, or an export (its checkpoint lines).
 */
export async function loadCheckpoints(sources: readonly string[]): Promise<AuditCheckpoint[]> {
  const out: AuditCheckpoint[] = [];
  for (const source of sources) {
    if (COMPACT_JWS.test(source.trim())) {
      out.push(checkpointOfJws(source.trim(), 'argument'));
      continue;
    }
    const text = (await readSource('--checkpoint', source)).trim();
    let whole: unknown;
    try {
      whole = JSON.parse(text);
    } catch {
      whole = undefined;
    }
    const items = whole === undefined ? text.split(/\r?\n/).filter((l) => l.trim() !== '').map((l) => (l.trim().startsWith('{') ? json('--checkpoint', source, l) : l.trim()))
      : Array.isArray((whole as { items?: unknown }).items) ? (whole as { items: unknown[] }).items : Array.isArray(whole) ? whole : [whole];
    for (const item of items) {
      const jws = typeof item === 'string' ? item : (item as { type?: string; jws?: unknown }).jws;
      if (typeof item === 'object' && item !== null && (item as { type?: string }).type !== undefined && (item as { type?: string }).type !== 'checkpoint') continue;
      if (typeof jws !== 'string' || !COMPACT_JWS.test(jws)) throw new Error(`--checkpoint ${source}: holds something that is not a checkpoint JWS`);
      out.push(checkpointOfJws(jws, source));
    }
  }
  return out;
}

/** The checkpoints of a chain plus the ones an auditor supplied, each once. */
const merged = (own: readonly AuditCheckpoint[], extra: readonly AuditCheckpoint[]): AuditCheckpoint[] =>
  [...own, ...extra.filter((x) => !own.some((c) => c.jws === x.jws))];

/** What the CLI verifies against: published keys (or none: then the chain's own) and checkpoints kept by the auditor. */
export interface VerifyInputs {
  keys?: JsonWebKey[] | undefined;
  checkpoints?: AuditCheckpoint[] | undefined;
}

type Verdict = ChainVerdict & { keysFrom: 'given' | 'export' | 'database' };

const label = (keys: JsonWebKey[] | undefined, own: string): string => (keys ? 'the keys given with --public-key' : `the keys in the ${own} itself`);

/**
 * Verifies an export (NDJSON, docs/audit.md) read once from a stream: header, checkpoints, events and links, end.
 * Without `keys`, the export's own header keys are used (the caller says so: they prove nothing unless they match
 * the published ones). An export without its end line was cut short, and one whose end line counts another number
 * of events and links than it holds was cut or added to: both are reported as a break after its last event.
 */
export async function verifyExport(input: NodeJS.ReadableStream, o: VerifyInputs = {}): Promise<Verdict> {
  let headerKeys: JsonWebKey[] = [];
  const checkpoints: AuditCheckpoint[] = [];
  let v: AuditChainVerifier | undefined;
  let end: number | undefined;
  const verifier = (): AuditChainVerifier =>
    (v ??= new AuditChainVerifier({ checkpoints: merged(checkpoints, o.checkpoints ?? []), keys: o.keys ?? headerKeys, keysLabel: label(o.keys, 'export') }));
  let n = 0;
  for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
    n++;
    if (raw.trim() === '') continue;
    let line: { type: string } & Record<string, unknown>;
    try {
      line = JSON.parse(raw) as typeof line;
    } catch {
      throw new Error(`the export's line ${n} is not JSON: is this an audit export (vaultgate admin audit export)?`);
    }
    if (line.type === 'header') headerKeys = (line.keys as JsonWebKey[]) ?? [];
    else if (line.type === 'checkpoint') {
      const { type: _t, ...cp } = line;
      checkpoints.push(cp as unknown as AuditCheckpoint);
    } else if (line.type === 'event') {
      const { type: _t, ...r } = line;
      verifier().add(r as unknown as AuditRecord);
    } else if (line.type === 'link') {
      verifier().addLink(line as unknown as { seq: number; prevHash: string; hash: string });
    } else if (line.type === 'end') end = Number(line.events);
  }
  const verdict = verifier().finish();
  const keysFrom = o.keys ? 'given' : 'export';
  if (!verdict.ok) return { ...verdict, keysFrom };
  const last = verdict.lastSeq ?? 0;
  const broken = (reason: string): Verdict => ({ ...verdict, ok: false, firstBreak: { seq: last + 1, afterSeq: last, reason }, keysFrom });
  if (end === undefined) return broken('the export ends without its end line (it was cut short)');
  if (end !== verdict.events) {
    return broken(`its end line counts ${end} events but the export holds ${verdict.events} (${end > verdict.events ? 'events at its end were removed' : 'events were added'})`);
  }
  return { ...verdict, keysFrom };
}

/** Verifies the chain of a database, read-only (with its WAL: what a live server committed), a page at a time. */
export async function verifyDatabase(source: { file: string } | { url: string; schema: string }, o: VerifyInputs = {}): Promise<Verdict> {
  if ('file' in source && !existsSync(source.file)) throw new Error(`cannot read --database ${source.file}: no such file`);
  const { openAuditReader } = await import('../server/main.js');
  const reader = await openAuditReader(source);
  try {
    const keys = o.keys ?? ((await reader.publicKeys()) as JsonWebKey[]);
    const v = new AuditChainVerifier({ checkpoints: merged(await reader.checkpoints(), o.checkpoints ?? []), keys, keysLabel: label(o.keys, 'database') });
    for (let after = 0; ;) {
      const page = await reader.chain(after, PAGE);
      if (page.length === 0) break;
      for (const r of page) v.add(r);
      after = page[page.length - 1]!.seq;
    }
    return { ...v.finish(), keysFrom: o.keys ? 'given' : 'database' };
  } finally {
    await reader.close();
  }
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Prints a verdict. Exit code 0 when the chain verifies and a signed checkpoint anchors it, 3 when it breaks, and
 * 3 too when no checkpoint anchors it (anyone able to write the database or the export could have recomputed every
 * hash) unless `allowUnanchored`. JSON adds `anchored`; its `ok` is the exit code's verdict.
 */
function report(verdict: Verdict, o: { json?: boolean | undefined; allowUnanchored?: boolean | undefined }): void {
  const anchored = verdict.checkpointsVerified > 0;
  const ok = verdict.ok && (anchored || o.allowUnanchored === true);
  const range = verdict.events > 0 ? ` (seq ${verdict.firstSeq}…${verdict.lastSeq})` : '';
  if (o.json) printJson({ ...verdict, ok, anchored });
  else if (!verdict.ok) {
    const b = verdict.firstBreak!;
    process.stdout.write(`BROKEN ${b.afterSeq === undefined ? `at seq ${b.seq}` : `after seq ${b.afterSeq}`}: ${b.reason}\n`);
  } else if (anchored) {
    process.stdout.write(`ok: ${plural(verdict.events, 'event')}${range}, ${plural(verdict.checkpointsVerified, 'checkpoint')} verified, the newest at seq ${verdict.lastCheckpointSeq}\n`);
    if (verdict.withheld > 0) process.stdout.write(`note: ${plural(verdict.withheld, 'event')} of other companies were links only (their hashes taken as given)\n`);
    if (verdict.lastCheckpointSeq !== verdict.lastSeq) {
      process.stdout.write(`note: events ${verdict.lastCheckpointSeq! + 1}…${verdict.lastSeq} are not covered by a checkpoint yet\n`);
    }
  } else {
    const what = `${plural(verdict.events, 'event')}${range} chain correctly, but no signed checkpoint covers them`;
    if (ok) process.stdout.write(`ok (unanchored, --allow-unanchored): ${what}\n`);
    else {
      process.stdout.write(`UNANCHORED: ${what}: whoever could write the ${verdict.keysFrom === 'database' ? 'database' : 'export'} could have rewritten them all\n`);
      process.stderr.write('give the checkpoints you received earlier with --checkpoint <jws|file>, or accept a chain without one with --allow-unanchored\n');
    }
  }
  if (verdict.keysFrom !== 'given') {
    process.stderr.write(`warning: checkpoint signatures were checked against the keys in the ${verdict.keysFrom} itself; pass --public-key with the published keys (GET /.well-known/vaultgate-audit-keys) for a proof\n`);
  }
  if (!ok) process.exitCode = 3;
}

const withAnchors = (c: Command): Command => c
  .option('--checkpoint <jws|file>', 'a checkpoint you received earlier (compact JWS, or a file of them, an API answer or an export); repeatable', (v: string, prev: string[]) => [...prev, v], [] as string[])
  .option('--allow-unanchored', 'accept a chain that no signed checkpoint covers (exit 0 instead of 3)')
  .option('--json', 'print the verdict as JSON');

interface VerifyOpts { checkpoint: string[]; allowUnanchored?: boolean; json?: boolean }

/** `vaultgate audit verify`: offline, from a database file, a PostgreSQL URL or an export; no server needed. */
export function auditCommand(): Command {
  const audit = new Command('audit').description('verify an audit trail offline (docs/audit.md)');
  withAnchors(audit.command('verify')
    .description('walk the hash chain and check every checkpoint signature; names the first event where the chain breaks (exit 3), and exits 3 when no signed checkpoint anchors the chain')
    .addOption(new Option('--database <file>', 'a SQLite database file (opened read-only, with its -wal)').conflicts(['databaseUrl', 'export']))
    .addOption(new Option('--database-url <url>', 'a PostgreSQL URL').conflicts(['export']))
    .option('--database-schema <schema>', 'the PostgreSQL schema', 'vaultgate')
    .option('--export <file>', 'an NDJSON export (vaultgate admin audit export, vg vault audit export), or - for stdin')
    .option('--public-key <jwks>', 'the published keys: a JWKS file or URL (e.g. https://…/.well-known/vaultgate-audit-keys)'))
    .action(async (o: VerifyOpts & { database?: string; databaseUrl?: string; databaseSchema: string; export?: string; publicKey?: string }, cmd: Command) => {
      if (!o.export && !o.database && !o.databaseUrl) cmd.error('error: say what to verify: --database <file>, --database-url <url> or --export <file>', { exitCode: 2 });
      const inputs = { keys: o.publicKey ? await loadPublicKeys(o.publicKey) : undefined, checkpoints: await loadCheckpoints(o.checkpoint) };
      let verdict: Verdict;
      if (o.export) {
        if (o.export !== '-' && !existsSync(o.export)) throw new Error(`cannot read --export ${o.export}: no such file`);
        verdict = await verifyExport(o.export === '-' ? process.stdin : createReadStream(o.export), inputs);
      } else if (o.database) verdict = await verifyDatabase({ file: o.database }, inputs);
      else verdict = await verifyDatabase({ url: o.databaseUrl!, schema: o.databaseSchema }, inputs);
      report(verdict, o);
    });
  return audit;
}

/**
 * Writes an audit export's NDJSON to a file or to stdout, line by line with backpressure, and counts its events
 * and links. Stops early, without an error, when stdout's reader goes away (`… export | head -c 100`). Resolves
 * with the count, or throws when the download ended without its end line (cut short: run it again).
 */
export async function saveExport(input: Readable, out: string | undefined): Promise<number> {
  const file = out === undefined || out === '-' ? undefined : createWriteStream(out);
  let events = 0;
  let ended = false;
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      if (line.startsWith('{"type":"event"') || line.startsWith('{"type":"link"')) events++;
      else if (line.startsWith('{"type":"end"')) ended = true;
      if (file) {
        if (!file.write(`${line}\n`)) await once(file, 'drain');
      } else if (!(await writeStdout(`${line}\n`))) {
        input.destroy();
        return events;
      }
    }
  } finally {
    if (file) {
      file.end();
      await once(file, 'close');
    }
  }
  if (!ended) throw new Error(`the export was cut short after ${plural(events, 'event')}${file ? ` (what arrived is in ${out})` : ''}; run it again`);
  return events;
}

/** `vaultgate admin audit …`: the operator's view through the admin API. */
export function adminAuditCommands(admin: Command): void {
  const audit = admin.command('audit').description('the audit trail (docs/audit.md)');
  // The table shows the actor as kind:id (the JSON keeps the object).
  const readable = (r: { items: { actor: { kind: string; id: string } }[] }) => (admin.opts<{ json?: boolean }>().json ? r : { ...r, items: r.items.map((e) => ({ ...e, actor: `${e.actor.kind}:${e.actor.id}` })) });
  paging(audit.command('ls').description('events, oldest first')
    .option('--tenant <companyId>').option('--actor <id>').option('--action <action>', 'an action, or an area ending in "." (vault.)')
    .option('--from <iso>').option('--to <iso>'))
    .action(action(admin, async (c, _a, o) => readable(await c.request('GET', list('/audit', o, { tenant: o.tenant, actor: o.actor, action: o.action, from: o.from, to: o.to })) as never),
      ['seq', 'at', 'actor', 'action', 'subject', 'outcome']));
  audit.command('checkpoint').description('sign a checkpoint of the chain head now (an auditor keeps its jws: vaultgate audit verify --checkpoint)')
    .action(action(admin, (c) => c.request('POST', '/audit/checkpoints')));
  const base = (): { url: string; token: string } => {
    const g = adminSettings(admin);
    return { url: g.url.replace(/\/+$/, ''), token: resolveToken(g) };
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
      const n = await saveExport(Readable.fromWeb((await download()).body as never), o.out);
      if (o.out !== undefined && o.out !== '-') process.stderr.write(`${plural(n, 'event')} written to ${o.out}\n`);
    });
  withAnchors(audit.command('verify').description("download the export and verify it against the server's published keys"))
    .action(async (o: VerifyOpts) => {
      const keys = await loadPublicKeys(`${base().url}/.well-known/vaultgate-audit-keys`);
      const verdict = await verifyExport(Readable.fromWeb((await download()).body as never), { keys, checkpoints: await loadCheckpoints(o.checkpoint) });
      report(verdict, { ...o, json: o.json || admin.opts<{ json?: boolean }>().json });
    });
}
