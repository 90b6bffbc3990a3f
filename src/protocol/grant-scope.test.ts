import { describe, expect, it } from 'vitest';
import { ownerScope, scopeCovers, scopesCovering, scopeWithin, type GrantScope, type ReadScope } from './grant-scope.js';

const msg = { companyId: 'co_test_a', channelId: 'ch_test_1', messageType: 'invoice', receivedAt: '2026-05-01T00:00:00.000Z' };
const scope = (s: Partial<ReadScope>): ReadScope => ({ ...ownerScope('co_test_a'), grantId: 'grt_test_1', ...s });

describe('grant scope', () => {
  it('the owner scope covers every message of its vault and none of another', () => {
    expect(scopeCovers(ownerScope('co_test_a'), msg)).toBe(true);
    expect(scopeCovers(ownerScope('co_test_b'), msg)).toBe(false);
  });
  it('channels, types and the received-at window each restrict', () => {
    expect(scopeCovers(scope({ channelIds: ['ch_test_1'] }), msg)).toBe(true);
    expect(scopeCovers(scope({ channelIds: ['ch_test_2'] }), msg)).toBe(false);
    expect(scopeCovers(scope({ messageTypes: ['order'] }), msg)).toBe(false);
    expect(scopeCovers(scope({ messageTypes: ['invoice'], receivedFrom: '2026-05-01T00:00:00.000Z' }), msg)).toBe(true);
    expect(scopeCovers(scope({ messageTypes: ['invoice'], receivedBefore: '2026-05-01T00:00:00.000Z' }), msg)).toBe(false);
    expect(scopeCovers(scope({ messageTypes: ['invoice'], receivedFrom: '2026-05-01T00:00:00.001Z' }), msg)).toBe(false);
  });
  it('scopesCovering keeps only the covering scopes', () => {
    const a = scope({ messageTypes: ['invoice'] });
    const b = scope({ messageTypes: ['order'], grantId: 'grt_test_2' });
    expect(scopesCovering([a, b], msg)).toEqual([a]);
  });
  it('scopeWithin: narrowing is allowed, widening is not', () => {
    const wide: GrantScope = { channelIds: ['ch_1', 'ch_2'], messageTypes: null, receivedFrom: '2026-01-01T00:00:00.000Z', receivedBefore: null };
    expect(scopeWithin({ ...wide, channelIds: ['ch_1'] }, wide)).toBe(true);
    expect(scopeWithin({ ...wide, messageTypes: ['invoice'] }, wide)).toBe(true);
    expect(scopeWithin({ ...wide, receivedBefore: '2026-06-01T00:00:00.000Z' }, wide)).toBe(true);
    expect(scopeWithin({ ...wide, channelIds: ['ch_1', 'ch_3'] }, wide)).toBe(false);
    expect(scopeWithin({ ...wide, channelIds: null }, wide)).toBe(false);
    expect(scopeWithin({ ...wide, receivedFrom: null }, wide)).toBe(false);
    expect(scopeWithin({ ...wide, receivedFrom: '2025-12-31T00:00:00.000Z' }, wide)).toBe(false);
  });
});
