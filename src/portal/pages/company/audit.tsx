import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, type Page } from '../../api/client.js';
import { DataTable } from '../../components/data-table.js';
import { Field } from '../../components/field.js';
import { formatDateTime, useT } from '../../i18n/index.js';
import { useCompany } from './org.js';

interface AuditRecord {
  seq: number; id: string; at: string; actor: { kind: string; id: string }; action: string; subject: string;
  outcome: 'success' | 'refused' | 'failure'; clientAddress: string | null; requestId: string | null; details: Record<string, unknown>;
}

/**
 * The audit trail of the organisation (GET …/audit: the events that name it — for a company every event of its vault
 * — oldest first, cursor-paged; the route takes no filters). Each event's details are readable in a disclosure; a
 * user actor who is a member is named (GET …/members).
 * `limit` chooses the page size (the API's 1-1000).
 */
export function CompanyAudit() {
  const t = useT();
  const { base } = useCompany();
  const [limit, setLimit] = useState('50');
  const [names, setNames] = useState<Record<string, string>>({});
  useEffect(() => {
    // Members' names for the actor column (best effort: ids stay readable when this fails).
    api<Page<{ userId: string; displayName: string; email: string }>>('GET', `${base}/members`, { query: { limit: 1000 } })
      .then((p) => setNames(Object.fromEntries(p.items.map((m) => [m.userId, `${m.displayName} <${m.email}>`]))))
      .catch(() => undefined);
  }, [base]);
  const load = useCallback((cursor: string | undefined) => api<Page<AuditRecord>>('GET', `${base}/audit`, { query: { cursor, limit } }), [base, limit]);
  return (
    <>
      <h1>{t('company.audit.title')}</h1>
      <p>{t('company.audit.intro')}</p>
      <Field label={t('company.audit.pageSize')}>
        {(id, d) => (
          <select id={id} aria-describedby={d} value={limit} onChange={(e) => setLimit((e.target as HTMLSelectElement).value)}>
            {['25', '50', '100', '500'].map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        )}
      </Field>
      <div class="audit-page">
      <DataTable<AuditRecord>
        caption={t('company.audit.title')} load={load} reloadKey={limit} rowKey={(r) => r.id} emptyText={t('company.audit.none')}
        columns={[
          { header: '#', cell: (r) => r.seq },
          { header: t('company.audit.at'), cell: (r) => formatDateTime(r.at) },
          { header: t('company.audit.actor'), cell: (r) => <span class="id">{r.actor.kind}: {r.actor.kind === 'user' && names[r.actor.id] ? names[r.actor.id] : r.actor.id}</span> },
          { header: t('company.audit.action'), cell: (r) => <code class="id">{r.action}</code> },
          { header: t('company.audit.subject'), cell: (r) => <span class="id">{r.subject}</span> },
          { header: t('company.audit.outcome'), cell: (r) => t(`company.audit.outcome.${r.outcome}`) },
          {
            header: t('company.audit.details'),
            cell: (r) => (
              <details class="audit-details">
                <summary>{t('company.audit.show', { seq: r.seq })}</summary>
                <pre>{JSON.stringify({ details: r.details, clientAddress: r.clientAddress, requestId: r.requestId }, null, 2)}</pre>
              </details>
            ),
          },
        ]}
      />
      </div>
    </>
  );
}
