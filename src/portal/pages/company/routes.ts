import { lazy } from 'preact-iso';
import type { PortalRoute } from '../../routing.js';
import type { SessionState } from '../../session.js';

const isCompany = (s: SessionState) => s.current?.organisation.companyId != null;

/**
 * The company pages (domain `company`): for a member of a company (current organisation has companyId). Every role
 * sees them; viewers and members read, admins act (the server enforces it).
 */
export const routes: PortalRoute[] = [
  { path: '/company', component: lazy(() => import('./dashboard.js').then((m) => m.CompanyDashboard)), nav: { labelKey: 'company.home', section: 'company' }, visible: isCompany },
  { path: '/company/channels', component: lazy(() => import('./channels.js').then((m) => m.CompanyChannels)), nav: { labelKey: 'company.channels.nav', section: 'company' }, visible: isCompany },
  { path: '/company/credentials', component: lazy(() => import('./credentials.js').then((m) => m.CompanyCredentials)), nav: { labelKey: 'company.credentials.nav', section: 'company' }, visible: isCompany },
  { path: '/company/people', component: lazy(() => import('./people.js').then((m) => m.CompanyPeople)), nav: { labelKey: 'company.people.nav', section: 'company' }, visible: isCompany },
  { path: '/company/audit', component: lazy(() => import('./audit.js').then((m) => m.CompanyAudit)), nav: { labelKey: 'company.audit.nav', section: 'company' }, visible: isCompany },
];
