/*
 * A grant as GET /api/v1/organisations/{id}/grants answers it (docs/sharing.md): the terms in force (or on offer),
 * the terms requested (null for a direct grant), the state. Instants are ISO 8601.
 */

export type GrantState = 'requested' | 'offered' | 'active' | 'declined' | 'revoked' | 'withdrawn' | 'expired';

export interface GrantTerms {
  channelIds: string[] | null; messageTypes: string[] | null; receivedFrom: string | null; receivedBefore: string | null;
  actions: ('read' | 'subscribe')[]; purpose: string; notBefore: string; notOnOrAfter: string;
}

export interface Grant {
  id: string; ownerOrganisationId: string; ownerName: string | null; consumerOrganisationId: string; consumerName: string | null;
  consumerBusinessId: string | null; state: GrantState; terms: GrantTerms; requestedTerms: GrantTerms | null; createdAt: string; updatedAt: string;
}

/** Comma-separated names as a list; null (any) when empty. */
export const listOf = (s: string): string[] | null => {
  const l = s.split(',').map((x) => x.trim()).filter(Boolean);
  return l.length > 0 ? l : null;
};

/** A datetime-local value as an ISO instant, undefined for none. */
export const isoOf = (local: string): string | undefined => (local ? new Date(local).toISOString() : undefined);

/** The grants path of an organisation. */
export const grantsPath = (organisationId: string): string => `/api/v1/organisations/${encodeURIComponent(organisationId)}/grants`;
