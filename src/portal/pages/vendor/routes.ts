import { lazy } from 'preact-iso';
import type { PortalRoute } from '../../routing.js';
import type { SessionState } from '../../session.js';

const isVendor = (s: SessionState) => s.current?.organisation.partyId != null;

/** The vendor pages (domain `vendor`): for a member of a software vendor (current organisation has partyId). */
export const routes: PortalRoute[] = [
  { path: '/vendor', component: lazy(() => import('./channels.js').then((m) => m.VendorChannels)), nav: { labelKey: 'vendor.nav.channels', section: 'vendor' }, visible: isVendor },
  { path: '/vendor/credentials', component: lazy(() => import('./credentials.js').then((m) => m.VendorCredentials)), nav: { labelKey: 'vendor.nav.credentials', section: 'vendor' }, visible: isVendor },
  { path: '/vendor/signature-keys', component: lazy(() => import('./signature-keys.js').then((m) => m.VendorSignatureKeys)), nav: { labelKey: 'vendor.nav.signatureKeys', section: 'vendor' }, visible: isVendor },
  { path: '/vendor/send', component: lazy(() => import('./send-message.js').then((m) => m.VendorSendMessage)), nav: { labelKey: 'vendor.nav.send', section: 'vendor' }, visible: isVendor },
  { path: '/vendor/refusals', component: lazy(() => import('./refusals.js').then((m) => m.VendorRefusals)), nav: { labelKey: 'vendor.nav.refusals', section: 'vendor' }, visible: isVendor },
];
