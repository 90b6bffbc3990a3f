import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ownerScope, type ReadScope } from '../../../protocol/grant-scope.js';
import { openSqliteKeyStore, openSqliteStore, type SqliteStore } from '../../../store/index.js';
import { createFixtures } from '../../../store/conformance/fixtures.js';
import { loadKeyring } from '../../crypto/keyring.js';
import { VaultCrypto } from '../../crypto/vault-crypto.js';
import { messageAad } from '../ingest-message.js';
import { narrowQuery } from './scope-query.js';
import { exportShared, SHARED_EXPORT_PAGE, type SharedExportEnd } from './shared-reads.js';

const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();
const grant = (id: string, over: Partial<ReadScope>): ReadScope => ({ ...ownerScope('co_1'), grantId: id, ...over });

describe('narrowQuery', () => {
  it('pushes one scope exactly, the union of several (lists, the widest window), and nothing for a scope that cannot meet the selection', () => {
    const a = grant('grt_a', { channelIds: ['ch_a'], receivedFrom: at(10), receivedBefore: at(20) });
    const b = grant('grt_b', { channelIds: ['ch_b', 'ch_a'], messageTypes: ['invoice'], receivedFrom: at(5), receivedBefore: at(15) });
    const c = grant('grt_c', { messageTypes: ['order'] });
    expect(narrowQuery({ companyId: 'co_1' }, [a])).toEqual({ companyId: 'co_1', channelIds: ['ch_a'], from: at(10), to: at(20) });
    expect(narrowQuery({ companyId: 'co_1' }, [a, b])).toEqual({ companyId: 'co_1', channelIds: ['ch_a', 'ch_b'], from: at(5), to: at(20) });
    // c leaves channels and window open; only b and c restrict types, a does not: no type list.
    expect(narrowQuery({ companyId: 'co_1' }, [a, b, c])).toEqual({ companyId: 'co_1' });
    // The selection's own filters stay and drop the scopes they exclude.
    expect(narrowQuery({ companyId: 'co_1', channelId: 'ch_b' }, [a, b, c])).toEqual({ companyId: 'co_1', channelId: 'ch_b', messageTypes: ['invoice', 'order'] });
    expect(narrowQuery({ companyId: 'co_1', from: at(12), to: at(30) }, [a, b])).toEqual({ companyId: 'co_1', channelIds: ['ch_a', 'ch_b'], from: at(12), to: at(20) });
    expect(narrowQuery({ companyId: 'co_1', from: at(20) }, [a, b])).toBeNull();
    expect(narrowQuery({ companyId: 'co_1', to: at(5) }, [a, b])).toBeNull();
    expect(narrowQuery({ companyId: 'co_1', messageType: 'receipt' }, [b, c])).toBeNull();
    expect(narrowQuery({ companyId: 'co_2' }, [a])).toBeNull();
    expect(narrowQuery({ companyId: 'co_1' }, [ownerScope('co_1')])).toEqual({ companyId: 'co_1' });
  });
});

