import { generateKeyPairSync, randomBytes, randomInt, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyExport } from '../../cli/audit-commands.js';
import { canonicalJson as protocolCanonicalJson, chainHash as protocolChainHash, type AuditRecord } from '../../protocol/index.js';
import { macRequest } from '../../../test/helpers/mac-request.js';
import { createTenant, startTestServer, type Tenant, type TestServer } from '../../../test/helpers/servers.js';
import { canonicalJson, chainHash, fetchAuditKeys, ndjsonLines, verifyAuditExport, type AuditProblemKind, type AuditPublicKey, type AuditVerifyResult } from './audit-verify.js';

/*
 * The browser's audit verifier (WebCrypto; Node 20's globalThis.crypto is the same API) on exports of a real
 * server: the intact trail verifies, each tampering is reported at the seq the CLI's verifier names, and the two
 * verdicts agree on every case.
 */

type Line = Record<string, any>;
const parse = (text: string): Line[] => text.trim().split('\n').map((l) => JSON.parse(l) as Line);
const ndjson = (lines: Line[]): string => `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;
const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');

/** Ours and the CLI's verdict on one export; they must agree on the verdict, the break's place and its reason. */
async function both(text: string, keys: AuditPublicKey[]): Promise<AuditVerifyResult> {
  const ours = await verifyAuditExport(text.split('\n'), { keys });
  const cli = await verifyExport(Readable.from([text]), { keys: keys as never });
  expect(ours.ok).toBe(cli.ok && cli.checkpointsVerified > 0);
  expect({ events: ours.events, firstSeq: ours.firstSeq, lastSeq: ours.lastSeq, checkpoints: ours.checkpoints, lastCheckpointSeq: ours.lastCheckpointSeq, withheld: ours.withheld, headHash: ours.headHash })
    .toEqual({ events: cli.events, firstSeq: cli.firstSeq, lastSeq: cli.lastSeq, checkpoints: cli.checkpointsVerified, lastCheckpointSeq: cli.lastCheckpointSeq, withheld: cli.withheld, headHash: cli.headHash });
  if (cli.firstBreak) {
    const reason = cli.firstBreak.reason.replace('the keys given with --public-key', 'the published keys');
    expect(ours.problems[0]).toMatchObject({ seq: cli.firstBreak.seq, message: reason, ...(cli.firstBreak.afterSeq === undefined ? {} : { afterSeq: cli.firstBreak.afterSeq }) });
  }
  return ours;
}

function expectBroken(r: AuditVerifyResult, seq: number, kind: AuditProblemKind): void {
  expect(r.ok).toBe(false);
  expect(r.problems).toHaveLength(1);
  expect(r.problems[0]).toMatchObject({ seq, kind });
}

describe('verifyAuditExport offline', () => {
  const doc = readFileSync(new URL('../../../docs/audit.md', import.meta.url), 'utf8');
  const block = (name: string): string => new RegExp(`\`\`\`text ${name}\\n([\\s\\S]*?)\`\`\``).exec(doc)![1]!;

  it('the complete example of docs/audit.md verifies against its keys', async () => {
    const keys = (JSON.parse(block('audit-example-keys')) as { keys: AuditPublicKey[] }).keys;
    const r = await verifyAuditExport(block('audit-example').split('\n'), { keys });
    expect(r).toMatchObject({ ok: true, events: 2, checkpoints: 1, lastCheckpointSeq: 2, problems: [] });
  });

  it('canonical JSON and the chain hash equal src/protocol’s on random events', async () => {
    const text = (): string => Array.from({ length: randomInt(0, 12) }, () => String.fromCodePoint(randomInt(0, 3) === 0 ? randomInt(0x80, 0x2fff) : randomInt(0x20, 0x7f))).join('');
    const value = (depth: number): unknown => {
      switch (randomInt(depth > 2 ? 4 : 6)) {
        case 0: return null;
        case 1: return randomInt(2) === 0;
        case 2: return randomInt(3) === 0 ? randomInt(-1e9, 1e9) / 1000 : randomInt(-1e6, 1e6);
        case 3: return text();
        case 4: return Array.from({ length: randomInt(4) }, () => value(depth + 1));
        default: return Object.fromEntries(Array.from({ length: randomInt(5) }, () => [text(), value(depth + 1)]));
      }
    };
    let prev = randomBytes(32).toString('hex');
    for (let seq = 1; seq <= 200; seq++) {
      const e = {
        seq, id: `ae_test_${seq}`, at: new Date(randomInt(2e12)).toISOString(), environment: 'test', actor: { kind: 'customer' as const, id: text() },
        action: 'vault.get', subject: text(), tenants: [text()], clientAddress: randomInt(2) ? null : '192.0.2.1', requestId: text(), outcome: 'success' as const,
        details: value(0) as Record<string, unknown>, prevHash: prev, hash: '',
      };
      expect(canonicalJson(e.details)).toBe(protocolCanonicalJson(e.details));
      const h = await chainHash(prev, e);
      expect(h).toBe(protocolChainHash(prev, e as AuditRecord));
      prev = h;
    }
  });
});

