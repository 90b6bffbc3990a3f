/**
 * The one error catalogue. Every code a client can see is here, with its HTTP status, the Netvisor family it
 * maps onto (what MAC-scheme clients parse and which status `UseHTTPResponseStatusCodes: 1` uses), its message in
 * English, Finnish and Swedish, and a remedy. Codes are stable and never reused.
 */

/** The Netvisor status families and the HTTP status each answers with under `UseHTTPResponseStatusCodes: 1`. */
export const FAMILY_STATUS = {
  INVALID_DATA: 400,
  INVALID_DATA_SIZE: 400,
  REQUEST_NOT_UNIQUE: 400,
  AUTHENTICATION_FAILED: 401,
  SERVICE_ACCESS_ERROR: 403,
  TECHNICAL_ERROR: 500,
  SYSTEM_MAINTENANCE: 500,
} as const;

export type ErrorFamily = keyof typeof FAMILY_STATUS;
export type Language = 'en' | 'fi' | 'sv';

export interface ErrorDefinition {
  status: number;
  family: ErrorFamily;
  message: Record<Language, string>;
  remedy: string;
}

const def = (
  status: number,
  family: ErrorFamily,
  en: string,
  fi: string,
  sv: string,
  remedy: string,
): ErrorDefinition => ({ status, family, message: { en, fi, sv }, remedy });

