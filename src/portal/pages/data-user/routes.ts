import type { PortalRoute } from '../../routing.js';
import { DataUserHome } from './home.js';

/** The data-user pages (domain `data-user`): for a member of any organisation (data shared with it). */
export const routes: PortalRoute[] = [
  { path: '/data-user', component: DataUserHome, nav: { labelKey: 'dataUser.home', section: 'dataUser' }, visible: (s) => s.current !== undefined },
];
