import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { ErrorBox } from '../../components/error-box.js';
import { Loading } from '../../components/empty.js';
import { Field } from '../../components/field.js';
import { language, useT, type MessageKey } from '../../i18n/index.js';
import { href } from '../../routing.js';
import { refreshSession, useSession } from '../../session.js';

interface Described { invitation: { email: string; role: string }; organisationName: string; existingUser: boolean }

/**
 * An invitation link (GET /api/v1/invitations/{token}, POST …/accept): a new user gives a name and password; an
 * existing user signs in first, then accepts.
 */
export function Invitation({ token }: { token?: string }) {
  const t = useT();
  const { me } = useSession();
  const [d, setD] = useState<Described | undefined>();
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [accepted, setAccepted] = useState(false);
  const [error, setError] = useState<unknown>();
  const path = `/api/v1/invitations/${encodeURIComponent(token ?? '')}`;
  useEffect(() => void api<Described>('GET', path).then(setD, setError), [token]);
  const accept = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api('POST', `${path}/accept`, { body: me ? {} : { displayName, password, language: language() } });
      setAccepted(true);
      if (me) await refreshSession();
    } catch (err) { setError(err); }
  };
  return (
    <section class="narrow">
      <h1>{t('account.invitation.title')}</h1>
      <ErrorBox error={error} />
      {!d && !error && <Loading />}
      {d && accepted && <p role="status">{t('account.invitation.accepted', { organisation: d.organisationName })}</p>}
      {d && accepted && <p><a href={href(me ? '/' : '/sign-in')}>{t(me ? 'account.invitation.continue' : 'account.signIn.title')}</a></p>}
      {d && !accepted && (
        <form onSubmit={accept}>
          <p>{t('account.invitation.to', { organisation: d.organisationName, role: t(`account.role.${d.invitation.role}` as MessageKey), email: d.invitation.email })}</p>
          {!me && d.existingUser && <p><a href={`${href('/sign-in')}?next=${encodeURIComponent(location.pathname)}`}>{t('account.invitation.signInFirst')}</a></p>}
          {!me && !d.existingUser && (
            <>
              <Field label={t('account.displayName')} required autoComplete="name" value={displayName} onInput={(e) => setDisplayName((e.target as HTMLInputElement).value)} />
              <Field label={t('account.password')} help={t('account.passwordHelp')} type="password" required autoComplete="new-password" value={password}
                onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
            </>
          )}
          {(me || !d.existingUser) && <button type="submit">{t('account.invitation.accept')}</button>}
        </form>
      )}
    </section>
  );
}