describe('verifyAuditExport on a real server’s exports', () => {
  let s: TestServer;
  let t: Tenant;
  let keys: AuditPublicKey[];
  let lines: Line[];
  let firstCp: number;
  let lastCp: number;
  let head: number;
  const exportText = async (): Promise<string> => {
    const res = await fetch(`${s.url}/admin/v1/audit/export`, { headers: { authorization: `Bearer ${s.adminToken}` } });
    expect(res.status).toBe(200);
    return res.text();
  };
  const events = (): Line[] => lines.filter((l) => l.type === 'event');

  beforeAll(async () => {
    s = await startTestServer();
    t = await createTenant(s.admin, { businessId: '1967543-8' });
    await createTenant(s.admin, { businessId: '2729069-3' });
    await macRequest({ baseUrl: s.url, target: '/vault/v1/messages', creds: t.reader });
    firstCp = (await s.admin('POST', '/audit/checkpoints')).body.seq;
    await s.admin('POST', '/parties', { name: 'Jälkeen Oy' });
    await macRequest({ baseUrl: s.url, target: '/vault/v1/export', creds: t.reader });
    lastCp = (await s.admin('POST', '/audit/checkpoints')).body.seq;
    await s.admin('POST', '/parties', { name: 'Tail Ab' });
    keys = await fetchAuditKeys(s.url);
    lines = parse(await exportText());
    head = events().at(-1)!.seq;
  });
  afterAll(() => s.stop());

  it('the intact export verifies, as the CLI says, streamed from the response body with progress', async () => {
    expect(keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    expect(lastCp).toBeGreaterThan(firstCp);
    const r = await both(ndjson(lines), keys);
    expect(r).toMatchObject({ ok: true, anchored: true, events: head, firstSeq: 1, lastSeq: head, checkpoints: 2, lastCheckpointSeq: lastCp, problems: [], keysFrom: 'given' });

    const progress: number[] = [];
    const res = await fetch(`${s.url}/admin/v1/audit/export`, { headers: { authorization: `Bearer ${s.adminToken}` } });
    const streamed = await verifyAuditExport(ndjsonLines(res.body!), { keys, onProgress: (n) => progress.push(n), progressEvery: 2 });
    expect(streamed.ok).toBe(true);
    expect(streamed.events).toBeGreaterThanOrEqual(head);
    expect(progress.at(-1)).toBe(streamed.events);
    expect(progress.length).toBeGreaterThan(2);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('without keys it uses the export’s own and says so', async () => {
    const r = await verifyAuditExport(ndjson(lines).split('\n'));
    expect(r).toMatchObject({ ok: true, keysFrom: 'export' });
  });

  it('detects an edited field at its seq', async () => {
    const edited = lines.map((l) => (l.type === 'event' && l.seq === 5 ? { ...l, outcome: l.outcome === 'failure' ? 'success' : 'failure' } : l));
    expectBroken(await both(ndjson(edited), keys), 5, 'edited');
    const actor = lines.map((l) => (l.type === 'event' && l.seq === 4 ? { ...l, actor: { ...l.actor, id: 'nobody' } } : l));
    expectBroken(await both(ndjson(actor), keys), 4, 'edited');
  });

  it('detects a removed event at its seq', async () => {
    expectBroken(await both(ndjson(lines.filter((l) => !(l.type === 'event' && l.seq === 3))), keys), 3, 'sequence');
  });

  it('detects two reordered events at the first of them', async () => {
    const i = lines.findIndex((l) => l.type === 'event' && l.seq === 2);
    const swapped = [...lines];
    [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
    expectBroken(await both(ndjson(swapped), keys), 2, 'sequence');
    // Renumbered as well (seq is in the hashed bytes): the link or hash breaks at seq 2.
    const renumbered = swapped.map((l, j) => (j === i ? { ...l, seq: 2 } : j === i + 1 ? { ...l, seq: 3 } : l));
    const r = await both(ndjson(renumbered), keys);
    expect(r.problems[0]).toMatchObject({ seq: 2 });
    expect(['link', 'edited']).toContain(r.problems[0]!.kind);
  });

  it('detects a forged checkpoint: changed claims, another key’s signature, an unknown kid', async () => {
    const changed = lines.map((l) => (l.type === 'checkpoint' && l.seq === firstCp ? { ...l, headHash: events()[0]!.hash } : l));
    expectBroken(await both(ndjson(changed), keys), firstCp, 'checkpoint');
    expect((await verifyAuditExport(ndjson(changed).split('\n'), { keys })).problems[0]!.message).toMatch(/claims differ/);

    const { privateKey } = generateKeyPairSync('ed25519');
    const resign = (l: Line, kid: string): Line => {
      const h = b64({ alg: 'EdDSA', kid, typ: 'vaultgate-audit-checkpoint' });
      const p = b64({ seq: l.seq, headHash: l.headHash, at: l.at, environment: l.environment });
      return { ...l, kid, jws: `${h}.${p}.${sign(null, Buffer.from(`${h}.${p}`), privateKey).toString('base64url')}` };
    };
    const forged = lines.map((l) => (l.type === 'checkpoint' && l.seq === lastCp ? resign(l, l.kid) : l));
    expectBroken(await both(ndjson(forged), keys), lastCp, 'checkpoint');
    expect((await verifyAuditExport(ndjson(forged).split('\n'), { keys })).problems[0]!.message).toMatch(/signature does not verify/);
    const unknown = lines.map((l) => (l.type === 'checkpoint' && l.seq === lastCp ? resign(l, 'ak_test_someoneelse') : l));
    expectBroken(await both(ndjson(unknown), keys), lastCp, 'checkpoint');
  });

  it('detects a tail truncated behind a checkpoint, an export cut short, and a wrong end count', async () => {
    const truncated = lines.filter((l) => !(l.type === 'event' && l.seq >= lastCp - 1)).map((l) => (l.type === 'end' ? { ...l, events: lastCp - 2 } : l));
    expectBroken(await both(ndjson(truncated), keys), lastCp - 1, 'truncated');
    const cut = await both(ndjson(lines.slice(0, -1)), keys);
    expectBroken(cut, head + 1, 'cut-short');
    expect(cut.problems[0]!.afterSeq).toBe(head);
    const miscounted = lines.map((l) => (l.type === 'end' ? { ...l, events: head + 1 } : l));
    expectBroken(await both(ndjson(miscounted), keys), head + 1, 'end-count');
  });

  it('an export stripped of its checkpoints is unanchored: not ok unless allowed', async () => {
    const stripped = ndjson(lines.filter((l) => l.type !== 'checkpoint'));
    const r = await both(stripped, keys);
    expect(r).toMatchObject({ ok: false, anchored: false, problems: [{ kind: 'unanchored' }] });
    expect((await verifyAuditExport(stripped.split('\n'), { keys, allowUnanchored: true })).ok).toBe(true);
    // A checkpoint the auditor kept anchors it again.
    const kept = lines.filter((l) => l.type === 'checkpoint').map((l) => l.jws as string);
    expect(await verifyAuditExport(stripped.split('\n'), { keys, checkpoints: kept })).toMatchObject({ ok: true, checkpoints: 2 });
  });

  it('a line that is not an export line is reported, not thrown', async () => {
    for (const bad of ['hello', 'null', '5', '[1]', '{"type":"other"}']) {
      const r = await verifyAuditExport(['{"type":"header","keys":[]}', bad], { keys });
      expect(r, bad).toMatchObject({ ok: false, problems: [{ kind: 'malformed', message: expect.stringContaining('line 2') }] });
    }
  });

  it('a company’s export (other companies’ events as links) verifies as the CLI says; an edited link is caught', async () => {
    const res = await macRequest({ baseUrl: s.url, target: '/vault/v1/audit/export', creds: t.reader, json: false });
    expect(res.status, res.text).toBe(200);
    const own = parse(res.text);
    const r = await both(ndjson(own), keys);
    expect(r.ok).toBe(true);
    expect(r.withheld).toBeGreaterThan(0);
    const link = own.find((l) => l.type === 'link' && own.some((m) => m.prevHash === l.hash))!;
    const edited = own.map((l) => (l === link ? { ...l, hash: '0'.repeat(64) } : l));
    expectBroken(await both(ndjson(edited), keys), link.seq + 1, 'link');
  });
});
