import type { PortalRoute } from '../../routing.js';
import type { SessionState } from '../../session.js';
import { Discover } from './discover.js';
import { Feed } from './feed.js';
import { Grants } from './grants.js';
import { WebhookEndpoint } from './webhook-endpoint.js';
import { Webhooks } from './webhooks.js';

const anyOrganisation = (s: SessionState) => s.current !== undefined;

/**
 * The data-user pages (domain `data-user`): for a member of any organisation (data shared with it). Admins act;
 * viewers read (the server decides; the pages hide what a role cannot do).
 */
export const routes: PortalRoute[] = [
  { path: '/data-user/discover', component: Discover, nav: { labelKey: 'dataUser.discover.title', section: 'dataUser' }, visible: anyOrganisation },
  { path: '/data-user/grants', component: Grants, nav: { labelKey: 'dataUser.grants.title', section: 'dataUser' }, visible: anyOrganisation },
  { path: '/data-user/webhooks', component: Webhooks, nav: { labelKey: 'dataUser.webhooks.title', section: 'dataUser' }, visible: anyOrganisation },
  { path: '/data-user/webhooks/:id', component: WebhookEndpoint as PortalRoute['component'], visible: anyOrganisation },
  { path: '/data-user/feed', component: Feed, nav: { labelKey: 'dataUser.feed.title', section: 'dataUser' }, visible: anyOrganisation },
];
