export { signRequest, type MacCredentials } from './mac-signer.js';
export { exportVaultToFile, resumePoint, VaultgateApiError, type ExportOptions } from './export-vault.js';
export { decodeAccessToken, fetchClientCredentialsToken, type AccessToken, type ClientCredentialsOptions } from './client-credentials.js';
