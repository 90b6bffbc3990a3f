import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { ErrorBox } from '../../components/error-box.js';
import { Field } from '../../components/field.js';
import { language, useT } from '../../i18n/index.js';
import { href } from '../../routing.js';

type Kind = 'company' | 'party' | 'both';

/** Registration of an organisation and its admin user (POST /api/v1/registrations); an operator approves it. */
export function Register() {
  const t = useT();
  const [f, setF] = useState({ kind: 'company' as Kind, organisationName: '', businessId: '', email: '', displayName: '', password: '' });
  const [result, setResult] = useState<{ status: string } | undefined>();
  const [error, setError] = useState<unknown>();
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      const { businessId, ...rest } = f;
      setResult(await api('POST', '/api/v1/registrations', { body: { ...rest, ...(f.kind === 'party' ? {} : { businessId }), language: language() } }));
    } catch (err) { setError(err); }
  };
  if (result) {
    return (
      <section class="narrow">
        <h1>{t('account.register.title')}</h1>
        <p role="status">{result.status === 'approved' ? t('account.register.approved') : t('account.register.pending')}</p>
        <p><a href={href('/sign-in')}>{t('account.signIn.title')}</a></p>
      </section>
    );
  }
  return (
    <section class="narrow">
      <h1>{t('account.register.title')}</h1>
      <ErrorBox error={error} />
      <form onSubmit={submit}>
        <Field label={t('account.register.kind')}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={f.kind} onChange={set('kind')}>
              <option value="company">{t('account.register.kindCompany')}</option>
              <option value="party">{t('account.register.kindParty')}</option>
              <option value="both">{t('account.register.kindBoth')}</option>
            </select>
          )}
        </Field>
        <Field label={t('account.register.organisationName')} required maxLength={200} value={f.organisationName} onInput={set('organisationName')} />
        {f.kind !== 'party' && <Field label={t('account.register.businessId')} help={t('account.register.businessIdHelp')} required value={f.businessId} onInput={set('businessId')} />}
        <Field label={t('account.displayName')} required autoComplete="name" value={f.displayName} onInput={set('displayName')} />
        <Field label={t('account.email')} type="email" required autoComplete="email" value={f.email} onInput={set('email')} />
        <Field label={t('account.password')} help={t('account.passwordHelp')} type="password" required autoComplete="new-password" value={f.password} onInput={set('password')} />
        <button type="submit">{t('account.register.submit')}</button>
      </form>
    </section>
  );
}
