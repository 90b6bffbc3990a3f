import { useState } from 'preact/hooks';
import { api, type Page } from '../../api/client.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { ErrorBox } from '../../components/error-box.js';
import { Field } from '../../components/field.js';
import { SecretOnce } from '../../components/secret-once.js';
import { formatDateTime, useT } from '../../i18n/index.js';
import type { User } from '../../session.js';

/**
 * Finds a user by email (GET /api/v1/admin/users?email=) and recovers their account: a password-reset link
 * (POST /api/v1/admin/users/{id}/password-reset: mailed, or shown once here without SMTP) and a TOTP reset
 * (DELETE /api/v1/admin/users/{id}/totp, with a confirm step). Errors: NOT_FOUND, STATE_CONFLICT, MAIL_UNAVAILABLE.
 */
export function UserLookup() {
  const t = useT();
  const [email, setEmail] = useState('');
  const [found, setFound] = useState<User[] | undefined>();
  const [error, setError] = useState<unknown>();
  const [link, setLink] = useState<string | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const search = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setLink(undefined);
    setDone(undefined);
    try { setFound((await api<Page<User>>('GET', '/api/v1/admin/users', { query: { email, limit: 10 } })).items); } catch (err) { setError(err); }
  };
  const reset = async (u: User) => {
    setError(undefined);
    setLink(undefined);
    try {
      const r = await api<{ mailed: boolean; link?: string }>('POST', `/api/v1/admin/users/${encodeURIComponent(u.id)}/password-reset`);
      if (r.link) setLink(r.link);
      setDone(t(r.mailed ? 'operator.user.resetMailed' : 'operator.user.resetIssued', { email: u.email }));
    } catch (err) { setError(err); }
  };
  const resetTotp = async (u: User) => {
    setError(undefined);
    setLink(undefined);
    try {
      const updated = await api<User>('DELETE', `/api/v1/admin/users/${encodeURIComponent(u.id)}/totp`);
      setFound((list) => list?.map((x) => (x.id === updated.id ? updated : x)));
      setDone(t('operator.user.totpReset', { email: u.email }));
    } catch (err) { setError(err); }
  };
  return (
    <section aria-labelledby="user-lookup">
      <h2 id="user-lookup">{t('operator.user.title')}</h2>
      <form onSubmit={search}>
        <Field label={t('operator.user.email')} type="email" name="lookup-email" required value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
        <button type="submit">{t('operator.user.find')}</button>
      </form>
      <ErrorBox error={error} />
      <p role="status" class="status">{done ?? ''}</p>
      {link && <SecretOnce secret={link} label={t('operator.user.resetLink')} />}
      {found && found.length === 0 && <p>{t('operator.user.none')}</p>}
      {found && found.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption>{t('operator.user.found')}</caption>
            <thead><tr>
              <th scope="col">{t('operator.user.name')}</th><th scope="col">{t('operator.user.email')}</th>
              <th scope="col">{t('operator.user.status')}</th><th scope="col">{t('operator.user.totp')}</th>
              <th scope="col">{t('operator.reg.created')}</th><th scope="col">{t('operator.org.actions')}</th>
            </tr></thead>
            <tbody>
              {found.map((u) => (
                <tr key={u.id}>
                  <td>{u.displayName}</td><td>{u.email}</td><td>{u.status}</td>
                  <td>{t(u.totpEnrolled ? 'operator.user.totpOn' : 'operator.user.totpOff')}</td><td>{formatDateTime(u.createdAt)}</td>
                  <td class="actions">
                    <button type="button" class="secondary" onClick={() => void reset(u)}>{t('operator.user.reset', { email: u.email })}</button>{' '}
                    {u.totpEnrolled && <ConfirmButton label={t('operator.user.resetTotp', { email: u.email })} onConfirm={() => resetTotp(u)} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
