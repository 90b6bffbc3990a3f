import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ExternalClientLinkRecord, OAuthClientRecord, SigningKeyRecord } from '../port.js';
import { collectPages, expectBytes, expectCode } from './assertions.js';
import type { ConformanceContext } from './context.js';
import { at, cipherBytes } from './fixtures.js';

/* OAuth clients, external client links and token signing keys (issue 4). */

const tag = (): string => randomBytes(5).toString('hex');

function client(over: Partial<OAuthClientRecord> = {}): OAuthClientRecord {
  return {
    clientId: `oc_test_${tag()}`, ownerKind: 'party', ownerId: `tp_test_${tag()}`, name: 'Integration Ä', roles: ['ingest'],
    status: 'active', createdAt: at(1), disabledAt: null, secretHash: `sha256$${tag()}$${tag()}`, publicJwk: null, ...over,
  };
}

function link(over: Partial<ExternalClientLinkRecord> = {}): ExternalClientLinkRecord {
  return {
    id: `xc_test_${tag()}`, issuer: 'https://login.example.com/tenant/v2.0', clientId: `app-${tag()}`, ownerKind: 'company',
    ownerId: `co_test_${tag()}`, roles: ['vault.read'], status: 'active', createdAt: at(2), disabledAt: null, ...over,
  };
}

function signingKey(createdAt: string): SigningKeyRecord {
  return {
    kid: `k-${tag()}`, alg: 'ES256', publicJwk: JSON.stringify({ kty: 'EC', crv: 'P-256', x: tag(), y: tag() }),
    privateKeyCiphertext: cipherBytes(120), createdAt, retiredAt: null, publishUntil: null,
  };
}

export function describeOAuthCases(ctx: ConformanceContext): void {
  describe('oauth clients', () => {
    it('creates secret and public-key clients, reads them back, lists them per owner in pages', async () => {
      const store = ctx.store();
      const a = client();
      const b = client({ ownerId: a.ownerId, secretHash: null, publicJwk: '{"kty":"EC"}', roles: ['ingest'] });
      const other = client({ ownerKind: 'company', ownerId: a.ownerId, roles: ['vault.read'] });
      for (const c of [a, b, other]) await store.createOAuthClient(c);
      expect(await store.getOAuthClient(a.clientId)).toEqual(a);
      expect(await store.getOAuthClient(b.clientId)).toEqual(b);
      expect(await store.getOAuthClient('oc_test_missing')).toBeUndefined();
      const all = await collectPages((cursor) => store.listOAuthClients({ kind: 'party', id: a.ownerId }, { cursor, limit: 1 }));
      expect(all).toEqual({ items: [a, b], pages: 2 });
      expect((await store.listOAuthClients({ kind: 'company', id: a.ownerId }, { limit: 10 })).items).toEqual([other]);
    });

    it('disables a client once', async () => {
      const store = ctx.store();
      const c = client();
      await store.createOAuthClient(c);
      expect(await store.disableOAuthClient(c.clientId, at(5))).toBe(true);
      expect(await store.disableOAuthClient(c.clientId, at(6))).toBe(false);
      expect(await store.getOAuthClient(c.clientId)).toEqual({ ...c, status: 'disabled', disabledAt: at(5) });
      expect(await store.disableOAuthClient('oc_test_missing', at(6))).toBe(false);
    });
  });

  describe('external client links', () => {
    it('finds the active link of an issuer client id; a second active link is EXTERNAL_CLIENT_ALREADY_LINKED', async () => {
      const store = ctx.store();
      const l = link();
      await store.createExternalClientLink(l);
      expect(await store.findExternalClientLink(l.issuer, l.clientId)).toEqual(l);
      expect(await store.findExternalClientLink(`${l.issuer}/`, l.clientId)).toBeUndefined();
      expect(await store.getExternalClientLink(l.id)).toEqual(l);
      await expectCode(store.createExternalClientLink(link({ issuer: l.issuer, clientId: l.clientId })), 'EXTERNAL_CLIENT_ALREADY_LINKED');
      // The same client id of another issuer is another client.
      const sameIdOtherIssuer = link({ issuer: 'https://sts.example.net/t/', clientId: l.clientId });
      await store.createExternalClientLink(sameIdOtherIssuer);
      expect((await store.listExternalClientLinks({ kind: 'company', id: l.ownerId }, { limit: 10 })).items).toEqual([l]);
    });

    it('after a link is disabled the client id is not found and may be linked again', async () => {
      const store = ctx.store();
      const l = link();
      await store.createExternalClientLink(l);
      expect(await store.disableExternalClientLink(l.id, at(9))).toBe(true);
      expect(await store.disableExternalClientLink(l.id, at(10))).toBe(false);
      expect(await store.findExternalClientLink(l.issuer, l.clientId)).toBeUndefined();
      expect(await store.getExternalClientLink(l.id)).toEqual({ ...l, status: 'disabled', disabledAt: at(9) });
      const again = link({ issuer: l.issuer, clientId: l.clientId, ownerKind: 'party', roles: ['ingest'] });
      await store.createExternalClientLink(again);
      expect(await store.findExternalClientLink(l.issuer, l.clientId)).toEqual(again);
    });
  });

  describe('token signing keys', () => {
    it('adding a key retires the current one, which stays listed until its publishUntil', async () => {
      const store = ctx.store();
      expect(await store.listSigningKeys(at(0))).toEqual([]);
      const k1 = signingKey(at(10));
      await store.addSigningKey(k1, at(10));
      const listed = await store.listSigningKeys(at(11));
      expect(listed).toHaveLength(1);
      expect({ ...listed[0], privateKeyCiphertext: undefined }).toEqual({ ...k1, privateKeyCiphertext: undefined });
      expectBytes(listed[0]!.privateKeyCiphertext, k1.privateKeyCiphertext);

      const k2 = signingKey(at(100));
      await store.addSigningKey(k2, at(200));
      const both = await store.listSigningKeys(at(150));
      expect(both.map((k) => k.kid)).toEqual([k2.kid, k1.kid]);
      expect(both[1]).toMatchObject({ retiredAt: at(100), publishUntil: at(200) });
      expect(both[0]).toMatchObject({ retiredAt: null, publishUntil: null });
      // Past publishUntil only the current key is listed; retiring does not touch keys already retired.
      const k3 = signingKey(at(300));
      await store.addSigningKey(k3, at(400));
      expect((await store.listSigningKeys(at(250))).map((k) => k.kid)).toEqual([k3.kid, k2.kid]);
      expect((await store.listSigningKeys(at(450))).map((k) => k.kid)).toEqual([k3.kid]);
    });
  });
}
