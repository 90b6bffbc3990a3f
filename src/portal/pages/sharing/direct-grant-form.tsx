import { useState } from 'preact/hooks';
import { Field } from '../../components/field.js';
import { useT } from '../../i18n/index.js';
import { isoOf, listOf } from './grant-types.js';

/** The owner's direct grant (POST …/grants with consumerBusinessId and the terms): active at once. */
export function DirectGrantForm({ onGrant }: { onGrant: (body: Record<string, unknown>) => Promise<boolean> }) {
  const t = useT();
  const empty = { consumerBusinessId: '', channelIds: '', messageTypes: '', receivedFrom: '', receivedBefore: '', purpose: '', notOnOrAfter: '', subscribe: false };
  const [f, setF] = useState(empty);
  const input = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    const ok = await onGrant({
      consumerBusinessId: f.consumerBusinessId.trim(), channelIds: listOf(f.channelIds), messageTypes: listOf(f.messageTypes),
      receivedFrom: isoOf(f.receivedFrom) ?? null, receivedBefore: isoOf(f.receivedBefore) ?? null,
      actions: f.subscribe ? ['read', 'subscribe'] : ['read'], purpose: f.purpose, notOnOrAfter: isoOf(f.notOnOrAfter),
    });
    if (ok) setF(empty);
  };
  return (
    <section aria-labelledby="direct-grant">
      <h2 id="direct-grant">{t('sharing.direct')}</h2>
      <p class="help">{t('sharing.directHelp')}</p>
      <form onSubmit={submit}>
        <Field label={t('sharing.consumerBusinessId')} name="consumerBusinessId" required maxLength={32} value={f.consumerBusinessId} onInput={input('consumerBusinessId')} />
        <Field label={t('sharing.channelIds')} name="channelIds" value={f.channelIds} onInput={input('channelIds')} />
        <Field label={t('sharing.messageTypes')} name="messageTypes" value={f.messageTypes} onInput={input('messageTypes')} />
        <Field label={t('sharing.receivedFrom')} type="datetime-local" name="receivedFrom" value={f.receivedFrom} onInput={input('receivedFrom')} />
        <Field label={t('sharing.receivedBefore')} type="datetime-local" name="receivedBefore" value={f.receivedBefore} onInput={input('receivedBefore')} />
        <Field label={t('sharing.purpose')} name="purpose" required maxLength={500} value={f.purpose} onInput={input('purpose')} />
        <Field label={t('sharing.notOnOrAfter')} type="datetime-local" name="notOnOrAfter" required value={f.notOnOrAfter} onInput={input('notOnOrAfter')} />
        <div class="field">
          <label><input type="checkbox" name="subscribe" checked={f.subscribe} onChange={(e) => setF({ ...f, subscribe: (e.target as HTMLInputElement).checked })} /> {t('sharing.allowSubscribe')}</label>
        </div>
        <button type="submit">{t('sharing.grantSubmit')}</button>
      </form>
    </section>
  );
}
