import { useCallback, useState } from 'preact/hooks';
import { api, type Page } from '../../api/client.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorBox } from '../../components/error-box.js';
import { Field } from '../../components/field.js';
import { SecretOnce } from '../../components/secret-once.js';
import { formatDateTime, useT, type MessageKey } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { orgPath, type OAuthClient, type PartnerCredential } from './types.js';

/** A secret the server just returned: whose it is, the value (shown once), and until when the old one works. */
interface Shown { label: string; secret: string; previousValidUntil?: string }

/**
 * The vendor's partner credentials (…/partner-credentials) and OAuth clients (…/clients): create (the key or secret
 * shown once with a copy button), rotate with an overlap (the old secret works until previousValidUntil) and disable
 * after a confirm step. Members see the lists; admins act.
 */
export function VendorCredentials() {
  const t = useT();
  const { current } = useSession();
  const orgId = current!.organisationId;
  const isAdmin = current!.role === 'admin';
  const bothKinds = current!.organisation.companyId != null;
  const [shown, setShown] = useState<Shown | undefined>();
  const [error, setError] = useState<unknown>();
  const [overlap, setOverlap] = useState('24');
  const [clientName, setClientName] = useState('');
  const [reload, setReload] = useState(0);
  const loadPartners = useCallback((cursor: string | undefined) => api<Page<PartnerCredential>>('GET', orgPath(orgId, '/partner-credentials'), { query: { cursor, limit: 50 } }), [orgId]);
  const loadClients = useCallback(async (cursor: string | undefined) => {
    const page = await api<Page<OAuthClient>>('GET', orgPath(orgId, '/clients'), { query: { cursor, limit: 50 } });
    return { items: page.items.filter((c) => c.ownerKind === 'party'), nextCursor: page.nextCursor };
  }, [orgId]);

  const act = async (f: () => Promise<Shown | undefined>) => {
    setError(undefined);
    setShown(undefined);
    try {
      setShown(await f());
      setReload((n) => n + 1);
    } catch (err) { setError(err); }
  };
  const overlapHours = () => ({ overlapHours: Number(overlap) });

  const createPartner = () => act(async () => {
    const r = await api<PartnerCredential & { partnerKey: string }>('POST', orgPath(orgId, '/partner-credentials'));
    return { label: t('vendor.creds.partnerKeyOf', { id: r.partnerId }), secret: r.partnerKey };
  });
  const rotatePartner = (id: string) => act(async () => {
    const r = await api<PartnerCredential & { partnerKey: string; previousValidUntil: string }>('POST', orgPath(orgId, `/partner-credentials/${encodeURIComponent(id)}/rotate`), { body: overlapHours() });
    return { label: t('vendor.creds.partnerKeyOf', { id: r.partnerId }), secret: r.partnerKey, previousValidUntil: r.previousValidUntil };
  });
  const disablePartner = (id: string) => act(async () => {
    await api('POST', orgPath(orgId, `/partner-credentials/${encodeURIComponent(id)}/disable`));
    return undefined;
  });
  const createClient = (e: Event) => {
    e.preventDefault();
    return act(async () => {
      const r = await api<OAuthClient & { clientSecret: string }>('POST', orgPath(orgId, '/clients'), {
        body: { name: clientName.trim(), roles: ['ingest'], ...(bothKinds ? { owner: 'party' } : {}) },
      });
      setClientName('');
      return { label: t('vendor.creds.clientSecretOf', { id: r.clientId }), secret: r.clientSecret };
    });
  };
  const rotateClient = (id: string) => act(async () => {
    const r = await api<OAuthClient & { clientSecret: string; previousValidUntil: string }>('POST', orgPath(orgId, `/clients/${encodeURIComponent(id)}/rotate`), { body: overlapHours() });
    return { label: t('vendor.creds.clientSecretOf', { id: r.clientId }), secret: r.clientSecret, previousValidUntil: r.previousValidUntil };
  });
  const disableClient = (id: string) => act(async () => {
    await api('POST', orgPath(orgId, `/clients/${encodeURIComponent(id)}/disable`));
    return undefined;
  });

  const statusOf = (s: string) => t(`vendor.status.${s === 'active' ? 'active' : 'disabled'}` as MessageKey);
  const actions = (id: string, active: boolean, rotate: (id: string) => void, disable: (id: string) => void) => (isAdmin && active
    ? (
      <span class="confirm">
        <button type="button" class="secondary" aria-label={t('vendor.creds.rotate', { id })} onClick={() => rotate(id)}>{t('vendor.creds.rotateShort')}</button>
        <ConfirmButton label={t('vendor.creds.disable', { id })} onConfirm={() => disable(id)} />
      </span>
    )
    : '–');

  return (
    <>
      <h1>{t('vendor.creds.title')}</h1>
      <p>{t('vendor.creds.intro')}</p>
      <ErrorBox error={error} />
      {shown && (
        <>
          <SecretOnce secret={shown.secret} label={shown.label} />
          {shown.previousValidUntil && <p role="status">{t('vendor.creds.overlapUntil', { at: formatDateTime(shown.previousValidUntil) })}</p>}
        </>
      )}
      {isAdmin && (
        <div class="narrow">
        <Field label={t('vendor.creds.overlap')} help={t('vendor.creds.overlapHelp')} type="number" min={0} max={168} value={overlap}
          onInput={(e) => setOverlap((e.target as HTMLInputElement).value)} />
        </div>
      )}
      <h2 id="partners">{t('vendor.creds.partners')}</h2>
      {isAdmin && <button type="button" onClick={() => void createPartner()}>{t('vendor.creds.createPartner')}</button>}
      <DataTable<PartnerCredential>
        caption={t('vendor.creds.partners')} headingId="partners"
        load={loadPartners}
        reloadKey={reload}
        rowKey={(r) => r.partnerId}
        emptyText={t('vendor.creds.nonePartners')}
        columns={[
          { header: t('vendor.creds.partnerId'), cell: (r) => <code>{r.partnerId}</code> },
          { header: t('vendor.status'), cell: (r) => statusOf(r.status) },
          { header: t('vendor.created'), cell: (r) => formatDateTime(r.createdAt) },
          { header: t('vendor.actions'), cell: (r) => actions(r.partnerId, r.status === 'active', (id) => void rotatePartner(id), (id) => void disablePartner(id)) },
        ]}
      />
      <h2>{t('vendor.creds.clients')}</h2>
      {isAdmin && (
        <form onSubmit={createClient}>
          <Field label={t('vendor.creds.clientName')} help={t('vendor.creds.clientHelp')} name="clientName" required maxLength={200} value={clientName}
            onInput={(e) => setClientName((e.target as HTMLInputElement).value)} />
          <button type="submit">{t('vendor.creds.createClient')}</button>
        </form>
      )}
      <DataTable<OAuthClient>
        caption={t('vendor.creds.clients')}
        load={loadClients}
        reloadKey={reload}
        rowKey={(r) => r.clientId}
        emptyText={t('vendor.creds.noneClients')}
        columns={[
          { header: t('vendor.creds.clientName'), cell: (r) => r.name ?? '–' },
          { header: t('vendor.creds.clientId'), cell: (r) => <code>{r.clientId}</code> },
          { header: t('vendor.creds.roles'), cell: (r) => r.roles.join(', ') },
          { header: t('vendor.status'), cell: (r) => statusOf(r.status) },
          { header: t('vendor.actions'), cell: (r) => (r.authMethod === 'client_secret' ? actions(r.clientId, r.status === 'active', (id) => void rotateClient(id), (id) => void disableClient(id)) : '–') },
        ]}
      />
    </>
  );
}
