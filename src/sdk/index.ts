/**
 * The Vaultgate SDK: send messages into ingestion channels, read a vault. Signing is the server's own protocol code.
 * Installs without native modules (undici, and http-message-signatures with structured-headers for RFC 9421/9530).
 */
export { VaultgateClient, type VaultgateClientOptions, type SendOptions } from './client.js';
export { signRequest, signRequestDetailed, type MacCredentials } from './mac-signer.js';
export { cachedTokenProvider, type IssuedToken, type TokenCacheOptions } from './token-cache.js';
export { authorizerFor, type BearerCredentials, type OAuthClientCredentials, type RequestAuthorizer, type RequestToAuthorize, type TokenProvider, type VaultgateCredentials } from './auth.js';
export { VaultgateApiError, VaultgateTokenError, VaultgateIncompleteExportError, VaultgateNetworkError } from './errors.js';
export { DEFAULT_RETRY, parseRetryAfter, retryDelay, isRetryableStatus, type RetryPolicy } from './retry.js';
export { describeLimits, exhaustedLimits, parseRateLimit, parseRateLimitPolicy, rateLimitResetMs, RatePacer, type RateLimitItem, type RateLimitPolicyItem, type RateLimitWait } from './rate-limit.js';
export type { AuditFilters, AuditPage, ExportedMessage, FeedItem, FeedOptions, FeedPage, MessageMeta, MessagePage, Receipt, SendResult, SharedGrant, SharedOwners, VaultFilters, VaultMessage } from './types.js';
export { exportVaultToFile, resumePoint, type ExportOptions } from './export-vault.js';
export { clientCredentialsTokenProvider, decodeAccessToken, fetchClientCredentialsToken, type AccessToken, type ClientCredentialsOptions, type ClientCredentialsProviderOptions } from './client-credentials.js';
export { httpSignatureHeaders } from './http-signer.js';
export type { HttpSignatureKey, HttpSignatureAlgorithm } from '../protocol/index.js';
export { DEFAULT_BATCH_CAPABILITY, type BatchItem, type BatchSendResult } from './batch.js';
export type { BatchCapability } from '../protocol/index.js';
