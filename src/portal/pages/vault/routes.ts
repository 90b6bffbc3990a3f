import type { PortalRoute } from '../../routing.js';
import { OwnVault } from './own-vault.js';
import { SharedOwners } from './shared-owners.js';
import { SharedVault } from './shared-vault.js';

/**
 * The vault browser pages (domain `vault`): a company's own vault (any member of a company organisation), and the data
 * other owners share with the current organisation (any member of any organisation). The server decides access.
 */
export const routes: PortalRoute[] = [
  { path: '/vault', component: OwnVault, nav: { labelKey: 'vault.title', section: 'company' }, visible: (s) => s.current?.organisation.companyId != null },
  { path: '/shared', component: SharedOwners, nav: { labelKey: 'vault.sharedList', section: 'dataUser' }, visible: (s) => s.current !== undefined },
  { path: '/shared/:owner', component: SharedVault as PortalRoute['component'], visible: (s) => s.current !== undefined },
];
