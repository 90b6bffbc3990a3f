import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PasswordResetRecord } from '../port.js';
import { auditEvent } from './audit-cases.js';
import { session, user } from './account-cases.js';
import type { ConformanceContext } from './context.js';
import { at } from './fixtures.js';

/* Recovery (issue 14): password-reset links, TOTP reset and replacement. */

const tag = (): string => randomBytes(5).toString('hex');

function reset(userId: string, over: Partial<PasswordResetRecord> = {}): PasswordResetRecord {
  return { id: `pwr_test_${tag()}`, tokenHash: tag() + tag(), userId, issuedBy: 'operator', createdAt: at(1), expiresAt: at(100), usedAt: null, revokedAt: null, ...over };
}

export function describeRecoveryCases(ctx: ConformanceContext): void {
  describe('recovery', () => {
    it('a reset link is used once, before it expires, replaces the password and ends every session; a newer link revokes the older', async () => {
      const store = ctx.store();
      const u = user({ status: 'active' });
      await store.createUser(u, auditEvent());
      const s = session(u.id);
      await store.createSession(s, undefined, auditEvent());
      const old = reset(u.id);
      await store.createPasswordReset(old, auditEvent());
      expect(await store.getPasswordResetByHash(old.tokenHash)).toEqual(old);
      const r = reset(u.id, { createdAt: at(2) });
      await store.createPasswordReset(r, auditEvent({ action: 'user.password-reset-issue' }));
      expect(await store.getPasswordResetByHash(old.tokenHash)).toMatchObject({ revokedAt: at(2) });
      expect(await store.completePasswordReset(old.id, at(3), 'new-hash', auditEvent())).toBe(false);
      const before = (await store.auditHead())!.seq;
      expect(await store.completePasswordReset(r.id, at(100), 'new-hash', auditEvent())).toBe(false); // expired
      expect((await store.auditHead())!.seq).toBe(before);
      expect(await store.completePasswordReset(r.id, at(50), 'new-hash', auditEvent({ action: 'user.password-reset' }))).toBe(true);
      expect((await store.getUser(u.id))!.passwordHash).toBe('new-hash');
      expect((await store.getSession(s.tokenHash))!.revokedAt).toBe(at(50));
      expect(await store.getPasswordResetByHash(r.tokenHash)).toMatchObject({ usedAt: at(50) });
      expect(await store.completePasswordReset(r.id, at(51), 'again', auditEvent())).toBe(false);
      const unused = reset(u.id, { createdAt: at(60) });
      await store.createPasswordReset(unused, auditEvent());
      expect(await store.revokePasswordReset(unused.id, at(61), auditEvent())).toBe(true);
      expect(await store.revokePasswordReset(unused.id, at(62), auditEvent())).toBe(false);
      // A link of a user who is not active (disabled since) is not used.
      const p = user({ status: 'pending' });
      await store.createUser(p, auditEvent());
      const rp = reset(p.id);
      await store.createPasswordReset(rp, auditEvent());
      expect(await store.completePasswordReset(rp.id, at(5), 'x', auditEvent())).toBe(false);
    });

    it('a TOTP reset removes the authenticator, its last step and a pending replacement, and ends the sessions', async () => {
      const store = ctx.store();
      const u = user({ status: 'active' });
      await store.createUser(u, auditEvent());
      expect(await store.resetUserTotp(u.id, at(2), auditEvent())).toBe(false); // nothing to reset
      await store.setUserTotp(u.id, new Uint8Array([1, 2, 3]), auditEvent());
      expect(await store.confirmUserTotp(u.id, 100, at(3), auditEvent())).toBe(true);
      expect(await store.setTotpReplacement(u.id, new Uint8Array([4, 5]), 101, at(4), auditEvent())).toBe(true);
      const s = session(u.id);
      await store.createSession(s, undefined, auditEvent());
      expect(await store.resetUserTotp(u.id, at(5), auditEvent({ action: 'user.totp-reset' }))).toBe(true);
      expect(await store.getUser(u.id)).toMatchObject({ totpSecretCiphertext: null, totpConfirmedAt: null, totpLastStep: null });
      expect(await store.getTotpReplacement(u.id)).toBeUndefined();
      expect((await store.getSession(s.tokenHash))!.revokedAt).toBe(at(5));
    });

    it("a replacement spends the current code's step, stays pending, and takes over with a code of its own (any step)", async () => {
      const store = ctx.store();
      const u = user({ status: 'active' });
      await store.createUser(u, auditEvent());
      expect(await store.setTotpReplacement(u.id, new Uint8Array([9]), 10, at(2), auditEvent())).toBe(false); // not enrolled
      await store.setUserTotp(u.id, new Uint8Array([1]), auditEvent());
      expect(await store.confirmUserTotp(u.id, 100, at(3), auditEvent())).toBe(true);
      expect(await store.setTotpReplacement(u.id, new Uint8Array([9]), 100, at(4), auditEvent())).toBe(false); // step spent
      expect(await store.setTotpReplacement(u.id, new Uint8Array([9]), 101, at(4), auditEvent())).toBe(true);
      expect(await store.getTotpReplacement(u.id)).toEqual(new Uint8Array([9]));
      expect((await store.getUser(u.id))!.totpSecretCiphertext).toEqual(new Uint8Array([1])); // the old one is in force
      expect(await store.confirmTotpReplacement(u.id, 101, at(5), auditEvent({ action: 'user.totp-replace' }))).toBe(true);
      expect(await store.getUser(u.id)).toMatchObject({ totpSecretCiphertext: new Uint8Array([9]), totpConfirmedAt: at(5), totpLastStep: 101 });
      expect(await store.getTotpReplacement(u.id)).toBeUndefined();
      expect(await store.confirmTotpReplacement(u.id, 103, at(6), auditEvent())).toBe(false);
    });
  });
}
