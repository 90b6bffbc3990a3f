import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, type Page } from '../../api/client.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { DataTable } from '../../components/data-table.js';
import { ContentDigestToggle } from '../../components/content-digest-toggle.js';
import { ErrorBox } from '../../components/error-box.js';
import { formatDateTime, useT } from '../../i18n/index.js';
import { ApproveForm } from './approve-form.js';
import { typesText, useCompany, type MessageType } from './org.js';

interface Channel { id: string; url: string; environment: string; partyId: string; messageTypes: MessageType[]; status: string; createdAt: string; disabledAt: string | null }
export interface ChannelRequest {
  id: string; vendorName: string; partyId: string; companyId: string; messageTypes: MessageType[]; grantedMessageTypes: MessageType[] | null;
  status: 'pending' | 'approved' | 'declined'; requestedByEmail: string | null; createdAt: string; decidedAt: string | null; channelId: string | null;
}

const STATUS_KEY = { pending: 'company.requests.statusPending', approved: 'company.requests.statusApproved', declined: 'company.requests.statusDeclined' } as const;

/**
 * Channels and channel requests of the company: GET …/channel-requests (pending first: approve with the agreed
 * message types — a narrowing of the requested ones — or decline; then every request with its status), GET …/channels (disable with a confirm step;
 * the Postman collection of a channel, GET …/channels/{id}/postman, as a download; the vendor named from the channel
 * requests, else its party id). Admins act; others read.
 */
