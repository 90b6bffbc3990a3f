import { parseId, VaultgateError, type Environment, type IdKind } from '../../protocol/index.js';

/**
 * Checks that an id from a client is of the expected kind and of this environment: another environment's id is
 * ENVIRONMENT_MISMATCH, anything else that cannot be ours is `notFound`.
 */
export function checkId(id: string, kind: IdKind, environment: Environment, notFound: 'NOT_FOUND' | 'CHANNEL_NOT_FOUND' = 'NOT_FOUND'): void {
  const p = parseId(id, kind, environment);
  if (p.ok) return;
  if (p.reason === 'other-environment') {
    throw new VaultgateError('ENVIRONMENT_MISMATCH', {
      detail: `${id} belongs to the ${p.environment} environment; this deployment is ${environment}.`,
    });
  }
  throw new VaultgateError(notFound, { detail: `No ${kind} ${id.slice(0, 80)}.` });
}
