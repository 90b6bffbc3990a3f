import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { ErrorBox } from '../../components/error-box.js';
import { Field } from '../../components/field.js';
import { useT } from '../../i18n/index.js';
import { listOf, orgPath, type DirectoryItem, type Grant } from './data-user-api.js';

const inDays = (days: number): string => new Date(Date.now() + days * 86_400_000).toISOString();

/**
 * Request access to part of an owner company's vault: POST /api/v1/organisations/{current}/grants/requests with
 * `{ownerOrganisationId, channelIds, messageTypes, actions, purpose, notOnOrAfter}` (validity in days from now).
 * Errors (GRANT_SCOPE_INVALID, GRANT_VALIDITY_INVALID, …) are shown with their remedy; `onDone` gets the new grant.
 */
export function RequestAccessForm({ owner, onDone }: { owner: DirectoryItem; onDone: (g: Grant) => void }) {
  const t = useT();
  const [channels, setChannels] = useState('');
  const [types, setTypes] = useState('');
  const [subscribe, setSubscribe] = useState(true);
  const [purpose, setPurpose] = useState('');
  const [days, setDays] = useState('90');
  const [error, setError] = useState<unknown>();
  const value = (e: Event) => (e.target as HTMLInputElement).value;
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      const g = await api<Grant>('POST', orgPath('/grants/requests'), {
        body: {
          ownerOrganisationId: owner.organisationId, channelIds: listOf(channels), messageTypes: listOf(types),
          actions: subscribe ? ['read', 'subscribe'] : ['read'], purpose, notOnOrAfter: inDays(Number(days)),
        },
      });
      onDone(g);
    } catch (err) { setError(err); }
  };
  return (
    <section aria-labelledby="request-access">
      <h2 id="request-access">{t('dataUser.request.title', { name: owner.name })}</h2>
      <ErrorBox error={error} />
      <form onSubmit={submit}>
        <Field label={t('dataUser.request.types')} help={t('dataUser.request.typesHelp')} name="types" value={types} onInput={(e) => setTypes(value(e))} />
        <Field label={t('dataUser.request.channels')} help={t('dataUser.request.channelsHelp')} name="channels" value={channels} onInput={(e) => setChannels(value(e))} />
        <div class="field">
          <label class="inline"><input type="checkbox" name="subscribe" checked={subscribe} onChange={(e) => setSubscribe((e.target as HTMLInputElement).checked)} /> {t('dataUser.request.subscribe')}</label>
        </div>
        <Field label={t('dataUser.request.purpose')} name="purpose" required maxLength={500} value={purpose} onInput={(e) => setPurpose(value(e))} />
        <Field label={t('dataUser.request.days')} type="number" name="days" min={1} max={3650} required value={days} onInput={(e) => setDays(value(e))} />
        <button type="submit">{t('dataUser.request.submit')}</button>
      </form>
    </section>
  );
}
