import type { ComponentType } from 'preact';
import type { MessageKey } from './i18n/index.js';
import type { SessionState } from './session.js';

/** The navigation sections of the header, in order. */
export type NavSection = 'account' | 'company' | 'vendor' | 'dataUser' | 'operator';

/**
 * A page of the portal. Each domain exports `routes: PortalRoute[]` from `pages/<domain>/routes.ts`; app.tsx composes
 * them. `path` is under /portal (e.g. '/company/members', params as ':id'); `nav` puts a link in the header's section;
 * `visible` hides the page (and its link) from sessions it is not for — the server still decides access.
 * `public: true` pages are reachable signed out (sign-in, registration, invitation, password reset).
 * `component` is lazy (preact-iso `lazy(() => import('./page.js').then((m) => m.Page))`): each page is a chunk of its
 * own, loaded when first opened, so routes.ts holds no page code and the header's nav needs none.
 */
export interface PortalRoute {
  path: string;
  component: ComponentType<Record<string, unknown>>;
  nav?: { labelKey: MessageKey; section: NavSection };
  visible(session: SessionState): boolean;
  public?: boolean;
}

/** The portal's base path (vite.config.ts base). */
export const BASE = '/portal';

/** A portal URL path for a route path ('/account/profile' → '/portal/account/profile'). */
export const href = (path: string): string => `${BASE}${path === '/' ? '/' : path}`;
