import { describe, expect, it } from 'vitest';
import type { WebhookDeliveryRecord, WebhookEndpointRecord } from '../port.js';
import { collectPages, expectBytes } from './assertions.js';
import { auditEvent } from './audit-cases.js';
import type { ConformanceContext } from './context.js';
import { at, cipherBytes } from './fixtures.js';

/* Webhooks (issue 15): endpoints, dispatch by message position with a compare-and-set cursor, leased attempts. */

let n = 0;
const endpoint = (organisationId: string, over: Partial<WebhookEndpointRecord> = {}): WebhookEndpointRecord => ({
  id: `ep_test_conformance${String(++n).padStart(7, '0')}${Math.random().toString(36).slice(2, 6)}`, organisationId, url: 'https://hooks.example.com/in',
  description: 'd', eventTypes: ['message.received'], filters: { messageTypes: null, channelIds: null, ownerCompanyIds: null }, secretCiphertext: cipherBytes(40),
  previousSecretCiphertext: null, previousValidUntil: null, status: 'active', disabledReason: null, createdAt: at(1), updatedAt: at(1), failingSince: null,
  messageCursor: 0, grantEventCursor: 0, ...over,
});
const delivery = (endpointId: string, over: Partial<WebhookDeliveryRecord> = {}): WebhookDeliveryRecord => {
  const id = `whd_test_conformance${String(++n).padStart(6, '0')}${Math.random().toString(36).slice(2, 6)}`;
  return {
    id, endpointId, webhookId: `msg_${id}`, eventType: 'message.received', messageId: null, payload: '{"type":"message.received"}', origin: 'dispatch',
    status: 'pending', attempts: 0, nextAttemptAt: at(10), createdAt: at(5), updatedAt: at(5), ...over,
  };
};

