/*
 * Organisations with people, through the accounts API of a running server: registration, the operator's approval,
 * a session, and personal API tokens of each role (for tests of /api/v1 routes as each kind of member).
 */

export interface Answer { status: number; body: any; headers: Headers }

/** An /api/v1 call with an optional bearer token (session, personal API token or the operator token). */
export async function apiCall(baseUrl: string, method: string, path: string, bearer?: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

export interface TestOrganisation {
  orgId: string;
  userId: string;
  email: string;
  password: string;
  /** Personal API tokens of the admin user, one per role. */
  admin: string;
  member: string;
  viewer: string;
}

/** Registers an organisation with its admin, approves it with the operator token, and makes an API token per role. */
export async function registerOrganisation(
  baseUrl: string, operatorToken: string, o: { kind: 'company' | 'party' | 'both'; email: string; businessId?: string; name?: string; password?: string },
): Promise<TestOrganisation> {
  const password = o.password ?? 'jakamisen salasana on pitkä';
  const reg = await apiCall(baseUrl, 'POST', '/registrations', undefined, {
    kind: o.kind, organisationName: o.name ?? `${o.kind} ${o.email}`, ...(o.businessId ? { businessId: o.businessId } : {}), email: o.email, displayName: 'Admin', password,
  });
  if (reg.status !== 201) throw new Error(`registration: ${JSON.stringify(reg.body)}`);
  const approved = await apiCall(baseUrl, 'POST', `/admin/registrations/${reg.body.id}/approve`, operatorToken);
  if (approved.status !== 200) throw new Error(`approval: ${JSON.stringify(approved.body)}`);
  const orgId: string = approved.body.organisationId;
  const session = (await apiCall(baseUrl, 'POST', '/session', undefined, { email: o.email, password, tokenInBody: true })).body.sessionToken as string;
  const token = async (role: string) => (await apiCall(baseUrl, 'POST', '/me/api-tokens', session, { organisationId: orgId, role, name: role })).body.token as string;
  return { orgId, userId: approved.body.userId, email: o.email, password, admin: await token('admin'), member: await token('member'), viewer: await token('viewer') };
}
