import { useCallback, useState } from 'preact/hooks';
import { api, type Page } from '../../api/client.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorBox } from '../../components/error-box.js';
import { useT, type MessageKey } from '../../i18n/index.js';
import { href } from '../../routing.js';
import { useSession } from '../../session.js';
import { DirectGrantForm } from './direct-grant-form.js';
import { GrantScope, GrantValidity } from './grant-scope.js';
import { grantsPath, type Grant, type GrantState } from './grant-types.js';
import { OfferForm } from './offer-form.js';

/**
 * The owner's sharing page (GET/POST /api/v1/organisations/{id}/grants…, role=owner): incoming requests (approve,
 * decline, offer narrower terms), offers sent (take back), active grants with scope and validity (revoke, who read
 * what), and a direct grant. Members read; the server refuses steps of non-admins (ACCOUNT_FORBIDDEN) and steps a
 * grant's state does not allow (GRANT_STATE_CONFLICT), shown with ErrorBox.
 */
export function OwnerGrants() {
  const t = useT();
  const { current } = useSession();
  const org = current!.organisationId;
  const [error, setError] = useState<unknown>();
  const [status, setStatus] = useState<string | undefined>();
  const [reload, setReload] = useState(0);
  const [offering, setOffering] = useState<Grant | undefined>();
  const loader = (state: GrantState) => useCallback((cursor: string | undefined) =>
    api<Page<Grant>>('GET', grantsPath(org), { query: { role: 'owner', state, cursor, limit: 20 } }), [org]);
  const loadRequested = loader('requested');
  const loadOffered = loader('offered');
  const loadActive = loader('active');
  const consumer = (g: Grant) => g.consumerName ?? g.consumerBusinessId ?? g.consumerOrganisationId;

  const act = async (fn: () => Promise<Grant>): Promise<boolean> => {
    setError(undefined);
    setStatus(undefined);
    try {
      const g = await fn();
      setStatus(t('sharing.done', { state: t(`dataUser.state.${g.state}` as MessageKey) }));
      setOffering(undefined);
      setReload((n) => n + 1);
      return true;
    } catch (e) {
      setError(e);
      return false;
    }
  };
  const step = (g: Grant, name: string) => act(() => api<Grant>('POST', `${grantsPath(org)}/${encodeURIComponent(g.id)}/${name}`));
  const consumerCell = { header: t('sharing.consumer'), cell: (g: Grant) => consumer(g) };
  const scopeCell = { header: t('sharing.scope'), cell: (g: Grant) => <GrantScope terms={g.terms} /> };
  const purposeCell = { header: t('sharing.purpose'), cell: (g: Grant) => g.terms.purpose };
  const validCell = { header: t('sharing.validity'), cell: (g: Grant) => <GrantValidity terms={g.terms} /> };

  return (
    <>
      <h1>{t('sharing.title')}</h1>
      <p>{t('sharing.intro')}</p>
      <p role="status" class="ok">{status}</p>
      <ErrorBox error={error} />
      <section aria-labelledby="requests">
        <h2 id="requests">{t('sharing.requests')}</h2>
        <DataTable<Grant> caption={t('sharing.requests')} headingId="requests" load={loadRequested} reloadKey={reload} rowKey={(g) => g.id} emptyText={t('sharing.noRequests')}
          columns={[consumerCell, scopeCell, purposeCell, validCell, {
            header: t('sharing.actions'),
            cell: (g) => (
              <div class="confirm">
                <button type="button" onClick={() => void step(g, 'approve')}>{t('sharing.approve', { consumer: consumer(g) })}</button>
                <button type="button" class="secondary" onClick={() => setOffering(g)}>{t('sharing.offer', { consumer: consumer(g) })}</button>
                <ConfirmButton label={t('sharing.decline', { consumer: consumer(g) })} onConfirm={() => void step(g, 'decline')} />
              </div>
            ),
          }]} />
        {offering && <OfferForm grant={offering} onOffer={async (terms) => void await act(() => api<Grant>('POST', `${grantsPath(org)}/${encodeURIComponent(offering.id)}/offer`, { body: terms }))} />}
      </section>
      <section aria-labelledby="offers">
        <h2 id="offers">{t('sharing.offers')}</h2>
        <DataTable<Grant> caption={t('sharing.offers')} headingId="offers" load={loadOffered} reloadKey={reload} rowKey={(g) => g.id} emptyText={t('sharing.noOffers')}
          columns={[consumerCell, scopeCell, purposeCell, validCell, {
            header: t('sharing.actions'), cell: (g) => <ConfirmButton label={t('sharing.takeBack', { consumer: consumer(g) })} onConfirm={() => void step(g, 'revoke')} />,
          }]} />
      </section>
      <section aria-labelledby="active">
        <h2 id="active">{t('sharing.active')}</h2>
        <DataTable<Grant> caption={t('sharing.active')} headingId="active" load={loadActive} reloadKey={reload} rowKey={(g) => g.id} emptyText={t('sharing.noActive')}
          columns={[consumerCell, scopeCell, purposeCell, validCell, {
            header: t('sharing.actions'),
            cell: (g) => (
              <div class="confirm">
                <a href={`${href('/sharing/reads')}?grant=${encodeURIComponent(g.id)}`}>{t('sharing.whoRead', { grant: g.id })}</a>
                <ConfirmButton label={t('sharing.revoke', { consumer: consumer(g) })} onConfirm={() => void step(g, 'revoke')} />
              </div>
            ),
          }]} />
      </section>
      <DirectGrantForm onGrant={(body) => act(() => api<Grant>('POST', grantsPath(org), { body }))} />
    </>
  );
}
