import { checkBusinessId, VaultgateError } from '../../protocol/index.js';

/**
 * Checks a business id a client names, so that a typo in a Finnish one is told as such (BUSINESS_ID_INVALID: the
 * check digit does not match), not as a company that does not exist; a value that is no business id at all is
 * INVALID_REQUEST with `formatDetail`.
 */
export function requireBusinessId(id: string, formatDetail = 'businessId is not a business id.'): void {
  const check = checkBusinessId(id);
  if (check.ok) return;
  throw check.reason === 'check-digit'
    ? new VaultgateError('BUSINESS_ID_INVALID', { detail: `${id}: the check digit does not match.` })
    : new VaultgateError('INVALID_REQUEST', { detail: formatDetail });
}
