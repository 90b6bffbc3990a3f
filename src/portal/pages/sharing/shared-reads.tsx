import { useCallback, useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, type Page } from '../../api/client.js';
import { DataTable } from '../../components/data-table.js';
import { formatDateTime, formatNumber, useT } from '../../i18n/index.js';
import { href } from '../../routing.js';
import { useSession } from '../../session.js';
import { organisationHeader } from '../vault/vault-source.js';
import { grantsPath, type Grant } from './grant-types.js';

/** An audit event (GET /vault/v1/audit): who (actor), what (action, subject, details), when, the outcome. */
interface AuditEvent {
  seq: number; id: string; at: string; actor: { kind: string; id: string }; action: string; subject: string;
  tenants: string[]; outcome: 'success' | 'refused' | 'failure'; details: Record<string, unknown>;
}

/**
 * Who read what (issue 16): the vault's audit events of consumers' reads (`shared.list`, `shared.get`, `shared.export`,
 * `shared.export.end`, refused `shared.access`; docs/audit.md) from GET /vault/v1/audit?action=shared., oldest first,
 * paged. `?grant=` in the URL keeps the events whose details name that grant (a page may then show fewer rows). The
 * reading organisation is named from the owner's grants (GET …/grants?role=owner: consumerName); the person reading
 * stays a user id (the API shows a consumer's members to the consumer only).
 */
export function SharedReads() {
  const t = useT();
  const { query } = useLocation();
  const own = useSession().current?.organisationId;
  const grant = query.grant || undefined;
  // The consumers' names by organisation id, from the owner's grants (a reader's own name and email are the
  // consumer's to see, not the owner's: the organisation is named, the person stays an id).
  const [consumerNames, setConsumerNames] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    if (!own) return undefined;
    let live = true;
    (async () => {
      const names = new Map<string, string>();
      let cursor: string | undefined;
      for (let i = 0; i < 20; i++) {
        const page = await api<Page<Grant>>('GET', grantsPath(own), { query: { role: 'owner', cursor, limit: 100 } });
        for (const g of page.items) if (g.consumerName) names.set(g.consumerOrganisationId, g.consumerName);
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      if (live) setConsumerNames(names);
    })().catch(() => { /* the ids stay */ });
    return () => { live = false; };
  }, [own]);
  const orgName = (id: string) => consumerNames.get(id) ?? id;
  const load = useCallback(async (cursor: string | undefined) => {
    const page = await api<Page<AuditEvent>>('GET', '/vault/v1/audit', { query: { action: 'shared.', cursor, limit: 100 }, headers: organisationHeader() });
    if (!grant) return page;
    return { ...page, items: page.items.filter((e) => Array.isArray(e.details.grantIds) && (e.details.grantIds as string[]).includes(grant)) };
  }, [grant]);
  const what = (e: AuditEvent) => {
    const ids = Array.isArray(e.details.messageIds) ? e.details.messageIds as string[] : [];
    if (e.action === 'shared.get') return <code>{e.subject}</code>;
    if (ids.length > 0) return <>{t('sharing.countMessages', { count: formatNumber(ids.length) })}: <code>{ids.slice(0, 5).join(', ')}{ids.length > 5 ? ' …' : ''}</code></>;
    if (typeof e.details.count === 'number') return t('sharing.countMessages', { count: formatNumber(e.details.count) });
    return <code>{e.subject}</code>;
  };
  return (
    <>
      <h1>{t('sharing.reads')}</h1>
      <p>{t('sharing.readsIntro')}</p>
      {grant && <p>{t('sharing.readsOfGrant', { grant })} <a href={href('/sharing/reads')}>{t('sharing.allReads')}</a></p>}
      <DataTable<AuditEvent> caption={t('sharing.reads')} load={load} reloadKey={grant} rowKey={(e) => e.id} emptyText={t('sharing.noReads')}
        columns={[
          { header: t('sharing.at'), cell: (e) => <time dateTime={e.at}>{formatDateTime(e.at)}</time> },
          { header: t('sharing.reader'), cell: (e) => <>{e.tenants.filter((x) => x !== own).map(orgName).join(', ')} (<code>{e.actor.id}</code>)</> },
          { header: t('sharing.event'), cell: (e) => <code>{e.action}</code> },
          { header: t('sharing.what'), cell: what },
          { header: t('sharing.outcome'), cell: (e) => e.outcome },
        ]} />
    </>
  );
}
