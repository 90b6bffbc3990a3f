import { describe, expect, it } from 'vitest';
import type { ChannelRequestRecord, PreviousSecretRecord } from '../port.js';
import { collectPages, expectBytes } from './assertions.js';
import { auditEvent } from './audit-cases.js';
import type { ConformanceContext } from './context.js';
import { at, cipherBytes } from './fixtures.js';

/* Self-service (issue 14): rotation with the previous secret kept, and channel requests decided with their channel. */

export function describeSelfServiceCases(ctx: ConformanceContext): void {
  describe('self-service', () => {
    const previous = (credentialId: string, over: Partial<PreviousSecretRecord> = {}): PreviousSecretRecord => ({
      credentialId, keyCiphertext: cipherBytes(60), secretHash: null, rotatedAt: at(10), validUntil: at(100), ...over,
    });

    it('rotates an active MAC key: the new key replaces it, the old is kept as previous with its event; a disabled one is not rotated', async () => {
      const store = ctx.store();
      const fx = ctx.fx();
      const { company, party } = await fx.seed(store);
      const p = fx.partnerCredential(party.id);
      const c = fx.customerCredential(company.id);
      await store.createPartnerCredential(p);
      await store.createCustomerCredential(c);
      const newKey = cipherBytes(61);
      expect(await store.rotateCredentialKey('partner', p.partnerId, newKey, previous(p.partnerId, { keyCiphertext: p.keyCiphertext }), auditEvent({ action: 'partner-credential.rotate', subject: p.partnerId }))).toBe(true);
      expectBytes((await store.getPartnerCredential(p.partnerId))!.keyCiphertext, newKey);
      const prev = (await store.getPreviousSecret(p.partnerId))!;
      expectBytes(prev.keyCiphertext!, p.keyCiphertext);
      expect(prev).toMatchObject({ credentialId: p.partnerId, secretHash: null, rotatedAt: at(10), validUntil: at(100) });
      // A second rotation replaces the previous one.
      expect(await store.rotateCredentialKey('partner', p.partnerId, cipherBytes(62), previous(p.partnerId, { keyCiphertext: newKey, validUntil: at(200) }), auditEvent())).toBe(true);
      expectBytes((await store.getPreviousSecret(p.partnerId))!.keyCiphertext!, newKey);
      expect((await store.getPreviousSecret(p.partnerId))!.validUntil).toBe(at(200));
      expect(await store.rotateCredentialKey('customer', c.customerId, newKey, previous(c.customerId), auditEvent())).toBe(true);
      await store.disableCustomerCredential(c.customerId, at(20));
      const before = (await store.listAudit({ limit: 1000 })).items.length;
      expect(await store.rotateCredentialKey('customer', c.customerId, cipherBytes(63), previous(c.customerId), auditEvent())).toBe(false);
      expect((await store.listAudit({ limit: 1000 })).items.length).toBe(before);
      expect(await store.getPreviousSecret('pid_test_missing')).toBeUndefined();
      expect((await store.listAudit({ action: 'partner-credential.rotate', limit: 10 })).items.map((e) => e.subject)).toEqual([p.partnerId]);
    });

    it("rotates a secret OAuth client's hash, not a private_key_jwt client's", async () => {
      const store = ctx.store();
      const secretClient = { clientId: 'oc_test_rotate0001', ownerKind: 'party' as const, ownerId: 'tp_test_x', name: 'A', roles: ['ingest' as const], status: 'active' as const, createdAt: at(1), disabledAt: null, secretHash: 'sha256$a$b', publicJwk: null };
      const jwkClient = { ...secretClient, clientId: 'oc_test_rotate0002', secretHash: null, publicJwk: '{"kty":"EC"}' };
      await store.createOAuthClient(secretClient);
      await store.createOAuthClient(jwkClient);
      expect(await store.rotateOAuthClientSecret(secretClient.clientId, 'sha256$c$d', previous(secretClient.clientId, { keyCiphertext: null, secretHash: 'sha256$a$b' }), auditEvent())).toBe(true);
      expect((await store.getOAuthClient(secretClient.clientId))!.secretHash).toBe('sha256$c$d');
      expect(await store.getPreviousSecret(secretClient.clientId)).toEqual({ credentialId: secretClient.clientId, keyCiphertext: null, secretHash: 'sha256$a$b', rotatedAt: at(10), validUntil: at(100) });
      expect(await store.rotateOAuthClientSecret(jwkClient.clientId, 'sha256$e$f', previous(jwkClient.clientId, { keyCiphertext: null, secretHash: 'x' }), auditEvent())).toBe(false);
      expect(await store.getPreviousSecret(jwkClient.clientId)).toBeUndefined();
    });

    it('keeps channel requests, lists them by side and status in pages, and creates the channel only with an approval, once', async () => {
      const store = ctx.store();
      const fx = ctx.fx();
      const { company, party } = await fx.seed(store);
      const types = [{ name: 'invoice', mediaTypes: ['application/xml', 'application/pdf'] }];
      const req = (i: number): ChannelRequestRecord => ({
        id: `chr_test_conformance${String(i).padStart(6, '0')}`, partyId: party.id, companyId: company.id, messageTypes: types, status: 'pending',
        requestedBy: 'usr_test_x', createdAt: at(i), decidedAt: null, decidedBy: null, channelId: null,
      });
      const [a, b, c] = [req(1), req(2), req(3)];
      for (const r of [a, b, c]) await store.createChannelRequest(r, auditEvent({ action: 'channel-request.create', subject: r.id }));
      expect(await store.getChannelRequest(a.id)).toEqual(a);
      expect(await store.getChannelRequest('chr_test_missing')).toBeUndefined();
      expect(await collectPages((cursor) => store.listChannelRequests({ companyId: company.id, cursor, limit: 2 }))).toEqual({ items: [a, b, c], pages: 2 });
      const channel = fx.channel(company.id, party.id, { messageTypes: [{ name: 'invoice', mediaTypes: ['application/xml'] }] });
      expect(await store.decideChannelRequest(a.id, { status: 'approved', at: at(50), decidedBy: 'usr_test_y', channel }, auditEvent())).toBe(true);
      expect(await store.getChannel(channel.id)).toEqual(channel);
      expect(await store.getChannelRequest(a.id)).toEqual({ ...a, status: 'approved', decidedAt: at(50), decidedBy: 'usr_test_y', channelId: channel.id });
      // Decided already: nothing is written, the second channel does not appear.
      const twice = fx.channel(company.id, party.id);
      expect(await store.decideChannelRequest(a.id, { status: 'approved', at: at(51), decidedBy: 'usr_test_y', channel: twice }, auditEvent())).toBe(false);
      expect(await store.getChannel(twice.id)).toBeUndefined();
      expect(await store.decideChannelRequest(b.id, { status: 'declined', at: at(52), decidedBy: 'usr_test_y', channel: null }, auditEvent())).toBe(true);
      expect((await store.listChannelRequests({ partyId: party.id, status: 'pending', limit: 10 })).items).toEqual([c]);
      expect((await store.listChannelRequests({ partyId: party.id, status: 'declined', limit: 10 })).items.map((r) => r.id)).toEqual([b.id]);
      expect((await store.listChannelRequests({ companyId: 'co_test_other', limit: 10 })).items).toEqual([]);
    });
  });
}
