import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, type Page } from '../../api/client.js';
import { ContentDigestToggle } from '../../components/content-digest-toggle.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorBox } from '../../components/error-box.js';
import { Field } from '../../components/field.js';
import { formatDateTime, useT, type MessageKey } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { downloadJson, fetchPostman, loadAll, orgPath, type Channel, type ChannelRequest, type MessageType } from './types.js';

const typesText = (types: MessageType[] | null) => (types ?? []).map((m) => `${m.name} (${m.mediaTypes.join(', ')})`).join('; ');

interface TypeRow { name: string; mediaTypes: string }

/**
 * The vendor's customers and channels: its channels (GET …/channels, the vendor's side, sorted by company), the
 * channel requests it made (GET …/channel-requests) with their state, a form to request a new channel
 * (POST …/channel-requests: company business id, message types with media types), and the Postman collection and
 * environment of each channel (GET …/channels/{id}/postman) as file downloads.
 */
export function VendorChannels() {
  const t = useT();
  const { current } = useSession();
  const orgId = current!.organisationId;
  const partyId = current!.organisation.partyId;
  const isAdmin = current!.role === 'admin';
  const [companies, setCompanies] = useState<Record<string, string>>({});
  const [reload, setReload] = useState(0);
  const [auth, setAuth] = useState<'mac' | 'oauth'>('mac');
  const [error, setError] = useState<unknown>();
  const [status, setStatus] = useState('');
  const [businessId, setBusinessId] = useState('');
  const [rows, setRows] = useState<TypeRow[]>([{ name: '', mediaTypes: 'application/json' }]);

  useEffect(() => {
    loadAll<ChannelRequest>(orgPath(orgId, '/channel-requests'))
      .then((all) => setCompanies(Object.fromEntries(all.map((r) => [r.companyId, r.companyName]))))
      .catch(setError);
  }, [orgId, reload]);

  const loadChannels = useCallback(async (cursor: string | undefined) => {
    const page = await api<Page<Channel>>('GET', orgPath(orgId, '/channels'), { query: { cursor, limit: 50 } });
    const mine = page.items.filter((c) => c.partyId === partyId);
    mine.sort((a, b) => (companies[a.companyId] ?? a.companyId).localeCompare(companies[b.companyId] ?? b.companyId));
    return { items: mine, nextCursor: page.nextCursor };
  }, [orgId, partyId, companies]);
  const loadRequests = useCallback(async (cursor: string | undefined) => {
    const page = await api<Page<ChannelRequest>>('GET', orgPath(orgId, '/channel-requests'), { query: { cursor, limit: 50 } });
    return { items: page.items.filter((r) => r.partyId === partyId), nextCursor: page.nextCursor };
  }, [orgId, partyId]);

  const setRow = (i: number, patch: Partial<TypeRow>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const request = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setStatus('');
    try {
      const messageTypes = rows.map((r) => ({ name: r.name.trim(), mediaTypes: r.mediaTypes.split(',').map((m) => m.trim()).filter(Boolean) }));
      const made = await api<ChannelRequest>('POST', orgPath(orgId, '/channel-requests'), { body: { businessId: businessId.trim(), messageTypes } });
      setStatus(t('vendor.channels.requested', { company: made.companyName }));
      setBusinessId('');
      setRows([{ name: '', mediaTypes: 'application/json' }]);
      setReload((n) => n + 1);
    } catch (err) { setError(err); }
  };
  const download = async (channelId: string, part: 'collection' | 'environment') => {
    setError(undefined);
    try {
      const p = await fetchPostman(orgId, channelId, auth);
      const suffix = part === 'collection' ? 'postman_collection' : 'postman_environment';
      const name = downloadJson(p[part], `vaultgate-${channelId}-${auth}.${suffix}.json`);
      setStatus(t('vendor.channels.downloaded', { file: name }));
    } catch (err) { setError(err); }
  };

  return (
    <>
      <h1>{t('vendor.channels.title')}</h1>
      <p>{t('vendor.channels.intro')}</p>
      <ErrorBox error={error} />
      <p role="status" class="ok">{status}</p>
      <h2 id="vendor-channels">{t('vendor.channels.list')}</h2>
      <div class="narrow">
      <Field label={t('vendor.channels.postmanAuth')} help={t('vendor.channels.postmanHelp')}>
        {(id, d) => (
          <select id={id} aria-describedby={d} value={auth} onChange={(e) => setAuth((e.target as HTMLSelectElement).value as 'mac' | 'oauth')}>
            <option value="mac">{t('vendor.auth.mac')}</option>
            <option value="oauth">{t('vendor.auth.oauth')}</option>
          </select>
        )}
      </Field>
      </div>
      <DataTable<Channel>
        caption={t('vendor.channels.list')}
        load={loadChannels}
        reloadKey={`${reload}:${Object.keys(companies).length}`}
        rowKey={(c) => c.id}
        emptyText={t('vendor.channels.none')}
        columns={[
          { header: t('vendor.company'), cell: (c) => companies[c.companyId] ?? c.companyId },
          { header: t('vendor.channel'), cell: (c) => <><code>{c.id}</code><br /><code>{c.url}</code></> },
          { header: t('vendor.messageTypes'), cell: (c) => typesText(c.messageTypes) },
          { header: t('vendor.status'), cell: (c) => t(`vendor.status.${c.status}` as MessageKey) },
          {
            header: t('vendor.channels.integrity'),
            cell: (c) => (
              <ContentDigestToggle path={orgPath(orgId, `/channels/${encodeURIComponent(c.id)}/integrity`)} canEdit={isAdmin && c.status === 'active'}
                text={t('vendor.channels.requireDigest')} label={t('vendor.channels.requireDigestOf', { id: c.id })}
                onDone={(on) => { setError(undefined); setStatus(t(on ? 'vendor.channels.digestRequired' : 'vendor.channels.digestOptional', { id: c.id })); }} onError={setError} />
            ),
          },
          {
            header: t('vendor.channels.postman'),
            cell: (c) => (
              <span class="confirm">
                <button type="button" class="secondary" aria-label={t('vendor.channels.collectionOf', { channel: c.id })} onClick={() => void download(c.id, 'collection')}>{t('vendor.channels.collection')}</button>
                <button type="button" class="secondary" aria-label={t('vendor.channels.environmentOf', { channel: c.id })} onClick={() => void download(c.id, 'environment')}>{t('vendor.channels.environment')}</button>
              </span>
            ),
          },
        ]}
      />
      <h2 id="channel-requests">{t('vendor.requests.list')}</h2>
      <DataTable<ChannelRequest>
        caption={t('vendor.requests.list')} headingId="channel-requests"
        load={loadRequests}
        reloadKey={reload}
        rowKey={(r) => r.id}
        emptyText={t('vendor.requests.none')}
        columns={[
          { header: t('vendor.company'), cell: (r) => r.companyName },
          { header: t('vendor.messageTypes'), cell: (r) => typesText(r.grantedMessageTypes ?? r.messageTypes) },
          { header: t('vendor.status'), cell: (r) => t(`vendor.requests.status.${r.status}` as MessageKey) },
          { header: t('vendor.requests.made'), cell: (r) => formatDateTime(r.createdAt) },
          { header: t('vendor.channel'), cell: (r) => (r.channelId ? <code>{r.channelId}</code> : '–') },
        ]}
      />
      {isAdmin && (
        <section aria-labelledby="request-channel">
          <h2 id="request-channel">{t('vendor.requests.new')}</h2>
          <form onSubmit={request}>
            <Field label={t('vendor.requests.businessId')} help={t('vendor.requests.businessIdHelp')} name="businessId" required maxLength={32}
              value={businessId} onInput={(e) => setBusinessId((e.target as HTMLInputElement).value)} />
            {rows.map((r, i) => (
              <fieldset key={i}>
                <legend>{t('vendor.requests.typeN', { n: i + 1 })}</legend>
                <Field label={t('vendor.requests.typeName')} required maxLength={100} value={r.name} onInput={(e) => setRow(i, { name: (e.target as HTMLInputElement).value })} />
                <Field label={t('vendor.requests.mediaTypes')} help={t('vendor.requests.mediaTypesHelp')} required value={r.mediaTypes}
                  onInput={(e) => setRow(i, { mediaTypes: (e.target as HTMLInputElement).value })} />
                {rows.length > 1 && (
                  <button type="button" class="secondary" onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}>{t('vendor.requests.removeType', { n: i + 1 })}</button>
                )}
              </fieldset>
            ))}
            <button type="button" class="secondary" onClick={() => setRows((rs) => [...rs, { name: '', mediaTypes: 'application/json' }])}>{t('vendor.requests.addType')}</button>
            <button type="submit">{t('vendor.requests.submit')}</button>
          </form>
        </section>
      )}
    </>
  );
}
