/*
 * Verifies an audit export (docs/audit.md, "Export" and "How an auditor verifies an export without the server") in
 * the browser, with WebCrypto SHA-256 and Ed25519, for the operator's "audit trail verify" page. It is the
 * algorithm of src/protocol/audit-chain.ts (AuditChainVerifier) and of the CLI's `audit verify --export`, written
 * against web standards only (no node:, no Buffer) because the portal may not import src/protocol; the test keeps
 * the verdicts equal. The reasons are worded as the CLI words them.
 */

/** A published checkpoint key (`GET /.well-known/vaultgate-audit-keys`): an Ed25519 OKP JWK. */
export interface AuditPublicKey {
  kty?: string;
  crv?: string;
  x?: string;
  kid?: string;
  alg?: string;
  use?: string;
}

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

interface Checkpoint { seq: number; headHash: string; at: string; environment: string; kid: string; jws: string }
interface EventLine { seq: number; prevHash: string; hash: string; id: string; [field: string]: unknown }

/** The previous hash of the first event: 32 zero bytes, in hex. */
export const GENESIS_HASH = '0'.repeat(64);
const AUDIT_FORMAT = 1;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** RFC 8785 canonical JSON, as src/protocol/audit-chain.ts canonicalJson. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError('canonical JSON cannot hold a non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
}

function hashedFields(r: EventLine): Record<string, unknown> {
  const actor = (r.actor ?? {}) as { kind?: unknown; id?: unknown };
  return {
    v: AUDIT_FORMAT, seq: r.seq, id: r.id, at: r.at, environment: r.environment, actor: { kind: actor.kind, id: actor.id },
    action: r.action, subject: r.subject, tenants: r.tenants, clientAddress: r.clientAddress, requestId: r.requestId,
    outcome: r.outcome, details: r.details,
  };
}

function hexBytes(h: string): Uint8Array {
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const toHex = (b: ArrayBuffer): string => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');

function base64url(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** SHA-256(prevHash bytes ‖ UTF-8 canonical bytes of the event), lowercase hex: the chain's link (docs/audit.md). */
export async function chainHash(prevHash: string, event: EventLine): Promise<string> {
  if (!/^[0-9a-f]{64}$/.test(prevHash)) throw new RangeError('prevHash must be 64 lower-case hex digits');
  const body = new TextEncoder().encode(canonicalJson(hashedFields(event)));
  const bytes = new Uint8Array(32 + body.length);
  bytes.set(hexBytes(prevHash), 0);
  bytes.set(body, 32);
  return toHex(await crypto.subtle.digest('SHA-256', bytes));
}

/** A checkpoint from its compact JWS alone (a kept one): the claims and kid are inside it. */
function checkpointOfJws(jws: string): Checkpoint | undefined {
  try {
    const [h, p] = jws.split('.');
    const header = JSON.parse(new TextDecoder().decode(base64url(h!))) as { kid?: unknown };
    const c = JSON.parse(new TextDecoder().decode(base64url(p!))) as Checkpoint;
    return { seq: c.seq, headHash: c.headHash, at: c.at, environment: c.environment, kid: String(header.kid), jws };
  } catch {
    return undefined;
  }
}

/** Checks a checkpoint's JWS against the keys: null when it holds, else the reason (protocol checkCheckpoint). */
async function checkCheckpoint(cp: Checkpoint, keys: readonly AuditPublicKey[], keysLabel: string): Promise<string | null> {
  const parts = typeof cp.jws === 'string' ? cp.jws.split('.') : [];
  if (parts.length !== 3) return 'not a compact JWS';
  let header: { alg?: unknown; kid?: unknown };
  let claims: Partial<Checkpoint>;
  try {
    header = JSON.parse(new TextDecoder().decode(base64url(parts[0]!)));
    claims = JSON.parse(new TextDecoder().decode(base64url(parts[1]!)));
  } catch {
    return 'the JWS header or payload is not JSON';
  }
  if (header.alg !== 'EdDSA') return `unexpected alg ${String(header.alg)}`;
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk) return `its key ${String(header.kid)} is not among ${keysLabel}`;
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') return `key ${String(header.kid)} is not an Ed25519 key`;
  let ok: boolean;
  try {
    const key = await crypto.subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: jwk.x } as JsonWebKey, { name: 'Ed25519' }, false, ['verify']);
    ok = await crypto.subtle.verify({ name: 'Ed25519' }, key, base64url(parts[2]!), new TextEncoder().encode(`${parts[0]}.${parts[1]}`));
  } catch {
    ok = false;
  }
  if (!ok) return 'the signature does not verify';
  if (claims.seq !== cp.seq || claims.headHash !== cp.headHash || claims.at !== cp.at || claims.environment !== cp.environment) {
    return 'the signed claims differ from the checkpoint fields';
  }
  return null;
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

