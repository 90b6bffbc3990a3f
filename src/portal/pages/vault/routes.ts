import { lazy } from 'preact-iso';
import type { PortalRoute } from '../../routing.js';

/**
 * The vault browser pages (domain `vault`): a company's own vault (any member of a company organisation), and the data
 * other owners share with the current organisation (any member of any organisation). The server decides access.
 */
export const routes: PortalRoute[] = [
  { path: '/vault', component: lazy(() => import('./own-vault.js').then((m) => m.OwnVault)), nav: { labelKey: 'vault.title', section: 'company' }, visible: (s) => s.current?.organisation.companyId != null },
  { path: '/shared', component: lazy(() => import('./shared-owners.js').then((m) => m.SharedOwners)), nav: { labelKey: 'vault.sharedList', section: 'dataUser' }, visible: (s) => s.current !== undefined },
  { path: '/shared/:owner', component: lazy(() => import('./shared-vault.js').then((m) => m.SharedVault)) as PortalRoute['component'], visible: (s) => s.current !== undefined },
];
