import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { ConfirmButton } from '../../components/confirm-button.js';
import { ErrorBox } from '../../components/error-box.js';
import { Loading } from '../../components/empty.js';
import { formatDateTime, useT, type MessageKey } from '../../i18n/index.js';
import { href } from '../../routing.js';
import { signOut, useSession } from '../../session.js';
import { ProfileForm } from './profile-form.js';
import { TotpEnrolment } from './totp-enrolment.js';

/**
 * The signed-in user's profile: who they are (GET /api/v1/me), name and language (PATCH /api/v1/me), their
 * organisations and roles, the TOTP authenticator, and signing out of every session (DELETE /api/v1/sessions).
 */
export function Profile() {
  const t = useT();
  const { me } = useSession();
  const { route } = useLocation();
  const [error, setError] = useState<unknown>();
  if (!me) return <Loading />;
  const u = me.user;
  return (
    <>
      <h1>{t('account.profile.title')}</h1>
      {me.totpEnrolmentRequired && (
        <p class="warning" role="alert">{t(u.platformRole === 'operator' ? 'account.profile.totpRequiredOperator' : 'account.profile.totpRequired')}</p>
      )}
      <dl class="facts">
        <dt>{t('account.displayName')}</dt><dd>{u.displayName}</dd>
        <dt>{t('account.email')}</dt><dd>{u.email}</dd>
        <dt>{t('account.profile.language')}</dt><dd>{t(`account.language.${u.language}` as MessageKey)}</dd>
        <dt>{t('account.profile.since')}</dt><dd>{formatDateTime(u.createdAt)}</dd>
      </dl>
      <ProfileForm user={u} />
      <h2>{t('account.profile.organisations')}</h2>
      {me.memberships.length === 0 ? <p>{t('account.profile.noOrganisations')}</p> : (
        <ul>
          {me.memberships.map((m) => <li key={m.organisationId}>{m.organisation.name} — {t(`account.role.${m.role}` as MessageKey)}</li>)}
        </ul>
      )}
      <TotpEnrolment user={u} />
      <section aria-labelledby="sessions-title">
        <h2 id="sessions-title">{t('account.profile.sessions')}</h2>
        <p>{t('account.profile.signOutEverywhereHelp')}</p>
        <ErrorBox error={error} />
        <ConfirmButton label={t('account.profile.signOutEverywhere')} onConfirm={async () => {
          try {
            await signOut(true);
            route(href('/sign-in'));
          } catch (e) { setError(e); }
        }} />
      </section>
    </>
  );
}
