/*
 * Verifies an audit export (docs/audit.md, "Export" and "How an auditor verifies an export without the server") in
 * the browser, with WebCrypto SHA-256 and Ed25519, for the operator's "audit trail verify" page: what the CLI's
 * `audit verify --export` does, with the chain walk of audit-chain.ts (the protocol's, for web standards). The test
 * keeps the verdicts equal to the CLI's; the reasons are worded as the CLI words them.
 */

import { ChainWalk, checkpointOfJws, COMPACT_JWS, type AuditPublicKey, type Checkpoint, type EventLine } from './audit-chain.js';

export { canonicalJson, chainHash, GENESIS_HASH, type AuditPublicKey } from './audit-chain.js';

/** What kind of break a problem is. */
export type AuditProblemKind =
  | 'malformed' // a line is not JSON, or not an export line
  | 'checkpoint' // a checkpoint's JWS: not compact, wrong alg, unknown or non-Ed25519 key, bad signature, claims differ
  | 'start' // the chain starts after seq 1 without a verified checkpoint just before it
  | 'sequence' // a seq is missing, duplicated or out of order
  | 'link' // prevHash is not the previous event's hash
  | 'edited' // the hash does not match the event's bytes (or they cannot be canonicalised)
  | 'rewritten' // a checkpoint signed another head hash at this seq
  | 'truncated' // a checkpoint covers a seq after the last event
  | 'cut-short' // no end line
  | 'end-count' // the end line counts another number of events
  | 'unanchored'; // the chain holds, but no signed checkpoint covers it

export interface AuditProblem {
  /** The first event (seq) that does not verify; after the last event (`afterSeq + 1`) for a cut export. */
  seq: number;
  /** Set when the break lies after an event rather than at one: the last event present. */
  afterSeq?: number;
  kind: AuditProblemKind;
  /** English, as the CLI prints it after `BROKEN at seq S:`. */
  message: string;
}

export interface AuditVerifyResult {
  /** The chain verifies and a signed checkpoint anchors it (or `allowUnanchored`): the CLI's exit 0. */
  ok: boolean;
  /** At least one checkpoint's signature and head hash verified. */
  anchored: boolean;
  /** Events and links walked. */
  events: number;
  /** Links of other companies' events (a company's export): their hash taken as given. */
  withheld: number;
  /** Checkpoints whose signature and head hash both verified (before any break). */
  checkpoints: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** The newest verified checkpoint's seq: events up to it can be neither changed nor removed undetected. */
  lastCheckpointSeq: number | null;
  /** The chain's head hash (hex), null for an empty chain. */
  headHash: string | null;
  /** The first break (a chain is not trusted past it), or `unanchored`; empty when ok and anchored. */
  problems: AuditProblem[];
  /** Whose keys checked the checkpoints: the ones given (published, kept by the auditor) or the export's own. */
  keysFrom: 'given' | 'export';
}

export interface VerifyAuditExportOptions {
  /** The published keys. Without them the export's header keys are used, which proves only internal consistency. */
  keys?: readonly AuditPublicKey[];
  /** Checkpoints (compact JWSs) the auditor kept from earlier: checked with the export's own. */
  checkpoints?: readonly string[];
  /** Accept a chain no checkpoint anchors (ok stays true, the `unanchored` problem is still listed). */
  allowUnanchored?: boolean;
  /** Called with the number of events processed, every `progressEvery` events and once at the end. */
  onProgress?: (eventsProcessed: number) => void;
  /** Default 500. Between calls the verifier yields to the event loop, so a page stays responsive. */
  progressEvery?: number;
}

/** The kind of a reason the chain walk gives (the reasons are the protocol's). */
function kindOf(reason: string): AuditProblemKind {
  if (reason.startsWith('checkpoint at seq')) return 'checkpoint';
  if (reason.startsWith('the chain starts')) return 'start';
  if (reason.startsWith('expected seq')) return 'sequence';
  if (reason.startsWith('prevHash')) return 'link';
  if (reason.includes('signed another head hash')) return 'rewritten';
  if (reason.includes('truncated')) return 'truncated';
  return 'edited';
}

/**
 * Verifies an audit export read line by line (NDJSON: header, checkpoints, events and links, end), as
 * `vaultgate audit verify --export` does: the hash chain with SHA-256, the checkpoints' Ed25519 signatures against
 * `keys`, the end line's count. Resolves to a result (a broken chain is a result, not an exception); rejects only
 * when WebCrypto is missing.
 *
 * @example
 * const keys = await fetchAuditKeys();
 * const res = await fetch('/admin/v1/audit/export', { headers });
 * const result = await verifyAuditExport(ndjsonLines(res.body!), { keys, onProgress: (n) => bar.set(n) });
 * // { ok: true, events: 1200, checkpoints: 3, firstSeq: 1, lastSeq: 1200, problems: [] , … }
 */
