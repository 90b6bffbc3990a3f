/*
 * The audit chain's tamper evidence in the browser (WebCrypto SHA-256 and Ed25519): canonical bytes, the chain hash,
 * checkpoint signatures, and the walk over a chain. The algorithm of src/protocol/audit-chain.ts, written against
 * web standards only (no node:, no Buffer) because the portal may not import src/protocol; the reasons are worded
 * as the protocol's. audit-verify.ts reads an export with it.
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

/** A checkpoint line of an export (or one rebuilt from a kept JWS): the claims, the key's id, the compact JWS. */
export interface Checkpoint { seq: number; headHash: string; at: string; environment: string; kid: string; jws: string }
/** An event line (or a link: seq, prevHash, hash only) of an export; the other fields are the event's. */
export interface EventLine { seq: number; prevHash: string; hash: string; id: string; [field: string]: unknown }

/** The previous hash of the first event: 32 zero bytes, in hex. */
export const GENESIS_HASH = '0'.repeat(64);
const AUDIT_FORMAT = 1;
export const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

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
export function checkpointOfJws(jws: string): Checkpoint | undefined {
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

/** What a walk found: counts, range, and the first break (the protocol's ChainVerdict). */
export interface ChainSummary {
  events: number;
  withheld: number;
  checkpoints: number;
  firstSeq: number | null;
  lastSeq: number | null;
  lastCheckpointSeq: number | null;
  headHash: string | null;
  broken: { seq: number; reason: string } | null;
}

/** The chain walk of src/protocol/audit-chain.ts AuditChainVerifier, with asynchronous hashing. */
export class ChainWalk {
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

  finish(): ChainSummary {
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
