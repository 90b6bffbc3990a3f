import { totpCode } from '../../src/server/services/accounts/totp.js';
import { apiCall } from './organisations.js';

/*
 * People in organisations that already exist (made through the admin API, as the vault tests make their tenants),
 * through the accounts API of a running server: the operator invites (without SMTP the link comes back), the person
 * accepts, signs in (a session token, as the CLI keeps it, and the browser's cookie), and makes a personal API token.
 */

export interface TestPerson {
  userId: string;
  email: string;
  password: string;
  /** A session token (Authorization: Bearer). */
  session: string;
  /** The `__Host-vaultgate-session=…` pair of a browser sign-in (send as the Cookie header). */
  cookie: string;
}

const PASSWORD = 'lukijan oma pitkä salasana';

async function accept(baseUrl: string, operatorToken: string, orgId: string, email: string, role: string, session?: string): Promise<string> {
  const inv = await apiCall(baseUrl, 'POST', `/organisations/${orgId}/invitations`, operatorToken, { email, role });
  if (inv.status !== 201) throw new Error(`invitation: ${JSON.stringify(inv.body)}`);
  const path = new URL(inv.body.link as string).pathname.replace(/^\/api\/v1/, '');
  const ok = await apiCall(baseUrl, 'POST', `${path}/accept`, session, session ? {} : { displayName: email.split('@')[0], password: PASSWORD });
  if (ok.status !== 201) throw new Error(`accept: ${JSON.stringify(ok.body)}`);
  return ok.body.userId as string;
}

/** Signs in: a session token (bearer), and a browser session's cookie. */
export async function signIn(baseUrl: string, email: string, password = PASSWORD): Promise<{ session: string; cookie: string }> {
  const bearer = await apiCall(baseUrl, 'POST', '/session', undefined, { email, password, tokenInBody: true });
  if (!bearer.body?.sessionToken) throw new Error(`sign-in: ${JSON.stringify(bearer.body)}`);
  const browser = await apiCall(baseUrl, 'POST', '/session', undefined, { email, password });
  return { session: bearer.body.sessionToken as string, cookie: browser.headers.getSetCookie()[0]!.split(';')[0]! };
}

/** A new user with `role` in the organisation (invited by the operator), signed in. */
export async function personIn(baseUrl: string, operatorToken: string, orgId: string, email: string, role: 'admin' | 'member' | 'viewer'): Promise<TestPerson> {
  const userId = await accept(baseUrl, operatorToken, orgId, email, role);
  return { userId, email, password: PASSWORD, ...(await signIn(baseUrl, email)) };
}

/** Adds an existing, signed-in person to another organisation. */
export async function joinAlso(baseUrl: string, operatorToken: string, p: TestPerson, orgId: string, role: 'admin' | 'member' | 'viewer'): Promise<void> {
  await accept(baseUrl, operatorToken, orgId, p.email, role, p.session);
}

/** A personal API token of the person for one of their organisations, with at most their role there. */
export async function personalToken(baseUrl: string, p: TestPerson, orgId: string, role: 'admin' | 'member' | 'viewer'): Promise<string> {
  const r = await apiCall(baseUrl, 'POST', '/me/api-tokens', p.session, { organisationId: orgId, role, name: `${role} ${orgId}` });
  if (r.status !== 201) throw new Error(`api token: ${JSON.stringify(r.body)}`);
  return r.body.token as string;
}

/** An operator user (platform role) with TOTP enrolled, signed in: a session token and a browser cookie. */
export async function operatorUser(baseUrl: string, operatorToken: string, email: string): Promise<TestPerson> {
  const op = await apiCall(baseUrl, 'POST', '/admin/operators', operatorToken, { email, displayName: 'Operaattori', password: PASSWORD });
  if (op.status !== 201) throw new Error(`operator: ${JSON.stringify(op.body)}`);
  const first = await signIn(baseUrl, email);
  const enrol = await apiCall(baseUrl, 'POST', '/me/totp', first.session);
  const confirmed = await apiCall(baseUrl, 'POST', '/me/totp/confirm', first.session, { code: totpCode(enrol.body.secret, Date.now()) });
  if (!confirmed.body?.totpEnrolled) throw new Error(`totp: ${JSON.stringify(confirmed.body)}`);
  return { userId: op.body.id as string, email, password: PASSWORD, ...first };
}
