import { useEffect } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { Layout } from './components/layout.js';
import { Loading } from './components/empty.js';
import { useT } from './i18n/index.js';
import { routes as accountRoutes } from './pages/account/routes.js';
import { routes as companyRoutes } from './pages/company/routes.js';
import { routes as dataUserRoutes } from './pages/data-user/routes.js';
import { routes as operatorRoutes } from './pages/operator/routes.js';
import { routes as sharingRoutes } from './pages/sharing/routes.js';
import { routes as vaultRoutes } from './pages/vault/routes.js';
import { routes as vendorRoutes } from './pages/vendor/routes.js';
import { href, type PortalRoute } from './routing.js';
import { refreshSession, useSession } from './session.js';

/** Every page of the portal, by domain (each domain owns pages/<domain>/routes.ts). */
export const ROUTES: PortalRoute[] = [...accountRoutes, ...companyRoutes, ...vendorRoutes, ...dataUserRoutes, ...operatorRoutes, ...vaultRoutes, ...sharingRoutes];

function NotFound() {
  const t = useT();
  return <h1>{t('common.notFound')}</h1>;
}

/** The first page that fits the session: the first visible page of a role section, else the profile. */
function Home() {
  const session = useSession();
  const { route } = useLocation();
  useEffect(() => {
    if (session.me === undefined) return; // still loading: decide once the session is known
    const first = ROUTES.find((r) => r.nav && r.nav.section !== 'account' && r.visible(session)) ?? ROUTES.find((r) => r.path === '/account/profile');
    if (first) route(href(first.path), true);
  }, [session]);
  return <Loading />;
}

/** Signed-out visitors of a signed-in page go to the sign-in page (and come back after). */
function Guard({ r, params }: { r: PortalRoute; params: Record<string, unknown> }) {
  const session = useSession();
  const { route, url } = useLocation();
  const needSignIn = !r.public && session.me === null;
  useEffect(() => {
    // Pages are lazy: while the next page's chunk loads the router keeps this one on screen (after a sign-out, say),
    // and it no longer owns the address then — only the page at the address sends to the sign-in page.
    if (needSignIn && new URL(url, window.location.origin).pathname === window.location.pathname) route(`${href('/sign-in')}?next=${encodeURIComponent(url)}`, true);
  }, [needSignIn]);
  if (!r.public && !session.me) return <Loading />;
  if (!r.public && !r.visible(session)) return <NotFound />;
  const C = r.component;
  return <C {...params} />;
}

/** One stable component per route (created once, so navigation does not remount the shell). */
const GUARDED = ROUTES.map((r) => ({ r, C: (params: Record<string, unknown>) => <Guard r={r} params={params} /> }));

function Pages() {
  return (
    <Layout routes={ROUTES}>
      <Router>
        {[
          ...GUARDED.map(({ r, C }) => <Route key={r.path} path={href(r.path)} component={C} />),
          <Route key="home" path={href('/')} component={Home} />,
          <Route key="404" default component={NotFound} />,
        ]}
      </Router>
    </Layout>
  );
}

/** The portal: the router inside the shell; the session is loaded once at start. */
export function App() {
  useEffect(() => void refreshSession().catch(() => undefined), []);
  return (
    <LocationProvider>
      <Pages />
    </LocationProvider>
  );
}
