import { afterEach, beforeEach, describe } from 'vitest';
import type { Store } from '../port.js';
import type { ConformanceContext } from './context.js';
import { describeAccountCases } from './account-cases.js';
import { describePeopleCases } from './people-cases.js';
import { describeRecoveryCases } from './recovery-cases.js';
import { describeAuditCases } from './audit-cases.js';
import { describeDurabilityCases } from './durability-cases.js';
import { createFixtures, type Fixtures } from './fixtures.js';
import { describeLifecycleCases } from './lifecycle-cases.js';
import { describeOAuthCases } from './oauth-cases.js';
import { describeRegistryCases } from './registry-cases.js';
import { describeSelfServiceCases } from './selfserv-cases.js';
import { describeSharingCases } from './sharing-cases.js';
import { describeVaultCases } from './vault-cases.js';
import { describeFeedCases } from './feed-cases.js';
import { describeWebhookCases } from './webhook-cases.js';
import { describeInsightsCases } from './insights-cases.js';
import { describeDirectoryCases } from './directory-cases.js';
import { describeIntegrityCases } from './integrity-cases.js';

export interface ConformanceOptions {
  /**
   * Opens again the database that the latest `open()` created, after the suite has closed that store. Without it
   * the durability cases are skipped.
   */
  reopen?: () => Promise<Store> | Store;
}

/**
 * Registers the storage conformance suite: every adapter of the port runs these same cases, which use nothing
 * but the port. `open` must return a store over an empty database each time (it is called before every test);
 * the suite closes every store it opened after each test, and the harness removes what `open` created.
 *
 * @example
 * let file = '';
 * runStoreConformance('sqlite', () => openSqliteStore({ file: (file = freshPath()) }), {
 *   reopen: () => openSqliteStore({ file }),
 * });
 */
export function runStoreConformance(
  name: string,
  open: () => Promise<Store> | Store,
  options: ConformanceOptions = {},
): void {
  describe(`store conformance: ${name}`, () => {
    let current: Store | undefined;
    let fixtures: Fixtures | undefined;
    const opened: Store[] = [];

    beforeEach(async () => {
      current = await open();
      opened.push(current);
      fixtures = createFixtures();
    });

    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
      current = undefined;
    });

    const reopen = options.reopen;
    const ctx: ConformanceContext = {
      store: () => {
        if (!current) throw new Error('no store is open outside a test');
        return current;
      },
      fx: () => {
        if (!fixtures) throw new Error('fixtures exist only inside a test');
        return fixtures;
      },
      reopen: reopen
        ? async () => {
            await ctx.store().close();
            current = await reopen();
            opened.push(current);
            return current;
          }
        : undefined,
    };

    describeRegistryCases(ctx);
    describeVaultCases(ctx);
    describeLifecycleCases(ctx);
    describeDurabilityCases(ctx);
    describeOAuthCases(ctx);
    describeAuditCases(ctx);
    describeAccountCases(ctx);
    describePeopleCases(ctx);
    describeRecoveryCases(ctx);
    describeSelfServiceCases(ctx);
    describeFeedCases(ctx);
    describeSharingCases(ctx);
    describeWebhookCases(ctx);
    describeInsightsCases(ctx);
    describeDirectoryCases(ctx);
    describeIntegrityCases(ctx);
  });
}
