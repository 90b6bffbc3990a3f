export type {
  ChannelRequestRecord,
  ChannelRequestStatus,
  PreviousSecretRecord,
  SelfServiceStore,
  AccountLanguage,
  ApiTokenRecord,
  AccountStore,
  MembershipRecord,
  MembershipRole,
  OrganisationRecord,
  RegistrationApproval,
  RegistrationKind,
  RegistrationRecord,
  SessionRecord,
  UserRecord,
  UserStatus,
  AuditAppend,
  AuditKeyRecord,
  AuditQuery,
  AuditStore,
  DataKeyRecord,
  ExternalClientLinkRecord,
  OAuthClientRecord,
  OAuthOwnerKind,
  OAuthStore,
  SigningKeyRecord,
  KeyStore,
  RetentionPolicy,
  ChannelRecord,
  CompanyRecord,
  CustomerCredentialRecord,
  IngestItem,
  IngestOutcome,
  ListQuery,
  MessageMeta,
  MessageQuery,
  MessageRecord,
  MessageTypeAgreement,
  Page,
  PartnerCredentialRecord,
  PartyRecord,
  RegistryStore,
  Scope,
  Status,
  Store,
  VaultStore,
} from './port.js';
export { isStoreFull, type StoreReadiness } from './store-full.js';
export {
  openSqliteStore,
  SqliteStore,
  type SqliteConnectionSettings,
  type SqliteStoreOptions,
} from './sqlite/sqlite-store.js';
export { openSqliteKeyStore, SqliteKeyStore } from './sqlite/sqlite-key-store.js';
export { LATEST_SCHEMA_VERSION } from './sqlite/migrations.js';
export { openPgStore, type PgStore, type PgStoreOptions } from './postgres/pg-store.js';
export { openPgKeyStore, type PgKeyStore } from './postgres/pg-key-store.js';
export type { MigrationResult } from './postgres/migrations.js';
export { openAuditReader, type AuditReader } from './audit-reader.js';
export { auditUnavailable } from './audit-unavailable.js';
