import type Database from 'better-sqlite3';
import { type BlockedBloomFilter, BloomFilter, hashKey, hashParty, hashTransaction, type KeyHash } from './bloom.js';
import { type Generation, LedgerFilters } from './ledger-filters.js';

export { LedgerFilters } from './ledger-filters.js';

/*
 * The transaction-id ledger, partitioned (issue 12 §2). One random-keyed b-tree of every remembered id made each
 * insert dirty a page of an ever larger tree (24 → 44 µs per message from 10k to 300k ids). Here:
 *
 * - Inserts go to the newest partition only (`transaction_ledger_<id>`, WITHOUT ROWID, primary key only), which
 *   is sealed and followed by a new one once it holds `partitionRows` ids (32768: its b-tree stays three levels
 *   deep), or an eighth of that and its oldest id is `partitionSeconds` old. So the tree that takes writes stays
 *   small however many ids are remembered.
 * - A sealed partition takes no more inserts, so a Bloom filter of its keys stays valid (bloom.ts); it is kept
 *   in the catalog (`transaction_ledger_partitions.filter`) for other processes and restarts. It is filled while
 *   the partition takes inserts (the shadow), or, when another process inserted too, built by a scan of the
 *   partition when it is sealed.
 * - A fresh id is not tested against every sealed partition's filter (38 at 10M ids of 262144 made the cost grow
 *   by 5 µs from 1M to 10M) but against a few generation filters (ledger-filters.ts), each over the keys of up to
 *   `generationRows` ids of consecutive partitions (blocked: one cache line per test): one hash, one test per 2M
 *   ids remembered; only a generation's "maybe" (a real repeat, or ~0.2 %) tests its partitions' filters, and only
 *   theirs a partition's primary key.
 *   Generation filters live in memory only: after a restart (or for partitions sealed by another process) they are
 *   filled by scanning partitions, `coverRowsPerBatch` ids per batch, and until a partition is covered its own
 *   filter is tested per id, as before.
 * - The catalog is read again at a batch's start only when another connection committed since (`PRAGMA
 *   data_version`) or this connection's last batch did not commit as it left it; otherwise it is as remembered.
 * - Pruning drops whole partitions whose newest id is older than the cut-off (no row deletes); only a partition
 *   straddling the cut-off has rows deleted, so an id is forgotten exactly when the port says.
 *
 * Every call runs inside a write transaction of its connection (BEGIN IMMEDIATE), which is also what makes the
 * catalog read at its start current: no other process changes it until that transaction ends.
 */

export interface LedgerOptions {
  /** Ids per partition before a new one starts (default 32768). */
  partitionRows?: number | undefined;
  /**
   * Age in seconds of a partition's oldest id after which a new one starts (default 3600), provided it holds at
   * least an eighth of `partitionRows`.
   */
  partitionSeconds?: number | undefined;
  /** Ids per generation filter (default 2^21: 4 MiB of memory each). */
  generationRows?: number | undefined;
  /**
   * At most how many ids of sealed partitions a batch scans into the generation filters when they do not hold
   * them yet (after a restart, or partitions sealed by another process); default 65536 (two full partitions), Infinity for all at once.
   */
  coverRowsPerBatch?: number | undefined;
}

export const LEDGER_PARTITION_ROWS = 32_768;
export const LEDGER_COVER_ROWS_PER_BATCH = 65_536;
export const LEDGER_PARTITION_SECONDS = 3600;

interface Partition {
  id: number;
  rows: number;
  writes: number;
  minAt: string | null;
  maxAt: string | null;
}

interface PartitionStatements {
  insert: Database.Statement<[string, string, string | null, string]>;
  get: Database.Statement<[string, string], { message_id: string | null }>;
}

/** The table of partition `id` (an integer from the catalog, never input). */
export function ledgerTable(id: number): string {
  return `transaction_ledger_${id}`;
}

export function createPartitionSql(id: number): string {
  return `CREATE TABLE ${ledgerTable(id)} (
  party_id TEXT NOT NULL,
  transaction_id TEXT NOT NULL,
  message_id TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (party_id, transaction_id)
) WITHOUT ROWID`;
}

