import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { VaultgateError, type Environment } from '../../../protocol/index.js';
import type { GrantRecord, OrganisationRecord } from '../../../store/index.js';
import type { SigningKeys } from '../signing-keys.js';
import { grantInForce } from './read-scopes.js';

/*
 * The signed statement of an active grant (issue 15): a JWT (compact JWS) the consumer can show a third party, signed
 * with the server's OAuth signing key and verifiable against /.well-known/jwks.json. `typ` keeps it apart from access
 * tokens (the bearer authenticator accepts only `at+jwt` from this issuer), and it has no `aud`: it is a statement
 * about a grant, not a credential for any API.
 *
 * It is valid from now (the grant is in force, so after its notBefore) until the grant's notOnOrAfter, but at most
 * STATEMENT_MAX_LIFETIME_S: a statement cannot be withdrawn, so one issued just before a revocation stays verifiable
 * for at most that long after it (docs/sharing.md).
 */

/** The JWS `typ` of a grant statement. */
export const STATEMENT_TYP = 'vaultgate-grant+jwt';
/** The longest a statement is valid: 24 hours. */
export const STATEMENT_MAX_LIFETIME_S = 24 * 3600;

type Party = Pick<OrganisationRecord, 'id' | 'name' | 'businessId'>;

export interface GrantStatement {
  /** The compact JWS. */
  statement: string;
  /** Its `nbf` and `exp` as ISO instants. */
  notBefore: string;
  expiresAt: string;
}

/**
 * Signs the statement of `g` at `nowMs`; GRANT_NOT_ACTIVE unless the grant is in force then (state active, inside its
 * window) for at least one more second.
 */
export async function signGrantStatement(
  d: { signingKeys: SigningKeys; issuer: string; environment: Environment },
  g: GrantRecord, owner: Party, consumer: Party, nowMs: number,
): Promise<GrantStatement> {
  const now = Math.floor(nowMs / 1000);
  // In force now, so notBefore <= now: the statement is valid from now (whole seconds, as JWT times are).
  const nbf = now;
  const exp = Math.min(now + STATEMENT_MAX_LIFETIME_S, Math.floor(Date.parse(g.terms.notOnOrAfter) / 1000));
  if (!grantInForce(g, new Date(nowMs).toISOString()) || exp <= nbf) {
    throw new VaultgateError('GRANT_NOT_ACTIVE', { detail: `${g.id} is ${g.state}${g.state === 'active' ? `, valid from ${g.terms.notBefore} until ${g.terms.notOnOrAfter}` : ''}.` });
  }
  const party = (o: Party) => ({ id: o.id, businessId: o.businessId, name: o.name });
  const { channelIds, messageTypes, receivedFrom, receivedBefore, actions, purpose, notBefore, notOnOrAfter } = g.terms;
  const { kid, alg, key } = await d.signingKeys.signingKey();
  const statement = await new SignJWT({
    env: d.environment,
    grant: {
      id: g.id, owner: party(owner), consumer: party(consumer), scope: { channelIds, messageTypes, receivedFrom, receivedBefore }, actions, purpose,
      notBefore, notOnOrAfter,
    },
  })
    .setProtectedHeader({ alg, kid, typ: STATEMENT_TYP })
    .setIssuer(d.issuer).setSubject(g.consumerOrganisationId).setIssuedAt(now).setNotBefore(nbf).setExpirationTime(exp).setJti(randomUUID())
    .sign(key);
  return { statement, notBefore: new Date(nbf * 1000).toISOString(), expiresAt: new Date(exp * 1000).toISOString() };
}
