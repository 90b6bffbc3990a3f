import { useCallback } from 'preact/hooks';
import { api, type Page } from '../../api/client.js';
import { DataTable } from '../../components/data-table.js';
import { formatDateTime, formatNumber, useT, type MessageKey } from '../../i18n/index.js';
import { orgPath, type Attempt, type Delivery } from './data-user-api.js';

/** The deliveries path of one endpoint. */
export const deliveriesPath = (endpointId: string): string => orgPath(`/webhook-endpoints/${encodeURIComponent(endpointId)}/deliveries`);

/** One attempt in words: number, time, HTTP status (or error), duration in ms, outcome, next retry. */
export function AttemptText({ a }: { a: Attempt }) {
  const t = useT();
  return (
    <li>
      {t('dataUser.log.attempt', {
        n: a.attempt, at: formatDateTime(a.at), code: a.statusCode ?? '–', ms: formatNumber(a.durationMs),
        outcome: t(`dataUser.log.status.${a.outcome}` as MessageKey),
      })}
      {a.error && <> — {a.error}</>}
      {a.nextAttemptAt && <> — {t('dataUser.log.nextRetry', { at: formatDateTime(a.nextAttemptAt) })}</>}
    </li>
  );
}

/**
 * The delivery log of an endpoint (GET …/webhook-endpoints/{id}/deliveries, newest first, paged): event, message,
 * origin (dispatch, replay, test), status, and every attempt. `reloadKey` reloads from the first page.
 */
export function DeliveryLog({ endpointId, reloadKey }: { endpointId: string; reloadKey: unknown }) {
  const t = useT();
  const load = useCallback((cursor: string | undefined) => api<Page<Delivery>>('GET', deliveriesPath(endpointId), { query: { cursor, limit: 20 } }), [endpointId]);
  return (
    <DataTable<Delivery>
      caption={t('dataUser.log.title')} load={load} reloadKey={reloadKey} rowKey={(d) => d.id} emptyText={t('dataUser.log.none')}
      columns={[
        { header: t('dataUser.log.created'), cell: (d) => formatDateTime(d.createdAt) },
        { header: t('dataUser.log.event'), cell: (d) => <>{d.eventType}{d.messageId && <><br /><code>{d.messageId}</code></>}</> },
        { header: t('dataUser.log.origin'), cell: (d) => t(`dataUser.log.origin.${d.origin}` as MessageKey) },
        { header: t('dataUser.log.status'), cell: (d) => <span data-status={d.status}>{t(`dataUser.log.status.${d.status}` as MessageKey)}</span> },
        {
          header: t('dataUser.log.attempts'),
          cell: (d) => (
            <>
              <ol class="attempts">{d.attemptLog.map((a) => <AttemptText key={a.attempt} a={a} />)}</ol>
              {d.status === 'pending' && d.nextAttemptAt && <p>{t('dataUser.log.nextRetry', { at: formatDateTime(d.nextAttemptAt) })}</p>}
            </>
          ),
        },
      ]}
    />
  );
}
