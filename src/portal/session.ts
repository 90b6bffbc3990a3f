import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, setCsrfToken } from './api/client.js';
import { language, setLanguage, type Language } from './i18n/index.js';

/*
 * The signed-in user (GET /api/v1/me), the current organisation, and sign-out. One module-level state that
 * components follow with useSession(); pages never fetch /me themselves.
 */

export type Role = 'admin' | 'member' | 'viewer';

export interface Organisation {
  id: string; name: string;
  /** Set when the organisation is a company (co_…): it owns a vault. */
  companyId: string | null;
  /** Set when the organisation is a software vendor (tp_…): it sends. */
  partyId: string | null;
  businessId: string | null; status: 'active' | 'suspended'; requireTotp: boolean; createdAt: string;
}

export interface Membership { organisationId: string; role: Role; createdAt: string; organisation: Organisation }

export interface User {
  id: string; email: string; displayName: string; language: Language; status: string;
  platformRole: 'operator' | null; totpEnrolled: boolean; createdAt: string;
}

export interface Me { user: User; memberships: Membership[]; totpEnrolmentRequired: boolean; via: 'session' | 'api-token' }

export interface SessionState {
  /** undefined while loading; null when nobody is signed in. */
  me: Me | null | undefined;
  /** The membership the pages act for (switcher in the header when there are several). */
  current: Membership | undefined;
  isOperator: boolean;
}

const ORG_KEY = 'vaultgate.organisation';
let state: SessionState = { me: undefined, current: undefined, isOperator: false };
const listeners = new Set<(s: SessionState) => void>();

function publish(next: SessionState): void {
  state = next;
  for (const f of listeners) f(state);
}

function withMe(me: Me | null): SessionState {
  if (!me) return { me: null, current: undefined, isOperator: false };
  let wanted: string | null = null;
  try { wanted = localStorage.getItem(ORG_KEY); } catch { /* storage blocked */ }
  const current = me.memberships.find((m) => m.organisationId === wanted) ?? me.memberships[0];
  return { me, current, isOperator: me.user.platformRole === 'operator' };
}

/**
 * Reload the signed-in user from GET /api/v1/me (after sign-in, TOTP enrolment, a membership change). The profile's
 * language applies (and is kept in this browser for the signed-out pages).
 */
export async function refreshSession(): Promise<Me | null> {
  try {
    const me = await api<Me>('GET', '/api/v1/me');
    setLanguage(me.user.language);
    publish(withMe(me));
    return me;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
      setCsrfToken(undefined);
      publish(withMe(null));
      return null;
    }
    throw e;
  }
}

/**
 * Switch the portal's language; signed in, it is saved in the profile too (PATCH /api/v1/me), so it follows the user
 * to other browsers and into their mails. Signed out, this browser keeps it.
 */
export async function changeLanguage(l: Language): Promise<void> {
  setLanguage(l);
  const me = state.me;
  if (!me || me.via !== 'session' || me.user.language === l) return;
  const user = await api<User>('PATCH', '/api/v1/me', { body: { language: l } });
  if (state.me === me && language() === l) publish({ ...state, me: { ...me, user } });
}

/** Change the signed-in user's display name and/or language (PATCH /api/v1/me); the session follows. */
export async function updateProfile(p: { displayName?: string; language?: Language }): Promise<void> {
  await api<User>('PATCH', '/api/v1/me', { body: p });
  await refreshSession();
}

/** Act for another of the user's organisations (remembered in this browser). */
export function switchOrganisation(organisationId: string): void {
  try { localStorage.setItem(ORG_KEY, organisationId); } catch { /* storage blocked */ }
  if (state.me) publish(withMe(state.me));
}

/** Sign out this session (DELETE /api/v1/session), or every session of the user (DELETE /api/v1/sessions). */
export async function signOut(everywhere = false): Promise<void> {
  await api('DELETE', everywhere ? '/api/v1/sessions' : '/api/v1/session');
  setCsrfToken(undefined);
  publish(withMe(null));
}

/** The session state; re-renders on every change. Call refreshSession() once at start (app.tsx does). */
export function useSession(): SessionState {
  const [s, set] = useState(state);
  useEffect(() => {
    listeners.add(set);
    set(state);
    return () => void listeners.delete(set);
  }, []);
  return s;
}

/** The current session state outside components. */
export function sessionNow(): SessionState {
  return state;
}
