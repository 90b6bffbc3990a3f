import { lazy } from 'preact-iso';
import type { PortalRoute } from '../../routing.js';
import type { SessionState } from '../../session.js';

const isOperator = (s: SessionState) => s.isOperator;

/** The operator pages (domain `operator`): for a platform operator (the server refuses everyone else). */
export const routes: PortalRoute[] = [
  { path: '/operator', component: lazy(() => import('./registrations.js').then((m) => m.Registrations)), nav: { labelKey: 'operator.nav.registrations', section: 'operator' }, visible: isOperator },
  { path: '/operator/organisations', component: lazy(() => import('./organisations.js').then((m) => m.Organisations)), nav: { labelKey: 'operator.nav.organisations', section: 'operator' }, visible: isOperator },
  { path: '/operator/keys', component: lazy(() => import('./keys.js').then((m) => m.Keys)), nav: { labelKey: 'operator.nav.keys', section: 'operator' }, visible: isOperator },
  { path: '/operator/audit', component: lazy(() => import('./audit.js').then((m) => m.AuditTrail)), nav: { labelKey: 'operator.nav.audit', section: 'operator' }, visible: isOperator },
  { path: '/operator/health', component: lazy(() => import('./health.js').then((m) => m.Health)), nav: { labelKey: 'operator.nav.health', section: 'operator' }, visible: isOperator },
];
