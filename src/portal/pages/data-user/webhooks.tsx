import { useCallback, useState } from 'preact/hooks';
import { api, type Page } from '../../api/client.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorBox } from '../../components/error-box.js';
import { Field } from '../../components/field.js';
import { SecretOnce } from '../../components/secret-once.js';
import { formatDateTime, useT, type MessageKey } from '../../i18n/index.js';
import { href } from '../../routing.js';
import { useSession } from '../../session.js';
import { listOf, orgPath, type Endpoint } from './data-user-api.js';

/** The form's filters as the API's `filters` object (empty fields: no narrowing). */
export function filtersOf(types: string, channels: string, owners: string) {
  return { messageTypes: listOf(types), channelIds: listOf(channels), ownerCompanyIds: listOf(owners) };
}

/**
 * Webhook endpoints of the organisation (GET/POST /api/v1/organisations/{id}/webhook-endpoints): the list, and for
 * admins the registration form (URL, description, grant events, filters); the whsec_ secret of a new endpoint is
 * shown once. A refused URL is WEBHOOK_URL_REFUSED with its remedy.
 */
export function Webhooks() {
  const t = useT();
  const { current } = useSession();
  const admin = current?.role === 'admin';
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [grantEvents, setGrantEvents] = useState(false);
  const [types, setTypes] = useState('');
  const [channels, setChannels] = useState('');
  const [owners, setOwners] = useState('');
  const [created, setCreated] = useState<(Endpoint & { secret: string }) | undefined>();
  const [error, setError] = useState<unknown>();
  const [reload, setReload] = useState(0);
  const load = useCallback((cursor: string | undefined) => api<Page<Endpoint>>('GET', orgPath('/webhook-endpoints'), { query: { cursor, limit: 25 } }), [current?.organisationId]);
  const value = (e: Event) => (e.target as HTMLInputElement).value;
  const create = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setCreated(undefined);
    try {
      const ep = await api<Endpoint & { secret: string }>('POST', orgPath('/webhook-endpoints'), {
        body: {
          url, ...(description ? { description } : {}), eventTypes: grantEvents ? ['message.received', 'grant.*'] : ['message.received'],
          filters: filtersOf(types, channels, owners),
        },
      });
      setCreated(ep);
      setUrl('');
      setDescription('');
      setReload((n) => n + 1);
    } catch (err) { setError(err); }
  };
  return (
    <>
      <h1>{t('dataUser.webhooks.title')}</h1>
      <p>{t('dataUser.webhooks.intro')}</p>
      <ErrorBox error={error} />
      {created && (
        <div role="status">
          <p class="ok">{t('dataUser.webhooks.created', { url: created.url })}</p>
          <SecretOnce secret={created.secret} label={t('dataUser.webhooks.secret')} />
          <p><a href={href(`/data-user/webhooks/${encodeURIComponent(created.id)}`)}>{t('dataUser.webhooks.open', { url: created.url })}</a></p>
        </div>
      )}
      {admin && (
        <section aria-labelledby="new-endpoint">
          <h2 id="new-endpoint">{t('dataUser.webhooks.create')}</h2>
          <form onSubmit={create}>
            <Field label={t('dataUser.webhooks.url')} help={t('dataUser.webhooks.urlHelp')} type="url" name="url" required maxLength={2000} value={url} onInput={(e) => setUrl(value(e))} />
            <Field label={t('dataUser.webhooks.description')} name="description" maxLength={500} value={description} onInput={(e) => setDescription(value(e))} />
            <div class="field">
              <label class="inline"><input type="checkbox" name="grantEvents" checked={grantEvents} onChange={(e) => setGrantEvents((e.target as HTMLInputElement).checked)} /> {t('dataUser.webhooks.grantEvents')}</label>
            </div>
            <Field label={t('dataUser.webhooks.types')} help={t('dataUser.webhooks.listHelp')} name="types" value={types} onInput={(e) => setTypes(value(e))} />
            <Field label={t('dataUser.webhooks.channels')} help={t('dataUser.webhooks.listHelp')} name="channels" value={channels} onInput={(e) => setChannels(value(e))} />
            <Field label={t('dataUser.webhooks.owners')} help={t('dataUser.webhooks.listHelp')} name="owners" value={owners} onInput={(e) => setOwners(value(e))} />
            <button type="submit">{t('dataUser.webhooks.createSubmit')}</button>
          </form>
        </section>
      )}
      <DataTable<Endpoint>
        caption={t('dataUser.webhooks.list')} load={load} reloadKey={reload} rowKey={(r) => r.id} emptyText={t('dataUser.webhooks.none')}
        columns={[
          { header: t('dataUser.webhooks.url'), cell: (r) => <a href={href(`/data-user/webhooks/${encodeURIComponent(r.id)}`)}>{r.url}</a> },
          { header: t('dataUser.webhooks.description'), cell: (r) => r.description || '–' },
          { header: t('dataUser.webhooks.status'), cell: (r) => t(`dataUser.webhooks.status.${r.status}` as MessageKey) + (r.disabledReason === 'failing' ? ` (${t('dataUser.webhooks.failing')})` : '') },
          { header: t('dataUser.webhooks.createdAt'), cell: (r) => formatDateTime(r.createdAt) },
        ]}
      />
    </>
  );
}
