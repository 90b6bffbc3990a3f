import { api, apiRaw, type Page } from '../../api/client.js';

/*
 * The shapes the vendor pages read from /api/v1/organisations/{id}/… (src/server/routes/accounts/self-service.ts and
 * routes/insights/ingestion-insights.ts), and the small fetch helpers they share.
 */

export interface MessageType { name: string; mediaTypes: string[] }

export interface Channel {
  id: string; url: string; environment: string; companyId: string; partyId: string;
  messageTypes: MessageType[]; status: 'active' | 'disabled'; createdAt: string; disabledAt?: string | null;
}

export interface ChannelRequest {
  id: string; partyId: string; vendorName: string; companyId: string; companyName: string; messageTypes: MessageType[];
  grantedMessageTypes: MessageType[] | null; status: 'pending' | 'approved' | 'declined'; requestedByEmail: string | null;
  createdAt: string; decidedAt: string | null; channelId: string | null;
}

export interface PartnerCredential { partnerId: string; partyId: string; status: 'active' | 'disabled'; createdAt?: string; disabledAt?: string | null }

export interface OAuthClient {
  clientId: string; ownerKind: 'party' | 'company'; ownerId: string; name?: string; roles: string[];
  authMethod: 'client_secret' | 'private_key_jwt'; status: string; createdAt?: string; disabledAt?: string | null; tokenEndpoint?: string;
}

/** One refused ingestion request (GET …/ingestion/refusals): title and remedy in the Accept-Language. */
export interface Refusal {
  code: string; title: string; remedy: string; status: number; at: string; channelId: string | null;
  scheme: 'mac' | 'bearer' | 'none'; credentialId: string | null; transactionId: string | null; requestId: string;
}

/** `/api/v1/organisations/{orgId}{rest}`. */
export const orgPath = (orgId: string, rest: string): string => `/api/v1/organisations/${encodeURIComponent(orgId)}${rest}`;

/** Every item of a cursor-paged list (for selects and lookups, not for tables: those page with DataTable). */
export async function loadAll<T>(path: string, query: Record<string, string> = {}, maxPages = 20): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < maxPages; i++) {
    const page = await api<Page<T>>('GET', path, { query: { ...query, cursor, limit: 1000 } });
    out.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out;
}

/**
 * Saves a JSON value as a file download (a Blob object URL on an <a download>; nothing leaves the browser).
 * Returns the file name.
 */
export function downloadJson(value: unknown, fileName: string): string {
  const blob = new Blob([`${JSON.stringify(value, null, 2)}\n`], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return fileName;
}

/** GET …/channels/{channelId}/postman?auth=: `{ collection, environment }` (Postman v2.1). */
export async function fetchPostman(orgId: string, channelId: string, auth: 'mac' | 'oauth'): Promise<{ collection: unknown; environment: unknown }> {
  const res = await apiRaw('GET', orgPath(orgId, `/channels/${encodeURIComponent(channelId)}/postman`), { query: { auth } });
  return (await res.json()) as { collection: unknown; environment: unknown };
}
