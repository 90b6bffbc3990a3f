import { useState } from 'preact/hooks';
import { ErrorBox } from '../../components/error-box.js';
import { Field } from '../../components/field.js';
import { LANGUAGES, useT, type Language, type MessageKey } from '../../i18n/index.js';
import { updateProfile, type User } from '../../session.js';

/** The user's own name and language (PATCH /api/v1/me); the language is that of the portal and of their mails. */
export function ProfileForm({ user }: { user: User }) {
  const t = useT();
  const [displayName, setDisplayName] = useState(user.displayName);
  const [lang, setLang] = useState<Language>(user.language);
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setSaved(false);
    try {
      await updateProfile({ displayName, language: lang });
      setSaved(true);
    } catch (err) { setError(err); }
  };
  return (
    <form onSubmit={submit} aria-labelledby="profile-form-title">
      <h2 id="profile-form-title">{t('account.profile.edit')}</h2>
      <ErrorBox error={error} />
      {saved && <p role="status" class="ok">{t('account.profile.saved')}</p>}
      <Field label={t('account.displayName')} name="displayName" autoComplete="name" required maxLength={200} value={displayName}
        onInput={(e) => setDisplayName((e.target as HTMLInputElement).value)} />
      <Field label={t('account.profile.language')} help={t('account.profile.languageHelp')}>
        {(id, d) => (
          <select id={id} aria-describedby={d} value={lang} onChange={(e) => setLang((e.target as HTMLSelectElement).value as Language)}>
            {LANGUAGES.map((l) => <option key={l} value={l}>{t(`account.language.${l}` as MessageKey)}</option>)}
          </select>
        )}
      </Field>
      <button type="submit">{t('common.save')}</button>
    </form>
  );
}
