import type Database from 'better-sqlite3';
import { BloomFilter, hashKey, type KeyHash } from './bloom.js';

/*
 * The transaction-id ledger, partitioned (issue 12 §2). One random-keyed b-tree of every remembered id made each
 * insert dirty a page of an ever larger tree (24 → 44 µs per message from 10k to 300k ids). Here:
 *
 * - Inserts go to the newest partition only (`transaction_ledger_<id>`, WITHOUT ROWID, primary key only), which
 *   is sealed and followed by a new one once it holds `partitionRows` ids, or an eighth of that and its oldest id
 *   is `partitionSeconds` old. So the tree that takes writes stays small however many ids are remembered.
 * - A sealed partition takes no more inserts, so a Bloom filter of its keys stays valid (bloom.ts); it is kept
 *   in the catalog (`transaction_ledger_partitions.filter`) for other processes and restarts. It is filled while
 *   the partition takes inserts (the shadow, LedgerFilters), or, when another process inserted too, built by a
 *   scan of the partition when it is sealed. A fresh id costs one hash and a few bit tests per sealed partition; only a
 *   filter's "maybe" (a real repeat, or ~1 %) reads that partition's primary key.
 * - Pruning drops whole partitions whose newest id is older than the cut-off (no row deletes); only a partition
 *   straddling the cut-off has rows deleted, so an id is forgotten exactly when the port says.
 *
 * Every call runs inside a write transaction of its connection (BEGIN IMMEDIATE), which is also what makes the
 * catalog read at its start current: no other process changes it until that transaction ends.
 */

export interface LedgerOptions {
  /** Ids per partition before a new one starts (default 262144). */
  partitionRows?: number | undefined;
  /**
   * Age in seconds of a partition's oldest id after which a new one starts (default 3600), provided it holds at
   * least an eighth of `partitionRows`.
   */
  partitionSeconds?: number | undefined;
}

export const LEDGER_PARTITION_ROWS = 262_144;
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

/**
 * The filters of one store's connections, shared (they derive from data, not from a connection): the sealed
 * partitions', and the shadow of the newest partition, which this process fills as it inserts so that sealing a
 * full partition needs no scan of it. The shadow is trusted only while the partition's `writes` (one per inserting
 * batch, of any process) is what this process last wrote: then every key in the partition went through it.
 */
export class LedgerFilters {
  readonly sealed = new Map<number, BloomFilter>();
  shadow: { id: number; writes: number; filter: BloomFilter } | undefined;
}

/** What consume() found: undefined when the id was fresh (and is now used), else the first message's id (or null). */
export type LedgerVerdict = undefined | { existingMessageId: string | null };

export class PartitionedLedger {
  readonly #db: Database.Database;
  readonly #rows: number;
  readonly #seconds: number;
  readonly #filters: LedgerFilters;
  readonly #statements = new Map<number, PartitionStatements>();
  readonly #catalog: Database.Statement<[], Partition>;
  readonly #update: Database.Statement<[Record<string, unknown>]>;
  readonly #count: Database.Statement<[], { n: number }>;
  #parts: Partition[] = [];
  #added = 0;
  #minAt: string | null = null;
  #maxAt: string | null = null;

