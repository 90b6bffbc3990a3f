import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkEvent, type AuditRecord } from '../../src/protocol/index.js';
import { macRequest } from '../helpers/mac-request.js';
import { CLI, createTenant, startTestServer, tempDir, type Tenant, type TestServer } from '../helpers/servers.js';

/*
 * The audit CLI as a newcomer met it (issue 13 findings): what `audit verify` must refuse (an export stripped of its
 * checkpoints and rewritten, an end line that counts more than the export holds), how it words a swap, a missing end
 * line, a key file of another server and a missing file, and `admin audit export` in a pipe and into a file. Every
 * case runs the CLI as a process against a real server's chain.
 */
const run = promisify(execFile);
type Result = { code: number; out: string; err: string };
async function cli(args: string[], env: Record<string, string> = {}): Promise<Result> {
  try {
    const r = await run(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

describe('vaultgate audit verify and admin audit, as a newcomer used them', () => {
  let s: TestServer;
  let env: Record<string, string>;
  const dir = tempDir('vg-audit-cli-');
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  let keys = '';
  let exported = '';
  let lines: string[] = [];
  let checkpoint: { seq: number; jws: string } = { seq: 0, jws: '' };
  let t: Tenant;

  beforeAll(async () => {
    s = await startTestServer();
    env = { VAULTGATE_URL: s.url, VAULTGATE_ADMIN_TOKEN: s.adminToken };
    t = await createTenant(s.admin, { businessId: '2617416-4' });
    // Enough events that the export is larger than a pipe's buffer (64 KiB), and some after the last checkpoint.
    for (let i = 0; i < 16; i++) {
      await Promise.all(Array.from({ length: 10 }, () => macRequest({ baseUrl: s.url, target: '/vault/v1/messages?limit=1', creds: t.reader })));
    }
    checkpoint = (await s.admin('POST', '/audit/checkpoints')).body;
    for (let i = 0; i < 3; i++) await macRequest({ baseUrl: s.url, target: '/vault/v1/messages?limit=1', creds: t.reader });
    keys = file('keys.json', await (await fetch(`${s.url}/.well-known/vaultgate-audit-keys`)).text());
    exported = join(dir, 'trail.ndjson');
    const r = await cli(['admin', 'audit', 'export', '--out', exported], env);
    expect(r.code, r.err).toBe(0);
    lines = readFileSync(exported, 'utf8').trim().split('\n');
    const events = lines.filter((l) => l.startsWith('{"type":"event"')).length;
    expect(r.err).toBe(`${events} events written to ${exported}\n`);
  }, 120_000);
  afterAll(() => s.stop());

  const events = (): AuditRecord[] => lines.filter((l) => l.startsWith('{"type":"event"')).map((l) => {
    const { type: _t, ...e } = JSON.parse(l);
    return e as AuditRecord;
  });
  const head = (): number => events().length;

  it('an export stripped of its checkpoints and rewritten is UNANCHORED (exit 3); a checkpoint kept from before finds the rewrite', async () => {
    // The attacker edits event 2 and recomputes every hash after it, drops the checkpoint lines and fixes nothing else.
    const rewritten: AuditRecord[] = [];
    for (const e of events()) rewritten.push(linkEvent(rewritten.at(-1) ?? null, { ...e, details: e.seq === 2 ? { name: 'Someone Else Oy' } : e.details }));
    const forged = file('forged.ndjson', [lines[0], ...rewritten.map((e) => JSON.stringify({ type: 'event', ...e })), lines.at(-1)].join('\n') + '\n');
    const r = await cli(['audit', 'verify', '--export', forged, '--public-key', keys]);
    expect(r).toMatchObject({ code: 3, out: `UNANCHORED: ${head()} events (seq 1…${head()}) chain correctly, but no signed checkpoint covers them: whoever could write the export could have rewritten them all\n` });
    expect(r.err).toMatch(/--checkpoint <jws\|file>.*--allow-unanchored/);
    expect(JSON.parse((await cli(['audit', 'verify', '--export', forged, '--public-key', keys, '--json'])).out)).toMatchObject({ ok: false, anchored: false, firstBreak: null });
    expect(await cli(['audit', 'verify', '--export', forged, '--public-key', keys, '--allow-unanchored'])).toMatchObject({ code: 0, out: expect.stringMatching(/^ok \(unanchored, --allow-unanchored\): /) });
    // The auditor kept the checkpoint it was given earlier: as the JWS itself, or as the API's answer in a file.
    const rewrite = `BROKEN at seq ${checkpoint.seq}: the checkpoint at seq ${checkpoint.seq} signed another head hash (the chain was rewritten)\n`;
    expect(await cli(['audit', 'verify', '--export', forged, '--public-key', keys, '--checkpoint', checkpoint.jws])).toMatchObject({ code: 3, out: rewrite });
    const kept = file('checkpoint.json', JSON.stringify(checkpoint));
    expect(await cli(['audit', 'verify', '--export', forged, '--public-key', keys, '--checkpoint', kept])).toMatchObject({ code: 3, out: rewrite });
    // And the intact export verifies with it (given twice: it is also in the export), naming the uncovered tail.
    const ok = await cli(['audit', 'verify', '--export', exported, '--public-key', keys, '--checkpoint', kept]);
    expect(ok).toMatchObject({ code: 0, out: `ok: ${head()} events (seq 1…${head()}), 1 checkpoint verified, the newest at seq ${checkpoint.seq}\nnote: events ${checkpoint.seq + 1}…${head()} are not covered by a checkpoint yet\n` });
    expect((await cli(['audit', 'verify', '--export', exported, '--public-key', keys, '--checkpoint', 'not-a-file'])).err).toBe('vaultgate: cannot read --checkpoint not-a-file: no such file\n');
  });

  it('compares the end line with what the export holds', async () => {
    const cut = file('cut-tail.ndjson', [...lines.slice(0, -2), lines.at(-1)].join('\n') + '\n');
    expect(await cli(['audit', 'verify', '--export', cut, '--public-key', keys])).toMatchObject({
      code: 3, out: `BROKEN after seq ${head() - 1}: its end line counts ${head()} events but the export holds ${head() - 1} (events at its end were removed)\n`,
    });
    const noEnd = file('no-end.ndjson', lines.slice(0, -1).join('\n') + '\n');
    expect(await cli(['audit', 'verify', '--export', noEnd, '--public-key', keys])).toMatchObject({ code: 3, out: `BROKEN after seq ${head()}: the export ends without its end line (it was cut short)\n` });
  });

  it('words a swap, a key file of another server, missing files and a missing source plainly', async () => {
    const at = (seq: number): number => lines.findIndex((l) => l.startsWith('{"type":"event"') && JSON.parse(l).seq === seq);
    const swapped = [...lines];
    [swapped[at(3)], swapped[at(4)]] = [swapped[at(4)]!, swapped[at(3)]!];
    expect(await cli(['audit', 'verify', '--export', file('swapped.ndjson', swapped.join('\n') + '\n'), '--public-key', keys])).toMatchObject({ code: 3, out: 'BROKEN at seq 3: expected seq 3, found 4 (missing or out of order)\n' });

    const jwks = JSON.parse(readFileSync(keys, 'utf8'));
    const other = file('other-keys.json', JSON.stringify({ keys: [{ ...jwks.keys[0], kid: 'ak_test_someoneelse' }] }));
    expect(await cli(['audit', 'verify', '--export', exported, '--public-key', other])).toMatchObject({
      code: 3, out: `BROKEN at seq ${checkpoint.seq}: checkpoint at seq ${checkpoint.seq}: its key ${jwks.keys[0].kid} is not among the keys given with --public-key\n`,
    });
    const missing = join(dir, 'nope');
    expect(await cli(['audit', 'verify', '--database', `${missing}.db`])).toEqual({ code: 1, out: '', err: `vaultgate: cannot read --database ${missing}.db: no such file\n` });
    expect(await cli(['audit', 'verify', '--export', exported, '--public-key', `${missing}.json`])).toEqual({ code: 1, out: '', err: `vaultgate: cannot read --public-key ${missing}.json: no such file\n` });
    expect(await cli(['audit', 'verify', '--export', `${missing}.ndjson`])).toEqual({ code: 1, out: '', err: `vaultgate: cannot read --export ${missing}.ndjson: no such file\n` });
    expect(await cli(['audit', 'verify'])).toMatchObject({ code: 2, out: '', err: expect.stringContaining('say what to verify: --database <file>, --database-url <url> or --export <file>') });
  });

  it("verifies the live server's database file (read-only, with its WAL): every event the server committed", async () => {
    const committed = (await s.admin('GET', '/audit?limit=1000')).body.items.at(-1).seq as number;
    const live = await cli(['audit', 'verify', '--database', join(s.dataDir, 'vaultgate.db'), '--public-key', keys, '--json']);
    expect(live.code, live.out + live.err).toBe(0);
    expect(JSON.parse(live.out)).toMatchObject({ ok: true, anchored: true, firstSeq: 1, firstBreak: null });
    expect(JSON.parse(live.out).lastSeq).toBeGreaterThanOrEqual(committed);
  });

  const noSqlite3 = !['/usr/bin/sqlite3', '/usr/local/bin/sqlite3'].some((p) => existsSync(p));
  it.skipIf(noSqlite3)(`a backup taken as the README says (sqlite3 .backup, server running) holds every committed event${noSqlite3 ? ' (skipped: the sqlite3 shell is not installed)' : ''}`, async () => {
    const committed = (await s.admin('GET', '/audit?limit=1000')).body.items.at(-1).seq as number;
    const copy = join(dir, 'backup.db');
    await run('sqlite3', [join(s.dataDir, 'vaultgate.db'), `.backup ${copy}`]);
    const r = await cli(['audit', 'verify', '--database', copy, '--public-key', keys, '--json']);
    expect(r.code, r.out + r.err).toBe(0);
    expect(JSON.parse(r.out).lastSeq).toBeGreaterThanOrEqual(committed);
  });

  it('a company reads and exports its own trail with its vault credentials (vg vault audit), and the export verifies', async () => {
    const mac = {
      VAULTGATE_URL: s.url, VAULTGATE_PARTNER_ID: t.reader.partnerId, VAULTGATE_PARTNER_KEY: t.reader.partnerKey,
      VAULTGATE_CUSTOMER_ID: t.reader.customerId, VAULTGATE_CUSTOMER_KEY: t.reader.customerKey, VAULTGATE_ORGANISATION_ID: t.businessId,
    };
    const ls = await cli(['vault', 'audit', 'ls', '--action', 'vault.', '--max', '5', '--json'], mac);
    expect(ls.code, ls.err).toBe(0);
    const items = JSON.parse(ls.out) as AuditRecord[];
    expect(items).toHaveLength(5);
    expect(items.every((e) => e.action === 'vault.list' && e.tenants.includes(t.companyId) && e.actor.id === t.reader.customerId)).toBe(true);
    const table = await cli(['vault', 'audit', 'ls', '--max', '2'], mac);
    expect(table.out).toMatch(new RegExp(`^seq\\s+at\\s+actor\\s+action\\s+subject\\s+outcome\\n\\d+\\s+\\S+\\s+operator:operator\\s+company\\.create\\s+${t.companyId}`));
    const own = join(dir, 'own.ndjson');
    const r = await cli(['vault', 'audit', 'export', '--out', own], mac);
    expect(r.code, r.err).toBe(0);
    const ownLines = readFileSync(own, 'utf8').trim().split('\n');
    const links = ownLines.filter((l) => l.startsWith('{"type":"link"')).length;
    expect(links).toBeGreaterThan(0);
    expect(r.err).toBe(`${ownLines.length - 2 - ownLines.filter((l) => l.startsWith('{"type":"checkpoint"')).length} events and links written to ${own}\n`);
    const v = await cli(['audit', 'verify', '--export', own, '--public-key', keys]);
    expect(v.code, v.out + v.err).toBe(0);
    expect(v.out).toContain(`note: ${links} events of other companies were links only`);
  });

  it('admin audit export stops quietly when its reader does (| head -c 100), and ls shows who acted', async () => {
    const piped = await run('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" admin audit export | head -c 100`], { env: { ...process.env, ...env } })
      .then((r) => ({ code: 0, out: r.stdout, err: r.stderr }), (e) => ({ code: e.code as number, out: e.stdout as string, err: e.stderr as string }));
    expect(piped).toEqual({ code: 0, out: lines[0]!.slice(0, 100), err: '' });
    const ls = await cli(['admin', 'audit', 'ls', '--limit', '3'], env);
    expect(ls.code, ls.err).toBe(0);
    expect(ls.out).toMatch(/^seq\s+at\s+actor\s+action\s+subject\s+outcome\n1\s+\S+\s+system:vaultgate\s+signing-key\.rotate\s.*\n2\s+\S+\s+operator:operator\s+company\.create\s/);
  });
});
