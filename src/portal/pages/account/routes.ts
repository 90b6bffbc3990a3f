import { lazy } from 'preact-iso';
import type { PortalRoute } from '../../routing.js';

const anyone = () => true;
const signedIn = (s: { me: unknown }) => Boolean(s.me);

/** The account pages (domain `account`): everyone's sign-in, registration, links from mails, profile and tokens. */
export const routes: PortalRoute[] = [
  { path: '/sign-in', component: lazy(() => import('./sign-in.js').then((m) => m.SignIn)), visible: anyone, public: true },
  { path: '/register', component: lazy(() => import('./register.js').then((m) => m.Register)), visible: anyone, public: true },
  { path: '/invitations/:token', component: lazy(() => import('./invitation.js').then((m) => m.Invitation)) as PortalRoute['component'], visible: anyone, public: true },
  { path: '/password-reset/:token', component: lazy(() => import('./password-reset.js').then((m) => m.PasswordReset)) as PortalRoute['component'], visible: anyone, public: true },
  { path: '/account/profile', component: lazy(() => import('./profile.js').then((m) => m.Profile)), nav: { labelKey: 'account.profile.title', section: 'account' }, visible: signedIn },
  { path: '/account/api-tokens', component: lazy(() => import('./api-tokens.js').then((m) => m.ApiTokens)), nav: { labelKey: 'account.tokens.title', section: 'account' }, visible: signedIn },
];
