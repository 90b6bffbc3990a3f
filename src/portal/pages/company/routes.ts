import type { PortalRoute } from '../../routing.js';
import type { SessionState } from '../../session.js';
import { CompanyAudit } from './audit.js';
import { CompanyChannels } from './channels.js';
import { CompanyCredentials } from './credentials.js';
import { CompanyDashboard } from './dashboard.js';
import { CompanyPeople } from './people.js';

const isCompany = (s: SessionState) => s.current?.organisation.companyId != null;

/**
 * The company pages (domain `company`): for a member of a company (current organisation has companyId). Every role
 * sees them; viewers and members read, admins act (the server enforces it).
 */
export const routes: PortalRoute[] = [
  { path: '/company', component: CompanyDashboard, nav: { labelKey: 'company.home', section: 'company' }, visible: isCompany },
  { path: '/company/channels', component: CompanyChannels, nav: { labelKey: 'company.channels.nav', section: 'company' }, visible: isCompany },
  { path: '/company/credentials', component: CompanyCredentials, nav: { labelKey: 'company.credentials.nav', section: 'company' }, visible: isCompany },
  { path: '/company/people', component: CompanyPeople, nav: { labelKey: 'company.people.nav', section: 'company' }, visible: isCompany },
  { path: '/company/audit', component: CompanyAudit, nav: { labelKey: 'company.audit.nav', section: 'company' }, visible: isCompany },
];