export async function verifyAuditExport(
  lines: AsyncIterable<string> | Iterable<string>,
  o: VerifyAuditExportOptions = {},
): Promise<AuditVerifyResult> {
  if (!globalThis.crypto?.subtle) throw new Error('WebCrypto is not available: open the portal over HTTPS (or on localhost)');
  const keysFrom = o.keys ? 'given' : 'export';
  const keysLabel = o.keys ? 'the published keys' : 'the keys in the export itself';
  const every = Math.max(1, o.progressEvery ?? 500);
  let headerKeys: AuditPublicKey[] = [];
  const own: Checkpoint[] = [];
  let walk: ChainWalk | undefined;
  const walker = async (): Promise<ChainWalk> => {
    if (walk) return walk;
    const kept = (o.checkpoints ?? []).filter((j) => COMPACT_JWS.test(j.trim())).map((j) => checkpointOfJws(j.trim()));
    const extra = kept.filter((c): c is Checkpoint => c !== undefined && !own.some((x) => x.jws === c.jws));
    walk = new ChainWalk();
    await walk.init([...own, ...extra], o.keys ?? headerKeys, keysLabel);
    return walk;
  };
  let end: number | undefined;
  let malformed: AuditProblem | undefined;
  let n = 0;
  for await (const raw of lines) {
    n++;
    if (raw.trim() === '') continue;
    let line: { type?: unknown } & Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(raw);
      line = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as typeof line) : {};
    } catch {
      line = {};
    }
    if (line.type === 'header') headerKeys = Array.isArray(line.keys) ? (line.keys as AuditPublicKey[]) : [];
    else if (line.type === 'checkpoint') {
      const { type: _t, ...cp } = line;
      own.push(cp as unknown as Checkpoint);
    } else if (line.type === 'event' || line.type === 'link') {
      const w = await walker();
      if (line.type === 'event') await w.add(line as unknown as EventLine);
      else await w.addLink(line as unknown as EventLine);
      if (w.events % every === 0) {
        o.onProgress?.(w.events);
        await new Promise((r) => setTimeout(r, 0));
      }
    } else if (line.type === 'end') end = Number(line.events);
    else {
      const at = (await walker()).finish().lastSeq ?? 0;
      malformed = { seq: at + 1, afterSeq: at, kind: 'malformed', message: `the export's line ${n} is not an audit export line: is this an audit export (vaultgate admin audit export)?` };
      break;
    }
  }
  const w = await walker();
  o.onProgress?.(w.events);
  const { broken, ...v } = w.finish();
  const result = (problems: AuditProblem[]): AuditVerifyResult => {
    const anchored = v.checkpoints > 0;
    const fatal = problems.some((p) => p.kind !== 'unanchored');
    return { ...v, ok: !fatal && (anchored || o.allowUnanchored === true), anchored, problems, keysFrom };
  };
  if (malformed) return result([malformed]);
  if (broken) return result([{ seq: broken.seq, kind: kindOf(broken.reason), message: broken.reason }]);
  const last = v.lastSeq ?? 0;
  if (end === undefined) return result([{ seq: last + 1, afterSeq: last, kind: 'cut-short', message: 'the export ends without its end line (it was cut short)' }]);
  if (end !== v.events) {
    const message = `its end line counts ${end} events but the export holds ${v.events} (${end > v.events ? 'events at its end were removed' : 'events were added'})`;
    return result([{ seq: last + 1, afterSeq: last, kind: 'end-count', message }]);
  }
  if (v.checkpoints === 0) {
    const message = `${v.events} events chain correctly, but no signed checkpoint covers them: whoever could write the export could have rewritten them all`;
    return result([{ seq: v.firstSeq ?? 1, kind: 'unanchored', message }]);
  }
  return result([]);
}

/**
 * The published checkpoint keys, `GET /.well-known/vaultgate-audit-keys` (a JWKS). An auditor who kept the keys
 * out of band should pass those instead.
 *
 * @example const keys = await fetchAuditKeys(); // [{ kty: 'OKP', crv: 'Ed25519', x: '…', kid: 'ak_test_…' }]
 */
export async function fetchAuditKeys(baseUrl = '', fetchImpl: typeof fetch = globalThis.fetch): Promise<AuditPublicKey[]> {
  const res = await fetchImpl(`${baseUrl}/.well-known/vaultgate-audit-keys`, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`cannot fetch the audit keys: HTTP ${res.status}`);
  const body = (await res.json()) as { keys?: unknown };
  if (!Array.isArray(body.keys)) throw new Error('the audit keys answer is not a JWKS (no "keys" array)');
  return body.keys as AuditPublicKey[];
}

/**
 * The lines of a byte stream (a fetch Response's body, a File's `stream()`), decoded as UTF-8, `\r\n` or `\n`
 * separated, without holding the whole export in memory.
 *
 * @example for await (const line of ndjsonLines(file.stream())) …
 */
export async function* ndjsonLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let rest = '';
  const cut = (p: string): string => (p.endsWith('\r') ? p.slice(0, -1) : p);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      rest += done ? decoder.decode() : decoder.decode(value, { stream: true });
      const parts = rest.split('\n');
      rest = parts.pop()!;
      for (const p of parts) yield cut(p);
      if (done) break;
    }
    if (rest !== '') yield cut(rest);
  } finally {
    reader.releaseLock();
  }
}
