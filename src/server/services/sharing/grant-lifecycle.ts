import { VaultgateError } from '../../../protocol/index.js';
import type { GrantEventType, GrantState } from '../../../store/index.js';

/*
 * The grant state machine (issue 15), as one table: for each state, the steps it allows, the state each leads to,
 * and the side that takes it. Everything else is GRANT_STATE_CONFLICT (409) naming the state. docs/sharing.md draws
 * the same table as a diagram; grant-lifecycle.test.ts checks every state against every step.
 *
 * Creation is not in the table: a request starts `requested`, a direct grant starts `active`.
 */

/** A step of the lifecycle after creation. */
export type GrantStep = 'approve' | 'offer' | 'accept' | 'decline' | 'revoke' | 'withdraw' | 'expire';
/** Who takes a step: the owner's admin, the consumer's admin, or the server (expiry). */
export type GrantSide = 'owner' | 'consumer' | 'system';

export const GRANT_STATES: readonly GrantState[] = ['requested', 'offered', 'active', 'declined', 'revoked', 'withdrawn', 'expired'];
export const GRANT_STEPS: readonly GrantStep[] = ['approve', 'offer', 'accept', 'decline', 'revoke', 'withdraw', 'expire'];

/** The side of each step. */
export const STEP_SIDE: Readonly<Record<GrantStep, GrantSide>> = {
  approve: 'owner', offer: 'owner', decline: 'owner', revoke: 'owner', accept: 'consumer', withdraw: 'consumer', expire: 'system',
};

/** state → step → the state it leads to. */
export const GRANT_TRANSITIONS: Readonly<Record<GrantState, Partial<Record<GrantStep, GrantState>>>> = {
  requested: { approve: 'active', offer: 'offered', decline: 'declined', withdraw: 'withdrawn' },
  offered: { accept: 'active', revoke: 'revoked', withdraw: 'withdrawn' },
  active: { revoke: 'revoked', withdraw: 'withdrawn', expire: 'expired' },
  declined: {},
  revoked: {},
  withdrawn: {},
  expired: {},
};

/** The event each resulting state is announced with. */
export const EVENT_OF_STATE: Readonly<Record<GrantState, GrantEventType>> = {
  requested: 'grant.requested', offered: 'grant.offered', active: 'grant.activated', declined: 'grant.declined',
  revoked: 'grant.revoked', withdrawn: 'grant.withdrawn', expired: 'grant.expired',
};

/** The steps a state allows, for the detail of a refusal. */
function allowed(state: GrantState): string {
  const steps = Object.keys(GRANT_TRANSITIONS[state]).filter((s) => s !== 'expire');
  return steps.length === 0 ? `${state} is final` : `${/^[aeiou]/.test(state) ? 'an' : 'a'} ${state} grant allows only ${steps.join(', ')}`;
}

/**
 * The state `step` leads to from `state`; GRANT_STATE_CONFLICT (naming the state) when the table has no such step.
 *
 * @example nextGrantState('requested', 'offer') // 'offered'
 */
export function nextGrantState(state: GrantState, step: GrantStep, grantId = 'The grant'): GrantState {
  const to = GRANT_TRANSITIONS[state][step];
  if (to === undefined) throw new VaultgateError('GRANT_STATE_CONFLICT', { detail: `${grantId} is ${state}: cannot ${step} (${allowed(state)}).` });
  return to;
}
