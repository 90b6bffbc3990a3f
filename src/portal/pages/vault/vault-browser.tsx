import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, type Page } from '../../api/client.js';
import { Empty, Loading } from '../../components/empty.js';
import { ErrorBox } from '../../components/error-box.js';
import { Field } from '../../components/field.js';
import { Pager } from '../../components/pager.js';
import { formatDateTime, formatNumber, useT } from '../../i18n/index.js';
import { ExportPanel } from './export-panel.js';
import { MessageView } from './message-view.js';
import { useOwnNames } from './own-channels.js';
import { OWN_VAULT, organisationHeader, type MessageMeta, type Selection, type VaultBase } from './vault-source.js';
import './vault.css';

/** Messages per page of the list: one page is loaded at a time, however large the vault. */
export const PAGE_SIZE = 50;
const KEYS = ['channelId', 'messageType', 'from', 'to'] as const;

/** An ISO instant as a datetime-local value to the second (the browser's time zone), '' for none. */
function localValue(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A datetime-local value as an ISO instant, undefined for none. */
function isoValue(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/**
 * The vault browser (issue 16), one component for the organisation's own vault and an owner's shared data: a filter
 * (channel, message type, received time range) kept in the URL query with the cursor and the open message, so a view
 * can be linked and Back works; one page of metadata at a time (GET {base}/messages, cursor paging with Pager); the
 * open message's metadata, preview and download (MessageView); the export of the filtered set (ExportPanel). In the
 * own vault the channel filter is a select of the organisation's channels and the sending party is named
 * (own-channels.ts).
 */
export function VaultBrowser({ base, fileStem }: { base: VaultBase; fileStem: string }) {
  const t = useT();
  const { path, query, route } = useLocation();
  const selection: Selection = {};
  for (const k of KEYS) if (query[k]) selection[k] = query[k];
  const cursor = query.cursor || undefined;
  const [form, setForm] = useState({ channelId: '', messageType: '', from: '', to: '' });
  const [page, setPage] = useState<Page<MessageMeta> | undefined>();
  const [error, setError] = useState<unknown>();
  const key = JSON.stringify([base, selection, cursor]);
  // The own vault: the channel filter as a select of the organisation's channels, the sending party by name.
  const names = useOwnNames(base === OWN_VAULT);

  useEffect(() => {
    setForm({ channelId: selection.channelId ?? '', messageType: selection.messageType ?? '', from: localValue(selection.from), to: localValue(selection.to) });
  }, [JSON.stringify(selection)]);
  useEffect(() => {
    const abort = new AbortController();
    setError(undefined);
    setPage(undefined);
    api<Page<MessageMeta>>('GET', `${base}/messages`, { query: { ...selection, cursor, limit: PAGE_SIZE }, headers: organisationHeader(), signal: abort.signal })
      .then(setPage, (e: unknown) => { if ((e as Error).name !== 'AbortError') setError(e); });
    return () => abort.abort();
  }, [key]);

  const go = (q: Record<string, string | undefined>) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v) params.set(k, v);
    const s = params.toString();
    route(s ? `${path}?${s}` : path);
  };
  const apply = (e: Event) => {
    e.preventDefault();
    go({ channelId: form.channelId.trim(), messageType: form.messageType.trim(), from: isoValue(form.from), to: isoValue(form.to) });
  };
  const open = page?.items.find((m) => m.messageId === query.message);
  const input = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });

  return (
    <>
      <form class="vault-filters" role="search" aria-label={t('vault.filters')} onSubmit={apply}>
        {names ? (
          <Field label={t('vault.channel')}>
            {(id, d) => (
              <select id={id} name="channelId" aria-describedby={d} value={form.channelId} onChange={input('channelId')}>
                <option value="">{t('vault.allChannels')}</option>
                {names.channels.map((c) => (
                  <option key={c.id} value={c.id}>{t('vault.channelOption', { id: c.id, party: names.partyNames.get(c.partyId) ?? c.partyId })}</option>
                ))}
              </select>
            )}
          </Field>
        ) : <Field label={t('vault.channel')} name="channelId" value={form.channelId} onInput={input('channelId')} maxLength={200} />}
        <Field label={t('vault.messageType')} name="messageType" value={form.messageType} onInput={input('messageType')} maxLength={100} />
        <Field label={t('vault.from')} name="from" type="datetime-local" step={1} value={form.from} onInput={input('from')} />
        <Field label={t('vault.to')} name="to" type="datetime-local" step={1} value={form.to} onInput={input('to')} />
        <div class="vault-filter-actions">
          <button type="submit">{t('vault.apply')}</button>
          <button type="button" class="secondary" onClick={() => go({})}>{t('vault.clear')}</button>
        </div>
      </form>
      <ErrorBox error={error} />
      {!error && !page && <Loading />}
      {page && page.items.length === 0 && !cursor && <Empty text={t('vault.none')} />}
      {page && (page.items.length > 0 || cursor) && (
        <div class="table-wrap">
          <table class="vault-list">
            <caption>{t('vault.messages')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('vault.messageId')}</th><th scope="col">{t('vault.channel')}</th><th scope="col">{t('vault.messageType')}</th>
                <th scope="col">{t('vault.mediaType')}</th><th scope="col">{t('vault.size')}</th><th scope="col">{t('vault.received')}</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((m) => (
                <tr key={m.messageId} aria-current={m.messageId === query.message ? 'true' : undefined}>
                  <td>
                    <button type="button" class="secondary" aria-label={t('vault.openMessage', { id: m.messageId })}
                      onClick={() => go({ ...selection, cursor, message: m.messageId })}>{m.messageId}</button>
                  </td>
                  <td><code>{m.channelId}</code></td><td>{m.messageType}</td><td>{m.contentType ?? m.mediaType}</td>
                  <td>{formatNumber(m.size)}</td><td><time dateTime={m.receivedAt}>{formatDateTime(m.receivedAt)}</time></td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager nextCursor={page.nextCursor} atFirst={cursor === undefined} onNext={(c) => go({ ...selection, cursor: c })} onFirst={() => go({ ...selection })} />
        </div>
      )}
      {open && <MessageView base={base} meta={open} partyName={names?.partyNames.get(open.partyId)} onClose={() => go({ ...selection, cursor })} />}
      <ExportPanel base={base} selection={selection} fileStem={fileStem} />
    </>
  );
}
