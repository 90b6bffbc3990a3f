import { type BloomFilter, BlockedBloomFilter, type KeyHash } from './bloom.js';

/*
 * The in-memory filters of one store's ledger (ledger.ts), shared by its connections: they derive from data, not
 * from a connection.
 *
 * - `sealed`: one Bloom filter per sealed partition (also stored in the catalog): it says which partition to read.
 * - Generations: one larger filter over the keys of many consecutive partitions (up to `generationRows` keys), so
 *   that a fresh id is tested against a handful of filters (one per `generationRows` ids remembered: 5 at 10M with
 *   the default) instead of one per sealed partition. A generation filter is never stored: it is filled as this
 *   process inserts, or from a scan of a partition sealed elsewhere (or before a restart), see `covered`. Pruning a
 *   partition leaves its bits in its generation (harmless: a "maybe" is checked against the partition filters);
 *   the generation goes once its last partition is dropped, so stale bits never outlive a generation.
 * - `shadow`: the filter of the newest partition, which this process fills as it inserts so that sealing it needs
 *   no scan; trusted only while the partition's `writes` (one per inserting batch, of any process) is what this
 *   process last wrote: then every key in the partition went through it (and through its generation).
 */

export interface Generation {
  readonly filter: BlockedBloomFilter;
  /** Keys added (an upper bound of those held). */
  keys: number;
  /** The partitions assigned to it (the covered ones, and the one taking inserts). */
  readonly parts: Set<number>;
}

/** Ids per generation filter (default 2^21: 4 MiB, 16 bits per id, a blocked filter: one cache line per test). */
export const LEDGER_GENERATION_ROWS = 2 ** 21;

export class LedgerFilters {
  readonly sealed = new Map<number, BloomFilter>();
  /** Oldest first. */
  readonly generations: Generation[] = [];
  readonly generationOf = new Map<number, Generation>();
  /** Sealed partitions every key of which is in their generation's filter. */
  readonly covered = new Set<number>();
  shadow: { id: number; writes: number; filter: BloomFilter } | undefined;
  /** Bumped whenever the sets above change, so a ledger knows when to rebuild its per-batch view of them. */
  version = 0;

  constructor(readonly generationRows: number = LEDGER_GENERATION_ROWS) {
    if (!Number.isSafeInteger(generationRows) || generationRows < 1) throw new RangeError('ledger generationRows must be a positive integer');
  }

  /**
   * The generation of partition `id`: the one it was given, else the newest when `room` more keys fit in it, else
   * a new one.
   */
  generationFor(id: number, room: number): Generation {
    let g = this.generationOf.get(id);
    if (g) return g;
    const last = this.generations[this.generations.length - 1];
    if (last && last.keys + room <= this.generationRows) g = last;
    else {
      g = { filter: new BlockedBloomFilter(this.generationRows), keys: 0, parts: new Set() };
      this.generations.push(g);
    }
    g.parts.add(id);
    this.generationOf.set(id, g);
    this.version++;
    return g;
  }

  add(g: Generation, k: KeyHash): void {
    g.filter.add(k);
    g.keys++;
  }

  /** Forgets partition `id` (dropped): its filter, and its generation once that holds no other partition. */
  forget(id: number): void {
    this.sealed.delete(id);
    this.covered.delete(id);
    const g = this.generationOf.get(id);
    if (g) {
      this.generationOf.delete(id);
      g.parts.delete(id);
      if (g.parts.size === 0) this.generations.splice(this.generations.indexOf(g), 1);
    }
    this.version++;
  }

  /** Bytes held by the filters (per-partition, generations, shadow). */
  bytes(): number {
    let n = this.shadow?.filter.bytes ?? 0;
    for (const f of this.sealed.values()) n += f.bytes;
    for (const g of this.generations) n += g.filter.bytes;
    return n;
  }
}
