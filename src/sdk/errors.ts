/**
 * A coded error answered by the server: `code` is the catalogue code (docs/errors.md), `status` the HTTP status.
 *
 * @example
 * try { await vg.send(channelId, body, opts); } catch (e) {
 *   if (e instanceof VaultgateApiError && e.code === 'MESSAGE_TYPE_NOT_AGREED') console.error(e.message, e.requestId);
 * }
 */
export class VaultgateApiError extends Error {
  /** The request id the server logged this failure under (quote it to the operator). */
  readonly requestId: string | undefined;
  /** For `REQUEST_NOT_UNIQUE`: the message already stored under the transaction id. */
  readonly messageId: string | undefined;

  constructor(readonly status: number, readonly code: string, readonly body: unknown) {
    const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    // The title is the catalogue's message in the request's language; the detail (when any) names the specifics.
    const text = [b.title, b.detail].filter((t): t is string => typeof t === 'string' && t !== '').join(' ');
    super(`${code} (HTTP ${status})${text ? `: ${text}` : ''}`);
    this.name = 'VaultgateApiError';
    this.requestId = typeof b.requestId === 'string' ? b.requestId : undefined;
    this.messageId = typeof b.messageId === 'string' ? b.messageId : undefined;
  }
}

/**
 * The token endpoint refused to issue a token (RFC 6749 §5.2). `oauthError` is the RFC 6749 code (`invalid_client`,
 * `invalid_scope`, `unauthorized_client`, …), `code` the Vaultgate code (`OAUTH_INVALID_CLIENT`, …), `status` the
 * HTTP status. A send or vault read whose token cannot be fetched throws this.
 *
 * @example
 * catch (e) { if (e instanceof VaultgateTokenError && e.oauthError === 'invalid_client') console.error('check the client secret'); }
 */
export class VaultgateTokenError extends VaultgateApiError {
  readonly oauthError: string;
  readonly errorDescription: string | undefined;

  constructor(status: number, body: Record<string, unknown>) {
    const oauthError = typeof body.error === 'string' ? body.error : 'invalid_response';
    super(status, typeof body.code === 'string' ? body.code : oauthError, body);
    this.name = 'VaultgateTokenError';
    this.oauthError = oauthError;
    this.errorDescription = typeof body.error_description === 'string' ? body.error_description : undefined;
    this.message = `token refused: ${oauthError}${this.errorDescription ? `: ${this.errorDescription}` : ''} (HTTP ${status})`;
  }
}

/**
 * The server could not be reached, or the connection failed, on every attempt. `cause` is the last failure.
 *
 * @example
 * if (e instanceof VaultgateNetworkError) console.error(`gave up after ${e.attempts} attempts`, e.cause);
 */
export class VaultgateNetworkError extends Error {
  constructor(message: string, readonly attempts: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VaultgateNetworkError';
  }
}

/**
 * An export stream ended before its `{"complete":true}` line; resume with `cursor`.
 *
 * @example
 * catch (e) { if (e instanceof VaultgateIncompleteExportError) for await (const m of vg.exportVault({}, { cursor: e.cursor })) … }
 */
export class VaultgateIncompleteExportError extends Error {
  /**
   * `code` is set when the server ended the export itself: `GRANT_REQUIRED` when a grant of a shared export ended
   * mid-stream (resuming needs an active grant again).
   */
  constructor(readonly received: number, readonly cursor: string | undefined, readonly code?: string) {
    super(code === 'GRANT_REQUIRED'
      ? `the export stopped after ${received} messages: the grant it read through is no longer active`
      : `the export was cut short after ${received} messages; run it again to resume`);
    this.name = 'VaultgateIncompleteExportError';
  }
}

/**
 * Builds the typed error from a non-2xx answer's status and (problem+json) body.
 *
 * @example
 * apiErrorFrom(404, '{"code":"NOT_FOUND"}').code; // 'NOT_FOUND'
 */
export function apiErrorFrom(status: number, text: string): VaultgateApiError {
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { title: text.slice(0, 200) };
  }
  const code = (body as { code?: unknown }).code;
  return new VaultgateApiError(status, typeof code === 'string' ? code : `HTTP_${status}`, body);
}