  constructor(db: Database.Database, filters: LedgerFilters, o: LedgerOptions = {}) {
    this.#db = db;
    this.#filters = filters;
    this.#rows = o.partitionRows ?? LEDGER_PARTITION_ROWS;
    this.#seconds = o.partitionSeconds ?? LEDGER_PARTITION_SECONDS;
    if (!Number.isSafeInteger(this.#rows) || this.#rows < 1) throw new RangeError('ledger partitionRows must be a positive integer');
    if (!(this.#seconds > 0)) throw new RangeError('ledger partitionSeconds must be positive');
    this.#catalog = db.prepare<[], Partition>(
      'SELECT id, rows, writes, min_at AS minAt, max_at AS maxAt FROM transaction_ledger_partitions ORDER BY id',
    );
    this.#update = db.prepare(`UPDATE transaction_ledger_partitions SET rows = rows + @added, writes = writes + 1,
      min_at = CASE WHEN min_at IS NULL OR @minAt < min_at THEN @minAt ELSE min_at END,
      max_at = CASE WHEN max_at IS NULL OR @maxAt > max_at THEN @maxAt ELSE max_at END WHERE id = @id`);
    this.#count = db.prepare<[], { n: number }>('SELECT COALESCE(SUM(rows), 0) AS n FROM transaction_ledger_partitions');
  }

  /** Starts a batch at time `at` (ISO): reads the catalog, and seals the newest partition when it is full or old. */
  begin(at: string): void {
    this.#refresh();
    const current = this.#parts[this.#parts.length - 1];
    // An old partition is sealed only once it holds an eighth of a full one: every sealed partition adds a filter
    // to check per id, and forgetting rows of a small one (prune) is cheap anyway.
    const old = current?.minAt != null && Date.parse(at) - Date.parse(current.minAt) >= this.#seconds * 1000;
    if (!current || current.rows >= this.#rows || (old && current.rows * 8 >= this.#rows)) {
      if (current) this.#seal(current);
      this.#createPartition();
    }
    this.#shadowFor(this.#parts[this.#parts.length - 1]!);
    this.#added = 0;
    this.#minAt = null;
    this.#maxAt = null;
  }

  /** Uses (party, transaction id) in the current batch; see LedgerVerdict. */
  consume(partyId: string, transactionId: string, messageId: string | null, at: string): LedgerVerdict {
    const parts = this.#parts;
    const shadow = this.#filters.shadow;
    const k: KeyHash | undefined = parts.length > 1 || shadow ? hashKey(partyId, transactionId) : undefined;
    if (k && parts.length > 1) {
      for (let i = parts.length - 2; i >= 0; i--) {
        const p = parts[i]!;
        if (!this.#filterOf(p).mayHave(k)) continue;
        const found = this.#statementsOf(p.id).get.get(partyId, transactionId);
        if (found) return { existingMessageId: found.message_id };
      }
    }
    const cs = this.#statementsOf(parts[parts.length - 1]!.id);
    // The current partition's primary key also catches a repeat earlier in the same batch.
    if (cs.insert.run(partyId, transactionId, messageId, at).changes === 0) {
      return { existingMessageId: cs.get.get(partyId, transactionId)?.message_id ?? null };
    }
    if (k && shadow) shadow.filter.add(k);
    this.#added += 1;
    if (this.#minAt === null || at < this.#minAt) this.#minAt = at;
    if (this.#maxAt === null || at > this.#maxAt) this.#maxAt = at;
    return undefined;
  }

  /** Ends a batch: the current partition's count and time range in the catalog. */
  end(): void {
    if (this.#added === 0) return;
    const current = this.#parts[this.#parts.length - 1]!;
    this.#update.run({ id: current.id, added: this.#added, minAt: this.#minAt, maxAt: this.#maxAt });
    current.rows += this.#added;
    current.writes += 1;
    // Should the transaction roll back, the catalog keeps the old count and the next begin() drops the shadow.
    if (this.#filters.shadow) this.#filters.shadow.writes = current.writes;
  }

  /**
   * Forgets ids used before `before` (ISO): whole partitions whose newest id is older are dropped (their count
   * may exceed `limit`); in a partition straddling the cut-off, at most the rest of `limit` rows are deleted.
   */
  prune(before: string, limit: number): number {
    this.#refresh();
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
        // All older rows gone: `before` is a lower bound of what is left (the filter keeps stale bits: harmless).
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

  #refresh(): void {
    this.#parts = this.#catalog.all();
    // The current partition takes inserts, so no filter of it may be trusted (one built by a sealing that rolled
    // back, say).
    const current = this.#parts[this.#parts.length - 1];
    if (current) this.#filters.sealed.delete(current.id);
    // Forget what belongs to partitions dropped since (by this process or another).
    if (this.#statements.size + this.#filters.sealed.size > 0) {
      const live = new Set(this.#parts.map((p) => p.id));
      for (const id of [...this.#statements.keys(), ...this.#filters.sealed.keys()]) if (!live.has(id)) this.#forget(id);
    }
  }

  #forget(id: number): void {
    this.#statements.delete(id);
    this.#filters.sealed.delete(id);
  }

  #createPartition(): void {
    const id = Number(this.#db.prepare('INSERT INTO transaction_ledger_partitions (rows) VALUES (0)').run().lastInsertRowid);
    this.#db.exec(createPartitionSql(id));
    this.#parts.push({ id, rows: 0, writes: 0, minAt: null, maxAt: null });
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
   * Seals `p`: its filter is the shadow when that holds all of its keys and the partition is not small (a filter
   * sized for a full partition would waste memory on one sealed for its age), else built from its keys. Stored.
   */
  #seal(p: Partition): void {
    const s = this.#filters.shadow;
    if (s && s.id === p.id && s.writes === p.writes && p.rows * 8 >= this.#rows) {
      this.#db.prepare('UPDATE transaction_ledger_partitions SET filter = ? WHERE id = ?').run(s.filter.toBytes(), p.id);
      this.#filters.sealed.set(p.id, s.filter);
    } else {
      this.#filterOf(p);
    }
    this.#filters.shadow = undefined;
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

  /** A sealed partition's filter: in memory, else from the catalog, else built from its keys and stored there. */
  #filterOf(p: Partition): BloomFilter {
    let f = this.#filters.sealed.get(p.id);
    if (f) return f;
    const stored = this.#db.prepare<[number], { filter: Buffer | null }>('SELECT filter FROM transaction_ledger_partitions WHERE id = ?').get(p.id);
    if (stored?.filter) {
      f = BloomFilter.fromBytes(stored.filter);
    } else {
      f = new BloomFilter(p.rows);
      const keys = this.#db.prepare<[], [string, string]>(`SELECT party_id, transaction_id FROM ${ledgerTable(p.id)}`).raw(true);
      for (const [party, txid] of keys.iterate()) f.add(hashKey(party, txid));
      this.#db.prepare('UPDATE transaction_ledger_partitions SET filter = ? WHERE id = ?').run(f.toBytes(), p.id);
    }
    this.#filters.sealed.set(p.id, f);
    return f;
  }
}
