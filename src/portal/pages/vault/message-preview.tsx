import hljs from 'highlight.js/lib/core';
import json from 'highlight.js/lib/languages/json';
import xml from 'highlight.js/lib/languages/xml';
import 'highlight.js/styles/github.css';
import Papa from 'papaparse';
import { formatNumber, useT } from '../../i18n/index.js';

// Only the two languages the vault shows (issue 16: keep the bundle small). highlight.js emits class names, no styles.
hljs.registerLanguage('json', json);
hljs.registerLanguage('xml', xml);

/** Bytes of a body shown in a preview at most; the rest is left to the download. */
export const PREVIEW_BYTES = 256 * 1024;
/** Rows of a CSV shown as a table at most. */
export const PREVIEW_ROWS = 200;

export type PreviewKind = 'json' | 'xml' | 'csv' | 'text' | 'binary';

/** How a media type previews: JSON and XML highlighted, CSV as a table, other text as text, the rest not at all. */
export function previewKind(mediaType: string): PreviewKind {
  const m = mediaType.split(';')[0]!.trim().toLowerCase();
  if (m === 'application/json' || m.endsWith('+json')) return 'json';
  if (m === 'application/xml' || m === 'text/xml' || m.endsWith('+xml')) return 'xml';
  if (m === 'text/csv') return 'csv';
  if (m.startsWith('text/') || m === 'application/x-ndjson') return 'text';
  return 'binary';
}

/** The UTF-8 text of the first PREVIEW_BYTES of a body (a cut character at the end is dropped), or undefined if not UTF-8. */
function textOf(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, PREVIEW_BYTES), { stream: bytes.length > PREVIEW_BYTES });
  } catch {
    return undefined;
  }
}

/** Pretty-prints JSON that parses whole; a truncated or invalid body is shown as it is. */
function prettyJson(text: string, whole: boolean): string {
  if (!whole) return text;
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; }
}

/**
 * A readable preview of a message body: JSON/XML highlighted by highlight.js (escaped HTML with class names), CSV as a
 * table with headers (papaparse), text as text, a note when the body is longer than the preview, and nothing but a note
 * for binary bodies.
 */
export function MessagePreview({ bytes, mediaType, messageId }: { bytes: Uint8Array; mediaType: string; messageId: string }) {
  const t = useT();
  const kind = previewKind(mediaType);
  const text = kind === 'binary' ? undefined : textOf(bytes);
  if (text === undefined) return <p class="warning">{t('vault.noPreview', { type: mediaType })}</p>;
  const whole = bytes.length <= PREVIEW_BYTES;
  const note = whole ? null : <p class="warning" role="note">{t('vault.truncated', { shown: formatNumber(PREVIEW_BYTES), total: formatNumber(bytes.length) })}</p>;
  if (kind === 'csv') {
    const rows = Papa.parse<string[]>(text, { skipEmptyLines: true }).data;
    const [head, ...body] = rows;
    const shown = body.slice(0, PREVIEW_ROWS);
    return (
      <>
        {note}
        {body.length > PREVIEW_ROWS && <p class="help">{t('vault.csvRows', { rows: PREVIEW_ROWS })}</p>}
        <div class="table-wrap">
          <table class="vault-csv">
            <caption>{t('vault.csvTable', { id: messageId })}</caption>
            <thead><tr>{(head ?? []).map((h, i) => <th scope="col" key={i}>{h}</th>)}</tr></thead>
            <tbody>{shown.map((r, i) => <tr key={i}>{r.map((c, j) => <td key={j}>{c}</td>)}</tr>)}</tbody>
          </table>
        </div>
      </>
    );
  }
  if (kind === 'json' || kind === 'xml') {
    const html = hljs.highlight(kind === 'json' ? prettyJson(text, whole) : text, { language: kind, ignoreIllegals: true }).value;
    return (
      <>
        {note}
        <pre class="vault-preview" tabIndex={0} aria-label={t('vault.preview')}><code class={`hljs language-${kind}`} dangerouslySetInnerHTML={{ __html: html }} /></pre>
      </>
    );
  }
  return (
    <>
      {note}
      <pre class="vault-preview" tabIndex={0} aria-label={t('vault.preview')}>{text}</pre>
    </>
  );
}