export const ERROR_CATALOGUE = {
  AUTHENTICATION_FAILED: def(
    401,
    'AUTHENTICATION_FAILED',
    'Authentication failed: the credentials are unknown, inactive, or the MAC does not match.',
    'Tunnistautuminen epäonnistui: tunnukset ovat tuntemattomat tai passiiviset, tai MAC ei täsmää.',
    'Autentiseringen misslyckades: uppgifterna är okända eller inaktiva, eller så stämmer inte MAC-värdet.',
    'Check the PartnerId/CustomerId and both keys, and that the MAC is computed over the exact URL and header values sent.',
  ),
  AUTH_HEADERS_INVALID: def(
    401,
    'AUTHENTICATION_FAILED',
    'Authentication headers are missing or malformed.',
    'Tunnistautumisotsakkeita puuttuu tai ne ovat virheellisiä.',
    'Autentiseringshuvuden saknas eller är felaktiga.',
    'Send every X-Netvisor-Authentication-* header listed in the documentation, well-formed.',
  ),
  MAC_ALGORITHM_NOT_SUPPORTED: def(
    401,
    'AUTHENTICATION_FAILED',
    'The MAC algorithm is not supported here; use SHA256 or HMACSHA256.',
    'MAC-algoritmia ei tueta; käytä SHA256- tai HMACSHA256-algoritmia.',
    'MAC-algoritmen stöds inte här; använd SHA256 eller HMACSHA256.',
    'Send X-Netvisor-Authentication-MACHashCalculationAlgorithm: SHA256 (or HMACSHA256 with TimestampUnix).',
  ),
  TIMESTAMP_OUT_OF_WINDOW: def(
    401,
    'AUTHENTICATION_FAILED',
    'The request timestamp is outside the allowed window of server time.',
    'Pyynnön aikaleima ei ole sallitun aikaikkunan sisällä.',
    'Begärans tidsstämpel ligger utanför det tillåtna tidsfönstret.',
    'Send the current UTC time (YYYY-MM-DD HH:MM:SS.fff) and keep the client clock synchronised (NTP).',
  ),
  TIMESTAMP_MISMATCH: def(
    401,
    'AUTHENTICATION_FAILED',
    'TimestampUnix does not agree with Timestamp.',
    'TimestampUnix ei vastaa Timestamp-arvoa.',
    'TimestampUnix stämmer inte överens med Timestamp.',
    'Derive both timestamp headers from the same instant.',
  ),
  ADMIN_UNAUTHORIZED: def(
    401,
    'AUTHENTICATION_FAILED',
    'The operator token is missing or wrong.',
    'Ylläpitäjän tunniste puuttuu tai on väärä.',
    'Operatörens token saknas eller är fel.',
    'Send Authorization: Bearer <admin token> (VAULTGATE_ADMIN_TOKEN, or the admin-token file in the data directory).',
  ),
  ENVIRONMENT_MISMATCH: def(
    421,
    'AUTHENTICATION_FAILED',
    'The id or credential belongs to another environment than this deployment.',
    'Tunniste tai tunnus kuuluu toiseen ympäristöön kuin tämä palvelu.',
    'Id:t eller uppgifterna hör till en annan miljö än denna tjänst.',
    'Use the ids and credentials issued by this environment (the environment is part of every id, e.g. ch_test_…).',
  ),
  SERVICE_ACCESS_ERROR: def(
    403,
    'SERVICE_ACCESS_ERROR',
    'The credentials are not authorised for this channel or organisation.',
    'Tunnuksilla ei ole oikeutta tähän kanavaan tai organisaatioon.',
    'Uppgifterna har inte behörighet till denna kanal eller organisation.',
    "Use the channel's own party credentials, a customer credential of the channel's company, and that company's business id as Organisation-ID.",
  ),
  SCOPE_MISSING: def(
    403,
    'SERVICE_ACCESS_ERROR',
    'The credential lacks the scope this operation needs.',
    'Tunnukselta puuttuu tämän toiminnon vaatima oikeus.',
    'Uppgifterna saknar den behörighet som åtgärden kräver.',
    'Ask the operator for a credential with the needed scope (ingest or vault.read).',
  ),
  CHANNEL_DISABLED: def(
    403,
    'SERVICE_ACCESS_ERROR',
    'The channel is disabled.',
    'Kanava on poistettu käytöstä.',
    'Kanalen är inaktiverad.',
    'Ask the operator to create a new channel.',
  ),
  CHANNEL_NOT_FOUND: def(
    404,
    'INVALID_DATA',
    'No such channel in this environment.',
    'Kanavaa ei ole tässä ympäristössä.',
    'Kanalen finns inte i denna miljö.',
    'Check the channel id in the ingestion URL.',
  ),
  NOT_FOUND: def(
    404,
    'INVALID_DATA',
    'The requested resource does not exist.',
    'Pyydettyä kohdetta ei ole.',
    'Den begärda resursen finns inte.',
    'Check the id and the path.',
  ),
  MESSAGE_TYPE_REQUIRED: def(
    400,
    'INVALID_DATA',
    'The channel agrees several message types: name one in X-Message-Type.',
    'Kanavalla on useita sanomatyyppejä: anna sanomatyyppi X-Message-Type-otsakkeessa.',
    'Kanalen har flera meddelandetyper: ange en i X-Message-Type.',
    'Send X-Message-Type with one of the message types agreed for the channel.',
  ),
  MESSAGE_TYPE_NOT_AGREED: def(
    400,
    'INVALID_DATA',
    'The message type is not agreed for this channel.',
    'Sanomatyyppiä ei ole sovittu tälle kanavalle.',
    'Meddelandetypen är inte avtalad för denna kanal.',
    'Use one of the message types agreed for the channel, or ask the operator to add it.',
  ),
  MEDIA_TYPE_NOT_AGREED: def(
    415,
    'INVALID_DATA',
    'The media type (Content-Type) is not agreed for this message type.',
    'Mediatyyppiä (Content-Type) ei ole sovittu tälle sanomatyypille.',
    'Medietypen (Content-Type) är inte avtalad för denna meddelandetyp.',
    'Send a Content-Type agreed for the message type.',
  ),
  BODY_EMPTY: def(
    400,
    'INVALID_DATA_SIZE',
    'The message body is empty.',
    'Sanoman runko on tyhjä.',
    'Meddelandets innehåll är tomt.',
    'Send at least one byte.',
  ),
  BODY_TOO_LARGE: def(
    413,
    'INVALID_DATA_SIZE',
    'The message body is larger than this deployment accepts.',
    'Sanoman runko on suurempi kuin palvelu hyväksyy.',
    'Meddelandets innehåll är större än tjänsten tar emot.',
    'Split the message, or ask the operator about VAULTGATE_MAX_BODY_BYTES.',
  ),
  REQUEST_NOT_UNIQUE: def(
    409,
    'REQUEST_NOT_UNIQUE',
    'The transaction id has been used before by this party.',
    'Tapahtumatunnistetta on käytetty aiemmin.',
    'Transaktions-id:t har använts tidigare.',
    'Use a fresh transaction id per request; if you are retrying, the message named in the error is already stored.',
  ),
  INVALID_REQUEST: def(
    400,
    'INVALID_DATA',
    'The request is not valid.',
    'Pyyntö ei ole kelvollinen.',
    'Begäran är ogiltig.',
    'Correct the fields named in the details and send again.',
  ),
  BUSINESS_ID_INVALID: def(
    400,
    'INVALID_DATA',
    'The business id is not valid: its check digit does not match.',
    'Y-tunnus ei ole kelvollinen: tarkistusnumero ei täsmää.',
    'FO-numret är ogiltigt: kontrollsiffran stämmer inte.',
    'Check the business id (Finnish form NNNNNNN-C); the last digit is a check digit.',
  ),
  BUSINESS_ID_TAKEN: def(
    409,
    'INVALID_DATA',
    'A company with this business id is already registered.',
    'Yritys tällä Y-tunnuksella on jo rekisteröity.',
    'Ett företag med detta FO-nummer är redan registrerat.',
    'Use the existing company (GET /admin/v1/companies?businessId=…).',
  ),
  STATE_CONFLICT: def(
    409,
    'INVALID_DATA',
    'The resource is disabled and cannot be used for this.',
    'Kohde on poistettu käytöstä eikä sitä voi käyttää tähän.',
    'Resursen är inaktiverad och kan inte användas för detta.',
    'Use an active company, party or channel.',
  ),
  TECHNICAL_ERROR: def(
    500,
    'TECHNICAL_ERROR',
    'An internal error occurred. Nothing was stored.',
    'Tapahtui sisäinen virhe. Mitään ei tallennettu.',
    'Ett internt fel inträffade. Inget sparades.',
    'Retry with the same transaction id; report the request id if it persists.',
  ),
  DATA_INTEGRITY_ERROR: def(
    500,
    'TECHNICAL_ERROR',
    'Stored data failed its integrity check and was not returned.',
    'Tallennettu tieto ei läpäissyt eheystarkistusta, eikä sitä palautettu.',
    'Lagrade data klarade inte integritetskontrollen och returnerades inte.',
    'Report the request id to the operator; the stored copy was altered or moved and must be restored from a backup.',
  ),
  DATA_KEY_DESTROYED: def(
    410,
    'INVALID_DATA',
    'The key of this data has been destroyed; the data can no longer be read.',
    'Tämän tiedon avain on tuhottu; tietoa ei voi enää lukea.',
    'Nyckeln till dessa data har förstörts; data kan inte längre läsas.',
    'Nothing to do: the owner was deleted (crypto-shredded) and its data is gone for good.',
  ),
  // --- the store's room and readiness (issue 11 §7) ---
  STORE_FULL: def(
    507,
    'TECHNICAL_ERROR',
    'The store has no room left to write; nothing was stored.',
    'Tallennustilassa ei ole tilaa kirjoittaa; mitään ei tallennettu.',
    'Lagringen har inget utrymme kvar att skriva; inget sparades.',
    'Retry later with the same transaction id. Operator: free disk space where the store writes (the data directory, or the PostgreSQL volume); the server takes writes again as soon as there is room, without a restart (GET /readyz answers 200 then).',
  ),
  STORE_NOT_READY: def(
    503,
    'TECHNICAL_ERROR',
    'The server is running but its store is not ready: it cannot be read or has no room to write.',
    'Palvelin on käynnissä, mutta sen tallennustila ei ole valmis: sitä ei voi lukea tai siinä ei ole tilaa kirjoittaa.',
    'Servern körs men dess lagring är inte redo: den kan inte läsas eller har inget utrymme att skriva.',
    'Send traffic to another instance or retry later. Operator: `reason` says which check failed (full: free disk space in the data directory or on the database volume; unreadable: check the database file or the PostgreSQL connection).',
  ),
  // --- bearer tokens and the token endpoint (issue 4); the TOKEN_* 401s are answered with
  // WWW-Authenticate: Bearer error="invalid_token" ---
  TOKEN_MALFORMED: def(
    401,
    'AUTHENTICATION_FAILED',
    'The bearer token is not a well-formed signed JWT.',
    'Bearer-tunniste ei ole kelvollinen allekirjoitettu JWT.',
    'Bearer-token är inte en korrekt signerad JWT.',
    'Send Authorization: Bearer <JWT> with the access token exactly as the token endpoint issued it.',
  ),
  TOKEN_ALGORITHM_REJECTED: def(
    401,
    'AUTHENTICATION_FAILED',
    'The token is signed with an algorithm this deployment does not accept for its issuer.',
    'Tunniste on allekirjoitettu algoritmilla, jota ei hyväksytä tälle myöntäjälle.',
    'Token är signerad med en algoritm som inte godtas för dess utfärdare.',
    'Use a token signed with an asymmetric algorithm allowed for the issuer (never none or HMAC); see the issuer configuration.',
  ),
  TOKEN_HEADER_REJECTED: def(
    401,
    'AUTHENTICATION_FAILED',
    'The token header names a key or key location (jku, x5u, jwk, x5c); keys are only taken from the configured issuer.',
    'Tunnisteen otsake osoittaa avaimeen tai sen sijaintiin (jku, x5u, jwk, x5c); avaimet haetaan vain määritetyltä myöntäjältä.',
    'Tokenhuvudet anger en nyckel eller nyckelplats (jku, x5u, jwk, x5c); nycklar hämtas endast från den konfigurerade utfärdaren.',
    'Send a token whose header carries only alg, kid and typ, as issued by a trusted issuer.',
  ),
  TOKEN_KEY_UNKNOWN: def(
    401,
    'AUTHENTICATION_FAILED',
    "The token's key id is not among the issuer's published keys.",
    'Tunnisteen avaintunnus ei ole myöntäjän julkaisemien avainten joukossa.',
    'Tokenets nyckel-id finns inte bland utfärdarens publicerade nycklar.',
    'Fetch a new token; if it persists, the issuer signs with a key it does not publish at its JWKS URI.',
  ),
  TOKEN_SIGNATURE_INVALID: def(
    401,
    'AUTHENTICATION_FAILED',
    'The token signature does not verify: it was altered or not signed by the issuer.',
    'Tunnisteen allekirjoitus ei täsmää: tunnistetta on muutettu tai myöntäjä ei allekirjoittanut sitä.',
    'Tokenets signatur kan inte verifieras: token har ändrats eller signerades inte av utfärdaren.',
    'Send the token exactly as issued; do not modify it.',
  ),
  TOKEN_EXPIRED: def(
    401,
    'AUTHENTICATION_FAILED',
    'The token has expired.',
    'Tunniste on vanhentunut.',
    'Token har gått ut.',
    'Fetch a new token (client credentials) before the old one expires; keep the client clock synchronised.',
  ),
  TOKEN_NOT_YET_VALID: def(
    401,
    'AUTHENTICATION_FAILED',
    'The token is not valid yet (nbf or iat in the future).',
    'Tunniste ei ole vielä voimassa (nbf tai iat tulevaisuudessa).',
    'Token är inte giltig ännu (nbf eller iat i framtiden).',
    "Check the issuer's clock; at most 60 seconds of clock skew are tolerated.",
  ),
  TOKEN_ISSUER_UNTRUSTED: def(
    401,
    'AUTHENTICATION_FAILED',
    'The token issuer (iss) is not trusted by this deployment.',
    'Tunnisteen myöntäjä (iss) ei ole tämän palvelun luottama.',
    'Tokenets utfärdare (iss) är inte betrodd av denna tjänst.',
    'Use a token of this deployment (POST /oauth2/token) or of an issuer in VAULTGATE_OIDC_ISSUERS; iss must match exactly.',
  ),
  TOKEN_AUDIENCE_MISMATCH: def(
    401,
    'AUTHENTICATION_FAILED',
    'The token audience (aud) is not one this deployment accepts.',
    'Tunnisteen yleisö (aud) ei ole tämän palvelun hyväksymä.',
    'Tokenets mottagare (aud) godtas inte av denna tjänst.',
    'Request the token for the audience configured for the issuer (Entra ID: scope=<application id URI>/.default).',
  ),
  TOKEN_ENVIRONMENT_MISMATCH: def(
    401,
    'AUTHENTICATION_FAILED',
    'The token was issued for another environment than this deployment.',
    'Tunniste on myönnetty toiseen ympäristöön kuin tämä palvelu.',
    'Token utfärdades för en annan miljö än denna tjänst.',
    "Fetch the token from this environment's token endpoint with a client of this environment (oc_<environment>_…).",
  ),
  TOKEN_CLAIM_MISMATCH: def(
    401,
    'AUTHENTICATION_FAILED',
    'A claim the issuer configuration requires is missing or has another value (e.g. the client id claim or the B2C policy).',
    'Myöntäjän määrityksen vaatima väite puuttuu tai sen arvo on eri (esim. asiakastunnus tai B2C-käytäntö).',
    'Ett anspråk som utfärdarens konfiguration kräver saknas eller har ett annat värde (t.ex. klient-id eller B2C-policyn).',
    'Request the token with the client credentials flow and the policy configured for the issuer.',
  ),
  TOKEN_CLIENT_UNKNOWN: def(
    401,
    'AUTHENTICATION_FAILED',
    'The token is valid but its client is not registered or linked here.',
    'Tunniste on kelvollinen, mutta sen asiakasta ei ole rekisteröity tai linkitetty tänne.',
    'Token är giltig men dess klient är inte registrerad eller länkad här.',
    'Ask the operator to link the client id to your party or company (vaultgate admin client link …).',
  ),
  TOKEN_CLIENT_DISABLED: def(
    401,
    'AUTHENTICATION_FAILED',
    "The token's client, or the party or company it acts for, is disabled.",
    'Tunnisteen asiakas tai sen osapuoli tai yritys on poistettu käytöstä.',
    'Tokenets klient, eller parten eller företaget den agerar för, är inaktiverad.',
    'Ask the operator for a new client; a disabled one stays disabled.',
  ),
  TOKEN_ISSUER_UNAVAILABLE: def(
    503,
    'TECHNICAL_ERROR',
    "The issuer's signing keys could not be fetched; the token could not be checked.",
    'Myöntäjän allekirjoitusavaimia ei saatu haettua; tunnistetta ei voitu tarkistaa.',
    'Utfärdarens signeringsnycklar kunde inte hämtas; token kunde inte kontrolleras.',
    'Retry later; the operator should check that the issuer discovery and JWKS URIs are reachable from the server.',
  ),
  OAUTH_INVALID_REQUEST: def(
    400,
    'INVALID_DATA',
    'The token request is missing a parameter, repeats one, or is malformed (invalid_request).',
    'Tunnistepyynnöstä puuttuu parametri, se toistuu tai pyyntö on virheellinen (invalid_request).',
    'Tokenbegäran saknar en parameter, upprepar en eller är felaktig (invalid_request).',
    'POST application/x-www-form-urlencoded with grant_type=client_credentials and one client authentication method.',
  ),
  OAUTH_INVALID_CLIENT: def(
    401,
    'AUTHENTICATION_FAILED',
    'Client authentication failed: unknown or disabled client, wrong secret, or an invalid client assertion (invalid_client).',
    'Asiakkaan tunnistus epäonnistui: tuntematon tai passiivinen asiakas, väärä salaisuus tai virheellinen väite (invalid_client).',
    'Klientautentiseringen misslyckades: okänd eller inaktiv klient, fel hemlighet eller ogiltigt klientintyg (invalid_client).',
    'Check client_id and client_secret (shown once at creation), or sign the client assertion with the registered key.',
  ),
  OAUTH_INVALID_SCOPE: def(
    400,
    'INVALID_DATA',
    'The requested scope is not granted to this client (invalid_scope).',
    'Pyydettyä oikeutta ei ole myönnetty tälle asiakkaalle (invalid_scope).',
    'Den begärda behörigheten är inte beviljad denna klient (invalid_scope).',
    'Ask for scope=<client_id>/.default (all granted roles) or a space-separated list of granted roles.',
  ),
  OAUTH_UNSUPPORTED_GRANT_TYPE: def(
    400,
    'INVALID_DATA',
    'Only the client_credentials grant is supported (unsupported_grant_type).',
    'Vain client_credentials-myöntötapaa tuetaan (unsupported_grant_type).',
    'Endast beviljandetypen client_credentials stöds (unsupported_grant_type).',
    'Send grant_type=client_credentials.',
  ),
  EXTERNAL_CLIENT_ALREADY_LINKED: def(
    409,
    'INVALID_DATA',
    "This issuer's client id is already linked to a party or company.",
    'Tämän myöntäjän asiakastunnus on jo linkitetty osapuoleen tai yritykseen.',
    'Denna utfärdares klient-id är redan länkat till en part eller ett företag.',
    'Disable the existing link first (vaultgate admin client unlink <link id>).',
  ),
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

/**
 * A coded error a client may see. `detail` is extra English text for logs and problem bodies; it must never hold
 * a secret. `extra` is merged into the JSON problem body (e.g. `messageId` for REQUEST_NOT_UNIQUE).
 *
 * @example
 * throw new VaultgateError('CHANNEL_NOT_FOUND', { detail: 'ch_test_x' });
 */
export class VaultgateError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;
  readonly extra: Record<string, unknown> | undefined;
  /** Reason for the log only (never sent to the client). */
  readonly logReason: string | undefined;

  constructor(
    code: ErrorCode,
    options: { detail?: string; extra?: Record<string, unknown>; logReason?: string; cause?: unknown } = {},
  ) {
    super(`${code}: ${ERROR_CATALOGUE[code].message.en}${options.detail ? ` ${options.detail}` : ''}`, {
      cause: options.cause,
    });
    this.name = 'VaultgateError';
    this.code = code;
    this.detail = options.detail;
    this.extra = options.extra;
    this.logReason = options.logReason;
  }

  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }

  get family(): ErrorFamily {
    return ERROR_CATALOGUE[this.code].family;
  }
}

/** The message of a code in a language. */
export function errorMessage(code: ErrorCode, language: Language): string {
  return ERROR_CATALOGUE[code].message[language];
}
