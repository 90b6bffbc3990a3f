import { useCallback, useState } from 'preact/hooks';
import { api, type Page } from '../../api/client.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorBox } from '../../components/error-box.js';
import { Field } from '../../components/field.js';
import { formatDateTime, useT, type MessageKey } from '../../i18n/index.js';
import { usePeople } from './people-names.js';

type Status = 'pending' | 'approved' | 'declined';
interface Registration {
  id: string; kind: 'company' | 'party' | 'both'; organisationName: string; businessId: string | null; userId: string;
  status: Status; createdAt: string; decidedAt: string | null; organisationId: string | null;
}

/**
 * Registrations waiting for the operator (GET /api/v1/admin/registrations?status=), each with who registered (name
 * and email from GET /api/v1/admin/users): approve (POST …/{id}/approve, with a confirm step) creates the
 * organisation and activates its admin; decline (…/decline, with a confirm step) refuses it.
 * Errors (shown with ErrorBox): NOT_FOUND, STATE_CONFLICT (decided meanwhile), ACCOUNT_FORBIDDEN.
 */
export function Registrations() {
  const t = useT();
  const [status, setStatus] = useState<Status>('pending');
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string | undefined>();
  const [reload, setReload] = useState(0);
  const people = usePeople(reload);
  const load = useCallback((cursor: string | undefined) => api<Page<Registration>>('GET', '/api/v1/admin/registrations', { query: { cursor, limit: 50, status } }), [status]);
  const decide = async (r: Registration, decision: 'approve' | 'decline') => {
    setError(undefined);
    setDone(undefined);
    try {
      await api('POST', `/api/v1/admin/registrations/${encodeURIComponent(r.id)}/${decision}`);
      setDone(t(decision === 'approve' ? 'operator.reg.approved' : 'operator.reg.declined', { name: r.organisationName }));
      setReload((n) => n + 1);
    } catch (e) { setError(e); }
  };
  return (
    <>
      <h1>{t('operator.reg.title')}</h1>
      <ErrorBox error={error} />
      <p role="status" class="status">{done ?? ''}</p>
      <Field label={t('operator.reg.status')}>
        {(id) => (
          <select id={id} value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as Status)}>
            {(['pending', 'approved', 'declined'] as const).map((s) => <option key={s} value={s}>{t(`operator.reg.status.${s}` as MessageKey)}</option>)}
          </select>
        )}
      </Field>
      <DataTable<Registration>
        caption={t('operator.reg.list')}
        load={load}
        reloadKey={`${status}:${reload}`}
        rowKey={(r) => r.id}
        emptyText={t('operator.reg.none')}
        columns={[
          { header: t('operator.reg.organisation'), cell: (r) => r.organisationName },
          {
            header: t('operator.reg.registrant'),
            cell: (r) => {
              const p = people.get(r.userId);
              return p ? <>{p.displayName}<br /><span class="help">{p.email}</span></> : <code>{r.userId}</code>;
            },
          },
          { header: t('operator.reg.kind'), cell: (r) => t(`operator.kind.${r.kind}` as MessageKey) },
          { header: t('operator.reg.businessId'), cell: (r) => r.businessId ?? '–' },
          { header: t('operator.reg.created'), cell: (r) => formatDateTime(r.createdAt) },
          {
            header: t('operator.reg.decision'),
            cell: (r) => (r.status !== 'pending' ? `${t(`operator.reg.status.${r.status}` as MessageKey)} ${formatDateTime(r.decidedAt)}` : (
              <span class="actions">
                <ConfirmButton kind="primary" label={t('operator.reg.approve', { name: r.organisationName })} onConfirm={() => decide(r, 'approve')} />{' '}
                <ConfirmButton label={t('operator.reg.decline', { name: r.organisationName })} onConfirm={() => decide(r, 'decline')} />
              </span>
            )),
          },
        ]}
      />
    </>
  );
}