describe('exportShared', () => {
  const stores: SqliteStore[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });

  it('stops at the first line no longer covered when a grant ends mid-export (scopes resolved again at each page), with a resumable cursor', async () => {
    const store = openSqliteStore({ file: ':memory:' });
    stores.push(store);
    const keyStore = openSqliteKeyStore({ file: ':memory:' });
    const clock = { now: () => Date.now() };
    const crypto = new VaultCrypto(keyStore, loadKeyring({ masterKey: randomBytes(32).toString('base64'), file: '' }).keyring, clock, 'test');
    const fx = createFixtures();
    const { company, channel } = await fx.seed(store);
    const messages = [];
    for (let i = 0; i < SHARED_EXPORT_PAGE * 2 + 10; i++) {
      const m = fx.message(channel, { messageType: i % 2 === 0 ? 'invoice' : 'order', receivedAt: at(i) });
      messages.push({ ...m, bodyCiphertext: await crypto.seal(company.id, Buffer.from(`{"i":${i}}`), messageAad(company.id, m.id)) });
    }
    await store.ingest(messages.map((message) => ({ message })));
    const g = { ...ownerScope(company.id), grantId: 'grt_test_1', messageTypes: ['invoice'] };
    let resolved = 0;
    // The request resolved [g]; the grant is revoked right after: the resolution before the second page finds nothing.
    const scopesFor = async () => {
      resolved++;
      return [];
    };
    const ends: SharedExportEnd[] = [];
    const d = { store, crypto, clock, environment: 'test' as const, scopesFor };
    const reader = { organisationId: 'co_consumer', ledger: { partyId: 'x', transactionId: undefined } };
    const chunks = await exportShared(d, reader, company.id, [g], {}, (e) => ends.push(e));
    let text = '';
    for await (const c of chunks) text += c.toString('utf8');
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    const invoices = messages.filter((m) => m.messageType === 'invoice');
    const sent = lines.slice(0, -1);
    // The type is in the store query: the first page is SHARED_EXPORT_PAGE invoices, sent; then the stream stops.
    expect(sent.map((l) => l.messageId)).toEqual(invoices.slice(0, SHARED_EXPORT_PAGE).map((m) => m.id));
    expect(sent.every((l) => l.messageType === 'invoice')).toBe(true);
    expect(lines.at(-1)).toEqual({ complete: false, code: 'GRANT_REQUIRED', cursor: sent.at(-1).cursor, count: sent.length });
    expect(ends).toEqual([{ complete: false, count: sent.length, lastMessageId: sent.at(-1).messageId }]);
    expect(resolved).toBe(1);

    // With the grant in force throughout, the export is whole.
    const whole = await exportShared({ ...d, scopesFor: async () => [g] }, reader, company.id, [g], {}, () => undefined);
    text = '';
    for await (const c of whole) text += c.toString('utf8');
    const all = text.trim().split('\n').map((l) => JSON.parse(l));
    expect(all.slice(0, -1).map((l) => l.messageId)).toEqual(invoices.map((m) => m.id));
    expect(all.at(-1)).toEqual({ complete: true, count: invoices.length });
  });

  it('respects backpressure: when a grant ends while the consumer is stalled, at most one page beyond what the consumer took is still sent', async () => {
    const store = openSqliteStore({ file: ':memory:' });
    stores.push(store);
    const clock = { now: () => Date.now() };
    const crypto = new VaultCrypto(openSqliteKeyStore({ file: ':memory:' }), loadKeyring({ masterKey: randomBytes(32).toString('base64'), file: '' }).keyring, clock, 'test');
    const fx = createFixtures();
    const { company, channel } = await fx.seed(store);
    const messages = [];
    for (let i = 0; i < SHARED_EXPORT_PAGE * 6; i++) {
      const m = fx.message(channel, { messageType: 'invoice', receivedAt: at(i) });
      messages.push({ ...m, bodyCiphertext: await crypto.seal(company.id, Buffer.from(`{"i":${i}}`), messageAad(company.id, m.id)) });
    }
    await store.ingest(messages.map((message) => ({ message })));
    const g = { ...ownerScope(company.id), grantId: 'grt_test_1' };
    let revoked = false;
    const d = { store, crypto, clock, environment: 'test' as const, scopesFor: async () => (revoked ? [] : [g]) };
    const reader = { organisationId: 'co_consumer', ledger: { partyId: 'x', transactionId: undefined } };
    const stream = await exportShared(d, reader, company.id, [g], {}, () => undefined);
    // A stalled connection: it takes one chunk and holds it (highWaterMark 1: nothing queued beside it).
    const taken: Buffer[] = [];
    let release: (() => void) | undefined;
    let stalled = true;
    const sink = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _e, cb) {
        taken.push(chunk);
        if (stalled) release = cb;
        else cb();
      },
    });
    const done = new Promise((r) => sink.on('finish', r));
    stream.pipe(sink);
    await new Promise((r) => setTimeout(r, 200));
    const lines = (bs: Buffer[]) => Buffer.concat(bs).toString('utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
    const takenBefore = lines(taken).length;
    expect(takenBefore).toBeGreaterThan(0);
    // The connection holds one page; the stream one more; nothing else was read from the store or checked.
    expect(takenBefore).toBe(SHARED_EXPORT_PAGE);
    revoked = true;
    stalled = false;
    release!();
    await done;
    const all = lines(taken);
    const sent = all.slice(0, -1);
    expect(all.at(-1)).toMatchObject({ complete: false, code: 'GRANT_REQUIRED', count: sent.length });
    expect(sent.length - takenBefore).toBeLessThanOrEqual(SHARED_EXPORT_PAGE);
    expect(sent.length).toBeLessThan(messages.length);
  });
});
