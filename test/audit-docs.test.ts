import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalEventBytes } from '../src/protocol/index.js';
import { macRequest } from './helpers/mac-request.js';
import { CLI, createTenant, REPO, startTestServer, tempDir, type TestServer } from './helpers/servers.js';

/*
 * docs/audit.md is what an auditor works from: its example export verifies (with the CLI and with the page's own
 * Node.js snippet), its canonical bytes are the implementation's, and the snippet verifies a real server's export.
 */
const run = promisify(execFile);
const doc = readFileSync(join(REPO, 'docs/audit.md'), 'utf8');
const block = (info: string): string => {
  const m = new RegExp('```' + info + '\\n([\\s\\S]*?)\\n```').exec(doc);
  if (!m) throw new Error(`no ${info} block in docs/audit.md`);
  return m[1]!;
};
const dir = tempDir('vg-audit-doc-');
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
async function exec(args: string[]): Promise<{ code: number; out: string }> {
  try {
    return { code: 0, out: (await run(process.execPath, args)).stdout };
  } catch (e) {
    return { code: (e as { code: number }).code, out: (e as { stdout: string }).stdout };
  }
}

describe('docs/audit.md', () => {
  const example = block('text audit-example');
  const keys = file('keys.json', block('text audit-example-keys'));
  const snippet = file('verify-audit.mjs', block('js audit-verify-snippet'));
  let s: TestServer;

  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s.stop());

  it('its example export verifies with the CLI and with its own snippet, and an edit of it does not', async () => {
    const good = file('example.ndjson', `${example}\n`);
    expect(await exec([CLI, 'audit', 'verify', '--export', good, '--public-key', keys])).toEqual({ code: 0, out: expect.stringMatching(/^ok: 2 events \(seq 1…2\), 1 checkpoint verified, the newest at seq 2\n$/) });
    expect(await exec([snippet, good, keys])).toEqual({ code: 0, out: 'ok: 2 events, 1 checkpoint(s)\n' });
    const edited = file('edited.ndjson', `${example.replace('"size":42', '"size":43')}\n`);
    expect((await exec([CLI, 'audit', 'verify', '--export', edited, '--public-key', keys])).out).toMatch(/^BROKEN at seq 2: .*edited/);
    expect(await exec([snippet, edited, keys])).toEqual({ code: 3, out: 'BROKEN: at seq 2: edited\n' });
  });

  it('shows the canonical bytes the implementation hashes', () => {
    const first = example.split('\n').map((l) => JSON.parse(l)).find((l) => l.type === 'event' && l.seq === 1);
    expect(canonicalEventBytes(first).toString('utf8')).toBe(block('text'));
  });

  it("its snippet verifies a real server's export, and finds a removed event in it", async () => {
    const t = await createTenant(s.admin, { businessId: '1967543-8' });
    await macRequest({ baseUrl: s.url, target: '/vault/v1/messages', creds: t.reader });
    expect((await s.admin('POST', '/audit/checkpoints')).status).toBe(201);
    const exported = await (await fetch(`${s.url}/admin/v1/audit/export`, { headers: { authorization: `Bearer ${s.adminToken}` } })).text();
    const published = file('published.json', await (await fetch(`${s.url}/.well-known/vaultgate-audit-keys`)).text());
    const events = exported.trim().split('\n').filter((l) => l.includes('"type":"event"')).length;
    expect(await exec([snippet, file('server.ndjson', exported), published])).toEqual({ code: 0, out: `ok: ${events} events, 1 checkpoint(s)\n` });
    const removed = exported.split('\n').filter((l) => !l.includes('"seq":3,"prevHash"') && !/"type":"event".*"seq":3,/.test(l)).join('\n');
    expect((await exec([snippet, file('removed.ndjson', removed), published])).code).toBe(3);
    // Without its checkpoint lines the chain proves nothing (it could have been recomputed): refused, as by the CLI.
    const stripped = exported.split('\n').filter((l) => !l.startsWith('{"type":"checkpoint"')).join('\n');
    expect(await exec([snippet, file('stripped.ndjson', stripped), published])).toEqual({ code: 3, out: 'BROKEN: no signed checkpoint: nothing anchors the chain\n' });
    expect((await exec([CLI, 'audit', 'verify', '--export', join(dir, 'stripped.ndjson'), '--public-key', published])).code).toBe(3);
  });

  it("its snippet verifies a company's export (other companies' events as links), as the CLI does, and finds a forged link", async () => {
    const t = await createTenant(s.admin, { businessId: '2617416-4' });
    await macRequest({ baseUrl: s.url, target: '/vault/v1/messages', creds: t.reader });
    expect((await s.admin('POST', '/audit/checkpoints')).status).toBe(201);
    const own = (await macRequest({ baseUrl: s.url, target: '/vault/v1/audit/export', creds: t.reader })).text;
    const links = own.split('\n').filter((l) => l.startsWith('{"type":"link"')).length;
    expect(links).toBeGreaterThan(0);
    const events = own.trim().split('\n').filter((l) => l.startsWith('{"type":"event"') || l.startsWith('{"type":"link"')).length;
    const published = file('published-2.json', await (await fetch(`${s.url}/.well-known/vaultgate-audit-keys`)).text());
    const ownFile = file('company.ndjson', own);
    expect(await exec([snippet, ownFile, published])).toEqual({ code: 0, out: `ok: ${events} events, 2 checkpoint(s)\n` });
    expect(await exec([CLI, 'audit', 'verify', '--export', ownFile, '--public-key', published])).toMatchObject({ code: 0, out: expect.stringContaining(`note: ${links} events of other companies were links only`) });
    const firstLink = own.split('\n').find((l) => l.startsWith('{"type":"link"'))!;
    const forged = own.replace(firstLink, firstLink.replace(/"hash":"([0-9a-f])/, (_m, c: string) => `"hash":"${c === '0' ? '1' : '0'}`));
    expect((await exec([snippet, file('company-forged.ndjson', forged), published])).code).toBe(3);
  });
});
