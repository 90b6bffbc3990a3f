import type { PortalRoute } from '../../routing.js';
import type { SessionState } from '../../session.js';
import { VendorChannels } from './channels.js';
import { VendorCredentials } from './credentials.js';
import { VendorRefusals } from './refusals.js';
import { VendorSendMessage } from './send-message.js';

const isVendor = (s: SessionState) => s.current?.organisation.partyId != null;

/** The vendor pages (domain `vendor`): for a member of a software vendor (current organisation has partyId). */
export const routes: PortalRoute[] = [
  { path: '/vendor', component: VendorChannels, nav: { labelKey: 'vendor.nav.channels', section: 'vendor' }, visible: isVendor },
  { path: '/vendor/credentials', component: VendorCredentials, nav: { labelKey: 'vendor.nav.credentials', section: 'vendor' }, visible: isVendor },
  { path: '/vendor/send', component: VendorSendMessage, nav: { labelKey: 'vendor.nav.send', section: 'vendor' }, visible: isVendor },
  { path: '/vendor/refusals', component: VendorRefusals, nav: { labelKey: 'vendor.nav.refusals', section: 'vendor' }, visible: isVendor },
];
