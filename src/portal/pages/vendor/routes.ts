import type { PortalRoute } from '../../routing.js';
import { VendorHome } from './home.js';

/** The vendor pages (domain `vendor`): for a member of a software vendor (current organisation has partyId). */
export const routes: PortalRoute[] = [
  { path: '/vendor', component: VendorHome, nav: { labelKey: 'vendor.home', section: 'vendor' }, visible: (s) => s.current?.organisation.partyId != null },
];
