import type { PortalRoute } from '../../routing.js';
import { ApiTokens } from './api-tokens.js';
import { Invitation } from './invitation.js';
import { PasswordReset } from './password-reset.js';
import { Profile } from './profile.js';
import { Register } from './register.js';
import { SignIn } from './sign-in.js';

const anyone = () => true;
const signedIn = (s: { me: unknown }) => Boolean(s.me);

/** The account pages (domain `account`): everyone's sign-in, registration, links from mails, profile and tokens. */
export const routes: PortalRoute[] = [
  { path: '/sign-in', component: SignIn, visible: anyone, public: true },
  { path: '/register', component: Register, visible: anyone, public: true },
  { path: '/invitations/:token', component: Invitation as PortalRoute['component'], visible: anyone, public: true },
  { path: '/password-reset/:token', component: PasswordReset as PortalRoute['component'], visible: anyone, public: true },
  { path: '/account/profile', component: Profile, nav: { labelKey: 'account.profile.title', section: 'account' }, visible: signedIn },
  { path: '/account/api-tokens', component: ApiTokens, nav: { labelKey: 'account.tokens.title', section: 'account' }, visible: signedIn },
];
