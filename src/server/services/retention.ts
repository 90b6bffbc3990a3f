import type { Clock } from '../../protocol/index.js';
import type { ChannelRecord, Store } from '../../store/index.js';
import type { VaultCrypto } from '../crypto/vault-crypto.js';
import { PeriodicTask } from './periodic-task.js';

export interface SweepResult {
  /** Messages deleted because their message type's retention expired them. */
  expired: number;
  /** Used transaction ids forgotten after VAULTGATE_TRANSACTION_ID_RETENTION_H. */
  transactionIds: number;
  /** Message rows of deleted companies purged. */
  purged: number;
}

const BATCH = 500;
const yieldToIngestion = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * The background sweep: deletes messages past their message type's retention (days, or beyond the newest
 * `keepLast` per channel), purges the rows of deleted companies, forgets transaction ids older than their
 * retention (VAULTGATE_TRANSACTION_ID_RETENTION_H, at least 24 h), in transactions of at most 500 rows with a
 * turn of the event loop between them, so ingestion is never blocked for long.
 */
export class RetentionSweeper {
  readonly #task: PeriodicTask<SweepResult>;

  constructor(private readonly d: { store: Store; crypto: VaultCrypto; clock: Clock; transactionIdRetentionH: number; onSweep?: (r: SweepResult) => void; onError?: (err: unknown) => void }) {
    this.#task = new PeriodicTask(() => this.#sweep(), { onDone: d.onSweep, onError: d.onError });
  }

  get #stopped(): boolean {
    return this.#task.stopped;
  }

  /** Sweeps every `intervalS` seconds (0: never) until stopped. */
  start(intervalS: number): void {
    this.#task.start(intervalS);
  }

  /** Stops the schedule and waits for a sweep in progress (it stops between batches). */
  stop(): Promise<void> {
    return this.#task.stop();
  }

  /** One full sweep; concurrent calls share the sweep in progress. */
  sweepOnce(): Promise<SweepResult> {
    return this.#task.runOnce();
  }

  async #sweep(): Promise<SweepResult> {
    const result: SweepResult = { expired: 0, purged: 0, transactionIds: 0 };
    let cursor: string | undefined;
    do {
      const page = await this.d.store.listChannels({ cursor, limit: 200 });
      for (const channel of page.items) result.expired += await this.#sweepChannel(channel);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && !this.#stopped);
    for (const companyId of await this.d.store.listDeletedCompanyIds()) {
      // A request in flight during the deletion may have created a key after it: destroy again, then purge.
      await this.d.crypto.destroyOwner(companyId);
      for (let n = BATCH; n === BATCH && !this.#stopped; ) {
        n = await this.d.store.deleteCompanyMessages(companyId, BATCH);
        result.purged += n;
        await yieldToIngestion();
      }
    }
    const before = new Date(this.d.clock.now() - this.d.transactionIdRetentionH * 3_600_000).toISOString();
    for (let n = BATCH; n === BATCH && !this.#stopped; ) {
      n = await this.d.store.pruneTransactionIds(before, BATCH);
      result.transactionIds += n;
      await yieldToIngestion();
    }
    return result;
  }

  async #sweepChannel(channel: ChannelRecord): Promise<number> {
    let deleted = 0;
    for (const t of channel.messageTypes) {
      if (!t.retention) continue;
      const before = t.retention.days === undefined ? undefined : new Date(this.d.clock.now() - t.retention.days * 86_400_000).toISOString();
      for (let n = BATCH; n === BATCH && !this.#stopped; ) {
        n = await this.d.store.deleteExpiredMessages({ channelId: channel.id, messageType: t.name, before, keepLast: t.retention.keepLast, limit: BATCH });
        deleted += n;
        await yieldToIngestion();
      }
    }
    return deleted;
  }
}
