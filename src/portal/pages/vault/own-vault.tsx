import { useT } from '../../i18n/index.js';
import { VaultBrowser } from './vault-browser.js';
import { OWN_VAULT } from './vault-source.js';

/** The organisation's own vault (GET /vault/v1/messages, …/messages/{id}, /vault/v1/export), for any member of a company. */
export function OwnVault() {
  const t = useT();
  return (
    <>
      <h1>{t('vault.title')}</h1>
      <p>{t('vault.intro')}</p>
      <VaultBrowser base={OWN_VAULT} fileStem="vault-export" />
    </>
  );
}
