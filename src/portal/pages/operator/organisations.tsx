import { useCallback, useState } from 'preact/hooks';
import { api, type Page } from '../../api/client.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorBox } from '../../components/error-box.js';
import { Field } from '../../components/field.js';
import { formatDateTime, useT } from '../../i18n/index.js';
import type { Organisation } from '../../session.js';
import { UserLookup } from './user-lookup.js';

type Filter = '' | 'active' | 'suspended';

/**
 * Every organisation (GET /api/v1/admin/organisations?status=) with suspend and reinstate, each with a confirm step
 * (POST …/{id}/suspend | reinstate): a suspended organisation's credentials, tokens and sessions stop at once.
 * Errors: NOT_FOUND, STATE_CONFLICT, ACCOUNT_FORBIDDEN. Below it, the user lookup and recovery.
 */
export function Organisations() {
  const t = useT();
  const [status, setStatus] = useState<Filter>('');
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string | undefined>();
  const [reload, setReload] = useState(0);
  const load = useCallback((cursor: string | undefined) => api<Page<Organisation>>('GET', '/api/v1/admin/organisations', { query: { cursor, limit: 50, status } }), [status]);
  const act = async (o: Organisation, action: 'suspend' | 'reinstate') => {
    setError(undefined);
    setDone(undefined);
    try {
      await api('POST', `/api/v1/admin/organisations/${encodeURIComponent(o.id)}/${action}`);
      setDone(t(action === 'suspend' ? 'operator.org.suspended' : 'operator.org.reinstated', { name: o.name }));
      setReload((n) => n + 1);
    } catch (e) { setError(e); }
  };
  return (
    <>
      <h1>{t('operator.org.title')}</h1>
      <ErrorBox error={error} />
      <p role="status" class="status">{done ?? ''}</p>
      <Field label={t('operator.org.filter')}>
        {(id) => (
          <select id={id} value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as Filter)}>
            <option value="">{t('operator.org.all')}</option>
            <option value="active">{t('operator.org.status.active')}</option>
            <option value="suspended">{t('operator.org.status.suspended')}</option>
          </select>
        )}
      </Field>
      <DataTable<Organisation>
        caption={t('operator.org.list')}
        load={load}
        reloadKey={`${status}:${reload}`}
        rowKey={(o) => o.id}
        columns={[
          { header: t('operator.org.name'), cell: (o) => o.name },
          { header: t('operator.org.id'), cell: (o) => <code>{o.id}</code> },
          { header: t('operator.reg.businessId'), cell: (o) => o.businessId ?? '–' },
          { header: t('operator.reg.created'), cell: (o) => formatDateTime(o.createdAt) },
          { header: t('operator.org.state'), cell: (o) => t(o.status === 'active' ? 'operator.org.status.active' : 'operator.org.status.suspended') },
          {
            header: t('operator.org.actions'),
            cell: (o) => (o.status === 'active'
              ? <ConfirmButton label={t('operator.org.suspend', { name: o.name })} onConfirm={() => act(o, 'suspend')} />
              : <ConfirmButton label={t('operator.org.reinstate', { name: o.name })} onConfirm={() => act(o, 'reinstate')} />),
          },
        ]}
      />
      <UserLookup />
    </>
  );
}
