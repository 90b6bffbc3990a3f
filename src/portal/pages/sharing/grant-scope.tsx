import { formatDateTime, useT, type MessageKey } from '../../i18n/index.js';
import type { GrantTerms } from './grant-types.js';

/** The scope of grant terms, readable: channels, types, the received window, the actions. */
export function GrantScope({ terms }: { terms: GrantTerms }) {
  const t = useT();
  return (
    <ul class="grant-scope">
      <li>{terms.channelIds?.length ? t('sharing.channels', { list: terms.channelIds.join(', ') }) : t('sharing.anyChannel')}</li>
      <li>{terms.messageTypes?.length ? t('sharing.types', { list: terms.messageTypes.join(', ') }) : t('sharing.anyType')}</li>
      {(terms.receivedFrom || terms.receivedBefore) && <li>{t('sharing.receivedWindow', { from: formatDateTime(terms.receivedFrom), before: formatDateTime(terms.receivedBefore) })}</li>}
      <li>{terms.actions.map((a) => t(`sharing.action.${a}` as MessageKey)).join(', ')}</li>
    </ul>
  );
}

/** The validity of grant terms: from – until. */
export function GrantValidity({ terms }: { terms: GrantTerms }) {
  const t = useT();
  return <>{t('sharing.validFromTo', { from: formatDateTime(terms.notBefore), to: formatDateTime(terms.notOnOrAfter) })}</>;
}
