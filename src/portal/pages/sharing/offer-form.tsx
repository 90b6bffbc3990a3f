import { useState } from 'preact/hooks';
import { Field } from '../../components/field.js';
import { useT } from '../../i18n/index.js';
import { isoOf, listOf, type Grant } from './grant-types.js';

/**
 * Narrower terms for a request (POST …/grants/{id}/offer): fields left empty stay as requested; the server refuses
 * terms wider than the request with GRANT_SCOPE_WIDENED.
 */
export function OfferForm({ grant, onOffer }: { grant: Grant; onOffer: (terms: Record<string, unknown>) => Promise<void> }) {
  const t = useT();
  const [f, setF] = useState({ channelIds: '', messageTypes: '', receivedFrom: '', receivedBefore: '', notOnOrAfter: '' });
  const input = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  const consumer = grant.consumerName ?? grant.consumerOrganisationId;
  const submit = async (e: Event) => {
    e.preventDefault();
    const terms: Record<string, unknown> = {};
    if (listOf(f.channelIds)) terms.channelIds = listOf(f.channelIds);
    if (listOf(f.messageTypes)) terms.messageTypes = listOf(f.messageTypes);
    if (f.receivedFrom) terms.receivedFrom = isoOf(f.receivedFrom);
    if (f.receivedBefore) terms.receivedBefore = isoOf(f.receivedBefore);
    if (f.notOnOrAfter) terms.notOnOrAfter = isoOf(f.notOnOrAfter);
    await onOffer(terms);
  };
  return (
    <form onSubmit={submit} aria-labelledby={`offer-${grant.id}`}>
      <h3 id={`offer-${grant.id}`}>{t('sharing.offerTitle', { consumer })}</h3>
      <p class="help">{t('sharing.offerHelp')}</p>
      <Field label={t('sharing.channelIds')} name="channelIds" value={f.channelIds} onInput={input('channelIds')} />
      <Field label={t('sharing.messageTypes')} name="messageTypes" value={f.messageTypes} onInput={input('messageTypes')} />
      <Field label={t('sharing.receivedFrom')} type="datetime-local" name="receivedFrom" value={f.receivedFrom} onInput={input('receivedFrom')} />
      <Field label={t('sharing.receivedBefore')} type="datetime-local" name="receivedBefore" value={f.receivedBefore} onInput={input('receivedBefore')} />
      <Field label={t('sharing.notOnOrAfter')} type="datetime-local" name="notOnOrAfter" value={f.notOnOrAfter} onInput={input('notOnOrAfter')} />
      <button type="submit">{t('sharing.offerSubmit')}</button>
    </form>
  );
}
