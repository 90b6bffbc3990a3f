/**
 * Postman files for one ingestion channel: a Collection v2.1 whose pre-request script signs each request with the
 * X-Netvisor-Authentication-* scheme in the Postman sandbox (or fetches a bearer token, postman-oauth.ts), and an
 * environment. Pure: the admin route
 * (`GET /admin/v1/channels/{id}/postman`) and the CLI (`vaultgate postman export`) both call `postmanExport`.
 */

import { POSTMAN_OAUTH_PRE_REQUEST } from './postman-oauth.js';

/** The sandbox's CryptoJS: `require('crypto-js')` where the sandbox has it (the global is deprecated), else the global. */
const CRYPTO = `var VgCrypto = typeof require === 'function' ? require('crypto-js') : CryptoJS;`;

/**
 * The signing function of the pre-request script, as JavaScript source for the Postman sandbox (CryptoJS). It
 * hashes the ISO-8859-1 bytes of the joined fields (mac-auth.md) and refuses characters above U+00FF. Tests run it
 * in the real sandbox against every vector of `mac.json`.
 *
 * @example
 * const script = `${POSTMAN_MAC_FUNCTION}\nconsole.log(vaultgateMac(fields, 'SHA256'));`;
 */
export const POSTMAN_MAC_FUNCTION = `${CRYPTO}
function vaultgateMac(f, algorithm) {
  var parts = [f.url, f.sender, f.customerId, f.timestamp, f.language, f.organisationId, f.transactionId];
  if (algorithm === 'HMACSHA256') parts.push(f.timestampUnix);
  parts.push(f.customerKey, f.partnerKey);
  var text = parts.join('&');
  for (var i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 255) throw new Error('Vaultgate: character ' + text.charAt(i) + ' cannot be encoded as ISO-8859-1, so it cannot be signed');
  }
  var bytes = VgCrypto.enc.Latin1.parse(text);
  if (algorithm === 'HMACSHA256') return VgCrypto.HmacSHA256(bytes, VgCrypto.enc.Latin1.parse(f.customerKey + '&' + f.partnerKey)).toString(VgCrypto.enc.Hex);
  if (algorithm === 'MD5') return VgCrypto.MD5(bytes).toString(VgCrypto.enc.Hex);
  if (algorithm !== 'SHA256') throw new Error('Vaultgate: unknown MAC algorithm ' + algorithm);
  return VgCrypto.SHA256(bytes).toString(VgCrypto.enc.Hex);
}`;

/** The collection-level pre-request script: fresh timestamp and transaction id, the decoded URL, the headers. */
const PRE_REQUEST = `// Vaultgate: signs every request of this collection (X-Netvisor-Authentication-*, see mac-auth.md).
${POSTMAN_MAC_FUNCTION}
(function () {
  var v = function (name) {
    var value = pm.variables.get(name);
    if (value === undefined || value === null || value === '') throw new Error('Vaultgate: set the variable "' + name + '" in the environment');
    return String(value);
  };
  var algorithm = String(pm.variables.get('macAlgorithm') || 'SHA256').toUpperCase();
  var now = new Date();
  // Postman and newman put header values on the wire as UTF-8, and the server reads header bytes as ISO-8859-1:
  // so a header field is hashed as its UTF-8 bytes (the characters the server will see). ASCII is unchanged.
  var wire = function (s) { return unescape(encodeURIComponent(s)); };
  // The URL is hashed as addressed, with percent-escapes decoded (UTF-8), then encoded as ISO-8859-1.
  var url = decodeURIComponent(pm.variables.replaceIn(pm.request.url.toString()));
  var f = {
    url: url,
    sender: v('sender'),
    customerId: v('customerId'),
    timestamp: now.toISOString().replace('T', ' ').replace('Z', ''),
    language: v('language'),
    organisationId: v('organisationId'),
    transactionId: pm.variables.replaceIn('{{$guid}}'),
    timestampUnix: String(Math.floor(now.getTime() / 1000)),
    customerKey: v('customerKey'),
    partnerKey: v('partnerKey')
  };
  var signed = {};
  Object.keys(f).forEach(function (k) { signed[k] = k === 'url' || /Key$/.test(k) ? f[k] : wire(f[k]); });
  var mac = vaultgateMac(signed, algorithm);
  pm.variables.set('vaultgateTransactionId', f.transactionId);
  var h = {
    'X-Netvisor-Authentication-Sender': f.sender,
    'X-Netvisor-Authentication-CustomerId': f.customerId,
    'X-Netvisor-Authentication-PartnerId': v('partnerId'),
    'X-Netvisor-Authentication-Timestamp': f.timestamp,
    'X-Netvisor-Authentication-TransactionId': f.transactionId,
    'X-Netvisor-Interface-Language': f.language,
    'X-Netvisor-Organisation-ID': f.organisationId,
    'X-Netvisor-Authentication-MAC': mac,
    'X-Netvisor-Authentication-MACHashCalculationAlgorithm': algorithm,
    'X-Netvisor-Authentication-UseHTTPResponseStatusCodes': '1',
    'Accept': 'application/json'
  };
  if (algorithm === 'HMACSHA256') h['X-Netvisor-Authentication-TimestampUnix'] = f.timestampUnix;
  Object.keys(h).forEach(function (key) { pm.request.headers.upsert({ key: key, value: h[key] }); });
})();`;

