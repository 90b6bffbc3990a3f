import { runKeyStoreConformance } from '../conformance/key-store-cases.js';
import { openSqliteKeyStore } from './sqlite-key-store.js';

runKeyStoreConformance('sqlite', () => openSqliteKeyStore({ file: ':memory:' }));
