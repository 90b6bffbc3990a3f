/**
 * A store that ran out of room, recognised by the error its driver reports (issue 11 §7):
 * - SQLite: SQLITE_FULL ("database or disk is full", https://sqlite.org/rescode.html#full), with extended codes;
 * - the operating system: ENOSPC (no space left on device) or EDQUOT (quota exceeded), e.g. from a write beside it;
 * - PostgreSQL: SQLSTATE 53100 disk_full (https://www.postgresql.org/docs/current/errcodes-appendix.html).
 * The error's `cause` chain is followed, so a wrapped driver error is recognised too.
 */
export function isStoreFull(err: unknown): boolean {
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_FULL_')) return true;
    if (code === 'ENOSPC' || code === 'EDQUOT' || code === '53100') return true;
  }
  return false;
}

/** What GET /readyz reports of the store. */
export interface StoreReadiness {
  /** A read of the registry succeeded. */
  readable: boolean;
  /** There is no room to write (free space under the adapter's floor, or a write just failed for room). */
  full: boolean;
  /** Bytes free to the store where the adapter can know it (SQLite: statfs of the database's directory). */
  freeBytes?: number;
}
