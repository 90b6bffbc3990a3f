import { describe, expect, it } from 'vitest';
import { ownerScope, type ReadScope } from '../../../protocol/grant-scope.js';
import type { CompanyRecord } from '../../../store/index.js';
import type { BearerPrincipal } from '../authenticate-bearer.js';
import type { VaultDeps } from '../read-vault.js';
import { authorizeFeedRead, grantScopesOnly } from './feed-reader.js';

const company = { id: 'co_test_1' } as CompanyRecord;
const bearer = (over: Partial<BearerPrincipal>): BearerPrincipal => ({
  scheme: 'bearer', issuer: 'self', builtIn: true, clientId: 'cl_1', ownerKind: 'company', ownerId: company.id, company, roles: [], ...over,
});
// The bearer branches read nothing from the store.
const d = {} as VaultDeps;

describe('authorizeFeedRead (bearer)', () => {
  it('vault.read of a company client: the company with its own vault; shared.read alone: the organisation, grants only', async () => {
    expect(await authorizeFeedRead(d, bearer({ roles: ['vault.read'] }), 'k')).toEqual({ organisationId: company.id, ownVault: true, ledger: { partyId: 'cl_1', transactionId: 'k' } });
    expect(await authorizeFeedRead(d, bearer({ roles: ['vault.read', 'shared.read'] }), undefined)).toMatchObject({ organisationId: company.id, ownVault: true });
    expect(await authorizeFeedRead(d, bearer({ roles: ['shared.read'] }), undefined)).toMatchObject({ organisationId: company.id, ownVault: false });
    const vendor = bearer({ ownerKind: 'party', ownerId: 'tp_test_1', company: undefined, roles: ['shared.read'] });
    expect(await authorizeFeedRead(d, vendor, undefined)).toMatchObject({ organisationId: 'tp_test_1', ownVault: false });
  });

  it('any other token is SCOPE_MISSING naming both roles', async () => {
    for (const p of [bearer({ ownerKind: 'party', ownerId: 'tp_test_1', company: undefined, roles: ['ingest'] }), bearer({ roles: [] })]) {
      await expect(authorizeFeedRead(d, p, undefined)).rejects.toMatchObject({ code: 'SCOPE_MISSING', detail: expect.stringMatching(/vault\.read.*shared\.read/) });
    }
  });
});

describe('grantScopesOnly', () => {
  it('leaves out the owner\'s own scope (grantId null) and keeps every grant\'s', async () => {
    const grant: ReadScope = { ...ownerScope('co_test_2'), grantId: 'grt_test_1', messageTypes: ['Invoice'] };
    const scopesFor = grantScopesOnly(async () => [ownerScope(company.id), grant]);
    expect(await scopesFor(company.id, 'read', '2026-11-30T00:00:00.000Z')).toEqual([grant]);
  });
});
