import { useCallback, useState } from 'preact/hooks';
import { api, type Page } from '../../api/client.js';
import { DataTable } from '../../components/data-table.js';
import { Field } from '../../components/field.js';
import { formatDateTime, useT } from '../../i18n/index.js';
import { AuditVerify } from './audit-verify.js';
import { usePeople } from './people-names.js';

interface AuditRecord {
  seq: number; id: string; at: string; actor: { kind: string; id: string }; action: string; subject: string;
  tenants: string[]; outcome: 'success' | 'refused' | 'failure';
}
interface Filters { action: string; actor: string; tenant: string; from: string; to: string }
const EMPTY: Filters = { action: '', actor: '', tenant: '', from: '', to: '' };

/** A datetime-local value (local time, no zone) as an ISO instant, or undefined when empty. */
const instant = (v: string): string | undefined => (v ? new Date(v).toISOString() : undefined);

/**
 * The whole audit trail (GET /admin/v1/audit, oldest first, cursor-paged) with its filters (action or area ending in
 * ".", actor id, company id, from/to), and the in-browser verification of the export below it. A user actor is
 * named (display name and email from GET /api/v1/admin/users); other actors (credentials, clients, the admin token)
 * stay `kind:id`.
 * Errors: INVALID_REQUEST (a bad filter), ADMIN_UNAUTHORIZED.
 */
export function AuditTrail() {
  const t = useT();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const load = useCallback((cursor: string | undefined) => api<Page<AuditRecord>>('GET', '/admin/v1/audit', {
    query: { cursor, limit: 50, action: filters.action, actor: filters.actor, tenant: filters.tenant, from: instant(filters.from), to: instant(filters.to) },
  }), [filters]);
  // People by user id: a user actor shown by name and email.
  const people = usePeople();
  const actor = (a: AuditRecord['actor']) => {
    const person = a.kind === 'user' ? people.get(a.id) : undefined;
    return person ? <span title={a.id}>{`${person.displayName} <${person.email}>`}</span> : `${a.kind}:${a.id}`;
  };
  const field = (k: keyof Filters, type = 'text') => (
    <Field label={t(`operator.audit.f.${k}`)} name={k} type={type} value={draft[k]} onInput={(e) => setDraft({ ...draft, [k]: (e.target as HTMLInputElement).value })} />
  );
  return (
    <>
      <h1>{t('operator.audit.title')}</h1>
      <AuditVerify />
      <section aria-labelledby="trail">
        <h2 id="trail">{t('operator.audit.trail')}</h2>
        <form class="filters" onSubmit={(e) => { e.preventDefault(); setFilters(draft); }}>
          {field('action')}{field('actor')}{field('tenant')}{field('from', 'datetime-local')}{field('to', 'datetime-local')}
          <button type="submit">{t('operator.audit.apply')}</button>{' '}
          <button type="button" class="secondary" onClick={() => { setDraft(EMPTY); setFilters(EMPTY); }}>{t('operator.audit.clear')}</button>
        </form>
        <DataTable<AuditRecord>
          caption={t('operator.audit.trail')}
          load={load}
          reloadKey={filters}
          rowKey={(r) => r.id}
          emptyText={t('operator.audit.none')}
          columns={[
            { header: t('operator.audit.seq'), cell: (r) => r.seq },
            { header: t('operator.audit.at'), cell: (r) => formatDateTime(r.at) },
            { header: t('operator.audit.f.actor'), cell: (r) => actor(r.actor) },
            { header: t('operator.audit.f.action'), cell: (r) => <code>{r.action}</code> },
            { header: t('operator.audit.subject'), cell: (r) => r.subject },
            { header: t('operator.audit.outcome'), cell: (r) => t(`operator.audit.outcome.${r.outcome}`) },
          ]}
        />
      </section>
    </>
  );
}