/** The test script of each send: the status, and a receipt that names this message, its bytes and digest. */
const TESTS = `${CRYPTO}
pm.test('stored: status 200', function () {
  var tokenError = pm.variables.get('vaultgateTokenError');
  if (tokenError) throw new Error(tokenError);
  pm.response.to.have.status(200);
});
pm.test('the receipt names the stored message', function () {
  var r = pm.response.json();
  var body = pm.request.body ? pm.request.body.toString() : '';
  pm.expect(r.messageId).to.match(/^msg_/);
  pm.expect(r.channelId).to.eql(pm.variables.get('channelId'));
  pm.expect(r.transactionId).to.eql(pm.variables.get('vaultgateTransactionId'));
  pm.expect(r.sha256).to.eql(VgCrypto.SHA256(VgCrypto.enc.Utf8.parse(body)).toString(VgCrypto.enc.Hex));
  pm.expect(r.size).to.eql(VgCrypto.enc.Utf8.parse(body).sigBytes);
  pm.expect(pm.response.headers.get('Location')).to.eql('/vault/v1/messages/' + r.messageId);
});`;

/**
 * An example body for a media type, with non-ASCII text (the bytes are sent as UTF-8).
 *
 * @example
 * exampleBody('text/csv', 'Orders'); // 'id;text\n1;Hyvää päivää\n2;Jyväskylä'
 */
export function exampleBody(mediaType: string, messageType: string): string {
  const m = mediaType.toLowerCase();
  if (m.includes('json')) return JSON.stringify({ messageType, example: true, text: 'Hyvää päivää, Jyväskylä; Göteborg' }, null, 2);
  if (m.includes('xml')) return `<?xml version="1.0" encoding="UTF-8"?>\n<${safeTag(messageType)}>\n  <text>Hyvää päivää, Jyväskylä; Göteborg</text>\n</${safeTag(messageType)}>`;
  if (m.includes('csv')) return 'id;text\n1;Hyvää päivää\n2;Jyväskylä';
  return `${messageType}: Hyvää päivää, Jyväskylä`;
}

const safeTag = (s: string): string => (/^[A-Za-z_][\w.-]*$/.test(s) ? s : 'message');

export interface PostmanExportInput {
  /** Base URL clients address (the deployment's public URL). */
  baseUrl: string;
  channelId: string;
  /** The channel's agreed message types; the first (type, media type) pair is the environment's default. */
  messageTypes: { name: string; mediaTypes: string[] }[];
  /** `mac` (default): the pre-request script signs; `oauth`: it fetches a bearer token by client credentials. */
  auth?: 'mac' | 'oauth';
  /** Values for the environment. Keys and the client secret stay empty (typed secret) unless given. */
  values?: Partial<Record<PostmanValueKey, string>>;
}

export type PostmanValueKey = 'partnerId' | 'partnerKey' | 'customerId' | 'customerKey' | 'organisationId' | 'sender' | 'language' | 'clientId' | 'clientSecret' | 'tokenUrl';

export interface PostmanVariable { key: string; value: string; type: 'default' | 'secret'; enabled: true }

export interface PostmanExport {
  collection: Record<string, unknown>;
  environment: { name: string; values: PostmanVariable[]; _postman_variable_scope: 'environment' };
}

const lines = (s: string): string[] => s.split('\n');