export function describeWebhookCases(ctx: ConformanceContext): void {
  describe('webhooks', () => {
    it('keeps endpoints with their sealed secrets, lists them per organisation and active ones, updates and deletes them with events', async () => {
      const store = ctx.store();
      const a = endpoint('co_test_orga', { filters: { messageTypes: ['invoice'], channelIds: null, ownerCompanyIds: ['co_test_x'] }, eventTypes: ['message.received', 'grant.*'] });
      const b = endpoint('co_test_orga', { status: 'disabled', disabledReason: 'manual' });
      const c = endpoint('co_test_orgb');
      for (const e of [a, b, c]) await store.createWebhookEndpoint(e, auditEvent({ action: 'webhook-endpoint.create', subject: e.id }));
      const got = (await store.getWebhookEndpoint(a.id))!;
      expectBytes(got.secretCiphertext, a.secretCiphertext);
      expect({ ...got, secretCiphertext: null }).toEqual({ ...a, secretCiphertext: null });
      expect(await store.getWebhookEndpoint('ep_test_missing')).toBeUndefined();
      expect((await collectPages((cursor) => store.listWebhookEndpoints('co_test_orga', { cursor, limit: 1 }))).items.map((e) => e.id)).toEqual([a.id, b.id]);
      expect((await store.listActiveWebhookEndpoints({ limit: 100 })).items.map((e) => e.id)).toEqual([a.id, c.id]);
      const prev = cipherBytes(41);
      const updated = { ...a, url: 'https://hooks.example.com/v2', previousSecretCiphertext: prev, previousValidUntil: at(99), status: 'disabled' as const, disabledReason: 'failing' as const, updatedAt: at(50), messageCursor: 999, grantEventCursor: 999 };
      expect(await store.updateWebhookEndpoint(updated, auditEvent({ action: 'webhook-endpoint.update', subject: a.id }))).toBe(true);
      const after = (await store.getWebhookEndpoint(a.id))!;
      expect(after).toMatchObject({ url: 'https://hooks.example.com/v2', previousValidUntil: at(99), status: 'disabled', disabledReason: 'failing', messageCursor: 0, grantEventCursor: 0 });
      expectBytes(after.previousSecretCiphertext!, prev);
      expect(await store.updateWebhookEndpoint(endpoint('co_test_orga'), auditEvent())).toBe(false);
      await store.addWebhookDeliveries([delivery(c.id)], undefined);
      expect(await store.deleteWebhookEndpoint(c.id, auditEvent({ action: 'webhook-endpoint.delete', subject: c.id }))).toBe(true);
      expect(await store.getWebhookEndpoint(c.id)).toBeUndefined();
      expect((await store.listWebhookDeliveries(c.id, { limit: 10 })).items).toEqual([]);
      expect(await store.deleteWebhookEndpoint(c.id, auditEvent())).toBe(false);
      expect((await store.listAudit({ action: 'webhook-endpoint.', limit: 10 })).items.map((e) => e.action)).toEqual([
        'webhook-endpoint.create', 'webhook-endpoint.create', 'webhook-endpoint.create', 'webhook-endpoint.update', 'webhook-endpoint.delete',
      ]);
    });

    it('reads messages by position up to the horizon and moves the cursor only from where it is (compare-and-set), with the deliveries', async () => {
      const store = ctx.store();
      const fx = ctx.fx();
      const { company, channel } = await fx.seed(store);
      const other = await fx.seed(store);
      const ms = [fx.message(channel, { receivedAt: at(1) }), fx.message(other.channel, { receivedAt: at(2) }), fx.message(channel, { receivedAt: at(3) })];
      await store.ingest(ms.map((message) => ({ message })));
      const horizon = await store.messageHorizon();
      const all = await store.listPositionedMessages({ companyId: company.id, afterSeq: 0, throughSeq: horizon, limit: 10 });
      expect(all.map((m) => m.id)).toEqual([ms[0]!.id, ms[2]!.id]);
      expect(all[0]!.seq).toBeLessThan(all[1]!.seq);
      expect(all[1]!.seq).toBeLessThanOrEqual(horizon);
      expect(all[0]).toMatchObject({ companyId: company.id, channelId: channel.id, messageType: ms[0]!.messageType, sha256: ms[0]!.sha256, receivedAt: at(1) });
      expect((await store.listPositionedMessages({ companyId: company.id, afterSeq: all[0]!.seq, throughSeq: horizon, limit: 10 })).map((m) => m.id)).toEqual([ms[2]!.id]);
      expect((await store.listPositionedMessages({ companyId: company.id, afterSeq: 0, throughSeq: all[0]!.seq, limit: 10 })).map((m) => m.id)).toEqual([ms[0]!.id]);
      expect((await store.listPositionedMessages({ companyId: company.id, afterSeq: 0, throughSeq: horizon, receivedFrom: at(2), limit: 10 })).map((m) => m.id)).toEqual([ms[2]!.id]);

      const e = endpoint(company.id);
      await store.createWebhookEndpoint(e, auditEvent());
      const d = delivery(e.id, { messageId: ms[0]!.id });
      const adv = (cursor: 'message' | 'grantEvent', from: number, to: number, deliveries: WebhookDeliveryRecord[] = []) => ({ endpointId: e.id, cursor, from, to, deliveries });
      expect(await store.advanceWebhookCursors([adv('message', 0, all[1]!.seq, [d])])).toEqual([true]);
      // A second process that read the same range loses: nothing is written twice.
      expect(await store.advanceWebhookCursors([adv('message', 0, all[1]!.seq, [delivery(e.id)])])).toEqual([false]);
      expect((await store.getWebhookEndpoint(e.id))!).toMatchObject({ messageCursor: all[1]!.seq, grantEventCursor: 0 });
      // The grant event cursor moves on its own, by the same rule.
      // In one batch, each advance stands alone: the losing one writes nothing, the others commit.
      const lost = delivery(e.id);
      expect(await store.advanceWebhookCursors([adv('grantEvent', 0, 7), adv('grantEvent', 0, 8, [lost])])).toEqual([true, false]);
      expect(await store.getWebhookDelivery(lost.id)).toBeUndefined();
      expect((await store.getWebhookEndpoint(e.id))!).toMatchObject({ messageCursor: all[1]!.seq, grantEventCursor: 7 });
      expect((await store.listWebhookDeliveries(e.id, { limit: 10 })).items.map((x) => x.id)).toEqual([d.id]);
      expect(await store.getWebhookDelivery(d.id)).toEqual(d);
    });

    it('claims due deliveries once per attempt under a lease, records the outcome only for the lease holder, and keeps the log', async () => {
      const store = ctx.store();
      const e = endpoint('co_test_orgc');
      const off = endpoint('co_test_orgc', { status: 'disabled', disabledReason: 'manual' });
      await store.createWebhookEndpoint(e, auditEvent());
      await store.createWebhookEndpoint(off, auditEvent());
      const due = delivery(e.id, { nextAttemptAt: at(10) });
      const later = delivery(e.id, { nextAttemptAt: at(100) });
      const ofDisabled = delivery(off.id, { nextAttemptAt: at(10) });
      await store.addWebhookDeliveries([due, later, ofDisabled], auditEvent({ action: 'webhook-endpoint.replay', subject: e.id }));
      const first = await store.claimWebhookDeliveries({ owner: 'p1', now: at(20), leaseUntil: at(50), limit: 10 });
      expect(first.map((d) => [d.id, d.attempt])).toEqual([[due.id, 1]]);
      // Leased: nobody else gets it until the lease ends.
      expect(await store.claimWebhookDeliveries({ owner: 'p2', now: at(30), leaseUntil: at(60), limit: 10 })).toEqual([]);
      // The lease ended (p1 died): p2 takes attempt 2; p1's late outcome is not recorded.
      const second = await store.claimWebhookDeliveries({ owner: 'p2', now: at(51), leaseUntil: at(80), limit: 10 });
      expect(second.map((d) => [d.id, d.attempt])).toEqual([[due.id, 2]]);
      const attempt = (owner: string, attemptNo: number, outcome: 'succeeded' | 'failed', next: string | null) => ({
        endpointId: e.id, status: outcome === 'succeeded' ? 'succeeded' as const : next ? 'pending' as const : 'failed' as const, failingSince: outcome === 'succeeded' ? 'clear' as const : 'keep-or-set' as const,
        attempt: { deliveryId: due.id, attempt: attemptNo, at: at(52 + attemptNo), statusCode: outcome === 'succeeded' ? 200 : 500, durationMs: 12, error: outcome === 'failed' ? 'HTTP 500' : null, outcome, nextAttemptAt: next },
      });
      expect(await store.finishWebhookAttempts('p1', [attempt('p1', 1, 'failed', at(60))])).toEqual([false]);
      expect(await store.finishWebhookAttempts('p2', [attempt('p2', 2, 'failed', at(60))])).toEqual([true]);
      expect((await store.getWebhookEndpoint(e.id))!.failingSince).toBe(at(54));
      expect(await store.getWebhookDelivery(due.id)).toMatchObject({ status: 'pending', attempts: 2, nextAttemptAt: at(60) });
      const third = await store.claimWebhookDeliveries({ owner: 'p3', now: at(61), leaseUntil: at(90), limit: 1 });
      expect(third.map((d) => [d.id, d.attempt])).toEqual([[due.id, 3]]);
      expect(await store.finishWebhookAttempts('p3', [attempt('p3', 3, 'succeeded', null)])).toEqual([true]);
      expect((await store.getWebhookEndpoint(e.id))!.failingSince).toBeNull();
      const log = (await store.listWebhookDeliveries(e.id, { limit: 10 })).items;
      expect(log.map((d) => d.id)).toEqual([later.id, due.id]);
      expect(log[1]).toMatchObject({ status: 'succeeded', attempts: 3, nextAttemptAt: null });
      expect(log[1]!.attemptLog.map((a) => [a.attempt, a.statusCode, a.outcome])).toEqual([[2, 500, 'failed'], [3, 200, 'succeeded']]);
      expect(await store.claimWebhookDeliveries({ owner: 'p3', now: at(99), leaseUntil: at(120), limit: 10 })).toEqual([]);
      expect((await collectPages((cursor) => store.listWebhookDeliveries(e.id, { cursor, limit: 1 }))).items.map((d) => d.id)).toEqual([later.id, due.id]);
    });

    it('claims at most `limit` per endpoint, so one backlog does not hold up another endpoint', async () => {
      const store = ctx.store();
      const [a, b] = [endpoint('co_test_orgd'), endpoint('co_test_orgd')];
      for (const e of [a, b]) await store.createWebhookEndpoint(e, auditEvent());
      const backlog = Array.from({ length: 5 }, (_, i) => delivery(a.id, { nextAttemptAt: at(i) }));
      const other = delivery(b.id, { nextAttemptAt: at(9) });
      await store.addWebhookDeliveries([...backlog, other], undefined);
      const claimed = await store.claimWebhookDeliveries({ owner: 'p1', now: at(20), leaseUntil: at(50), limit: 2 });
      expect(claimed.map((d) => d.id).sort()).toEqual([backlog[0]!.id, backlog[1]!.id, other.id].sort());
    });
  });
}
