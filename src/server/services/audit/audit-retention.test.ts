import { describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../../protocol/index.js';
import { openSqliteStore } from '../../../store/index.js';
import { auditEvent } from '../../../store/conformance/audit-cases.js';
import { checkAuditRetention, pruneAudit } from './audit-retention.js';

const DAY = 86_400_000;
const now = Date.parse('2026-11-29T12:00:00.000Z');
const clock = { now: () => now };
const iso = (daysAgo: number): string => new Date(now - daysAgo * DAY).toISOString();

describe('audit retention', () => {
  it('prunes at the newest checkpoint older than the retention, keeps the rest verifiable, and never the newest event', async () => {
    const store = openSqliteStore({ file: ':memory:' });
    try {
      const cp = async (): Promise<void> => {
        const head = (await store.auditHead())!;
        await store.addAuditCheckpoint({ seq: head.seq, headHash: head.hash, at: iso(0), environment: 'test', kid: 'k', jws: 'x.y.z' });
      };
      for (const d of [40, 39]) await store.appendAudit(auditEvent({ at: iso(d) }));
      await cp(); // seq 2, 39 days old
      for (const d of [35, 31]) await store.appendAudit(auditEvent({ at: iso(d) }));
      await cp(); // seq 4, 31 days old
      for (const d of [20, 1]) await store.appendAudit(auditEvent({ at: iso(d) }));
      await cp(); // seq 6, 1 day old
      expect(await pruneAudit({ store, clock, days: 0 })).toBe(0);
      expect(await pruneAudit({ store, clock, days: 30 })).toBe(4);
      const rest = await store.readAuditChain(0, 100);
      expect(rest.map((r) => r.seq)).toEqual([5, 6]);
      const checkpoints = await store.listAuditCheckpoints();
      expect(checkpoints.map((c) => c.seq)).toEqual([4, 6]);
      // The remaining chain links to the kept checkpoint (its signature is the verifier's business; here: the links).
      expect(rest[0]!.prevHash).toBe(checkpoints[0]!.headHash);
      expect(verifyAuditChain(rest, [], []).firstBreak?.reason).toMatch(/without a verified checkpoint at seq 4/);
      // Everything older than a day, but the newest event stays: the checkpoint at the head is not a pruning point.
      expect(await pruneAudit({ store, clock, days: 0.5 })).toBe(0);
      const next = await store.appendAudit(auditEvent());
      expect(next).toMatchObject({ seq: 7, prevHash: rest[1]!.hash });
    } finally {
      await store.close();
    }
  });

  it('refuses a retention shorter than a message retention, or with a message type kept without limit', async () => {
    const store = openSqliteStore({ file: ':memory:' });
    try {
      const at = iso(0);
      await store.createCompany({ id: 'co_test_r', name: 'R Oy', businessId: '1967543-8', createdAt: at });
      await store.createParty({ id: 'tp_test_r', name: 'R', status: 'active', createdAt: at, disabledAt: null });
      await store.createChannel({ id: 'ch_test_r', companyId: 'co_test_r', partyId: 'tp_test_r', messageTypes: [{ name: 'A', mediaTypes: ['application/json'], retention: { days: 90 } }], status: 'active', createdAt: at, disabledAt: null });
      await expect(checkAuditRetention({ store, clock, days: 30 })).rejects.toThrow(/VAULTGATE_AUDIT_RETENTION_DAYS=30 .*ch_test_r.*type A are kept 90 days/);
      await expect(checkAuditRetention({ store, clock, days: 90 })).resolves.toBeUndefined();
      await store.createChannel({ id: 'ch_test_s', companyId: 'co_test_r', partyId: 'tp_test_r', messageTypes: [{ name: 'B', mediaTypes: ['application/json'] }], status: 'active', createdAt: at, disabledAt: null });
      await expect(checkAuditRetention({ store, clock, days: 365 })).rejects.toThrow(/type B are kept without a time limit/);
      await expect(checkAuditRetention({ store, clock, days: 0 })).resolves.toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
