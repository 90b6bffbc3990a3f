import { useEffect, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, apiRaw, type Page } from '../../api/client.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { Loading } from '../../components/empty.js';
import { ErrorBox } from '../../components/error-box.js';
import { Field } from '../../components/field.js';
import { ProgressBar } from '../../components/progress-bar.js';
import { SecretOnce } from '../../components/secret-once.js';
import { formatDateTime, useT, type MessageKey } from '../../i18n/index.js';
import { href } from '../../routing.js';
import { useSession } from '../../session.js';
import { orgPath, type Delivery, type Endpoint } from './data-user-api.js';
import { AttemptText, DeliveryLog, deliveriesPath } from './delivery-log.js';
import { filtersOf } from './webhooks.js';

const POLL_MS = 500;
const MAX_POLLS = 240;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Replay progress: how many of the queued deliveries (origin replay, made since `since`) are no longer pending. */
async function replayProgress(endpointId: string, since: string): Promise<number> {
  let done = 0;
  let cursor: string | undefined;
  for (let pages = 0; pages < 10; pages++) {
    const p = await api<Page<Delivery>>('GET', deliveriesPath(endpointId), { query: { cursor, limit: 100 } });
    for (const d of p.items) if (d.origin === 'replay' && d.createdAt >= since && d.status !== 'pending') done++;
    if (!p.nextCursor || p.items.some((d) => d.createdAt < since)) break;
    cursor = p.nextCursor;
  }
  return done;
}

/**
 * One webhook endpoint (…/webhook-endpoints/{id}): its facts; for admins edit (URL, description, filters),
 * enable/disable, rotate the secret (new one shown once), delete; a test delivery with its result; replay of one
 * message or of everything since an instant with progress (polling the log until every replayed delivery is done);
 * and the delivery log with its attempts.
 */
