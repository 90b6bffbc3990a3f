import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { ErrorBox } from '../../components/error-box.js';
import { Field } from '../../components/field.js';
import { useT } from '../../i18n/index.js';
import { href } from '../../routing.js';

/** A password-reset link (POST /api/v1/password-reset/{token}): set a new password once; every session ends. */
export function PasswordReset({ token }: { token?: string }) {
  const t = useT();
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>();
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api('POST', `/api/v1/password-reset/${encodeURIComponent(token ?? '')}`, { body: { password } });
      setDone(true);
    } catch (err) { setError(err); }
  };
  return (
    <section class="narrow">
      <h1>{t('account.reset.title')}</h1>
      <ErrorBox error={error} />
      {done ? <p role="status">{t('account.reset.done')} <a href={href('/sign-in')}>{t('account.signIn.title')}</a></p> : (
        <form onSubmit={submit}>
          <Field label={t('account.reset.newPassword')} help={t('account.passwordHelp')} type="password" required autoComplete="new-password" value={password}
            onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
          <button type="submit">{t('account.reset.submit')}</button>
        </form>
      )}
    </section>
  );
}
