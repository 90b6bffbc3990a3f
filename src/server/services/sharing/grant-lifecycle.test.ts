import { describe, expect, it } from 'vitest';
import { VaultgateError } from '../../../protocol/index.js';
import type { GrantState } from '../../../store/index.js';
import { GRANT_STATES, GRANT_STEPS, nextGrantState, type GrantStep } from './grant-lifecycle.js';

/* Every state × every step: the one allowed outcome, or GRANT_STATE_CONFLICT naming the state. */
const EXPECTED: Record<GrantState, Record<GrantStep, GrantState | null>> = {
  requested: { approve: 'active', offer: 'offered', accept: null, decline: 'declined', revoke: null, withdraw: 'withdrawn', expire: null },
  offered: { approve: null, offer: null, accept: 'active', decline: null, revoke: 'revoked', withdraw: 'withdrawn', expire: null },
  active: { approve: null, offer: null, accept: null, decline: null, revoke: 'revoked', withdraw: 'withdrawn', expire: 'expired' },
  declined: { approve: null, offer: null, accept: null, decline: null, revoke: null, withdraw: null, expire: null },
  revoked: { approve: null, offer: null, accept: null, decline: null, revoke: null, withdraw: null, expire: null },
  withdrawn: { approve: null, offer: null, accept: null, decline: null, revoke: null, withdraw: null, expire: null },
  expired: { approve: null, offer: null, accept: null, decline: null, revoke: null, withdraw: null, expire: null },
};

describe('grant state machine', () => {
  const cases = GRANT_STATES.flatMap((state) => GRANT_STEPS.map((step) => [state, step, EXPECTED[state][step]] as const));
  it('covers every state and step', () => {
    expect(cases).toHaveLength(7 * 7);
    expect(Object.keys(EXPECTED).sort()).toEqual([...GRANT_STATES].sort());
  });
  it.each(cases)('%s + %s → %s', (state, step, to) => {
    if (to !== null) {
      expect(nextGrantState(state, step)).toBe(to);
      return;
    }
    let err: unknown;
    try {
      nextGrantState(state, step, 'grt_test_x');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VaultgateError);
    expect((err as VaultgateError).code).toBe('GRANT_STATE_CONFLICT');
    expect((err as VaultgateError).status).toBe(409);
    expect((err as VaultgateError).detail).toContain(`grt_test_x is ${state}`);
  });
});