export function CompanyChannels() {
  const t = useT();
  const { base, isAdmin } = useCompany();
  const [reload, setReload] = useState(0);
  const [error, setError] = useState<unknown>();
  const [status, setStatus] = useState('');
  const [approving, setApproving] = useState<ChannelRequest | undefined>();
  const loadPending = useCallback((cursor: string | undefined) => api<Page<ChannelRequest>>('GET', `${base}/channel-requests`, { query: { cursor, limit: 50, status: 'pending' } }), [base]);
  const loadAll = useCallback((cursor: string | undefined) => api<Page<ChannelRequest>>('GET', `${base}/channel-requests`, { query: { cursor, limit: 50 } }), [base]);
  // The vendors' names by party id, from the channel requests (a channel carries only the party id).
  const [vendorNames, setVendorNames] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    let live = true;
    (async () => {
      const names = new Map<string, string>();
      let cursor: string | undefined;
      for (let i = 0; i < 20; i++) {
        const page = await api<Page<ChannelRequest>>('GET', `${base}/channel-requests`, { query: { cursor, limit: 1000 } });
        for (const r of page.items) names.set(r.partyId, r.vendorName);
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      if (live) setVendorNames(names);
    })().catch(() => { /* the ids stay */ });
    return () => { live = false; };
  }, [base, reload]);
  const loadChannels = useCallback((cursor: string | undefined) => api<Page<Channel>>('GET', `${base}/channels`, { query: { cursor, limit: 50 } }), [base]);

  const act = async (f: () => Promise<unknown>, done: string) => {
    setError(undefined);
    setStatus('');
    try {
      await f();
      setStatus(done);
      setReload((n) => n + 1);
    } catch (e) { setError(e); }
  };
  const download = async (c: Channel) => {
    setError(undefined);
    try {
      const r = await api<unknown>('GET', `${base}/channels/${encodeURIComponent(c.id)}/postman`);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([JSON.stringify(r, null, 2)], { type: 'application/json' }));
      a.download = `vaultgate-${c.id}-postman.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (e) { setError(e); }
  };

  return (
    <>
      <h1>{t('company.channels.title')}</h1>
      <ErrorBox error={error} />
      <p role="status" class="ok">{status}</p>
      <section aria-labelledby="pending">
        <h2 id="pending">{t('company.requests.pending')}</h2>
        {approving && (
          <ApproveForm
            request={approving}
            onCancel={() => setApproving(undefined)}
            onApprove={(types) => act(async () => {
              await api('POST', `${base}/channel-requests/${encodeURIComponent(approving.id)}/approve`, { body: { messageTypes: types } });
              setApproving(undefined);
            }, t('company.requests.approved', { vendor: approving.vendorName }))}
          />
        )}
        <DataTable<ChannelRequest>
          caption={t('company.requests.pending')} load={loadPending} reloadKey={reload} rowKey={(r) => r.id} emptyText={t('company.requests.none')}
          columns={[
            { header: t('company.requests.vendor'), cell: (r) => r.vendorName },
            { header: t('company.requests.types'), cell: (r) => typesText(r.messageTypes) },
            { header: t('company.requests.by'), cell: (r) => r.requestedByEmail ?? '–' },
            { header: t('company.created'), cell: (r) => formatDateTime(r.createdAt) },
            ...(isAdmin ? [{
              header: t('company.actions'),
              cell: (r: ChannelRequest) => (
                <span class="row-actions">
                  <button type="button" onClick={() => setApproving(r)}>{t('company.requests.approve', { vendor: r.vendorName })}</button>
                  <ConfirmButton label={t('company.requests.decline', { vendor: r.vendorName })}
                    onConfirm={() => act(() => api('POST', `${base}/channel-requests/${encodeURIComponent(r.id)}/decline`), t('company.requests.declined', { vendor: r.vendorName }))} />
                </span>
              ),
            }] : []),
          ]}
        />
      </section>
      <section aria-labelledby="channels">
        <h2 id="channels">{t('company.channels.list')}</h2>
        <DataTable<Channel>
          caption={t('company.channels.list')} headingId="channels" load={loadChannels} reloadKey={reload} rowKey={(c) => c.id} emptyText={t('company.channels.none')}
          columns={[
            { header: t('company.channel'), cell: (c) => <><code>{c.id}</code><br /><span class="help channel-url">{c.url}</span></> },
            { header: t('company.channels.vendor'), cell: (c) => vendorNames.get(c.partyId) ?? c.partyId },
            { header: t('company.requests.types'), cell: (c) => typesText(c.messageTypes) },
            { header: t('company.status'), cell: (c) => (c.disabledAt ? t('company.disabledAt', { at: formatDateTime(c.disabledAt) }) : t('company.active')) },
            {
              header: t('company.channels.integrity'),
              cell: (c) => (
                <ContentDigestToggle path={`${base}/channels/${encodeURIComponent(c.id)}/integrity`} canEdit={isAdmin && !c.disabledAt}
                  text={t('company.channels.requireDigest')} label={t('company.channels.requireDigestOf', { id: c.id })}
                  onDone={(on) => { setError(undefined); setStatus(t(on ? 'company.channels.digestRequired' : 'company.channels.digestOptional', { id: c.id })); }} onError={setError} />
              ),
            },
            {
              header: t('company.actions'),
              cell: (c) => (
                <span class="row-actions">
                  <button type="button" class="secondary" onClick={() => void download(c)}>{t('company.channels.postman', { id: c.id })}</button>
                  {isAdmin && !c.disabledAt && (
                    <ConfirmButton label={t('company.channels.disable', { id: c.id })}
                      onConfirm={() => act(() => api('POST', `${base}/channels/${encodeURIComponent(c.id)}/disable`), t('company.channels.disabled', { id: c.id }))} />
                  )}
                </span>
              ),
            },
          ]}
        />
      </section>
      <section aria-labelledby="all-requests">
        <h2 id="all-requests">{t('company.requests.all')}</h2>
        <DataTable<ChannelRequest>
          caption={t('company.requests.all')} headingId="all-requests" load={loadAll} reloadKey={reload} rowKey={(r) => r.id} emptyText={t('company.requests.none')}
          columns={[
            { header: t('company.requests.vendor'), cell: (r) => r.vendorName },
            { header: t('company.status'), cell: (r) => t(STATUS_KEY[r.status]) },
            { header: t('company.requests.types'), cell: (r) => typesText(r.messageTypes) },
            { header: t('company.requests.granted'), cell: (r) => typesText(r.grantedMessageTypes) || '–' },
            { header: t('company.requests.decidedAt'), cell: (r) => formatDateTime(r.decidedAt) },
          ]}
        />
      </section>
    </>
  );
}
