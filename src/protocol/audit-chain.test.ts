import { generateKeyPairSync } from 'node:crypto';
import { CompactSign, exportJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  AuditChainVerifier, canonicalJson, chainHash, checkCheckpoint, GENESIS_HASH, linkEvent, verifyAuditChain,
  type AuditCheckpoint, type AuditEventInput, type AuditRecord, type CheckpointClaims,
} from './audit-chain.js';

describe('canonicalJson (RFC 8785)', () => {
  it('serialises the RFC 8785 §3.2.2 example exactly', () => {
    const input = JSON.parse('{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}');
    expect(canonicalJson(input)).toBe('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  });

  it('sorts member names by UTF-16 code units (RFC 8785 §3.2.3 example)', () => {
    const input = JSON.parse('{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}');
    const expected = '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",'
      + '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}';
    expect(canonicalJson(input)).toBe(expected);
  });

  it('refuses values JSON cannot hold', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(RangeError);
    expect(() => canonicalJson({ a: 1n })).toThrow(TypeError);
    expect(canonicalJson({ a: undefined, b: [undefined] })).toBe('{"b":[null]}');
  });
});

const event = (i: number, over: Partial<AuditEventInput> = {}): AuditEventInput & { id: string } => ({
  id: `ae_test_${i}`, at: `2026-11-29T10:00:0${i % 10}.000Z`, environment: 'test', actor: { kind: 'operator', id: 'operator' },
  action: 'company.create', subject: `co_test_${i}`, tenants: [`co_test_${i}`], clientAddress: '127.0.0.1', requestId: `req-${i}`,
  outcome: 'success', details: { name: `Company ${i}` }, ...over,
});

function chain(n: number): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (let i = 1; i <= n; i++) out.push(linkEvent(out[out.length - 1] ?? null, event(i)));
  return out;
}

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
async function keys(kid = 'k1'): Promise<{ jwk: Record<string, unknown> }> {
  return { jwk: { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' } };
}
async function checkpoint(r: AuditRecord, kid = 'k1', key = privateKey): Promise<AuditCheckpoint> {
  const claims: CheckpointClaims = { seq: r.seq, headHash: r.hash, at: '2026-11-29T11:00:00.000Z', environment: 'test' };
  const jws = await new CompactSign(Buffer.from(JSON.stringify(claims))).setProtectedHeader({ alg: 'EdDSA', kid, typ: 'vaultgate-audit-checkpoint' }).sign(key);
  return { ...claims, kid, jws };
}

describe('the hash chain', () => {
  it('links each event to the previous hash from a fixed genesis', () => {
    const c = chain(3);
    expect(c[0]!.prevHash).toBe(GENESIS_HASH);
    expect(c[1]!.prevHash).toBe(c[0]!.hash);
    expect(c[2]!.hash).toBe(chainHash(c[1]!.hash, c[2]!));
    expect(c.map((r) => r.seq)).toEqual([1, 2, 3]);
  });

  it('a whole chain with its checkpoint verifies', async () => {
    const c = chain(5);
    const { jwk } = await keys();
    const v = verifyAuditChain(c, [await checkpoint(c[2]!), await checkpoint(c[4]!)], [jwk]);
    expect(v).toMatchObject({ ok: true, events: 5, firstSeq: 1, lastSeq: 5, checkpointsVerified: 2, lastCheckpointSeq: 5, firstBreak: null });
  });

  it('names the first event where an edit, a deletion, a reordering or a truncation breaks it', async () => {
    const { jwk } = await keys();
    const c = chain(6);
    const cp = [await checkpoint(c[5]!)];
    const edited = c.map((r) => (r.seq === 3 ? { ...r, details: { name: 'changed' } } : r));
    expect(verifyAuditChain(edited, cp, [jwk]).firstBreak).toEqual({ seq: 3, reason: expect.stringContaining('edited') });
    const deleted = c.filter((r) => r.seq !== 4);
    expect(verifyAuditChain(deleted, cp, [jwk]).firstBreak).toEqual({ seq: 4, reason: expect.stringContaining('missing') });
    const swapped = [c[0]!, c[2]!, c[1]!, ...c.slice(3)];
    expect(verifyAuditChain(swapped, cp, [jwk]).firstBreak?.seq).toBe(2);
    // Two events swapped: named as what was expected and what came, not as a gap that is not there.
    const swapped34 = [...c.slice(0, 2), c[3]!, c[2]!, ...c.slice(4)];
    expect(verifyAuditChain(swapped34, cp, [jwk]).firstBreak).toEqual({ seq: 3, reason: 'expected seq 3, found 4 (missing or out of order)' });
    const duplicated = [...c.slice(0, 3), c[2]!, ...c.slice(3)];
    expect(verifyAuditChain(duplicated, cp, [jwk]).firstBreak).toEqual({ seq: 4, reason: 'expected seq 4, found 3 (duplicated or out of order)' });
    // Swap contents but keep the seq order: the hashed seq no longer matches.
    const renumbered = [c[0]!, { ...c[2]!, seq: 2 }, { ...c[1]!, seq: 3 }, ...c.slice(3)];
    expect(verifyAuditChain(renumbered, cp, [jwk]).firstBreak?.seq).toBe(2);
    const truncated = c.slice(0, 4);
    expect(verifyAuditChain(truncated, cp, [jwk]).firstBreak).toEqual({ seq: 5, reason: expect.stringContaining('truncated') });
  });

  it('a rewritten chain (all hashes recomputed) no longer matches its signed checkpoint', async () => {
    const { jwk } = await keys();
    const c = chain(4);
    const cp = [await checkpoint(c[3]!)];
    const rewritten: AuditRecord[] = [];
    for (const r of c) rewritten.push(linkEvent(rewritten[rewritten.length - 1] ?? null, { ...r, details: r.seq === 2 ? { name: 'forged' } : r.details }));
    expect(verifyAuditChain(rewritten, cp, [jwk]).firstBreak).toEqual({ seq: 4, reason: expect.stringContaining('rewritten') });
  });

  it('refuses a forged checkpoint: another key, an unknown kid, or claims changed after signing', async () => {
    const { jwk } = await keys();
    const c = chain(2);
    const other = generateKeyPairSync('ed25519').privateKey;
    expect(checkCheckpoint(await checkpoint(c[1]!, 'k1', other), [jwk])).toBe('the signature does not verify');
    expect(checkCheckpoint(await checkpoint(c[1]!, 'k2'), [jwk])).toBe('its key k2 is not among the published keys');
    expect(checkCheckpoint(await checkpoint(c[1]!, 'k2'), [jwk], 'the keys given with --public-key')).toBe('its key k2 is not among the keys given with --public-key');
    const good = await checkpoint(c[1]!);
    expect(checkCheckpoint({ ...good, seq: 1 }, [jwk])).toMatch(/claims differ/);
    expect(verifyAuditChain(c, [{ ...good, jws: `${good.jws.slice(0, -4)}AAAA` }], [jwk]).ok).toBe(false);
  });

  it('links of withheld events keep the chain verifiable, and a forged link still breaks it', async () => {
    const { jwk } = await keys();
    const c = chain(4);
    const cp = [await checkpoint(c[3]!)];
    const v = new AuditChainVerifier({ checkpoints: cp, keys: [jwk] });
    v.add(c[0]!);
    v.addLink(c[1]!);
    v.addLink(c[2]!);
    v.add(c[3]!);
    expect(v.finish()).toMatchObject({ ok: true, events: 4, withheld: 2, checkpointsVerified: 1 });
    const w = new AuditChainVerifier({ checkpoints: cp, keys: [jwk] });
    w.add(c[0]!);
    w.addLink({ ...c[1]!, hash: 'f'.repeat(64) });
    w.addLink(c[2]!);
    expect(w.finish().firstBreak?.seq).toBe(3);
  });

  it('a chain pruned at a checkpoint verifies from that checkpoint, and not without it', async () => {
    const { jwk } = await keys();
    const c = chain(5);
    const cp = await checkpoint(c[1]!);
    expect(verifyAuditChain(c.slice(2), [cp], [jwk])).toMatchObject({ ok: true, firstSeq: 3, lastSeq: 5 });
    expect(verifyAuditChain(c.slice(2), [], [jwk]).firstBreak?.seq).toBe(3);
  });
});
