import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, verifyAuditChain } from '../../protocol/audit-chain.js';
import type { AuditAppend } from '../port.js';
import { collectPages } from './assertions.js';
import type { ConformanceContext } from './context.js';
import { at } from './fixtures.js';

let counter = 0;
/** An audit event to append; ids are unique within the process. */
export function auditEvent(over: Partial<AuditAppend> = {}): AuditAppend {
  counter++;
  return {
    id: `ae_test_${String(counter).padStart(26, '0')}`, at: at(counter % 50), environment: 'test', actor: { kind: 'operator', id: 'operator' },
    action: 'company.create', subject: 'co_test_x', tenants: [], clientAddress: '127.0.0.1', requestId: `req-${counter}`, outcome: 'success',
    details: { n: counter }, ...over,
  };
}

/** The audit section of the port (issue 13): one chain per store, changes and their events in one transaction. */
export function describeAuditCases(ctx: ConformanceContext): void {
  describe('audit trail', () => {
    it('appends events as one hash chain from the genesis value, details intact, and verifies', async () => {
      const store = ctx.store();
      expect(await store.auditHead()).toBeNull();
      const first = await store.appendAudit(auditEvent({ details: { nested: { list: [1, 'two', null], text: 'Ääkkönen' } } }));
      expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, details: { nested: { list: [1, 'two', null], text: 'Ääkkönen' } } });
      const second = await store.appendAudit(auditEvent({ tenants: ['co_test_a', 'co_test_b'], clientAddress: null, requestId: null, outcome: 'refused' }));
      expect(second).toMatchObject({ seq: 2, prevHash: first.hash, tenants: ['co_test_a', 'co_test_b'], clientAddress: null, outcome: 'refused' });
      expect(await store.auditHead()).toEqual({ seq: 2, hash: second.hash });
      const chain = await store.readAuditChain(0, 10);
      expect(chain).toEqual([first, second]);
      expect(verifyAuditChain(chain, [], []).ok).toBe(true);
      expect(await store.readAuditChain(1, 10)).toEqual([second]);
    });

    it('concurrent appends never fork the chain', async () => {
      const store = ctx.store();
      const appended = await Promise.all(Array.from({ length: 20 }, () => store.appendAudit(auditEvent())));
      expect(appended.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(verifyAuditChain(await store.readAuditChain(0, 100), [], []).ok).toBe(true);
    });

    it('lists oldest first across pages, filtered by tenant, actor, action (or its area) and time', async () => {
      const store = ctx.store();
      const a = await store.appendAudit(auditEvent({ at: at(1), tenants: ['co_test_a'], action: 'vault.list', actor: { kind: 'customer', id: 'cid_a' } }));
      const b = await store.appendAudit(auditEvent({ at: at(2), tenants: ['co_test_b'], action: 'vault.get', actor: { kind: 'customer', id: 'cid_b' } }));
      const both = await store.appendAudit(auditEvent({ at: at(3), tenants: ['co_test_a', 'co_test_b'], action: 'company.delete' }));
      const none = await store.appendAudit(auditEvent({ at: at(4), tenants: [], action: 'party.create' }));
      expect(await collectPages((cursor) => store.listAudit({ cursor, limit: 3 }))).toEqual({ items: [a, b, both, none], pages: 2 });
      expect((await collectPages((cursor) => store.listAudit({ tenant: 'co_test_a', cursor, limit: 1 }))).items).toEqual([a, both]);
      expect((await store.listAudit({ tenant: 'co_test_none', limit: 5 })).items).toEqual([]);
      expect((await store.listAudit({ actor: 'cid_b', limit: 5 })).items).toEqual([b]);
      expect((await store.listAudit({ action: 'vault.', limit: 5 })).items).toEqual([a, b]);
      expect((await store.listAudit({ action: 'vault.get', limit: 5 })).items).toEqual([b]);
      expect((await store.listAudit({ from: at(2), to: at(4), limit: 5 })).items).toEqual([b, both]);
      expect((await store.listAudit({ tenant: 'co_test_b', action: 'company.', limit: 5 })).items).toEqual([both]);
    });

    it('a change and its event commit together; a refused change appends nothing, nor does one that changed nothing', async () => {
      const store = ctx.store();
      const fx = ctx.fx();
      const company = fx.company();
      const created = auditEvent({ action: 'company.create', subject: company.id, tenants: [company.id] });
      await store.createCompany(company, created);
      expect((await store.readAuditChain(0, 10)).map((r) => r.id)).toEqual([created.id]);
      // The same business id again is refused: neither the company nor its event is kept.
      await expect(store.createCompany(fx.company({ businessId: company.businessId }), auditEvent())).rejects.toMatchObject({ code: 'BUSINESS_ID_TAKEN' });
      expect(await store.disableChannel('ch_test_missing', at(5), auditEvent())).toBe(false);
      expect(await store.deleteCompany('co_test_missing', at(5), auditEvent())).toBe(false);
      const party = fx.party();
      await store.createParty(party, auditEvent({ action: 'party.create', subject: party.id }));
      expect(await store.disableParty(party.id, at(6), auditEvent({ action: 'party.disable', subject: party.id }))).toBe(true);
      const chain = await store.readAuditChain(0, 10);
      expect(chain.map((r) => r.action)).toEqual(['company.create', 'party.create', 'party.disable']);
      expect(verifyAuditChain(chain, [], []).ok).toBe(true);
    });

    it('prunes events through a seq with their tenant rows and the checkpoints before it, in one step', async () => {
      const store = ctx.store();
      for (let i = 0; i < 5; i++) await store.appendAudit(auditEvent({ tenants: ['co_test_p'] }));
      const cp = (seq: number, hash: string) => ({ seq, headHash: hash, at: at(9), environment: 'test', kid: 'k', jws: 'a.b.c' });
      const chain = await store.readAuditChain(0, 10);
      await store.addAuditCheckpoint(cp(2, chain[1]!.hash));
      await store.addAuditCheckpoint(cp(3, chain[2]!.hash));
      expect(await store.pruneAudit(3)).toBe(3);
      expect((await store.readAuditChain(0, 10)).map((r) => r.seq)).toEqual([4, 5]);
      expect((await store.listAudit({ tenant: 'co_test_p', limit: 10 })).items.map((r) => r.seq)).toEqual([4, 5]);
      expect((await store.listAuditCheckpoints()).map((c) => c.seq)).toEqual([3]);
      expect((await store.appendAudit(auditEvent())).seq).toBe(6);
    });

    it('keeps checkpoints in order and one audit key however often it is ensured', async () => {
      const store = ctx.store();
      const key = { kid: 'ak1', publicJwk: '{"kty":"OKP"}', privateKeyCiphertext: new Uint8Array([1, 2, 3]), createdAt: at(1) };
      expect(await store.ensureAuditKey(key)).toEqual(key);
      expect(await store.ensureAuditKey({ ...key, kid: 'ak2' })).toEqual(key);
      expect(await store.listAuditKeys()).toEqual([key]);
      const r = await store.appendAudit(auditEvent());
      const cp = { seq: r.seq, headHash: r.hash, at: at(2), environment: 'test', kid: 'ak1', jws: 'a.b.c' };
      await store.addAuditCheckpoint(cp);
      await store.addAuditCheckpoint({ ...cp, at: at(3) });
      expect(await store.listAuditCheckpoints()).toEqual([cp, { ...cp, at: at(3) }]);
    });
  });
}
