import type { PortalRoute } from '../../routing.js';
import { CompanyHome } from './home.js';

/** The company pages (domain `company`): for a member of a company (current organisation has companyId). */
export const routes: PortalRoute[] = [
  { path: '/company', component: CompanyHome, nav: { labelKey: 'company.home', section: 'company' }, visible: (s) => s.current?.organisation.companyId != null },
];
