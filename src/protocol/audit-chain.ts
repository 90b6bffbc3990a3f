import { createHash, createPublicKey, verify as verifySignature, type JsonWebKey } from 'node:crypto';
import { Buffer } from 'node:buffer';

/*
 * The audit trail's tamper evidence (issue 13 §3), pure: the canonical bytes of an event, the hash chain, and the
 * verification of signed checkpoints. The server and the offline `vaultgate audit verify` use the same code, so an
 * auditor's verdict never depends on the server that wrote the chain. docs/audit.md describes the format.
 */

/** Who acted: an operator (admin token), a customer or partner credential, an OAuth client, or the server itself. */
export interface AuditActor {
  kind: 'operator' | 'customer' | 'partner' | 'oauth-client' | 'system' | 'anonymous' | 'user';
  /** The credential or client id (never a secret); `operator` for the admin token, `vaultgate` for the server. */
  id: string;
}

export type AuditOutcome = 'success' | 'refused' | 'failure';

/** An event as the server hands it to the store (everything but its place in the chain). */
export interface AuditEventInput {
  /** ISO 8601 UTC with milliseconds. */
  at: string;
  environment: string;
  actor: AuditActor;
  /** `<area>.<verb>`, e.g. `company.create`, `vault.list`, `auth.throttled` (docs/audit.md lists them). */
  action: string;
  /** The id the action was about (company, credential, channel, message, key …); `-` when there is none. */
  subject: string;
  /** The companies (vaults) the event concerns; a company sees an event when its id is here. */
  tenants: string[];
  clientAddress: string | null;
  requestId: string | null;
  outcome: AuditOutcome;
  /** JSON values only (no undefined, no non-finite numbers); never a secret. */
  details: Record<string, unknown>;
}

/** An event in the chain: its sequence number (1, 2, … without gaps), id, and the hashes linking it. */
export interface AuditRecord extends AuditEventInput {
  seq: number;
  id: string;
  /** Lower-case hex SHA-256 of the previous event (GENESIS_HASH for seq 1). */
  prevHash: string;
  /** Lower-case hex SHA-256(prevHash bytes ‖ canonical bytes of this event). */
  hash: string;
}

/** What a checkpoint signs: the chain's head at one moment. */
export interface CheckpointClaims {
  seq: number;
  headHash: string;
  at: string;
  environment: string;
}

/** A signed checkpoint as stored and exported: the claims and their compact JWS (EdDSA / Ed25519, RFC 8037). */
export interface AuditCheckpoint extends CheckpointClaims {
  kid: string;
  jws: string;
}

/** The previous hash of the first event: 32 zero bytes, in hex. */
export const GENESIS_HASH = '0'.repeat(64);
/** The JWS `typ` of a checkpoint. */
export const CHECKPOINT_TYP = 'vaultgate-audit-checkpoint';
/** Version of the canonical form, inside the hashed bytes. */
export const AUDIT_FORMAT = 1;

/**
 * RFC 8785 JSON Canonicalization Scheme: object members sorted by their names' UTF-16 code units, no whitespace,
 * strings and numbers serialised as ECMAScript's JSON.stringify does (RFC 8785 §3.2.2 adopts exactly that).
 * Throws RangeError on a non-finite number and TypeError on a value JSON cannot hold.
 *
 * @example canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 */
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

/** The fields of a record that its hash covers (everything but the hashes themselves), plus the format version. */
function hashedFields(r: AuditEventInput & { seq: number; id: string }): Record<string, unknown> {
  return {
    v: AUDIT_FORMAT, seq: r.seq, id: r.id, at: r.at, environment: r.environment, actor: { kind: r.actor.kind, id: r.actor.id },
    action: r.action, subject: r.subject, tenants: r.tenants, clientAddress: r.clientAddress, requestId: r.requestId,
    outcome: r.outcome, details: r.details,
  };
}

/** The UTF-8 canonical bytes of an event (RFC 8785 over the hashed fields). */
export function canonicalEventBytes(r: AuditEventInput & { seq: number; id: string }): Buffer {
  return Buffer.from(canonicalJson(hashedFields(r)), 'utf8');
}

/** SHA-256(prevHash ‖ canonical(event)), lower-case hex; prevHash is 64 hex digits. */
export function chainHash(prevHash: string, r: AuditEventInput & { seq: number; id: string }): string {
  if (!/^[0-9a-f]{64}$/.test(prevHash)) throw new RangeError('prevHash must be 64 lower-case hex digits');
  return createHash('sha256').update(Buffer.from(prevHash, 'hex')).update(canonicalEventBytes(r)).digest('hex');
}

/** Links an event after `head` (null for an empty chain): its seq, prevHash and hash. */
export function linkEvent(head: { seq: number; hash: string } | null, e: AuditEventInput & { id: string }): AuditRecord {
  const seq = (head?.seq ?? 0) + 1;
  const prevHash = head?.hash ?? GENESIS_HASH;
  const r = { ...e, seq };
  return { ...r, prevHash, hash: chainHash(prevHash, r) };
}

const b64url = (s: string): Buffer => Buffer.from(s, 'base64url');

/**
 * Checks a checkpoint's compact JWS against the published keys (a JWKS `keys` array of Ed25519 OKP keys): the
 * header says alg EdDSA and a known kid, the signature verifies (RFC 7515 §5.2, RFC 8037), and the signed claims
 * equal the checkpoint's own fields. Returns null when it holds, else the reason. `keysLabel` names where `keys`
 * came from in that reason (default "the published keys"; the CLI says "the keys given with --public-key").
 */
