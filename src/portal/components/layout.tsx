import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { LANGUAGES, language, useT, type Language, type MessageKey } from '../i18n/index.js';
import { href, type NavSection, type PortalRoute } from '../routing.js';
import { changeLanguage, signOut, switchOrganisation, useSession } from '../session.js';

const SECTIONS: NavSection[] = ['account', 'company', 'vendor', 'dataUser', 'operator'];
const LANGUAGE_NAMES = { en: 'English', fi: 'Suomi', sv: 'Svenska' } as const;

/**
 * The frame of every page: a skip link, the header (organisation switcher when the user has several, language,
 * the user and sign-out), the navigation of the pages visible to this session by section, and <main>.
 */
export function Layout({ routes, children }: { routes: PortalRoute[]; children: ComponentChildren }) {
  const t = useT();
  const session = useSession();
  const { route, path } = useLocation();
  const me = session.me;
  const nav = SECTIONS.map((section) => ({
    section, items: me ? routes.filter((r) => r.nav?.section === section && r.visible(session)) : [],
  })).filter((s) => s.items.length > 0);
  return (
    <>
      <a class="skip-link" href="#content">{t('common.skipToContent')}</a>
      <header class="top">
        <a class="brand" href={href('/')}>{t('common.appName')}</a>
        <div class="controls">
          {me && me.memberships.length > 1 && (
            <label class="inline">
              <span>{t('common.organisation')}</span>
              <select value={session.current?.organisationId} onChange={(e) => switchOrganisation((e.target as HTMLSelectElement).value)}>
                {me.memberships.map((m) => <option key={m.organisationId} value={m.organisationId}>{m.organisation.name}</option>)}
              </select>
            </label>
          )}
          {me && me.memberships.length === 1 && <span class="org-name">{me.memberships[0]!.organisation.name}</span>}
          <label class="inline">
            <span>{t('common.language')}</span>
            <select id="language-select" value={language()} onChange={(e) => void changeLanguage((e.target as HTMLSelectElement).value as Language).catch(() => undefined)}>
              {LANGUAGES.map((l) => <option key={l} value={l} lang={l}>{LANGUAGE_NAMES[l]}</option>)}
            </select>
          </label>
          {me && (
            <span class="user" aria-label={t('common.userMenu')}>
              <a href={href('/account/profile')}>{me.user.displayName}</a>{' '}
              <button type="button" class="secondary" onClick={async () => { await signOut(); route(href('/sign-in')); }}>{t('common.signOut')}</button>
            </span>
          )}
        </div>
      </header>
      {nav.length > 0 && (
        <nav class="main-nav" aria-label={t('common.mainNav')}>
          {nav.map((s) => (
            <div class="nav-section" key={s.section}>
              <h2 class="nav-heading">{t(`common.section.${s.section}` as MessageKey)}</h2>
              <ul>
                {s.items.map((r) => (
                  <li key={r.path}><a href={href(r.path)} aria-current={path === href(r.path) ? 'page' : undefined}>{t(r.nav!.labelKey)}</a></li>
                ))}
              </ul>
            </div>
          ))}
        </nav>
      )}
      <main id="content" tabIndex={-1}>{children}</main>
    </>
  );
}
