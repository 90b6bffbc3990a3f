import { useEffect, useState } from 'preact/hooks';
import { api, type Page } from '../../api/client.js';
import { sessionNow } from '../../session.js';

/*
 * The names the own vault's pages show for ids (issue 16): the current organisation's channels
 * (GET /api/v1/organisations/{id}/channels) for the channel filter, and the sending parties' names from its channel
 * requests (GET …/channel-requests: `partyId` → `vendorName`; a channel carries only the party id). Read only for the
 * own vault: a shared owner's channels are not readable by the reader (the ids stay there).
 */

/** A channel as the filter lists it. */
export interface OwnChannel { id: string; partyId: string; messageTypes: { name: string }[]; status: string }

/** What the own vault knows by name: undefined while loading or when it cannot be read (the ids stay). */
export interface OwnNames { channels: OwnChannel[]; partyNames: Map<string, string> }

async function all<T>(path: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 20; i++) {
    const page = await api<Page<T>>('GET', path, { query: { cursor, limit: 1000 } });
    out.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out;
}

/** The own organisation's channels and sending parties' names when `enabled` (the own vault); else undefined. */
export function useOwnNames(enabled: boolean): OwnNames | undefined {
  const orgId = sessionNow().current?.organisationId;
  const [names, setNames] = useState<OwnNames | undefined>();
  useEffect(() => {
    setNames(undefined);
    if (!enabled || !orgId) return undefined;
    let live = true;
    const base = `/api/v1/organisations/${encodeURIComponent(orgId)}`;
    Promise.all([all<OwnChannel>(`${base}/channels`), all<{ partyId: string; vendorName: string }>(`${base}/channel-requests`).catch(() => [])])
      .then(([channels, requests]) => {
        if (live) setNames({ channels, partyNames: new Map(requests.map((r) => [r.partyId, r.vendorName])) });
      })
      .catch(() => { /* not readable for this role: the ids stay */ });
    return () => { live = false; };
  }, [enabled, orgId]);
  return names;
}
