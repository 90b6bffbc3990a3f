import { Empty } from '../../components/empty.js';
import { useT } from '../../i18n/index.js';

/** Placeholder of the vendor pages: replaced by the engineer who builds them. */
export function VendorHome() {
  const t = useT();
  return (
    <>
      <h1>{t('vendor.home')}</h1>
      <Empty text={t('common.nothingYet')} />
    </>
  );
}
