import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ownerScope, VaultgateError, type ReadScope } from '../../../protocol/index.js';
import { createFixtures } from '../../../store/conformance/fixtures.js';
import { openSqliteStore, type ChannelRecord, type Store } from '../../../store/index.js';
import { tempDir } from '../../../../test/helpers/servers.js';
import { decodeFeedCursor, encodeFeedCursor } from './feed-cursor.js';
import { pollFeed, type FeedDeps } from './feed.js';
import { FeedWaits } from './feed-waits.js';

/** The feed's merge of several owner vaults, on a real SQLite store, with scopes given directly (as grants would). */
describe('pollFeed', () => {
  let dir: string;
  let store: Store;
  let a: ChannelRecord;
  let b: ChannelRecord;
  const fx = createFixtures();
  const consumer = 'co_test_consumer0000000000000000';

  beforeEach(async () => {
    dir = tempDir('vg-feed-unit-');
    store = openSqliteStore({ file: join(dir, 'db.sqlite') });
    a = (await fx.seed(store)).channel;
    b = (await fx.seed(store)).channel;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const deps = (scopes: ReadScope[]): FeedDeps => ({
    store, crypto: undefined as never, clock: { now: () => Date.now() }, scopesFor: async () => scopes, grantEvents: async () => [],
    waits: new FeedWaits({ maxWaits: 1, maxWaitsPerReader: 1, pollMs: 100 }),
  });

  it('merges the vaults it may see in seq order, labels shared items with their grant, passes over what no scope covers', async () => {
    const msgs = [
      fx.message(a), fx.message(b, { messageType: 'receipt' }), fx.message(b), fx.message(a), fx.message(b),
    ];
    for (const message of msgs) await store.ingest([{ message }]);
    const grant: ReadScope = { ...ownerScope(b.companyId), grantId: 'grt_test_1', messageTypes: ['salesinvoice'] };
    const d = deps([ownerScope(a.companyId), grant]);
    const page1 = await pollFeed(d, consumer, { messages: {}, grantEvents: 0 }, 2, false);
    expect(page1.items.map((i) => [i.companyId, i.grantId, (i as { message: { messageId: string } }).message.messageId])).toEqual([
      [a.companyId, null, msgs[0]!.id], [b.companyId, 'grt_test_1', msgs[2]!.id],
    ]);
    expect(page1.hasMore).toBe(true);
    expect(page1.owners).toEqual({ [a.companyId]: 1, [b.companyId]: 1 });
    const page2 = await pollFeed(d, consumer, page1.position, 2, false);
    expect(page2.items.map((i) => (i as { message: { messageId: string } }).message.messageId)).toEqual([msgs[3]!.id, msgs[4]!.id]);
    const page3 = await pollFeed(d, consumer, page2.position, 2, false);
    expect(page3.items).toEqual([]);
    expect(page3.hasMore).toBe(false);
    // A scope withdrawn between polls: the next poll shows nothing of that vault.
    const later = fx.message(b);
    await store.ingest([{ message: later }]);
    expect((await pollFeed(deps([ownerScope(a.companyId)]), consumer, page3.position, 10, false)).items).toEqual([]);
    expect((await pollFeed(d, consumer, page3.position, 10, false)).items.map((i) => i.grantId)).toEqual(['grt_test_1']);
  });
});

describe('feed cursor', () => {
  const reader = 'co_test_reader00000000000000000';
  it('round-trips positions and refuses anything else, another reader\'s cursor included', () => {
    const p = { messages: { co_test_abc: 12, co_live_x1: 0 }, grantEvents: 7 };
    expect(decodeFeedCursor(reader, encodeFeedCursor(reader, p))).toEqual(p);
    expect(decodeFeedCursor(reader, undefined)).toEqual({ messages: {}, grantEvents: 0 });
    const bad = (c: string) => expect(() => decodeFeedCursor(reader, c)).toThrow(VaultgateError);
    const wire = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    bad(encodeFeedCursor('co_test_other', p));
    for (const c of ['', '!!', 'e30', wire([]), wire({ v: 2, r: reader, m: {}, g: 0 }), wire({ v: 1, r: reader, m: { x: 1 }, g: 0 }),
      wire({ v: 1, r: reader, m: { co_test_a: 1.5 }, g: 0 }), wire({ v: 1, r: reader, m: {}, g: -1 }), wire({ v: 1, r: reader, m: [], g: 0 }), 'A'.repeat(70_000)]) bad(c);
  });
});