/** What consume() found: undefined when the id was fresh (and is now used), else the first message's id (or null). */
export type LedgerVerdict = undefined | { existingMessageId: string | null };

/** What a batch tests a fresh id against: generation filters with their covered partitions, then uncovered ones. */
interface BatchView {
  generations: { filter: BlockedBloomFilter; parts: Partition[] }[];
  uncovered: Partition[];
}

export class PartitionedLedger {
  readonly #db: Database.Database;
  readonly #rows: number;
  readonly #seconds: number;
  readonly #coverRows: number;
  readonly #filters: LedgerFilters;
  readonly #statements = new Map<number, PartitionStatements>();
  readonly #catalog: Database.Statement<[], Partition>;
  readonly #newest: Database.Statement<[], Pick<Partition, 'id' | 'rows' | 'writes'>>;
  readonly #dataVersion: Database.Statement<[], number>;
  readonly #update: Database.Statement<[Record<string, unknown>]>;
  readonly #count: Database.Statement<[], { n: number }>;
  #parts: Partition[] = [];
  /** `PRAGMA data_version` when the catalog was read; undefined: read it at the next batch. */
  #seen: number | undefined;
  #view: BatchView = { generations: [], uncovered: [] };
  #viewOf: { version: number; parts: Partition[] } | undefined;
  #generation: Generation | undefined;
  #added = 0;
  #minAt: string | null = null;
  #maxAt: string | null = null;

