import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, ApiError, setCsrfToken } from '../../api/client.js';
import { ErrorBox } from '../../components/error-box.js';
import { Field } from '../../components/field.js';
import { useT } from '../../i18n/index.js';
import { href } from '../../routing.js';
import { refreshSession } from '../../session.js';

/** Where to go after signing in: ?next= when it is a portal path, else the portal's home. */
function nextOf(search: string): string {
  const next = new URLSearchParams(search).get('next');
  return next && next.startsWith('/portal/') && !next.startsWith('//') ? next : href('/');
}

/**
 * Sign-in (POST /api/v1/session): email and password; when the server answers TOTP_REQUIRED (a confirmed
 * authenticator), a second step asks for the one-time code and sends all three again. Or through the OpenID Connect
 * provider of the email's domain (GET /api/v1/session/oidc?email=…, a top-level navigation: the callback sends the
 * browser back to /portal/ signed in).
 */
export function SignIn() {
  const t = useT();
  const { route } = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [oidcEmail, setOidcEmail] = useState('');
  const [needTotp, setNeedTotp] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const r = await api<{ csrfToken: string }>('POST', '/api/v1/session', { body: { email, password, ...(needTotp ? { totp } : {}) } });
      setCsrfToken(r.csrfToken);
      const me = await refreshSession();
      route(me?.totpEnrolmentRequired ? href('/account/profile') : nextOf(location.search));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'TOTP_REQUIRED' && !needTotp) {
        setNeedTotp(true);
        setTimeout(() => document.getElementById('totp-code')?.focus(), 0);
      } else if (err instanceof ApiError && err.code === 'SIGN_IN_FAILED') {
        // The catalogue's remedy names CLI commands; in the portal, what a person here can do.
        setError(new ApiError(err.status, err.code, err.title, err.detail, t('account.signIn.failedRemedy'), err.instance, err.body));
      } else {
        setError(err);
      }
    } finally {
      setBusy(false);
    }
  };
  const oidc = (e: Event) => {
    e.preventDefault();
    location.assign(`/api/v1/session/oidc?email=${encodeURIComponent(oidcEmail)}`);
  };

  return (
    <section class="narrow">
      <h1>{t('account.signIn.title')}</h1>
      <ErrorBox error={error} />
      <form onSubmit={submit} aria-describedby={needTotp ? 'totp-step' : undefined}>
        <Field label={t('account.email')} type="email" name="email" autoComplete="username" required value={email}
          onInput={(e) => setEmail((e.target as HTMLInputElement).value)} readOnly={needTotp} />
        <Field label={t('account.password')} type="password" name="password" autoComplete="current-password" required value={password}
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)} readOnly={needTotp} />
        {needTotp && (
          <>
            <p id="totp-step">{t('account.signIn.totpStep')}</p>
            <Field id="totp-code" label={t('account.totpCode')} name="totp" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6,8}" required
              value={totp} onInput={(e) => setTotp((e.target as HTMLInputElement).value)} />
          </>
        )}
        <button type="submit" disabled={busy}>{t('account.signIn.submit')}</button>
      </form>
      <h2>{t('account.signIn.oidcTitle')}</h2>
      <form onSubmit={oidc}>
        <Field label={t('account.email')} help={t('account.signIn.oidcHelp')} type="email" name="oidc-email" autoComplete="username" required value={oidcEmail}
          onInput={(e) => setOidcEmail((e.target as HTMLInputElement).value)} />
        <button type="submit" class="secondary">{t('account.signIn.oidcSubmit')}</button>
      </form>
      <p><a href={href('/register')}>{t('account.signIn.register')}</a></p>
    </section>
  );
}
