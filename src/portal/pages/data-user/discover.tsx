import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, type Page } from '../../api/client.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorBox } from '../../components/error-box.js';
import { Field } from '../../components/field.js';
import { useT } from '../../i18n/index.js';
import { href } from '../../routing.js';
import { useSession } from '../../session.js';
import { orgPath, type DirectoryItem, type Grant, type Listing } from './data-user-api.js';
import { RequestAccessForm } from './request-access-form.js';

/**
 * Discover: search the directory (GET /api/v1/directory?q=: listed organisations by name, any company by its exact
 * business id), open one and request access (admins). The organisation's own listing is in the settings section.
 */
export function Discover() {
  const t = useT();
  const { current } = useSession();
  const admin = current?.role === 'admin';
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [reload, setReload] = useState(0);
  const [open, setOpen] = useState<DirectoryItem | undefined>();
  const [requested, setRequested] = useState<Grant | undefined>();
  const load = useCallback((cursor: string | undefined) => api<Page<DirectoryItem>>('GET', '/api/v1/directory', { query: { q: query, cursor, limit: 25 } }), [query]);
  const search = (e: Event) => {
    e.preventDefault();
    setQuery(q.trim());
    setOpen(undefined);
    setReload((n) => n + 1);
  };
  return (
    <>
      <h1>{t('dataUser.discover.title')}</h1>
      <p>{t('dataUser.discover.intro')}</p>
      <form role="search" onSubmit={search}>
        <Field label={t('dataUser.discover.query')} help={t('dataUser.discover.queryHelp')} type="search" name="q" maxLength={200} value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        <button type="submit">{t('dataUser.discover.search')}</button>
      </form>
      <DataTable<DirectoryItem>
        caption={t('dataUser.discover.results')} load={load} reloadKey={reload} rowKey={(r) => r.organisationId} emptyText={t('dataUser.discover.none')}
        columns={[
          { header: t('dataUser.discover.name'), cell: (r) => r.name },
          { header: t('dataUser.discover.businessId'), cell: (r) => r.businessId ?? '–' },
          { header: t('dataUser.discover.description'), cell: (r) => r.description || '–' },
          { header: t('dataUser.discover.kinds'), cell: (r) => r.kinds.map((k) => t(k === 'company' ? 'dataUser.kind.company' : 'dataUser.kind.vendor')).join(', ') },
          {
            header: t('dataUser.discover.actions'),
            cell: (r) => (admin && r.kinds.includes('company') && r.organisationId !== current?.organisationId
              ? <button type="button" class="secondary" onClick={() => { setOpen(r); setRequested(undefined); }}>{t('dataUser.discover.requestAccess', { name: r.name })}</button>
              : '–'),
          },
        ]}
      />
      {requested && (
        <p role="status" class="ok">
          {t('dataUser.request.sent', { name: requested.ownerName ?? requested.ownerOrganisationId })}{' '}
          <a href={href('/data-user/grants')}>{t('dataUser.grants.title')}</a>
        </p>
      )}
      {open && !requested && <RequestAccessForm owner={open} onDone={(g) => { setRequested(g); setOpen(undefined); }} />}
      <ListingSettings />
    </>
  );
}

/** The organisation's own directory listing (GET/PUT …/directory-listing): admins change it, others read it. */
function ListingSettings() {
  const t = useT();
  const { current } = useSession();
  const admin = current?.role === 'admin';
  const [listing, setListing] = useState<Listing | undefined>();
  const [listed, setListed] = useState(false);
  const [description, setDescription] = useState('');
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    api<Listing>('GET', orgPath('/directory-listing')).then((l) => { setListing(l); setListed(l.listed); setDescription(l.description); }, setError);
  }, [current?.organisationId]);
  const save = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setSaved(false);
    try {
      const l = await api<Listing>('PUT', orgPath('/directory-listing'), { body: { listed, description } });
      setListing(l);
      setSaved(true);
    } catch (err) { setError(err); }
  };
  return (
    <section aria-labelledby="listing">
      <h2 id="listing">{t('dataUser.listing.title')}</h2>
      <p>{t('dataUser.listing.intro')}</p>
      <ErrorBox error={error} />
      {listing && !admin && <p>{listing.listed ? t('dataUser.listing.isListed') : t('dataUser.listing.notListed')}</p>}
      {listing && admin && (
        <form onSubmit={save}>
          <div class="field">
            <label class="inline"><input type="checkbox" name="listed" checked={listed} onChange={(e) => setListed((e.target as HTMLInputElement).checked)} /> {t('dataUser.listing.listed')}</label>
          </div>
          <Field label={t('dataUser.listing.description')} name="description" maxLength={500} value={description} onInput={(e) => setDescription((e.target as HTMLInputElement).value)} />
          <button type="submit">{t('common.save')}</button>
          {saved && <p role="status" class="ok">{listing.listed ? t('dataUser.listing.isListed') : t('dataUser.listing.notListed')}</p>}
        </form>
      )}
    </section>
  );
}
