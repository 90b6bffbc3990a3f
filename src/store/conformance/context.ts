import type { Store } from '../port.js';
import type { Fixtures } from './fixtures.js';

/** What each group of conformance cases gets: the store of the running test and record factories. */
export interface ConformanceContext {
  /** The store opened (empty) for the running test. */
  store(): Store;
  /** Closes the running test's store and opens the same database again; undefined when the harness cannot. */
  reopen: (() => Promise<Store>) | undefined;
  fx(): Fixtures;
}
