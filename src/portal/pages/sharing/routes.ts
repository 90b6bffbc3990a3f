import { lazy } from 'preact-iso';
import type { PortalRoute } from '../../routing.js';

const company = (s: { current?: { organisation: { companyId: string | null } } | undefined }) => s.current?.organisation.companyId != null;

/** The owner's sharing pages (domain `sharing`): a company's grants as owner, and who read its data under them. */
export const routes: PortalRoute[] = [
  { path: '/sharing', component: lazy(() => import('./owner-grants.js').then((m) => m.OwnerGrants)), nav: { labelKey: 'sharing.title', section: 'company' }, visible: company },
  { path: '/sharing/reads', component: lazy(() => import('./shared-reads.js').then((m) => m.SharedReads)), nav: { labelKey: 'sharing.reads', section: 'company' }, visible: company },
];
