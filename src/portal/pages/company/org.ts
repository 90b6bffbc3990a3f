import { useSession } from '../../session.js';

/**
 * The company the pages act for (the session's current organisation): its id, the base path of its routes
 * (`/api/v1/organisations/{id}`) and whether the user is its admin (only admins see action controls; the server
 * decides anyway, docs/accounts.md).
 */
export function useCompany(): { id: string; base: string; isAdmin: boolean } {
  const { current } = useSession();
  const id = current?.organisationId ?? '';
  return { id, base: `/api/v1/organisations/${encodeURIComponent(id)}`, isAdmin: current?.role === 'admin' };
}

/** A message type as the API gives it (channels, channel requests). */
export interface MessageType { name: string; mediaTypes: string[]; retention?: { days?: number; keepLast?: number } }

/** "Name (media/type, …)" of each type, joined. */
export const typesText = (types: MessageType[] | null | undefined): string =>
  (types ?? []).map((m) => `${m.name} (${m.mediaTypes.join(', ')})`).join('; ');
