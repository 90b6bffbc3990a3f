import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, type Page } from '../../api/client.js';
import { DataTable } from '../../components/data-table.js';
import { Field } from '../../components/field.js';
import { formatDateTime, language, useT } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { loadAll, orgPath, type Channel, type Refusal } from './types.js';

/**
 * The vendor's recently refused ingestion requests (GET …/ingestion/refusals: newest first, each with the catalogue's
 * code, title and remedy in the portal's language, the channel, the time and the transaction id), filtered by code
 * and channel, cursor-paged. Refusals are kept VAULTGATE_INGESTION_REFUSAL_RETENTION_DAYS.
 */
export function VendorRefusals() {
  const t = useT();
  const { current } = useSession();
  const orgId = current!.organisationId;
  const partyId = current!.organisation.partyId;
  const [channels, setChannels] = useState<Channel[]>([]);
  const [code, setCode] = useState('');
  const [channelId, setChannelId] = useState('');
  const [applied, setApplied] = useState({ code: '', channelId: '' });
  // Titles and remedies come translated by the server (Accept-Language): a language switch reloads the list.
  const lang = language();
  useEffect(() => {
    loadAll<Channel>(orgPath(orgId, '/channels')).then((all) => setChannels(all.filter((c) => c.partyId === partyId))).catch(() => setChannels([]));
  }, [orgId]);
  const load = useCallback((cursor: string | undefined) => api<Page<Refusal>>('GET', orgPath(orgId, '/ingestion/refusals'), {
    query: { cursor, limit: 25, code: applied.code || undefined, channelId: applied.channelId || undefined },
  }), [orgId, applied, lang]);
  const filter = (e: Event) => {
    e.preventDefault();
    setApplied({ code: code.trim().toUpperCase(), channelId });
  };

  return (
    <>
      <h1>{t('vendor.refusals.title')}</h1>
      <p>{t('vendor.refusals.intro')}</p>
      <form onSubmit={filter} aria-label={t('vendor.refusals.filters')}>
        <Field label={t('vendor.refusals.code')} help={t('vendor.refusals.codeHelp')} name="code" maxLength={64} pattern="[A-Za-z0-9_]*" spellcheck={false}
          value={code} onInput={(e) => setCode((e.target as HTMLInputElement).value)} />
        <Field label={t('vendor.channel')}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={channelId} onChange={(e) => setChannelId((e.target as HTMLSelectElement).value)}>
              <option value="">{t('vendor.refusals.anyChannel')}</option>
              {channels.map((c) => <option key={c.id} value={c.id}>{c.id}</option>)}
            </select>
          )}
        </Field>
        <button type="submit">{t('vendor.refusals.apply')}</button>
      </form>
      <DataTable<Refusal>
        caption={t('vendor.refusals.list')}
        load={load}
        reloadKey={`${applied.code}|${applied.channelId}|${lang}`}
        rowKey={(r) => `${r.requestId}:${r.at}`}
        emptyText={t('vendor.refusals.none')}
        columns={[
          { header: t('vendor.refusals.at'), cell: (r) => formatDateTime(r.at) },
          { header: t('vendor.refusals.code'), cell: (r) => <code>{r.code}</code> },
          { header: t('vendor.refusals.titleCol'), cell: (r) => r.title },
          { header: t('vendor.refusals.remedy'), cell: (r) => r.remedy },
          {
            header: t('vendor.refusals.request'),
            cell: (r) => (
              <>
                {t('vendor.channel')}: <code class="secret">{r.channelId ?? '–'}</code><br />
                {t('vendor.send.transactionId')}: <code class="secret">{r.transactionId ?? '–'}</code><br />
                {t('vendor.refusals.credential')}: <code class="secret">{r.credentialId ?? '–'}</code>
              </>
            ),
          },
        ]}
      />
    </>
  );
}
