/**
 * The pre-request script of an OAuth-authenticated Postman collection (see postman-collection.ts): a token by the
 * client credentials grant (oauth.md), fetched with `pm.sendRequest` and cached in collection variables until
 * shortly before it expires, `Authorization: Bearer`, and a fresh `Idempotency-Key` on every request.
 */

/**
 * The collection-level pre-request script for bearer tokens, as lines of JavaScript for the Postman sandbox. The
 * token is cached per client id in the collection variables `vaultgateAccessToken`, `vaultgateAccessTokenClient`
 * and `vaultgateAccessTokenRefreshAt` (60 s before expiry, or half the lifetime when that is shorter).
 *
 * @example
 * collection.event = [{ listen: 'prerequest', script: { type: 'text/javascript', exec: POSTMAN_OAUTH_PRE_REQUEST.split('\n') } }];
 */
export const POSTMAN_OAUTH_PRE_REQUEST = `// Vaultgate: a bearer token (OAuth 2.0 client credentials) and a fresh Idempotency-Key on every request.
(function () {
  var v = function (name) {
    var value = pm.variables.get(name);
    if (value === undefined || value === null || value === '') throw new Error('Vaultgate: set the variable "' + name + '" in the environment');
    return String(value);
  };
  var clientId = v('clientId');
  // A failed token request is reported by the request's test script (an error thrown in a callback is not shown).
  pm.variables.set('vaultgateTokenError', '');
  var idempotencyKey = pm.variables.replaceIn('{{$guid}}');
  pm.variables.set('vaultgateTransactionId', idempotencyKey);
  pm.request.headers.upsert({ key: 'Idempotency-Key', value: idempotencyKey });
  pm.request.headers.upsert({ key: 'Accept', value: 'application/json' });
  var authorize = function (token) { pm.request.headers.upsert({ key: 'Authorization', value: 'Bearer ' + token }); };
  var cached = pm.collectionVariables.get('vaultgateAccessToken');
  var refreshAt = Number(pm.collectionVariables.get('vaultgateAccessTokenRefreshAt') || 0);
  if (cached && pm.collectionVariables.get('vaultgateAccessTokenClient') === clientId && Date.now() < refreshAt) {
    authorize(cached);
    return;
  }
  pm.sendRequest({
    url: v('tokenUrl'),
    method: 'POST',
    header: { 'Content-Type': 'application/x-www-form-urlencoded', 'Accept': 'application/json' },
    body: { mode: 'urlencoded', urlencoded: [
      { key: 'grant_type', value: 'client_credentials' },
      { key: 'client_id', value: clientId },
      { key: 'client_secret', value: v('clientSecret') }
    ] }
  }, function (err, res) {
    if (err) return pm.variables.set('vaultgateTokenError', 'Vaultgate: the token endpoint could not be reached: ' + err);
    var body = {};
    try { body = res.json(); } catch (e) { body = { error: res.text() }; }
    if (res.code !== 200 || !body.access_token) {
      return pm.variables.set('vaultgateTokenError', 'Vaultgate: no token (HTTP ' + res.code + '): ' + (body.error || '') + ' ' + (body.error_description || ''));
    }
    var lifetimeMs = Number(body.expires_in) * 1000;
    pm.collectionVariables.set('vaultgateAccessToken', body.access_token);
    pm.collectionVariables.set('vaultgateAccessTokenClient', clientId);
    pm.collectionVariables.set('vaultgateAccessTokenRefreshAt', String(Date.now() + lifetimeMs - Math.min(60000, lifetimeMs / 2)));
    authorize(body.access_token);
  });
})();`;
