import { VaultgateError } from '../protocol/index.js';

/**
 * The error an audit append inside a change's transaction becomes: AUDIT_UNAVAILABLE (503), so the transaction
 * rolls back (the change is not made) and the client gets the coded answer, not a generic 500. The database's own
 * message goes to the log only (`logReason`), never to the client.
 */
export function auditUnavailable(err: unknown): VaultgateError {
  if (err instanceof VaultgateError) return err;
  return new VaultgateError('AUDIT_UNAVAILABLE', { cause: err, logReason: `audit append failed: ${(err as Error).message}` });
}
