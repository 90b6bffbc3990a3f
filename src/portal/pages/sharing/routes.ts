import type { PortalRoute } from '../../routing.js';
import { OwnerGrants } from './owner-grants.js';
import { SharedReads } from './shared-reads.js';

const company = (s: { current?: { organisation: { companyId: string | null } } | undefined }) => s.current?.organisation.companyId != null;

/** The owner's sharing pages (domain `sharing`): a company's grants as owner, and who read its data under them. */
export const routes: PortalRoute[] = [
  { path: '/sharing', component: OwnerGrants, nav: { labelKey: 'sharing.title', section: 'company' }, visible: company },
  { path: '/sharing/reads', component: SharedReads, nav: { labelKey: 'sharing.reads', section: 'company' }, visible: company },
];
