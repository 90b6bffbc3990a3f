import { fastifyCookie } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseId, VaultgateError, type Environment } from '../../../protocol/index.js';
import type { MembershipRole, OrganisationRecord, Store } from '../../../store/index.js';
import type { Accounts } from '../../services/accounts/accounts.js';
import { suspendedDetail } from '../../services/accounts/people.js';
import type { FeedReader } from '../../services/delivery/feed-reader.js';
import type { VaultReader } from '../../services/read-vault.js';
import type { SharedReader } from '../../services/sharing/shared-reads.js';
import { principalResolver, SESSION_COOKIE } from './principal.js';

/*
 * People reading /vault/v1 (issue 16: the portal's vault and shared-data browsers). A person authenticates as on
 * /api/v1 — the browser session cookie, a bearer session token as the CLI keeps, or a personal API token vgp_… — with
 * the resolver of principal.ts, and acts for one organisation of theirs, named in `Vaultgate-Organisation`.
 */

/** The header naming the organisation a person reads for (its id: co_… or tp_…). */
export const ORGANISATION_HEADER = 'vaultgate-organisation';

const SESSION_COOKIE_PRESENT = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=`);
/** A session token (32 random bytes, base64url) or a personal API token: never a JWT (which has dots). */
const PERSON_BEARER = /^Bearer\s+(?:vgp_[A-Za-z0-9_-]+|[A-Za-z0-9_-]{43})\s*$/i;

/**
 * Whether a /vault/v1 request comes from a person rather than a MAC credential or an OAuth client, by its headers
 * alone (no lookup, no parsing beyond one regular expression): not MAC-signed (`mac`: the response style's decision),
 * and either `Authorization: Bearer` with a personal API token or a session token (a JWT has dots, neither has), or
 * no Authorization header and the session cookie. Everything else stays on the credential path, unchanged.
 */
export function isPersonRequest(headers: FastifyRequest['headers'], mac: boolean): boolean {
  if (mac) return false;
  const h = headers.authorization;
  if (h !== undefined) return typeof h === 'string' && PERSON_BEARER.test(h);
  const cookie = headers.cookie;
  return typeof cookie === 'string' && SESSION_COOKIE_PRESENT.test(cookie);
}

/** A person's read of /vault/v1, authorised for one organisation. */
export interface PersonReader {
  userId: string;
  /** The organisation the person reads for (a company's: co_…, or a vendor-only one's: tp_…). */
  organisation: OrganisationRecord;
  role: MembershipRole;
  via: 'session' | 'api-token';
}

/** Resolves the person of a /vault/v1 request; see personReaderResolver. */
export type PersonReaderResolver = (request: FastifyRequest, reply: FastifyReply) => Promise<PersonReader>;

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? (v.length === 1 ? v[0] : '') : v);

/**
 * Who a person request to /vault/v1 comes from and which organisation it reads for:
 * - unauthenticated: SESSION_REQUIRED or API_TOKEN_INVALID (401), as on /api/v1; the admin token is not a person
 *   (ACCOUNT_FORBIDDEN); a person held to TOTP enrolment is TOTP_REQUIRED (401), as on /api/v1;
 * - the organisation: `Vaultgate-Organisation: <organisationId>`. A session needs it when its user has several
 *   memberships (ORGANISATION_REQUIRED, 400); a personal API token implies its one organisation, and
 *   a header naming another is refused. An organisation the person is not a member of — unknown, malformed, another
 *   tenant's alike, whatever the user's platform role — is ACCOUNT_FORBIDDEN (403), telling nothing of whether it
 *   exists; any membership role (admin, member, viewer) reads;
 * - a suspended organisation: ORGANISATION_SUSPENDED (403), once membership is established.
 * Sets request.auditActor (`{kind:'user'}`) as soon as the person is known. GET only: a cookie session needs no CSRF
 * token for it (principal.ts checks unsafe methods).
 */
export function personReaderResolver(accounts: Accounts, adminToken: string): PersonReaderResolver {
  const resolve = principalResolver(accounts, adminToken);
  return async (request, reply) => {
    // No cookie plugin on /vault/v1 (nothing added to the MAC and OAuth paths, not even an onSend hook): parse here.
    if (request.headers.authorization === undefined) request.cookies = fastifyCookie.parse(request.headers.cookie ?? '');
    const a = await resolve(request, reply);
    // Known from here on: the refusals below are this person's (or the operator's), in the audit trail (vault-gate.ts).
    request.auditActor = a.ctx.actor;
    if (a.principal.kind !== 'user') {
      throw new VaultgateError('ACCOUNT_FORBIDDEN', { detail: 'The admin token does not read vaults: read as a person (session or personal API token) of the organisation, or with its credential.' });
    }
    const { user, memberships, suspended } = a.principal;
    const hold = await accounts.totpHold(user, memberships, a.signInMethod);
    if (hold) throw new VaultgateError('TOTP_REQUIRED', { detail: hold });
    const named = one(request.headers[ORGANISATION_HEADER])?.trim();
    let membership = memberships[0];
    if (named !== undefined) {
      membership = memberships.find((m) => m.organisationId === named);
    } else if (memberships.length > 1) {
      throw new VaultgateError('ORGANISATION_REQUIRED', { detail: `You are a member of ${memberships.length} organisations: name the one you read for in Vaultgate-Organisation.` });
    }
    if (!membership) {
      throw new VaultgateError('ACCOUNT_FORBIDDEN', {
        detail: a.via === 'api-token'
          ? 'A personal API token reads only for the organisation it was made for: leave Vaultgate-Organisation out, or name that one.'
          : named === undefined ? 'You are not a member of any organisation: an admin of one invites you.' : `You are not a member of ${named.slice(0, 80)}: GET /api/v1/me lists your organisations.`,
      });
    }
    if (suspended?.has(membership.organisationId)) {
      throw new VaultgateError('ORGANISATION_SUSPENDED', { detail: suspendedDetail(membership.organisationId, suspended.get(membership.organisationId)), extra: { organisationId: membership.organisationId } });
    }
    const organisation = await accounts.organisation(membership.organisationId);
    return { userId: user.id, organisation, role: membership.role, via: a.via === 'api-token' ? 'api-token' : 'session' };
  };
}

/** The organisation a refused person request named, for its audit event: when it is a company or vendor id of this environment. */
export function namedOrganisation(request: FastifyRequest, environment: Environment): string[] {
  const v = one(request.headers[ORGANISATION_HEADER])?.trim();
  return v !== undefined && (parseId(v, 'company', environment).ok || parseId(v, 'party', environment).ok) ? [v] : [];
}

/*
 * What a person may read for their organisation, as the readers of the three /vault/v1 plugins. The ledger namespace
 * of an Idempotency-Key is the user's (a bearer client's is its client id).
 */

/** Own-vault reads (messages, export, audit): the organisation must be a company (ACCOUNT_FORBIDDEN otherwise). */
export async function authorizePersonVaultRead(d: { store: Store }, p: PersonReader, idempotencyKey: string | undefined): Promise<VaultReader> {
  const company = p.organisation.companyId === null ? undefined : await d.store.getCompany(p.organisation.companyId);
  if (!company) {
    throw new VaultgateError('ACCOUNT_FORBIDDEN', {
      detail: `${p.organisation.id} is a software vendor's organisation: it has no vault of its own. What grants let it read is under /vault/v1/shared and /vault/v1/feed.`,
    });
  }
  return { company, partyId: p.userId, transactionId: idempotencyKey };
}

/** Shared reads: the organisation is the consumer (its grants), as a shared.read client of it. */
export const personSharedReader = (p: PersonReader, idempotencyKey: string | undefined): SharedReader =>
  ({ organisationId: p.organisation.id, ledger: { partyId: p.userId, transactionId: idempotencyKey } });

/**
 * The feed: the organisation is the consumer, exactly as its shared.read client: what its grants cover, never its own
 * vault (a company's people read that at /vault/v1/messages).
 */
export const personFeedReader = (p: PersonReader, idempotencyKey: string | undefined): FeedReader =>
  ({ organisationId: p.organisation.id, ownVault: false, ledger: { partyId: p.userId, transactionId: idempotencyKey } });
