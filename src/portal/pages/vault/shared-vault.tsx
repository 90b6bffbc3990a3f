import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { useT } from '../../i18n/index.js';
import type { SharedOwner } from './shared-owners.js';
import { VaultBrowser } from './vault-browser.js';
import { organisationHeader, sharedVault } from './vault-source.js';

/** An owner's data shared with the organisation (GET /vault/v1/shared/{owner}/messages, …/export): the same browser. */
export function SharedVault({ owner }: { owner: string }) {
  const t = useT();
  const [name, setName] = useState(owner);
  useEffect(() => {
    api<{ owners: SharedOwner[] }>('GET', '/vault/v1/shared', { headers: organisationHeader() })
      .then((r) => { const o = r.owners.find((x) => x.companyId === owner); if (o?.name) setName(o.name); }, () => undefined);
  }, [owner]);
  return (
    <>
      <h1>{t('vault.sharedTitle', { owner: name })}</h1>
      <p>{t('vault.sharedIntro')}</p>
      <VaultBrowser base={sharedVault(owner)} fileStem={`shared-${owner}`} />
    </>
  );
}
