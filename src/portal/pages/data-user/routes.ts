import { lazy } from 'preact-iso';
import type { PortalRoute } from '../../routing.js';
import type { SessionState } from '../../session.js';

const anyOrganisation = (s: SessionState) => s.current !== undefined;

/**
 * The data-user pages (domain `data-user`): for a member of any organisation (data shared with it). Admins act;
 * viewers read (the server decides; the pages hide what a role cannot do).
 */
export const routes: PortalRoute[] = [
  { path: '/data-user/discover', component: lazy(() => import('./discover.js').then((m) => m.Discover)), nav: { labelKey: 'dataUser.discover.title', section: 'dataUser' }, visible: anyOrganisation },
  { path: '/data-user/grants', component: lazy(() => import('./grants.js').then((m) => m.Grants)), nav: { labelKey: 'dataUser.grants.title', section: 'dataUser' }, visible: anyOrganisation },
  { path: '/data-user/webhooks', component: lazy(() => import('./webhooks.js').then((m) => m.Webhooks)), nav: { labelKey: 'dataUser.webhooks.title', section: 'dataUser' }, visible: anyOrganisation },
  { path: '/data-user/webhooks/:id', component: lazy(() => import('./webhook-endpoint.js').then((m) => m.WebhookEndpoint)) as PortalRoute['component'], visible: anyOrganisation },
  { path: '/data-user/feed', component: lazy(() => import('./feed.js').then((m) => m.Feed)), nav: { labelKey: 'dataUser.feed.title', section: 'dataUser' }, visible: anyOrganisation },
];
