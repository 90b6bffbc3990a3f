import { sessionNow } from '../../session.js';

/*
 * Shapes and paths of the data user's API (issue 16): the directory (GET /api/v1/directory), the consumer's grants
 * (/api/v1/organisations/{id}/grants), webhook endpoints (…/webhook-endpoints, docs/sharing.md#webhooks) and feed
 * checkpoints (…/feed/checkpoints; the feed itself is GET /vault/v1/feed with the header Vaultgate-Organisation).
 */

export interface DirectoryItem { organisationId: string; name: string; businessId: string | null; description: string; kinds: ('company' | 'vendor')[] }
export interface Listing { organisationId: string; listed: boolean; description: string; updatedAt: string | null }

export interface Terms {
  channelIds: string[] | null; messageTypes: string[] | null; receivedFrom: string | null; receivedBefore: string | null;
  actions: ('read' | 'subscribe')[]; purpose: string; notBefore: string; notOnOrAfter: string;
}
export type GrantState = 'requested' | 'offered' | 'active' | 'declined' | 'revoked' | 'withdrawn' | 'expired';
export interface Grant {
  id: string; ownerOrganisationId: string; ownerName: string | null; ownerBusinessId: string | null; consumerOrganisationId: string;
  state: GrantState; terms: Terms; requestedTerms: Terms | null; createdAt: string; updatedAt: string;
}
export interface Statement { grantId: string; statement: string; notBefore: string; expiresAt: string }

export interface Filters { messageTypes: string[] | null; channelIds: string[] | null; ownerCompanyIds: string[] | null }
export interface Endpoint {
  id: string; organisationId: string; url: string; description: string; eventTypes: string[]; filters: Filters;
  status: 'active' | 'disabled'; disabledReason: 'manual' | 'failing' | null; failingSince: string | null;
  createdAt: string; updatedAt: string; previousSecretValidUntil: string | null;
}
export interface Attempt { attempt: number; at: string; statusCode: number | null; durationMs: number; error: string | null; outcome: 'succeeded' | 'failed' | 'cancelled'; nextAttemptAt: string | null }
export interface Delivery {
  id: string; webhookId: string; eventType: string; messageId: string | null; origin: 'dispatch' | 'replay' | 'test';
  status: 'pending' | 'succeeded' | 'failed' | 'cancelled'; attempts: number; nextAttemptAt: string | null; createdAt: string; updatedAt: string;
  attemptLog: Attempt[];
}

export interface Checkpoint { name: string; cursor: string; messageSeq: number; grantEventSeq: number; updatedAt: string; updatedBy: string }
export interface Head { messageSeq: number; grantEventSeq: number }
export interface FeedItem {
  type: string; position: number; companyId: string; grantId: string | null;
  message?: { messageId: string; messageType: string; receivedAt: string };
  grant?: { id?: string; state?: string };
}
export interface FeedPage { items: FeedItem[]; nextCursor: string; hasMore: boolean }

/** The current organisation's id (the pages are visible only with one). */
export function orgId(): string {
  return sessionNow().current?.organisationId ?? '';
}

/** Whether the signed-in person is an admin of the current organisation (admins act, others read). */
export function isAdmin(): boolean {
  return sessionNow().current?.role === 'admin';
}

/** `/api/v1/organisations/{current}{rest}`. */
export const orgPath = (rest: string): string => `/api/v1/organisations/${encodeURIComponent(orgId())}${rest}`;

/** The header people send to /vault/v1 to read as their organisation (docs/api.md, people reading the vault). */
export const vaultHeaders = (): Record<string, string> => ({ 'vaultgate-organisation': orgId() });

/** Comma or whitespace separated values of a text field, without repeats ([] when empty: the API's "any"). */
export function listOf(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean))];
}

/** The portal path of E2's shared-data browser for one owner company. */
export const sharedDataPath = (ownerCompanyId: string): string => `/shared/${encodeURIComponent(ownerCompanyId)}`;