  constructor(db: Database.Database, filters: LedgerFilters, o: LedgerOptions = {}) {
    this.#db = db;
    this.#filters = filters;
    this.#rows = o.partitionRows ?? LEDGER_PARTITION_ROWS;
    this.#seconds = o.partitionSeconds ?? LEDGER_PARTITION_SECONDS;
    this.#coverRows = o.coverRowsPerBatch ?? LEDGER_COVER_ROWS_PER_BATCH;
    if (!Number.isSafeInteger(this.#rows) || this.#rows < 1) throw new RangeError('ledger partitionRows must be a positive integer');
    if (!(this.#seconds > 0)) throw new RangeError('ledger partitionSeconds must be positive');
    if (!(this.#coverRows > 0)) throw new RangeError('ledger coverRowsPerBatch must be positive');
    this.#catalog = db.prepare<[], Partition>(
      'SELECT id, rows, writes, min_at AS minAt, max_at AS maxAt FROM transaction_ledger_partitions ORDER BY id',
    );
    this.#newest = db.prepare<[], Pick<Partition, 'id' | 'rows' | 'writes'>>(
      'SELECT id, rows, writes FROM transaction_ledger_partitions ORDER BY id DESC LIMIT 1',
    );
    this.#dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
    this.#update = db.prepare(`UPDATE transaction_ledger_partitions SET rows = rows + @added, writes = writes + 1,
      min_at = CASE WHEN min_at IS NULL OR @minAt < min_at THEN @minAt ELSE min_at END,
      max_at = CASE WHEN max_at IS NULL OR @maxAt > max_at THEN @maxAt ELSE max_at END WHERE id = @id`);
    this.#count = db.prepare<[], { n: number }>('SELECT COALESCE(SUM(rows), 0) AS n FROM transaction_ledger_partitions');
  }

  /**
   * Starts a batch at time `at` (ISO): brings the catalog up to date, seals the newest partition when it is full or
   * old, and scans at most `coverRowsPerBatch` ids of uncovered sealed partitions into the generation filters.
   */
  begin(at: string): void {
    this.#sync();
    let current = this.#parts[this.#parts.length - 1];
    // An old partition is sealed only once it holds an eighth of a full one: every sealed partition is one more
    // catalog row and filter, and forgetting rows of a small one (prune) is cheap anyway.
    const old = current?.minAt != null && Date.parse(at) - Date.parse(current.minAt) >= this.#seconds * 1000;
    if (!current || current.rows >= this.#rows || (old && current.rows * 8 >= this.#rows)) {
      if (current) this.#seal(current);
      current = this.#createPartition();
    }
    this.#shadowFor(current);
    this.#generation = this.#filters.generationFor(current.id, this.#rows);
    this.#coverSome();
    this.#added = 0;
    this.#minAt = null;
    this.#maxAt = null;
  }

  /** Uses (party, transaction id) in the current batch; see LedgerVerdict. */
  consume(partyId: string, transactionId: string, messageId: string | null, at: string): LedgerVerdict {
    const k = hashKey(partyId, transactionId);
    const view = this.#view;
    for (const g of view.generations) {
      if (!g.filter.mayHave(k)) continue;
      for (const p of g.parts) {
        const found = this.#lookIn(p, k, partyId, transactionId);
        if (found) return found;
      }
    }
    for (const p of view.uncovered) {
      const found = this.#lookIn(p, k, partyId, transactionId);
      if (found) return found;
    }
    const cs = this.#statementsOf(this.#parts[this.#parts.length - 1]!.id);
    // The current partition's primary key also catches a repeat earlier in the same batch.
    if (cs.insert.run(partyId, transactionId, messageId, at).changes === 0) {
      return { existingMessageId: cs.get.get(partyId, transactionId)?.message_id ?? null };
    }
    this.#filters.shadow?.filter.add(k);
    this.#filters.add(this.#generation!, k);
    this.#added += 1;
    if (this.#minAt === null || at < this.#minAt) this.#minAt = at;
    if (this.#maxAt === null || at > this.#maxAt) this.#maxAt = at;
    return undefined;
  }

  /** Ends a batch: the current partition's count and time range in the catalog (and in memory). */
  end(): void {
    if (this.#added === 0) return;
    const current = this.#parts[this.#parts.length - 1]!;
    this.#update.run({ id: current.id, added: this.#added, minAt: this.#minAt, maxAt: this.#maxAt });
    // Should the transaction roll back, the next begin() finds the catalog's newest row unlike this and reads it all.
    current.rows += this.#added;
    current.writes += 1;
    if (current.minAt === null || this.#minAt! < current.minAt) current.minAt = this.#minAt;
    if (current.maxAt === null || this.#maxAt! > current.maxAt) current.maxAt = this.#maxAt;
    if (this.#filters.shadow) this.#filters.shadow.writes = current.writes;
  }

  /**
   * Forgets ids used before `before` (ISO): whole partitions whose newest id is older are dropped (their count
   * may exceed `limit`); in a partition straddling the cut-off, at most the rest of `limit` rows are deleted.
   */
  prune(before: string, limit: number): number {
    this.#refresh();
    // Whether or not this commits, the next batch reads the catalog again.
    this.#seen = undefined;
    let forgotten = 0;
    for (const p of this.#parts) {
      if (forgotten >= limit) break;
      if (p.maxAt !== null && p.maxAt < before) {
        this.#db.exec(`DROP TABLE ${ledgerTable(p.id)}`);
        this.#db.prepare('DELETE FROM transaction_ledger_partitions WHERE id = ?').run(p.id);
        this.#forget(p.id);
        forgotten += p.rows;
      } else if (p.minAt !== null && p.minAt < before) {
        const want = limit - forgotten;
        const n = this.#db.prepare(`DELETE FROM ${ledgerTable(p.id)} WHERE (party_id, transaction_id) IN (SELECT party_id,
          transaction_id FROM ${ledgerTable(p.id)} WHERE created_at < ? LIMIT ?)`).run(before, want).changes;
        // All older rows gone: `before` is a lower bound of what is left (the filters keep stale bits: harmless).
        const minAt = n < want ? before : p.minAt;
        this.#db.prepare('UPDATE transaction_ledger_partitions SET rows = rows - ?, min_at = ? WHERE id = ?').run(n, minAt, p.id);
        forgotten += n;
      }
    }
    // Inserts only ever go to a partition without a filter: if the newest left is sealed (or none is left), a new one.
    const last = this.#db.prepare<[], { sealed: number }>(
      'SELECT filter IS NOT NULL AS sealed FROM transaction_ledger_partitions ORDER BY id DESC LIMIT 1').get();
    if (last === undefined || last.sealed === 1) this.#createPartition();
    return forgotten;
  }

  /** How many ids are remembered (the catalog's counts). */
  count(): number {
    return this.#count.get()!.n;
  }

  /**
   * Reads the catalog unless nothing can have changed it since this connection last did: no commit by another
   * connection (data_version), and its newest row as this connection's last batch left it (not rolled back).
   */
  #sync(): void {
    const version = this.#dataVersion.get()!;
    const mine = this.#parts[this.#parts.length - 1];
    if (version === this.#seen && mine) {
      const newest = this.#newest.get();
      if (newest && newest.id === mine.id && newest.rows === mine.rows && newest.writes === mine.writes) return;
    }
    this.#refresh();
    this.#seen = version;
  }

  #refresh(): void {
    this.#parts = this.#catalog.all();
    this.#viewOf = undefined;
    // The current partition takes inserts, so no filter of it may be trusted (one built by a sealing that rolled
    // back, say), nor may it count as covered.
    const current = this.#parts[this.#parts.length - 1];
    if (current && (this.#filters.sealed.has(current.id) || this.#filters.covered.has(current.id))) {
      this.#filters.sealed.delete(current.id);
      this.#filters.covered.delete(current.id);
      this.#filters.version++;
    }
    // Forget what belongs to partitions dropped since (by this process or another).
    const live = new Set(this.#parts.map((p) => p.id));
    for (const id of [...this.#statements.keys(), ...this.#filters.generationOf.keys(), ...this.#filters.sealed.keys()]) {
      if (!live.has(id)) this.#forget(id);
    }
  }

  #forget(id: number): void {
    this.#statements.delete(id);
    this.#filters.forget(id);
  }

  #createPartition(): Partition {
    const id = Number(this.#db.prepare('INSERT INTO transaction_ledger_partitions (rows) VALUES (0)').run().lastInsertRowid);
    this.#db.exec(createPartitionSql(id));
    const p: Partition = { id, rows: 0, writes: 0, minAt: null, maxAt: null };
    this.#parts.push(p);
    this.#viewOf = undefined;
    return p;
  }

  /**
   * Keeps the shared shadow only while it holds every key of `current`: same partition, and no batch of another
   * process (or a rolled-back one) since ours. A new one starts on an empty partition, sized for a full one.
   */
  #shadowFor(current: Partition): void {
    const s = this.#filters.shadow;
    if (s && (s.id !== current.id || s.writes !== current.writes)) this.#filters.shadow = undefined;
    if (!this.#filters.shadow && current.rows === 0 && current.writes === 0) {
      this.#filters.shadow = { id: current.id, writes: 0, filter: new BloomFilter(this.#rows) };
    }
  }

  /**
   * Seals `p`. When the shadow holds all of its keys, so does its generation (covered, no scan), and the shadow is
   * its filter unless the partition is small (a filter sized for a full partition would waste memory on one sealed
   * for its age); otherwise its filter is built from its keys. Stored.
   */
  #seal(p: Partition): void {
    const s = this.#filters.shadow;
    const trusted = s !== undefined && s.id === p.id && s.writes === p.writes;
    if (trusted && p.rows * 8 >= this.#rows) {
      this.#db.prepare('UPDATE transaction_ledger_partitions SET filter = ? WHERE id = ?').run(s.filter.toBytes(), p.id);
      this.#filters.sealed.set(p.id, s.filter);
    } else {
      this.#filterOf(p);
    }
    if (trusted) this.#filters.covered.add(p.id);
    this.#filters.shadow = undefined;
    this.#filters.version++;
  }

  /** Covers uncovered sealed partitions, newest first, up to `coverRowsPerBatch` ids; then the batch's view. */
  #coverSome(): void {
    this.#viewFor();
    let budget = this.#coverRows;
    const todo = this.#view.uncovered;
    for (let i = 0; i < todo.length && budget > 0; i++) {
      this.#cover(todo[i]!);
      budget -= Math.max(todo[i]!.rows, 1);
    }
    this.#viewFor();
  }

  #viewFor(): void {
    const f = this.#filters;
    if (this.#viewOf?.version === f.version && this.#viewOf.parts === this.#parts) return;
    const byId = new Map(this.#parts.map((p) => [p.id, p]));
    const generations: BatchView['generations'] = [];
    for (let i = f.generations.length - 1; i >= 0; i--) {
      const g = f.generations[i]!;
      const parts: Partition[] = [];
      for (const id of g.parts) {
        const p = byId.get(id);
        if (p && f.covered.has(id)) parts.push(p);
      }
      if (parts.length > 0) generations.push({ filter: g.filter, parts: parts.sort((a, b) => b.id - a.id) });
    }
    const sealed = this.#parts.slice(0, -1);
    const uncovered = sealed.filter((p) => !f.covered.has(p.id)).reverse();
    this.#view = { generations, uncovered };
    this.#viewOf = { version: f.version, parts: this.#parts };
  }

  /** Whether sealed partition `p` holds the key: its filter, then on a "maybe" its primary key. */
  #lookIn(p: Partition, k: KeyHash, partyId: string, transactionId: string): LedgerVerdict {
    if (!this.#filterOf(p).mayHave(k)) return undefined;
    const found = this.#statementsOf(p.id).get.get(partyId, transactionId);
    return found ? { existingMessageId: found.message_id } : undefined;
  }

  #statementsOf(id: number): PartitionStatements {
    let s = this.#statements.get(id);
    if (!s) {
      const t = ledgerTable(id);
      s = {
        insert: this.#db.prepare(`INSERT INTO ${t} (party_id, transaction_id, message_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`),
        get: this.#db.prepare(`SELECT message_id FROM ${t} WHERE party_id = ? AND transaction_id = ?`),
      };
      this.#statements.set(id, s);
    }
    return s;
  }

  /** A sealed partition's filter: in memory, else from the catalog, else built from its keys (covering it). */
  #filterOf(p: Partition): BloomFilter {
    return this.#filters.sealed.get(p.id) ?? this.#storedFilter(p) ?? this.#cover(p);
  }

  #storedFilter(p: Partition): BloomFilter | undefined {
    const stored = this.#db.prepare<[number], { filter: Buffer | null }>('SELECT filter FROM transaction_ledger_partitions WHERE id = ?').get(p.id);
    if (!stored?.filter) return undefined;
    const f = BloomFilter.fromBytes(stored.filter);
    this.#filters.sealed.set(p.id, f);
    return f;
  }

  /**
   * Adds every key of sealed partition `p` to its generation's filter (one scan), building and storing the
   * partition's own filter in the same scan when there is none yet. Returns the partition's filter.
   */
  #cover(p: Partition): BloomFilter {
    const f = this.#filters;
    const g = f.generationFor(p.id, p.rows);
    const own = f.sealed.get(p.id) ?? this.#storedFilter(p);
    const built = own ? undefined : new BloomFilter(p.rows);
    // Per party, its transaction ids only: half the cost per row of reading both columns, and the party hashed once.
    const t = ledgerTable(p.id);
    const ids = this.#db.prepare<[string], string>(`SELECT transaction_id FROM ${t} WHERE party_id = ?`).pluck();
    for (const party of this.#db.prepare<[], string>(`SELECT DISTINCT party_id FROM ${t}`).pluck().all()) {
      const ph = hashParty(party);
      for (const txid of ids.all(party)) {
        const k = hashTransaction(ph, txid);
        f.add(g, k);
        built?.add(k);
      }
    }
    if (built) {
      this.#db.prepare('UPDATE transaction_ledger_partitions SET filter = ? WHERE id = ?').run(built.toBytes(), p.id);
      f.sealed.set(p.id, built);
    }
    f.covered.add(p.id);
    f.version++;
    return (own ?? built)!;
  }
}