/**
 * A Postman Collection v2.1 and environment for one channel, MAC-authenticated or (`auth: 'oauth'`) with bearer
 * tokens. The collection has one request using `{{messageType}}`/`{{mediaType}}` from the environment, and one per
 * agreed (message type, media type). The OAuth environment holds `clientId`, `clientSecret` and `tokenUrl` (default
 * `<baseUrl>/oauth2/token`) instead of the MAC ids and keys.
 *
 * @example
 * const { collection, environment } = postmanExport({ baseUrl: 'https://vg.example.com', channelId: 'ch_test_…',
 *   messageTypes: [{ name: 'TransportOrder', mediaTypes: ['application/json'] }] });
 */
export function postmanExport(input: PostmanExportInput): PostmanExport {
  const oauth = input.auth === 'oauth';
  const first = input.messageTypes[0];
  const defaultType = first?.name ?? '';
  const defaultMedia = first?.mediaTypes[0] ?? 'application/json';
  const test = { listen: 'test', script: { type: 'text/javascript', exec: lines(TESTS) } };
  const send = (name: string, messageType: string, mediaType: string, body: string) => ({
    name,
    event: [test],
    request: {
      method: 'POST',
      header: [{ key: 'Content-Type', value: mediaType }, { key: 'X-Message-Type', value: messageType }],
      body: { mode: 'raw', raw: body },
      url: { raw: '{{baseUrl}}/ingestion/{{channelId}}', host: ['{{baseUrl}}'], path: ['ingestion', '{{channelId}}'] },
      description: `Sends one ${messageType} message into the channel. The collection's pre-request script ${oauth ? 'adds a bearer token and an Idempotency-Key' : 'signs it'}.`,
    },
  });
  const items = [send('Send a message ({{messageType}}, {{mediaType}})', '{{messageType}}', '{{mediaType}}', exampleBody(defaultMedia, defaultType))];
  for (const t of input.messageTypes) {
    for (const m of t.mediaTypes) items.push(send(`Send ${t.name} (${m})`, t.name, m, exampleBody(m, t.name)));
  }
  const v = input.values ?? {};
  const variable = (key: string, value: string, type: 'default' | 'secret' = 'default'): PostmanVariable => ({ key, value, type, enabled: true });
  const baseUrl = input.baseUrl.replace(/\/+$/, '');
  const authValues = oauth
    ? [variable('clientId', v.clientId ?? ''), variable('clientSecret', v.clientSecret ?? '', 'secret'), variable('tokenUrl', v.tokenUrl ?? `${baseUrl}/oauth2/token`)]
    : macValues(v, variable);
  return {
    collection: {
      info: {
        name: `Vaultgate ${input.channelId}`,
        description: oauth
          ? 'Sends messages into a Vaultgate ingestion channel with bearer tokens: the collection\'s pre-request script fetches a token from tokenUrl by client credentials (cached until shortly before it expires) and sets a fresh Idempotency-Key. Fill clientSecret in the environment.'
          : 'Sends messages into a Vaultgate ingestion channel. Every request is signed by the collection\'s pre-request script (X-Netvisor-Authentication-* MAC: SHA256, or HMACSHA256 when the variable macAlgorithm says so). Fill partnerKey and customerKey in the environment.',
        schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
      },
      event: [{ listen: 'prerequest', script: { type: 'text/javascript', exec: lines(oauth ? POSTMAN_OAUTH_PRE_REQUEST : PRE_REQUEST) } }],
      variable: oauth ? [] : [{ key: 'macAlgorithm', value: 'SHA256' }],
      item: items,
    },
    environment: {
      name: `Vaultgate ${input.channelId}`,
      values: [
        variable('baseUrl', baseUrl),
        variable('channelId', input.channelId),
        variable('messageType', defaultType),
        variable('mediaType', defaultMedia),
        ...authValues,
      ],
      _postman_variable_scope: 'environment',
    },
  };
}

/** The MAC scheme's environment variables: ids, keys (secret), organisation, sender, language. */
function macValues(v: Partial<Record<PostmanValueKey, string>>, variable: (key: string, value: string, type?: 'default' | 'secret') => PostmanVariable): PostmanVariable[] {
  return [
    variable('partnerId', v.partnerId ?? ''),
    variable('partnerKey', v.partnerKey ?? '', 'secret'),
    variable('customerId', v.customerId ?? ''),
    variable('customerKey', v.customerKey ?? '', 'secret'),
    variable('organisationId', v.organisationId ?? ''),
    variable('sender', v.sender ?? 'Postman'),
    variable('language', v.language ?? 'EN'),
  ];
}