export function WebhookEndpoint({ id }: { id: string }) {
  const t = useT();
  const { route } = useLocation();
  const { current } = useSession();
  const admin = current?.role === 'admin';
  const [ep, setEp] = useState<Endpoint | undefined>();
  const [error, setError] = useState<unknown>();
  const [secret, setSecret] = useState<string | undefined>();
  const [logKey, setLogKey] = useState(0);
  const [test, setTest] = useState<Delivery | undefined>();
  const [replay, setReplay] = useState<{ queued: number; done: number; truncated: boolean } | undefined>();
  const [replayMessage, setReplayMessage] = useState('');
  const [replaySince, setReplaySince] = useState('');
  const [edit, setEdit] = useState({ url: '', description: '', types: '', channels: '', owners: '' });
  const alive = useRef(true);
  useEffect(() => () => { alive.current = false; }, []);
  const path = orgPath(`/webhook-endpoints/${encodeURIComponent(id)}`);
  const show = (e: Endpoint) => {
    setEp(e);
    setEdit({ url: e.url, description: e.description, types: e.filters.messageTypes?.join(', ') ?? '', channels: e.filters.channelIds?.join(', ') ?? '', owners: e.filters.ownerCompanyIds?.join(', ') ?? '' });
  };
  useEffect(() => void api<Endpoint>('GET', path).then(show, setError), [id, current?.organisationId]);
  const run = async (f: () => Promise<void>) => {
    setError(undefined);
    try { await f(); } catch (err) { setError(err); }
  };
  const post = (action: string, body?: unknown) => api<Endpoint & { secret?: string }>('POST', `${path}/${action}`, body === undefined ? {} : { body });

  const sendTest = () => run(async () => {
    let d = await api<Delivery>('POST', `${path}/test`);
    setTest(d);
    for (let i = 0; i < MAX_POLLS && alive.current && d.status === 'pending' && d.attemptLog.length === 0; i++) {
      await sleep(POLL_MS);
      const p = await api<Page<Delivery>>('GET', deliveriesPath(id), { query: { limit: 20 } });
      d = p.items.find((x) => x.id === d.id) ?? d;
      setTest(d);
    }
    setLogKey((n) => n + 1);
  });
  const startReplay = (body: { messageId: string } | { since: string }) => run(async () => {
    const res = await apiRaw('POST', `${path}/replay`, { body });
    const r = await res.json() as { queued: number; truncated: boolean };
    // The replayed deliveries are those made from the server's answer on (its Date header, whole seconds; this
    // browser's clock only when the header is missing): no clock of the browser is compared with the server's.
    const served = Date.parse(res.headers.get('date') ?? '');
    const started = new Date((Number.isNaN(served) ? Date.now() : served) - 2000).toISOString();
    setReplay({ queued: r.queued, done: 0, truncated: r.truncated });
    for (let i = 0; i < MAX_POLLS && alive.current && r.queued > 0; i++) {
      await sleep(POLL_MS);
      const done = Math.min(r.queued, await replayProgress(id, started));
      setReplay({ queued: r.queued, done, truncated: r.truncated });
      if (done >= r.queued) break;
    }
    setLogKey((n) => n + 1);
  });
  const value = (e: Event) => (e.target as HTMLInputElement).value;

  if (!ep) return <>{error ? <ErrorBox error={error} /> : <Loading />}</>;
  return (
    <>
      <h1>{t('dataUser.endpoint.title', { url: ep.url })}</h1>
      <p><a href={href('/data-user/webhooks')}>{t('dataUser.endpoint.back')}</a></p>
      <dl class="facts">
        <dt>{t('dataUser.endpoint.id')}</dt><dd><code>{ep.id}</code></dd>
        <dt>{t('dataUser.webhooks.status')}</dt><dd>{t(`dataUser.webhooks.status.${ep.status}` as MessageKey)}{ep.disabledReason === 'failing' && ` (${t('dataUser.webhooks.failing')})`}</dd>
        <dt>{t('dataUser.endpoint.events')}</dt><dd>{ep.eventTypes.join(', ')}</dd>
        <dt>{t('dataUser.endpoint.failingSince')}</dt><dd>{formatDateTime(ep.failingSince)}</dd>
        <dt>{t('dataUser.endpoint.previousSecret')}</dt><dd>{formatDateTime(ep.previousSecretValidUntil)}</dd>
      </dl>
      <ErrorBox error={error} />
      {secret && <SecretOnce secret={secret} label={t('dataUser.webhooks.secret')} />}
      {admin && (
        <section aria-labelledby="endpoint-actions">
          <h2 id="endpoint-actions">{t('dataUser.endpoint.actions')}</h2>
          <p class="confirm">
            <button type="button" onClick={() => void sendTest()}>{t('dataUser.endpoint.test')}</button>
            {ep.status === 'active'
              ? <button type="button" class="secondary" onClick={() => void run(async () => show(await post('disable')))}>{t('dataUser.endpoint.disable')}</button>
              : <button type="button" class="secondary" onClick={() => void run(async () => show(await post('enable')))}>{t('dataUser.endpoint.enable')}</button>}
            <ConfirmButton label={t('dataUser.endpoint.rotate')} onConfirm={() => run(async () => { const r = await post('rotate-secret', {}); setSecret(r.secret); show(r); })} />
            <ConfirmButton label={t('dataUser.endpoint.delete')} onConfirm={() => run(async () => { await api('DELETE', path); route(href('/data-user/webhooks')); })} />
          </p>
          {test && (
            <div role="status" class="test-result">
              <p>{t('dataUser.endpoint.testResult', { status: t(`dataUser.log.status.${test.status}` as MessageKey) })}</p>
              {test.attemptLog.length === 0 ? <ProgressBar label={t('dataUser.endpoint.test')} /> : <ul>{test.attemptLog.map((a) => <AttemptText key={a.attempt} a={a} />)}</ul>}
            </div>
          )}
          <h3>{t('dataUser.endpoint.edit')}</h3>
          <form onSubmit={(e) => { e.preventDefault(); void run(async () => show(await api<Endpoint>('PATCH', path, { body: { url: edit.url, description: edit.description, filters: filtersOf(edit.types, edit.channels, edit.owners) } }))); }}>
            <Field label={t('dataUser.webhooks.url')} type="url" name="url" required maxLength={2000} value={edit.url} onInput={(e) => setEdit({ ...edit, url: value(e) })} />
            <Field label={t('dataUser.webhooks.description')} name="description" maxLength={500} value={edit.description} onInput={(e) => setEdit({ ...edit, description: value(e) })} />
            <Field label={t('dataUser.webhooks.types')} help={t('dataUser.webhooks.listHelp')} name="types" value={edit.types} onInput={(e) => setEdit({ ...edit, types: value(e) })} />
            <Field label={t('dataUser.webhooks.channels')} help={t('dataUser.webhooks.listHelp')} name="channels" value={edit.channels} onInput={(e) => setEdit({ ...edit, channels: value(e) })} />
            <Field label={t('dataUser.webhooks.owners')} help={t('dataUser.webhooks.listHelp')} name="owners" value={edit.owners} onInput={(e) => setEdit({ ...edit, owners: value(e) })} />
            <button type="submit">{t('common.save')}</button>
          </form>
          <h3>{t('dataUser.replay.title')}</h3>
          <p>{t('dataUser.replay.intro')}</p>
          <form onSubmit={(e) => { e.preventDefault(); void startReplay({ messageId: replayMessage.trim() }); }}>
            <Field label={t('dataUser.replay.messageId')} name="messageId" required maxLength={200} value={replayMessage} onInput={(e) => setReplayMessage(value(e))} />
            <button type="submit">{t('dataUser.replay.one')}</button>
          </form>
          <form onSubmit={(e) => { e.preventDefault(); void startReplay({ since: new Date(replaySince).toISOString() }); }}>
            <Field label={t('dataUser.replay.since')} type="datetime-local" name="since" required value={replaySince} onInput={(e) => setReplaySince(value(e))} />
            <button type="submit">{t('dataUser.replay.since.submit')}</button>
          </form>
          {replay && (
            <div role="status" class="replay-progress">
              <p>{t('dataUser.replay.progress', { done: replay.done, queued: replay.queued })}</p>
              <ProgressBar value={replay.done} max={Math.max(1, replay.queued)} label={t('dataUser.replay.title')} />
              {replay.truncated && <p class="warning">{t('dataUser.replay.truncated')}</p>}
            </div>
          )}
        </section>
      )}
      <section aria-labelledby="log-heading">
        <h2 id="log-heading">{t('dataUser.log.title')}</h2>
        <button type="button" class="secondary" onClick={() => setLogKey((n) => n + 1)}>{t('dataUser.log.refresh')}</button>
        <DeliveryLog endpointId={id} reloadKey={logKey} />
      </section>
    </>
  );
}