/** The chain walk of src/protocol/audit-chain.ts AuditChainVerifier, with asynchronous hashing. */
class ChainWalk {
  #prev: { seq: number; hash: string } | null = null;
  #first: number | null = null;
  #events = 0;
  #withheld = 0;
  #break: { seq: number; reason: string } | null = null;
  #checkpoints: Checkpoint[] = [];
  readonly #claimed = new Map<number, string>();
  readonly #matched = new Set<number>();
  readonly #signed: Checkpoint[] = [];

  async init(checkpoints: readonly Checkpoint[], keys: readonly AuditPublicKey[], keysLabel: string): Promise<void> {
    this.#checkpoints = [...checkpoints].sort((a, b) => a.seq - b.seq);
    for (const cp of this.#checkpoints) {
      const bad = await checkCheckpoint(cp, keys, keysLabel);
      if (bad) this.#fail(cp.seq, `checkpoint at seq ${cp.seq}: ${bad}`);
      else {
        this.#claimed.set(cp.seq, cp.headHash);
        this.#signed.push(cp);
      }
    }
  }

  #fail(seq: number, reason: string): void {
    if (!this.#break || seq < this.#break.seq) this.#break = { seq, reason };
  }

  get events(): number {
    return this.#events + this.#withheld;
  }

  async add(r: EventLine): Promise<void> {
    this.#events++;
    await this.#step(r, () => chainHash(r.prevHash, r));
  }

  async addLink(l: EventLine): Promise<void> {
    this.#withheld++;
    await this.#step(l, async () => l.hash);
  }

  async #step(r: EventLine, compute: () => Promise<string>): Promise<void> {
    if (this.#break && this.#break.seq <= r.seq) return;
    if (this.#prev === null) {
      this.#first = r.seq;
      const anchor = r.seq === 1 ? GENESIS_HASH : this.#claimed.get(r.seq - 1);
      if (anchor === undefined) return this.#fail(r.seq, `the chain starts at seq ${r.seq} without a verified checkpoint at seq ${r.seq - 1}`);
      if (r.seq > 1) this.#matched.add(r.seq - 1);
      this.#prev = { seq: r.seq - 1, hash: anchor };
    }
    const prev = this.#prev;
    if (r.seq !== prev.seq + 1) {
      return this.#fail(prev.seq + 1, `expected seq ${prev.seq + 1}, found ${r.seq} (${r.seq > prev.seq + 1 ? 'missing or out of order' : 'duplicated or out of order'})`);
    }
    if (r.prevHash !== prev.hash) return this.#fail(r.seq, 'prevHash is not the hash of the previous event (one was removed, inserted or reordered)');
    let hash: string;
    try {
      hash = await compute();
    } catch (err) {
      return this.#fail(r.seq, `the event cannot be canonicalised: ${(err as Error).message}`);
    }
    if (hash !== r.hash) return this.#fail(r.seq, 'the hash does not match the event (it was edited)');
    const claimed = this.#claimed.get(r.seq);
    if (claimed !== undefined) {
      if (claimed !== hash) return this.#fail(r.seq, `the checkpoint at seq ${r.seq} signed another head hash (the chain was rewritten)`);
      this.#matched.add(r.seq);
    }
    this.#prev = { seq: r.seq, hash };
  }

  finish(): Omit<AuditVerifyResult, 'ok' | 'anchored' | 'problems' | 'keysFrom'> & { broken: { seq: number; reason: string } | null } {
    const last = this.#prev;
    for (const cp of this.#checkpoints) {
      if (!this.#claimed.has(cp.seq) || this.#matched.has(cp.seq)) continue;
      if (last === null || cp.seq > last.seq) {
        this.#fail((last?.seq ?? 0) + 1, `the chain ends at seq ${last?.seq ?? 0} but a checkpoint covers seq ${cp.seq} (the tail was truncated)`);
      }
    }
    let lastCheckpointSeq: number | null = null;
    for (const seq of this.#matched) if (!this.#break || seq < this.#break.seq) lastCheckpointSeq = Math.max(lastCheckpointSeq ?? 0, seq);
    return {
      events: this.events,
      withheld: this.#withheld,
      checkpoints: this.#signed.filter((cp) => this.#matched.has(cp.seq) && (!this.#break || cp.seq < this.#break.seq)).length,
      firstSeq: this.#first,
      lastSeq: last?.seq ?? null,
      lastCheckpointSeq,
      headHash: last && last.seq > 0 ? last.hash : null,
      broken: this.#break,
    };
  }
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
