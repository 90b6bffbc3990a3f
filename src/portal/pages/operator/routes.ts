import type { PortalRoute } from '../../routing.js';
import type { SessionState } from '../../session.js';
import { AuditTrail } from './audit.js';
import { Health } from './health.js';
import { Keys } from './keys.js';
import { Organisations } from './organisations.js';
import { Registrations } from './registrations.js';

const isOperator = (s: SessionState) => s.isOperator;

/** The operator pages (domain `operator`): for a platform operator (the server refuses everyone else). */
export const routes: PortalRoute[] = [
  { path: '/operator', component: Registrations, nav: { labelKey: 'operator.nav.registrations', section: 'operator' }, visible: isOperator },
  { path: '/operator/organisations', component: Organisations, nav: { labelKey: 'operator.nav.organisations', section: 'operator' }, visible: isOperator },
  { path: '/operator/keys', component: Keys, nav: { labelKey: 'operator.nav.keys', section: 'operator' }, visible: isOperator },
  { path: '/operator/audit', component: AuditTrail, nav: { labelKey: 'operator.nav.audit', section: 'operator' }, visible: isOperator },
  { path: '/operator/health', component: Health, nav: { labelKey: 'operator.nav.health', section: 'operator' }, visible: isOperator },
];
