import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { loadKeyring } from '../src/server/crypto/keyring.js';
import { VaultCrypto } from '../src/server/crypto/vault-crypto.js';
import { messageAad } from '../src/server/services/ingest-message.js';
import { createFixtures } from '../src/store/conformance/fixtures.js';
import { openSqliteKeyStore, openSqliteStore } from '../src/store/index.js';
import type { ChannelRecord, MessageQuery, MessageRecord, OAuthClientRecord } from '../src/store/port.js';
import { encodeCursor } from '../src/store/sqlite/cursor.js';
import { applyMigrations, MIGRATIONS } from '../src/store/sqlite/migrations.js';
import { SqliteOAuthStore } from '../src/store/sqlite/oauth-store.js';
import { messageParams } from '../src/store/sqlite/rows.js';

/*
 * Migration 3 (the lean schema, src/store/sqlite/lean-migration.ts) on a populated version-2 database: made with
 * the version 1-2 schema through a plain connection, bodies sealed by the real vault crypto, seq gaps from deleted
 * messages (the newest one too, so the AUTOINCREMENT high-water mark matters), ledger rows of messages and of
 * reads, OAuth rows. After the store opens it (and migrates), everything must read back as before.
 */
const dir = mkdtempSync(join(tmpdir(), 'vaultgate-lean-migration-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('migration 3 (lean schema) of a populated version-2 database', () => {
  it('keeps every message, body, order, cursor, used transaction id and OAuth row', async () => {
    const file = join(dir, 'vault.db');
    const keyStore = openSqliteKeyStore({ file: join(dir, 'keys.db') });
    const crypto = new VaultCrypto(keyStore, loadKeyring({ file: join(dir, 'master.key') }).keyring, { now: () => Date.now() }, 'test');
    const fx = createFixtures();
    const [coA, coB] = [fx.company(), fx.company()];
    const [tp1, tp2] = [fx.party(), fx.party()];
    const channels: ChannelRecord[] = [fx.channel(coA.id, tp1.id), fx.channel(coA.id, tp2.id), fx.channel(coB.id, tp1.id)];
    const plaintexts = new Map<string, Buffer>();
    const messages: MessageRecord[] = [];
    for (let i = 0; i < 90; i++) {
      const channel = channels[i % 3]!;
      const template = fx.message(channel, { messageType: i % 4 === 0 ? 'receipt' : 'salesinvoice', ...(i % 5 === 0 ? { transactionId: null } : {}) });
      const body = randomBytes(50 + i * 7);
      const m: MessageRecord = {
        ...template,
        size: body.length,
        sha256: createHash('sha256').update(body).digest('hex'),
        bodyCiphertext: await crypto.seal(channel.companyId, body, messageAad(channel.companyId, template.id)),
      };
      plaintexts.set(m.id, body);
      messages.push(m);
    }

    const v2 = new Database(file);
    v2.pragma('foreign_keys = ON');
    applyMigrations(v2, MIGRATIONS.filter((m) => m.version <= 2));
    const insertCompany = v2.prepare('INSERT INTO companies (id, name, business_id, created_at) VALUES (@id, @name, @businessId, @createdAt)');
    for (const c of [coA, coB]) insertCompany.run(c);
    const insertParty = v2.prepare('INSERT INTO parties (id, name, status, created_at, disabled_at) VALUES (@id, @name, @status, @createdAt, @disabledAt)');
    for (const p of [tp1, tp2]) insertParty.run(p);
    const insertChannel = v2.prepare(`INSERT INTO channels (id, company_id, party_id, message_types, status, created_at, disabled_at)
      VALUES (@id, @companyId, @partyId, @messageTypes, @status, @createdAt, @disabledAt)`);
    for (const c of channels) insertChannel.run({ ...c, messageTypes: JSON.stringify(c.messageTypes) });
    const insertMessage = v2.prepare(`INSERT INTO messages (id, company_id, channel_id, party_id, message_type, media_type, content_type, size,
        sha256, received_at, transaction_id, body_ciphertext, key_version)
      VALUES (@id, @company_id, @channel_id, @party_id, @message_type, @media_type, @content_type, @size, @sha256, @received_at,
        @transaction_id, @body_ciphertext, @key_version)`);
    const insertLedger = v2.prepare('INSERT INTO transaction_ledger (party_id, transaction_id, message_id, created_at) VALUES (?, ?, ?, ?)');
    v2.transaction(() => {
      for (const m of messages) {
        insertMessage.run(messageParams(m));
        if (m.transactionId !== null) insertLedger.run(m.partyId, m.transactionId, m.id, m.receivedAt);
      }
      insertLedger.run(tp1.id, 'read-1', null, messages[3]!.receivedAt);
      insertLedger.run('assertion:oc_test_1', 'jti-1', null, messages[4]!.receivedAt);
    })();
    // Gaps in seq, and the newest message gone: its seq must never be handed out again.
    const deleted = new Set([messages[10]!.id, messages[11]!.id, messages[40]!.id, messages[89]!.id]);
    for (const id of deleted) v2.prepare('DELETE FROM messages WHERE id = ?').run(id);
    const client: OAuthClientRecord = {
      clientId: 'oc_test_migrated', ownerKind: 'party', ownerId: tp1.id, name: 'Sender', roles: ['ingest'], status: 'active',
      createdAt: coA.createdAt, disabledAt: null, secretHash: 'sha256$c2FsdA$aGFzaA', publicJwk: null,
    };
    await new SqliteOAuthStore(v2).createOAuthClient(client);
    const seqOf = new Map(v2.prepare<[], { id: string; seq: number }>('SELECT id, seq FROM messages').all().map((r) => [r.id, r.seq]));
    const ledgerRows = (v2.prepare('SELECT COUNT(*) AS n FROM transaction_ledger').get() as { n: number }).n;
    const highWater = (v2.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'messages'").get() as { seq: number }).seq;
    v2.close();

    const store = openSqliteStore({ file });
    try {
      expect(store.appliedMigrations).toEqual(MIGRATIONS.map((m) => m.version).filter((v) => v >= 3)); // the lean schema and every step after it (audit trail, accounts, people, self-service, session method)
      const kept = messages.filter((m) => !deleted.has(m.id));
      for (const m of kept) {
        const got = await store.getMessage(m.companyId, m.id);
        expect(got).toEqual({ ...m, bodyCiphertext: new Uint8Array(m.bodyCiphertext) });
        const body = await crypto.open(got!.bodyCiphertext, messageAad(m.companyId, m.id), m.companyId);
        expect(body.equals(plaintexts.get(m.id)!)).toBe(true);
        expect(createHash('sha256').update(body).digest('hex')).toBe(m.sha256);
      }
      for (const id of deleted) expect(await store.getMessage(coA.id, id) ?? await store.getMessage(coB.id, id)).toBeUndefined();
      // Every list shape, paged by 7: the same messages in the same order, and cursors that name the same seq.
      const shapes: Omit<MessageQuery, 'limit'>[] = [
        { companyId: coA.id },
        { companyId: coB.id },
        { companyId: coA.id, channelId: channels[1]!.id },
        { companyId: coA.id, messageType: 'receipt' },
        { companyId: coA.id, channelId: channels[0]!.id, messageType: 'salesinvoice' },
        { companyId: coA.id, from: messages[20]!.receivedAt, to: messages[70]!.receivedAt },
      ];
      for (const q of shapes) {
        const expected = kept.filter((m) => m.companyId === q.companyId && (q.channelId === undefined || m.channelId === q.channelId)
          && (q.messageType === undefined || m.messageType === q.messageType)
          && (q.from === undefined || m.receivedAt >= q.from) && (q.to === undefined || m.receivedAt < q.to));
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listMessages({ ...q, cursor, limit: 7 });
          seen.push(...page.items.map((m) => m.id));
          if (page.nextCursor !== null) expect(page.nextCursor).toBe(encodeCursor(seqOf.get(seen[seen.length - 1]!)!));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        expect(seen, JSON.stringify(q)).toEqual(expected.map((m) => m.id));
      }
      // The ledger: same count; a re-sent transaction id names the first message, also one whose message is gone.
      expect(await store.countTransactionIds()).toBe(ledgerRows);
      const resent = kept.find((m) => m.transactionId !== null)!;
      const resentOfDeleted = messages[11]!;
      const fresh = fx.message(channels[0]!);
      const outcomes = await store.ingest([
        { message: fx.message(channels.find((c) => c.id === resent.channelId)!, { transactionId: resent.transactionId }) },
        { message: fx.message(channels.find((c) => c.id === resentOfDeleted.channelId)!, { transactionId: resentOfDeleted.transactionId }) },
        { message: fresh },
      ]);
      expect(outcomes).toEqual([
        { ok: false, reason: 'duplicate', existingMessageId: resent.id },
        { ok: false, reason: 'duplicate', existingMessageId: resentOfDeleted.id },
        { ok: true, seq: highWater + 1 },
      ]);
      expect(await store.consumeTransactionId(tp1.id, 'read-1', fresh.receivedAt)).toBe(false);
      expect(await store.consumeTransactionId('assertion:oc_test_1', 'jti-1', fresh.receivedAt)).toBe(false);
      expect(await store.getOAuthClient(client.clientId)).toEqual(client);
    } finally {
      await store.close();
      await keyStore.close();
    }
    const db = new Database(file, { readonly: true });
    try {
      const indexes = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages' AND sql IS NOT NULL").pluck().all();
      expect(indexes).toEqual(['messages_list']);
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'transaction_ledger'").get()).toBeUndefined();
    } finally {
      db.close();
    }
  });
});
