/*
 * A Bloom filter over ledger keys (party id, transaction id), one per sealed ledger partition (ledger.ts): it
 * answers "certainly not in this partition" without touching the partition's b-tree, so a fresh transaction id
 * costs a few hashed bit tests per sealed partition instead of a b-tree descent each. A positive answer (a real
 * repeat, or a false positive at ~1 %) falls through to the partition's primary key.
 *
 * Hashes: FNV-1a and a multiply-rotate mix, both 32-bit over the UTF-16 code units of `party \0 transaction id`,
 * combined by double hashing (Kirsch & Mitzenmacher, "Less hashing, same performance", ESA 2006).
 */

/** The two base hashes of one key, computed once and tested against every filter. */
export interface KeyHash {
  h1: number;
  h2: number;
}

/** The hash state after `party \0`: a partition's scan hashes its party once, not once per id (hashTransaction). */
export interface PartyHash {
  readonly h1: number;
  readonly h2: number;
}

export function hashParty(partyId: string): PartyHash {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = 0; i <= partyId.length; i++) {
    const c = i < partyId.length ? partyId.charCodeAt(i) : 0;
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return { h1, h2 };
}

export function hashTransaction(party: PartyHash, transactionId: string): KeyHash {
  let h1 = party.h1;
  let h2 = party.h2;
  for (let i = 0; i < transactionId.length; i++) {
    const c = transactionId.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h2 = Math.imul(h2 ^ (h2 >>> 13), 0xc2b2ae35);
  // An odd step visits distinct bits of a power-of-two table.
  return { h1: h1 >>> 0, h2: (h2 | 1) >>> 0 };
}

/** The key's hashes (stored filters depend on them: never change the function, see the known answers in the test). */
export function hashKey(partyId: string, transactionId: string): KeyHash {
  return hashTransaction(hashParty(partyId), transactionId);
}

/** Bits per key and probes per lookup: 10 and 7 give ~0.8 % false positives at the sized count. */
const BITS_PER_KEY = 10;
const PROBES = 7;

export class BloomFilter {
  readonly #bits: Uint32Array;
  readonly #mask: number;

  /** A filter sized for `expected` keys (at least 1024 bits, a power of two), or over stored `bits`. */
  constructor(expected: number, bits?: Uint32Array) {
    let m = 1024;
    while (m < expected * BITS_PER_KEY && m < 2 ** 31) m *= 2;
    this.#bits = bits ?? new Uint32Array(m / 32);
    this.#mask = this.#bits.length * 32 - 1;
  }

  /** Its size in bytes. */
  get bytes(): number {
    return this.#bits.byteLength;
  }

  /** The filter as bytes (little-endian 32-bit words), for the ledger catalog. */
  toBytes(): Buffer {
    const out = Buffer.alloc(this.#bits.length * 4);
    for (let i = 0; i < this.#bits.length; i++) out.writeUInt32LE(this.#bits[i]!, i * 4);
    return out;
  }

  static fromBytes(b: Uint8Array): BloomFilter {
    const words = b.byteLength / 4;
    if (!Number.isInteger(words) || words < 32 || (words & (words - 1)) !== 0) throw new Error('stored ledger filter is malformed');
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const bits = new Uint32Array(words);
    for (let i = 0; i < words; i++) bits[i] = view.getUint32(i * 4, true);
    return new BloomFilter(0, bits);
  }

  add(k: KeyHash): void {
    for (let i = 0; i < PROBES; i++) {
      const bit = (k.h1 + Math.imul(i, k.h2)) & this.#mask;
      this.#bits[bit >>> 5]! |= 1 << (bit & 31);
    }
  }

  /** False: the key was never added. True: it may have been. */
  mayHave(k: KeyHash): boolean {
    for (let i = 0; i < PROBES; i++) {
      const bit = (k.h1 + Math.imul(i, k.h2)) & this.#mask;
      if ((this.#bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

/** Probes of the blocked filter, all in one 512-bit block. */
const BLOCK_PROBES = 7;

/**
 * A blocked Bloom filter (Putze, Sanders & Singler, "Cache-, hash- and space-efficient Bloom filters", WEA 2007):
 * `h1` picks a 512-bit block (one cache line), `h2` the 7 bits in it by double hashing, so a test touches one
 * line however large the filter is. For the in-memory generation filters (ledger-filters.ts), which are large and
 * never stored: ~16 bits per key give ~0.1-0.2 % false positives (a little more than a plain filter's 0.07 %).
 */
export class BlockedBloomFilter {
  readonly #words: Uint32Array;
  readonly #blockMask: number;

  /** Sized for `expected` keys at 16 bits each or more (a power of two of 512-bit blocks). */
  constructor(expected: number) {
    let blocks = 1;
    while (blocks * 512 < expected * 16 && blocks < 2 ** 26) blocks *= 2;
    this.#words = new Uint32Array(blocks * 16);
    this.#blockMask = blocks - 1;
  }

  get bytes(): number {
    return this.#words.byteLength;
  }

  add(k: KeyHash): void {
    const base = (k.h1 & this.#blockMask) << 4;
    const step = (k.h2 >>> 9) | 1;
    for (let i = 0, p = k.h2; i < BLOCK_PROBES; i++, p += step) this.#words[base + ((p >>> 5) & 15)]! |= 1 << (p & 31);
  }

  /** False: the key was never added. True: it may have been. */
  mayHave(k: KeyHash): boolean {
    const base = (k.h1 & this.#blockMask) << 4;
    const step = (k.h2 >>> 9) | 1;
    for (let i = 0, p = k.h2; i < BLOCK_PROBES; i++, p += step) {
      if ((this.#words[base + ((p >>> 5) & 15)]! & (1 << (p & 31))) === 0) return false;
    }
    return true;
  }
}
