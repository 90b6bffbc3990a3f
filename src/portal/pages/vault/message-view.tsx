import { useEffect, useRef, useState } from 'preact/hooks';
import { apiRaw } from '../../api/client.js';
import { Loading } from '../../components/empty.js';
import { ErrorBox } from '../../components/error-box.js';
import { formatDateTime, formatNumber, useT } from '../../i18n/index.js';
import { organisationHeader, type MessageMeta, type VaultBase } from './vault-source.js';

/** The preview module (highlight.js, papaparse and the theme): loaded on the first open message, not with the list. */
type PreviewModule = typeof import('./message-preview.js');
let previewModule: Promise<PreviewModule> | undefined;
const loadPreview = (): Promise<PreviewModule> => (previewModule ??= import('./message-preview.js'));

interface Loaded { Preview: PreviewModule['MessagePreview']; bytes: Uint8Array; contentType: string; digest: string | null; grantId: string | null; url: string }

const EXTENSIONS: Record<string, string> = {
  'application/json': 'json', 'application/xml': 'xml', 'text/xml': 'xml', 'text/csv': 'csv', 'text/plain': 'txt',
  'application/pdf': 'pdf', 'application/octet-stream': 'bin', 'application/x-ndjson': 'ndjson', 'application/zip': 'zip',
};

/** A file name for a message's download: `<messageType>-<messageId>.<extension of its media type>`. */
export function downloadName(meta: Pick<MessageMeta, 'messageId' | 'messageType'>, contentType: string): string {
  const m = contentType.split(';')[0]!.trim().toLowerCase();
  const ext = EXTENSIONS[m] ?? (m.endsWith('+json') ? 'json' : m.endsWith('+xml') ? 'xml' : m.startsWith('text/') ? 'txt' : 'bin');
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_');
  return `${safe(meta.messageType)}-${safe(meta.messageId)}.${ext}`;
}

/**
 * One message (GET {base}/messages/{messageId}): its metadata, a preview of the body, and a download of the original
 * bytes with the Content-Type the API answered (a Blob URL, revoked when the view closes). `partyName`: the sending
 * party's name when the page knows it (the own vault), shown with its id.
 */
export function MessageView({ base, meta, partyName, onClose }: { base: VaultBase; meta: MessageMeta; partyName?: string | undefined; onClose: () => void }) {
  const t = useT();
  const [loaded, setLoaded] = useState<Loaded | undefined>();
  const [error, setError] = useState<unknown>();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    const abort = new AbortController();
    let url: string | undefined;
    setLoaded(undefined);
    setError(undefined);
    heading.current?.focus();
    (async () => {
      const res = await apiRaw('GET', `${base}/messages/${encodeURIComponent(meta.messageId)}`, { headers: { ...organisationHeader(), accept: '*/*' }, signal: abort.signal });
      const contentType = res.headers.get('content-type') ?? meta.contentType ?? meta.mediaType;
      const [bytes, { MessagePreview: Preview }] = await Promise.all([res.arrayBuffer().then((b) => new Uint8Array(b)), loadPreview()]);
      url = URL.createObjectURL(new Blob([bytes], { type: contentType }));
      setLoaded({ Preview, bytes, contentType, digest: res.headers.get('repr-digest'), grantId: res.headers.get('x-grant-id'), url });
    })().catch((e: unknown) => { if ((e as Error).name !== 'AbortError') setError(e); });
    return () => {
      abort.abort();
      if (url) URL.revokeObjectURL(url);
    };
  }, [base, meta.messageId]);

  return (
    <section class="vault-message" aria-labelledby="vault-message-heading">
      <h2 id="vault-message-heading" tabIndex={-1} ref={heading}>{t('vault.message', { id: meta.messageId })}</h2>
      <h3>{t('vault.metadata')}</h3>
      <dl class="facts">
        <dt>{t('vault.messageId')}</dt><dd><code>{meta.messageId}</code></dd>
        <dt>{t('vault.channel')}</dt><dd><code>{meta.channelId}</code></dd>
        <dt>{t('vault.messageType')}</dt><dd>{meta.messageType}</dd>
        <dt>{t('vault.mediaType')}</dt><dd>{meta.contentType ?? meta.mediaType}</dd>
        <dt>{t('vault.size')}</dt><dd>{formatNumber(meta.size)}</dd>
        <dt>{t('vault.received')}</dt><dd><time dateTime={meta.receivedAt}>{formatDateTime(meta.receivedAt)}</time></dd>
        <dt>{t('vault.party')}</dt><dd>{partyName ? <>{partyName} (<code>{meta.partyId}</code>)</> : <code>{meta.partyId}</code>}</dd>
        <dt>{t('vault.transactionId')}</dt><dd>{meta.transactionId ?? '–'}</dd>
        <dt>{t('vault.digest')}</dt><dd class="vault-digest"><code>{meta.sha256}</code></dd>
        {loaded?.grantId && <><dt>{t('vault.grantId')}</dt><dd><code>{loaded.grantId}</code></dd></>}
      </dl>
      <ErrorBox error={error} />
      {!error && !loaded && <Loading />}
      {loaded && (
        <>
          <p><a href={loaded.url} download={downloadName(meta, loaded.contentType)}>{t('vault.download')}</a></p>
          <h3>{t('vault.preview')}</h3>
          <loaded.Preview bytes={loaded.bytes} mediaType={loaded.contentType} messageId={meta.messageId} />
        </>
      )}
      <p><button type="button" class="secondary" onClick={onClose}>{t('vault.close')}</button></p>
    </section>
  );
}
