import type { PortalRoute } from '../../routing.js';
import { OperatorHome } from './home.js';

/** The operator pages (domain `operator`): for a platform operator. */
export const routes: PortalRoute[] = [
  { path: '/operator', component: OperatorHome, nav: { labelKey: 'operator.home', section: 'operator' }, visible: (s) => s.isOperator },
];
