/**
 * The API path at which a reader fetches a message's body, as the feed and webhooks hand it out: the owner's own
 * route (`/vault/v1/messages/{id}`) when the message is in the reader's own vault (grantId null), else the consumer's
 * shared route (`/vault/v1/shared/{ownerCompanyId}/messages/{id}`) — the owner's route answers 404 to a consumer.
 */
export function bodyLink(m: { id: string; companyId: string }, grantId: string | null): string {
  const id = encodeURIComponent(m.id);
  return grantId === null ? `/vault/v1/messages/${id}` : `/vault/v1/shared/${encodeURIComponent(m.companyId)}/messages/${id}`;
}
