/**
 * Where a reader reads the body of a message the feed or a webhook told it about (issue 15): its own vault's read for
 * the owner (`grantId` null), the consumer read of the owner's vault for a message seen through a grant — the only
 * route at which a consumer's credentials can read it. A path relative to the server's base URL.
 */
export function messageBodyLink(m: { id: string; companyId: string }, grantId: string | null): string {
  const id = encodeURIComponent(m.id);
  return grantId === null ? `/vault/v1/messages/${id}` : `/vault/v1/shared/${encodeURIComponent(m.companyId)}/messages/${id}`;
}
