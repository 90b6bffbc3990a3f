import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { Empty, Loading } from '../../components/empty.js';
import { ErrorBox } from '../../components/error-box.js';
import { formatDateTime, useT } from '../../i18n/index.js';
import { href } from '../../routing.js';
import { organisationHeader } from './vault-source.js';

/** An owner whose vault the organisation may read now, with the read scopes of its active grants (GET /vault/v1/shared). */
export interface SharedOwner {
  companyId: string; name: string | null; businessId: string | null;
  grants: { grantId: string; channelIds: string[] | null; messageTypes: string[] | null; receivedFrom: string | null; receivedBefore: string | null }[];
}

/** The owners sharing data with the current organisation; each opens the vault browser over its data. */
export function SharedOwners() {
  const t = useT();
  const [owners, setOwners] = useState<SharedOwner[] | undefined>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    api<{ owners: SharedOwner[] }>('GET', '/vault/v1/shared', { headers: organisationHeader() }).then((r) => setOwners(r.owners), setError);
  }, []);
  return (
    <>
      <h1>{t('vault.sharedList')}</h1>
      <p>{t('vault.sharedListIntro')}</p>
      <ErrorBox error={error} />
      {!error && !owners && <Loading />}
      {owners && owners.length === 0 && <Empty text={t('vault.sharedNone')} />}
      {owners && owners.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption>{t('vault.sharedList')}</caption>
            <thead><tr><th scope="col">{t('vault.owner')}</th><th scope="col">{t('vault.businessId')}</th><th scope="col">{t('vault.grants')}</th></tr></thead>
            <tbody>
              {owners.map((o) => (
                <tr key={o.companyId}>
                  <td><a href={href(`/shared/${encodeURIComponent(o.companyId)}`)} aria-label={t('vault.open', { owner: o.name ?? o.companyId })}>{o.name ?? o.companyId}</a></td>
                  <td>{o.businessId ?? '–'}</td>
                  <td>
                    <ul>
                      {o.grants.map((g) => (
                        <li key={g.grantId}>
                          <code>{g.grantId}</code>: {[...(g.channelIds ?? []), ...(g.messageTypes ?? [])].join(', ') || '–'}
                          {(g.receivedFrom || g.receivedBefore) && ` (${formatDateTime(g.receivedFrom)} – ${formatDateTime(g.receivedBefore)})`}
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
