import { describe, expect, it } from 'vitest';
import type { SignatureKeyRecord } from '../port.js';
import { auditEvent } from './audit-cases.js';
import type { ConformanceContext } from './context.js';
import { at } from './fixtures.js';

/* Signature keys per party and a channel's Content-Digest rule (issue 17). */

const key = (id: string, partyId: string, over: Partial<SignatureKeyRecord> = {}): SignatureKeyRecord => ({
  id, partyId, algorithm: 'ed25519', label: 'erp', secretCiphertext: null, publicJwk: '{"kty":"OKP"}', status: 'active',
  createdAt: at(1), createdBy: 'usr_test_1', disabledAt: null, ...over,
});

export function describeIntegrityCases(ctx: ConformanceContext): void {
  describe('body integrity', () => {
    it('keeps signature keys per party, sealed secrets as bytes, and disables only the owner\'s active key', async () => {
      const store = ctx.store();
      const fx = ctx.fx();
      const a = fx.party();
      const b = fx.party();
      await store.createParty(a);
      await store.createParty(b);
      const hmac = key('hsk_test_a1', a.id, { algorithm: 'hmac-sha256', secretCiphertext: new Uint8Array([1, 2, 3, 0, 255]), publicJwk: null });
      const ed = key('hsk_test_a2', a.id);
      const other = key('hsk_test_b1', b.id, { algorithm: 'ecdsa-p256-sha256' });
      for (const k of [hmac, ed, other]) await store.insertSignatureKey(k, auditEvent({ action: 'signature-key.create', subject: k.id }));
      expect(await store.getSignatureKey(hmac.id)).toEqual(hmac);
      expect(await store.getSignatureKey('hsk_test_none')).toBeUndefined();
      expect((await store.listSignatureKeys(a.id)).map((k) => k.id)).toEqual([hmac.id, ed.id]);
      expect(await store.disableSignatureKey(a.id, other.id, at(5), auditEvent())).toBe(false);
      expect(await store.disableSignatureKey(a.id, ed.id, at(5), auditEvent({ action: 'signature-key.disable', subject: ed.id }))).toBe(true);
      expect(await store.disableSignatureKey(a.id, ed.id, at(6), auditEvent())).toBe(false);
      expect(await store.getSignatureKey(ed.id)).toEqual({ ...ed, status: 'disabled', disabledAt: at(5) });
      expect((await store.getSignatureKey(other.id))!.status).toBe('active');
    });

    it('sets and reads a channel\'s Content-Digest rule; an unknown channel is false', async () => {
      const store = ctx.store();
      const fx = ctx.fx();
      const company = fx.company();
      const party = fx.party();
      const channel = fx.channel(company.id, party.id);
      await store.createCompany(company);
      await store.createParty(party);
      await store.createChannel(channel);
      expect(await store.getChannelIntegrity(channel.id)).toBeUndefined();
      const rule = { channelId: channel.id, requireContentDigest: true, updatedAt: at(2), updatedBy: 'usr_test_1' };
      expect(await store.setChannelIntegrity(rule, auditEvent({ action: 'channel.integrity', subject: channel.id }))).toBe(true);
      expect(await store.getChannelIntegrity(channel.id)).toEqual(rule);
      expect(await store.setChannelIntegrity({ ...rule, requireContentDigest: false, updatedAt: at(3) }, auditEvent())).toBe(true);
      expect((await store.getChannelIntegrity(channel.id))!.requireContentDigest).toBe(false);
      expect(await store.setChannelIntegrity({ ...rule, channelId: 'ch_test_missing' }, auditEvent())).toBe(false);
    });
  });
}
