import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createFixtures } from '../../store/conformance/fixtures.js';
import { openSqliteStore, type IngestItem, type IngestOutcome, type VaultStore } from '../../store/index.js';
import { GroupCommitter } from './group-committer.js';

describe('GroupCommitter', () => {
  it('commits what arrives during a commit together in the next batch, and answers each caller its own outcome', async () => {
    const store = openSqliteStore({ file: ':memory:' });
    const fx = createFixtures();
    const { channel } = await fx.seed(store);
    // The real store, whose first commit lasts until the test lets it finish (a commit over a network).
    const batches: number[] = [];
    let release!: () => void;
    const firstCommitDone = new Promise<void>((r) => (release = r));
    const slow: VaultStore = Object.assign(Object.create(store) as VaultStore, {
      ingest: async (items: IngestItem[]): Promise<IngestOutcome[]> => {
        batches.push(items.length);
        if (batches.length === 1) await firstCommitDone;
        return store.ingest(items);
      },
    });
    const committer = new GroupCommitter(slow);
    const first = committer.submit({ message: fx.message(channel) });
    await new Promise((r) => setImmediate(r)); // the first batch is now committing
    const txid = `tx-${randomBytes(4).toString('hex')}`;
    const winner = fx.message(channel, { transactionId: txid });
    const rest = [winner, ...Array.from({ length: 9 }, () => fx.message(channel)), fx.message(channel, { transactionId: txid })];
    // Each arrives in its own turn of the event loop while the first commit is still in flight.
    const later: Promise<IngestOutcome>[] = [];
    for (const message of rest) {
      later.push(committer.submit({ message }));
      await new Promise((r) => setImmediate(r));
    }
    release();
    const outcomes = await Promise.all([first, ...later]);
    await committer.drain();
    expect(batches).toEqual([1, 11]);
    expect(outcomes.slice(0, 11).every((o) => o.ok)).toBe(true);
    expect(outcomes[11]).toEqual({ ok: false, reason: 'duplicate', existingMessageId: winner.id });
    expect((await store.listMessages({ companyId: channel.companyId, limit: 100 })).items).toHaveLength(11);
    await store.close();
  });
});
