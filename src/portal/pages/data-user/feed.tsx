import { useCallback, useState } from 'preact/hooks';
import { api, type Page } from '../../api/client.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorBox } from '../../components/error-box.js';
import { Field } from '../../components/field.js';
import { formatDateTime, formatNumber, useT } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { orgPath, vaultHeaders, type Checkpoint, type FeedPage, type Head } from './data-user-api.js';

const cpPath = (name: string) => orgPath(`/feed/checkpoints/${encodeURIComponent(name)}`);

/**
 * Feed cursors: the organisation's named feed checkpoints (…/feed/checkpoints: position, how far behind the feed's
 * head, start at the beginning or now, reset, delete; admins and members change them, viewers read) and a feed viewer
 * reading GET /vault/v1/feed?checkpoint=<name> (header Vaultgate-Organisation) that commits the batch's nextCursor.
 */
export function Feed() {
  const t = useT();
  const { current } = useSession();
  const writer = current?.role === 'admin' || current?.role === 'member';
  const [name, setName] = useState('');
  const [position, setPosition] = useState<'start' | 'now'>('start');
  const [head, setHead] = useState<Head | undefined>();
  const [reload, setReload] = useState(0);
  const [error, setError] = useState<unknown>();
  const [status, setStatus] = useState<string | undefined>();
  const [viewing, setViewing] = useState<{ name: string; page: FeedPage } | undefined>();
  const load = useCallback(async (cursor: string | undefined) => {
    const p = await api<Page<Checkpoint> & { head: Head }>('GET', orgPath('/feed/checkpoints'), { query: { cursor, limit: 25 } });
    setHead(p.head);
    return p;
  }, [current?.organisationId]);
  const run = async (f: () => Promise<void>) => {
    setError(undefined);
    setStatus(undefined);
    try { await f(); } catch (err) { setError(err); }
  };
  const put = (n: string, body: { position: 'start' | 'now' } | { cursor: string }) => api<Checkpoint & { created: boolean }>('PUT', cpPath(n), { body });
  const create = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const c = await put(name.trim(), { position });
      setStatus(t(c.created ? 'dataUser.feed.created' : 'dataUser.feed.reset', { name: c.name }));
      setName('');
      setReload((n) => n + 1);
    });
  };
  const read = (n: string) => run(async () => {
    const page = await api<FeedPage>('GET', '/vault/v1/feed', { query: { checkpoint: n, limit: 50 }, headers: vaultHeaders() });
    setViewing({ name: n, page });
  });
  const commit = () => run(async () => {
    if (!viewing) return;
    const c = await put(viewing.name, { cursor: viewing.page.nextCursor });
    setStatus(t('dataUser.feed.committed', { name: c.name, seq: c.messageSeq }));
    setViewing(undefined);
    setReload((n) => n + 1);
  });
  const behind = (c: Checkpoint) => (head ? Math.max(0, head.messageSeq - c.messageSeq) + Math.max(0, head.grantEventSeq - c.grantEventSeq) : 0);
  return (
    <>
      <h1>{t('dataUser.feed.title')}</h1>
      <p>{t('dataUser.feed.intro')}</p>
      <ErrorBox error={error} />
      {status && <p role="status" class="ok">{status}</p>}
      {head && <p>{t('dataUser.feed.head', { messages: head.messageSeq, events: head.grantEventSeq })}</p>}
      {writer && (
        <section aria-labelledby="new-checkpoint">
          <h2 id="new-checkpoint">{t('dataUser.feed.create')}</h2>
          <form onSubmit={create}>
            <Field label={t('dataUser.feed.name')} help={t('dataUser.feed.nameHelp')} name="name" required maxLength={64} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
            <Field label={t('dataUser.feed.position')}>
              {(id, d) => (
                <select id={id} aria-describedby={d} value={position} onChange={(e) => setPosition((e.target as HTMLSelectElement).value as 'start' | 'now')}>
                  <option value="start">{t('dataUser.feed.start')}</option>
                  <option value="now">{t('dataUser.feed.now')}</option>
                </select>
              )}
            </Field>
            <button type="submit">{t('dataUser.feed.createSubmit')}</button>
          </form>
        </section>
      )}
      <DataTable<Checkpoint>
        caption={t('dataUser.feed.list')} load={load} reloadKey={reload} rowKey={(c) => c.name} emptyText={t('dataUser.feed.none')}
        columns={[
          { header: t('dataUser.feed.name'), cell: (c) => <code>{c.name}</code> },
          { header: t('dataUser.feed.positionCol'), cell: (c) => t('dataUser.feed.positions', { messages: c.messageSeq, events: c.grantEventSeq }) },
          { header: t('dataUser.feed.behind'), cell: (c) => formatNumber(behind(c)) },
          { header: t('dataUser.feed.updated'), cell: (c) => formatDateTime(c.updatedAt) },
          {
            header: t('dataUser.feed.actions'),
            cell: (c) => (
              <span class="confirm">
                <button type="button" class="secondary" onClick={() => void read(c.name)}>{t('dataUser.feed.read', { name: c.name })}</button>
                {writer && <ConfirmButton label={t('dataUser.feed.resetStart', { name: c.name })} onConfirm={() => run(async () => { await put(c.name, { position: 'start' }); setStatus(t('dataUser.feed.reset', { name: c.name })); setReload((n) => n + 1); })} />}
                {writer && <ConfirmButton label={t('dataUser.feed.delete', { name: c.name })} onConfirm={() => run(async () => { await api('DELETE', cpPath(c.name)); setStatus(t('dataUser.feed.deleted', { name: c.name })); setReload((n) => n + 1); })} />}
              </span>
            ),
          },
        ]}
      />
      {viewing && (
        <section aria-labelledby="feed-viewer">
          <h2 id="feed-viewer">{t('dataUser.feed.viewer', { name: viewing.name })}</h2>
          {viewing.page.items.length === 0 ? <p class="empty">{t('dataUser.feed.nothingNew')}</p> : (
            <div class="table-wrap">
              <table>
                <caption>{t('dataUser.feed.items', { count: viewing.page.items.length })}</caption>
                <thead><tr>
                  <th scope="col">{t('dataUser.feed.itemPosition')}</th><th scope="col">{t('dataUser.feed.itemType')}</th>
                  <th scope="col">{t('dataUser.feed.itemOwner')}</th><th scope="col">{t('dataUser.feed.itemWhat')}</th>
                </tr></thead>
                <tbody>
                  {viewing.page.items.map((i) => (
                    <tr key={`${i.type}:${i.position}`}>
                      <td>{i.position}</td><td>{i.type}</td><td><code>{i.companyId}</code></td>
                      <td>{i.message ? <><code>{i.message.messageId}</code> {i.message.messageType} {formatDateTime(i.message.receivedAt)}</> : <code>{i.grantId}</code>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {viewing.page.hasMore && <p>{t('dataUser.feed.hasMore')}</p>}
          {writer && <button type="button" onClick={() => void commit()}>{t('dataUser.feed.commit', { name: viewing.name })}</button>}
        </section>
      )}
    </>
  );
}