export function checkCheckpoint(cp: AuditCheckpoint, keys: readonly JsonWebKey[], keysLabel = 'the published keys'): string | null {
  const parts = cp.jws.split('.');
  if (parts.length !== 3) return 'not a compact JWS';
  let header: { alg?: unknown; kid?: unknown; typ?: unknown };
  let claims: Partial<CheckpointClaims>;
  try {
    header = JSON.parse(b64url(parts[0]!).toString('utf8'));
    claims = JSON.parse(b64url(parts[1]!).toString('utf8'));
  } catch {
    return 'the JWS header or payload is not JSON';
  }
  if (header.alg !== 'EdDSA') return `unexpected alg ${String(header.alg)}`;
  const jwk = keys.find((k) => (k as { kid?: string }).kid === header.kid);
  if (!jwk) return `its key ${String(header.kid)} is not among ${keysLabel}`;
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') return `key ${String(header.kid)} is not an Ed25519 key`;
  let ok: boolean;
  try {
    const key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
    ok = verifySignature(null, Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii'), key, b64url(parts[2]!));
  } catch {
    ok = false;
  }
  if (!ok) return 'the signature does not verify';
  if (claims.seq !== cp.seq || claims.headHash !== cp.headHash || claims.at !== cp.at || claims.environment !== cp.environment) {
    return 'the signed claims differ from the checkpoint fields';
  }
  return null;
}

/** Where and why a chain fails verification. */
export interface ChainBreak {
  /** The first event (sequence number) that does not verify; for a truncated tail, the first missing one. */
  seq: number;
  /**
   * Set when the break lies after an event rather than at one (an export that ends without its end line, or whose
   * end line counts more events than it holds): the last event present. `seq` is then `afterSeq + 1`.
   */
  afterSeq?: number;
  reason: string;
}

export interface ChainVerdict {
  ok: boolean;
  /** Events walked. */
  events: number;
  firstSeq: number | null;
  lastSeq: number | null;
  headHash: string | null;
  /** Checkpoints whose signature and head hash both verified. */
  checkpointsVerified: number;
  /** Links whose event was withheld (another company's, in a company's export): their hash was taken as given. */
  withheld: number;
  /** The newest verified checkpoint's seq: events up to it can be neither changed nor removed undetected. */
  lastCheckpointSeq: number | null;
  firstBreak: ChainBreak | null;
}

/**
 * Walks a chain in sequence order, one event at a time (constant memory, so a CLI can stream millions of rows),
 * then checks the checkpoints against it. Detects: an edited event (its hash no longer matches its bytes), a
 * deleted or inserted one (a gap in seq or a prevHash that is not the previous hash), reordered ones (seq is in the
 * hashed bytes), a truncated tail (a checkpoint beyond the last event), a forged or re-signed checkpoint (signature
 * or kid), and a rewritten prefix (a checkpoint's head hash differs from the event at its seq). A chain that starts
 * after seq 1 (pruned at a checkpoint) must begin right after a verified checkpoint whose head hash it continues.
 *
 * @example
 * const v = new AuditChainVerifier({ checkpoints, keys });
 * for (const r of records) v.add(r);
 * const verdict = v.finish(); // { ok, firstBreak: { seq, reason } | null, … }
 */
export class AuditChainVerifier {
  #prev: { seq: number; hash: string } | null = null;
  #first: number | null = null;
  #events = 0;
  #withheld = 0;
  #break: ChainBreak | null = null;
  readonly #checkpoints: AuditCheckpoint[];
  readonly #keys: readonly JsonWebKey[];
  /** Checkpoint seq → the head hash it claims (only checkpoints whose signature verified). */
  readonly #claimed = new Map<number, string>();
  readonly #matched = new Set<number>();
  /** Checkpoints whose signature verified. */
  readonly #signed: AuditCheckpoint[] = [];

  /** `keysLabel`: where `keys` came from, for the reason given when a checkpoint's kid is not among them. */
  constructor(o: { checkpoints: readonly AuditCheckpoint[]; keys: readonly JsonWebKey[]; keysLabel?: string }) {
    this.#checkpoints = [...o.checkpoints].sort((a, b) => a.seq - b.seq);
    this.#keys = o.keys;
    for (const cp of this.#checkpoints) {
      const bad = checkCheckpoint(cp, this.#keys, o.keysLabel);
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

  /** The next event in sequence order. */
  add(r: AuditRecord): void {
    this.#events++;
    this.#step(r, () => chainHash(r.prevHash, r));
  }

  /**
   * The next link of an event whose content is withheld (another company's event in a company's export): its seq
   * and prevHash are checked, its hash is taken as given (and must still match any checkpoint at its seq).
   */
  addLink(l: { seq: number; prevHash: string; hash: string }): void {
    this.#withheld++;
    this.#step(l, () => l.hash);
  }

  #step(r: { seq: number; prevHash: string; hash: string }, compute: () => string): void {
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
      hash = compute();
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

  finish(): ChainVerdict {
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
      ok: this.#break === null,
      events: this.#events + this.#withheld,
      firstSeq: this.#first,
      lastSeq: last?.seq ?? null,
      headHash: last && last.seq > 0 ? last.hash : null,
      checkpointsVerified: this.#signed.filter((cp) => this.#matched.has(cp.seq) && (!this.#break || cp.seq < this.#break.seq)).length,
      lastCheckpointSeq,
      withheld: this.#withheld,
      firstBreak: this.#break,
    };
  }
}

/** Verifies a whole chain held in memory (an export): see AuditChainVerifier. */
export function verifyAuditChain(records: Iterable<AuditRecord>, checkpoints: readonly AuditCheckpoint[], keys: readonly JsonWebKey[]): ChainVerdict {
  const v = new AuditChainVerifier({ checkpoints, keys });
  for (const r of records) v.add(r);
  return v.finish();
}
