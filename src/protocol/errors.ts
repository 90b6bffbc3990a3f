/**
 * The one error catalogue. Every code a client can see is here, with its HTTP status, the Netvisor family it
 * maps onto (what MAC-scheme clients parse and which status `UseHTTPResponseStatusCodes: 1` uses), its message in
 * English, Finnish and Swedish, and a remedy in each of them (a bearer remedy too where it differs). Codes are stable
 * and never reused.
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

/** Every language of the catalogue, English first. */
export const LANGUAGES: readonly Language[] = ['en', 'fi', 'sv'];

/** A text in every language of the catalogue (English, Finnish, Swedish as used in Finland). */
export type Localized = Record<Language, string>;

export interface ErrorDefinition {
  status: number;
  family: ErrorFamily;
  message: Localized;
  /** What the client should change, in each language; chosen by the request's language like the message. */
  remedy: Localized;
  /**
   * The remedy for a request authenticated by a bearer token, where it differs (scope, audience, client links
   * instead of MAC credentials); renderError picks it for bearer requests.
   */
  bearerRemedy?: Localized;
}

const def = (
  status: number,
  family: ErrorFamily,
  en: string,
  fi: string,
  sv: string,
  remedy: Localized,
): ErrorDefinition => ({ status, family, message: { en, fi, sv }, remedy });

export const ERROR_CATALOGUE = {
  AUTHENTICATION_FAILED: def(
    401,
    'AUTHENTICATION_FAILED',
    'Authentication failed: the credentials are unknown, inactive, or the MAC does not match.',
    'Tunnistautuminen epäonnistui: tunnukset ovat tuntemattomat tai passiiviset, tai MAC ei täsmää.',
    'Autentiseringen misslyckades: uppgifterna är okända eller inaktiva, eller så stämmer inte MAC-värdet.',
    {
      en: 'Check the PartnerId/CustomerId and both keys, and that the MAC is computed over the header values sent and the server\'s public URL (VAULTGATE_PUBLIC_URL) with the path and query as sent: a URL addressing the server by another name, such as localhost for 127.0.0.1, does not match.',
      fi: 'Tarkista PartnerId/CustomerId ja molemmat avaimet sekä se, että MAC lasketaan lähetettyjen otsakearvojen ja palvelimen julkisen URL-osoitteen (VAULTGATE_PUBLIC_URL) perusteella polku ja kysely lähetettyinä: URL, joka nimeää palvelimen toisin, esimerkiksi localhost osoitteen 127.0.0.1 sijaan, ei täsmää.',
      sv: 'Kontrollera PartnerId/CustomerId och båda nycklarna, och att MAC-värdet beräknas över de huvudvärden som skickas och serverns publika URL (VAULTGATE_PUBLIC_URL) med sökvägen och frågesträngen som de skickas: en URL som anger servern med ett annat namn, till exempel localhost i stället för 127.0.0.1, stämmer inte.',
    },
  ),
  AUTH_HEADERS_INVALID: def(
    401,
    'AUTHENTICATION_FAILED',
    'Authentication headers are missing or malformed.',
    'Tunnistautumisotsakkeita puuttuu tai ne ovat virheellisiä.',
    'Autentiseringshuvuden saknas eller är felaktiga.',
    {
      en: 'Send every X-Netvisor-Authentication-* header listed in the documentation, well-formed.',
      fi: 'Lähetä kaikki dokumentaatiossa luetellut X-Netvisor-Authentication-*-otsakkeet oikeassa muodossa.',
      sv: 'Skicka alla X-Netvisor-Authentication-*-huvuden som anges i dokumentationen, i korrekt form.',
    },
  ),
  MAC_ALGORITHM_NOT_SUPPORTED: def(
    401,
    'AUTHENTICATION_FAILED',
    'The MAC algorithm is not supported here; use SHA256 or HMACSHA256.',
    'MAC-algoritmia ei tueta; käytä SHA256- tai HMACSHA256-algoritmia.',
    'MAC-algoritmen stöds inte här; använd SHA256 eller HMACSHA256.',
    {
      en: 'Send X-Netvisor-Authentication-MACHashCalculationAlgorithm: SHA256 (or HMACSHA256 with TimestampUnix).',
      fi: 'Lähetä X-Netvisor-Authentication-MACHashCalculationAlgorithm: SHA256 (tai HMACSHA256 yhdessä TimestampUnix-otsakkeen kanssa).',
      sv: 'Skicka X-Netvisor-Authentication-MACHashCalculationAlgorithm: SHA256 (eller HMACSHA256 tillsammans med TimestampUnix).',
    },
  ),
  TIMESTAMP_OUT_OF_WINDOW: def(
    401,
    'AUTHENTICATION_FAILED',
    'The request timestamp is outside the allowed window of server time.',
    'Pyynnön aikaleima ei ole sallitun aikaikkunan sisällä.',
    'Begärans tidsstämpel ligger utanför det tillåtna tidsfönstret.',
    {
      en: 'Send the current UTC time (YYYY-MM-DD HH:MM:SS.fff) and keep the client clock synchronised (NTP).',
      fi: 'Lähetä nykyinen UTC-aika (YYYY-MM-DD HH:MM:SS.fff) ja pidä asiakasohjelman kello synkronoituna (NTP).',
      sv: 'Skicka aktuell UTC-tid (YYYY-MM-DD HH:MM:SS.fff) och håll klientens klocka synkroniserad (NTP).',
    },
  ),
  TIMESTAMP_MISMATCH: def(
    401,
    'AUTHENTICATION_FAILED',
    'TimestampUnix does not agree with Timestamp.',
    'TimestampUnix ei vastaa Timestamp-arvoa.',
    'TimestampUnix stämmer inte överens med Timestamp.',
    {
      en: 'Derive both timestamp headers from the same instant: TimestampUnix is whole seconds since the epoch (UTC), at most 1 s from Timestamp.',
      fi: 'Muodosta molemmat aikaleimaotsakkeet samasta ajanhetkestä: TimestampUnix on kokonaiset sekunnit epochista (UTC) ja enintään 1 s:n päässä Timestamp-arvosta.',
      sv: 'Härled båda tidsstämpelhuvudena från samma ögonblick: TimestampUnix är hela sekunder sedan epoken (UTC), högst 1 s från Timestamp.',
    },
  ),
  ADMIN_UNAUTHORIZED: def(
    401,
    'AUTHENTICATION_FAILED',
    'Neither the operator token nor a platform operator\'s session came with the request, or it is wrong or ended.',
    'Pyynnössä ei ollut ylläpitäjän tunnistetta eikä alustan ylläpitäjäkäyttäjän istuntoa, tai se on väärä tai päättynyt.',
    'Begäran saknade både operatörens token och en plattformsoperatörs session, eller så är den fel eller har upphört.',
    {
      en: 'Send either Authorization: Bearer <admin token> (VAULTGATE_ADMIN_TOKEN, or the admin-token file in the data directory), or, as a user with the platform operator role who has enrolled TOTP, your session: Authorization: Bearer <session token> (vaultgate account signin, then --token or the profile) or the session cookie with X-CSRF-Token. An ended session: sign in again.',
      fi: 'Lähetä joko Authorization: Bearer <admin token> (VAULTGATE_ADMIN_TOKEN tai datahakemiston admin-token-tiedosto) tai, jos olet alustan ylläpitäjäroolin käyttäjä ja olet ottanut TOTP:n käyttöön, istuntosi: Authorization: Bearer <session token> (vaultgate account signin, sitten --token tai profiili) tai istuntoeväste yhdessä X-CSRF-Token-otsakkeen kanssa. Jos istunto on päättynyt, kirjaudu uudelleen.',
      sv: 'Skicka antingen Authorization: Bearer <admin token> (VAULTGATE_ADMIN_TOKEN, eller filen admin-token i datakatalogen) eller, som användare med rollen plattformsoperatör och med TOTP aktiverat, din session: Authorization: Bearer <session token> (vaultgate account signin, sedan --token eller profilen) eller sessionskakan tillsammans med X-CSRF-Token. Har sessionen upphört: logga in på nytt.',
    },
  ),
  ENVIRONMENT_MISMATCH: def(
    421,
    'AUTHENTICATION_FAILED',
    'The id or credential belongs to another environment than this deployment.',
    'Tunniste tai tunnus kuuluu toiseen ympäristöön kuin tämä palvelu.',
    'Id:t eller uppgifterna hör till en annan miljö än denna tjänst.',
    {
      en: 'Use the ids and credentials issued by this environment (the environment is part of every id, e.g. ch_test_…).',
      fi: 'Käytä tämän ympäristön myöntämiä tunnisteita ja tunnuksia (ympäristö on osa jokaista tunnistetta, esim. ch_test_…).',
      sv: 'Använd id:n och autentiseringsuppgifter som utfärdats av denna miljö (miljön ingår i varje id, t.ex. ch_test_…).',
    },
  ),
  SERVICE_ACCESS_ERROR: {
    ...def(
      403,
      'SERVICE_ACCESS_ERROR',
      'The credentials are not authorised for this channel or organisation.',
      'Tunnuksilla ei ole oikeutta tähän kanavaan tai organisaatioon.',
      'Uppgifterna har inte behörighet till denna kanal eller organisation.',
      {
        en: "Use the channel's own party credentials, a customer credential of the channel's company, and that company's business id as Organisation-ID.",
        fi: 'Käytä kanavan oman osapuolen tunnuksia, kanavan yrityksen asiakastunnusta ja Organisation-ID-arvona kyseisen yrityksen Y-tunnusta.',
        sv: 'Använd kanalens egen parts autentiseringsuppgifter, en kunduppgift för kanalens företag och det företagets FO-nummer som Organisation-ID.',
      },
    ),
    bearerRemedy: {
      en: "Use a token of an OAuth client of the channel's party to send, or of the company to read its vault; its organisation admin creates one (vaultgate org --org <id> credentials create --kind client), or the operator links the external client id to that party or company.",
      fi: 'Käytä lähettämiseen kanavan osapuolen OAuth-asiakkaan tunnistetta tai holvin lukemiseen yrityksen OAuth-asiakkaan tunnistetta; organisaation pääkäyttäjä luo sellaisen (vaultgate org --org <id> credentials create --kind client), tai ylläpitäjä linkittää ulkoisen asiakastunnuksen kyseiseen osapuoleen tai yritykseen.',
      sv: 'Använd en token från en OAuth-klient hos kanalens part för att skicka, eller hos företaget för att läsa dess valv; organisationens administratör skapar en (vaultgate org --org <id> credentials create --kind client), eller så länkar operatören det externa klient-id:t till den parten eller det företaget.',
    },
  },
  SCOPE_MISSING: {
    ...def(
      403,
      'SERVICE_ACCESS_ERROR',
      'The credential lacks the scope this operation needs.',
      'Tunnukselta puuttuu tämän toiminnon vaatima oikeus.',
      'Uppgifterna saknar den behörighet som åtgärden kräver.',
      {
        en: 'Use a credential with the needed scope (ingest or vault.read): the company admin creates one (vaultgate org --org <company> credentials create --kind customer --scopes ingest), or the operator. Reading vaults shared with your organisation (/vault/v1/shared) takes a vault.read customer credential or a bearer token with the shared.read role: the org admin creates such a client with vaultgate org credentials create --kind client --roles vault.read,shared.read.',
        fi: 'Käytä tunnusta, jolla on tarvittava oikeus (ingest tai vault.read): yrityksen pääkäyttäjä luo sellaisen (vaultgate org --org <company> credentials create --kind customer --scopes ingest), tai ylläpitäjä. Organisaatiollesi jaettujen holvien (/vault/v1/shared) lukeminen vaatii vault.read-asiakastunnuksen tai bearer-tunnisteen, jolla on shared.read-rooli: organisaation pääkäyttäjä luo tällaisen asiakkaan komennolla vaultgate org credentials create --kind client --roles vault.read,shared.read.',
        sv: 'Använd en autentiseringsuppgift med den behörighet som krävs (ingest eller vault.read): företagets administratör skapar en (vaultgate org --org <company> credentials create --kind customer --scopes ingest), eller operatören. För att läsa valv som delats med din organisation (/vault/v1/shared) krävs en kunduppgift med vault.read eller en bearer-token med rollen shared.read: organisationens administratör skapar en sådan klient med vaultgate org credentials create --kind client --roles vault.read,shared.read.',
      },
    ),
    bearerRemedy: {
      en: 'Request a token with the needed role (scope=ingest, vault.read or shared.read — shared.read reads the vaults other organisations share with yours, /vault/v1/shared, and the change feed takes vault.read or shared.read —, or <client_id>/.default for every granted role, from the token endpoint or your issuer with its configured audience); if the client is not granted the role, the org admin creates a client that is (vaultgate org credentials create --kind client --roles vault.read,shared.read), or ask the operator to grant it.',
      fi: 'Pyydä tunniste, jolla on tarvittava rooli (scope=ingest, vault.read tai shared.read — shared.read lukee holveja, jotka muut organisaatiot jakavat omallesi, /vault/v1/shared, ja muutossyöte vaatii vault.read- tai shared.read-roolin —, tai <client_id>/.default kaikille myönnetyille rooleille) tunnistepalvelusta tai myöntäjältäsi sille määritetyllä yleisöllä (audience); jos asiakkaalle ei ole myönnetty roolia, organisaation pääkäyttäjä luo asiakkaan, jolle se on myönnetty (vaultgate org credentials create --kind client --roles vault.read,shared.read), tai pyydä ylläpitäjää myöntämään se.',
      sv: 'Begär en token med den roll som krävs (scope=ingest, vault.read eller shared.read — shared.read läser valv som andra organisationer delar med din, /vault/v1/shared, och ändringsflödet kräver vault.read eller shared.read —, eller <client_id>/.default för alla beviljade roller) från token-slutpunkten eller din utfärdare med dess konfigurerade målgrupp (audience); om klienten inte har beviljats rollen skapar organisationens administratör en klient som har den (vaultgate org credentials create --kind client --roles vault.read,shared.read), eller be operatören bevilja den.',
    },
  },
  // Consumer reads (issue 15): the reader holds no active grant with `read` over the vault it names.
  GRANT_REQUIRED: def(
    403,
    'SERVICE_ACCESS_ERROR',
    'Your organisation holds no active grant to read this vault.',
    'Organisaatiollasi ei ole voimassa olevaa lupaa lukea tätä holvia.',
    'Din organisation har inget giltigt tillstånd att läsa detta valv.',
    {
      en: 'Request a grant from the owner (POST /api/v1/organisations/{yourOrganisationId}/grants/requests, or vaultgate grants request), with the read action, and wait for it to be active; GET /vault/v1/shared lists the grants you hold now.',
      fi: 'Pyydä omistajalta lupaa (POST /api/v1/organisations/{yourOrganisationId}/grants/requests tai vaultgate grants request) read-toiminnolla ja odota, että se on voimassa; GET /vault/v1/shared luettelee luvat, jotka sinulla on nyt.',
      sv: 'Begär ett tillstånd av ägaren (POST /api/v1/organisations/{yourOrganisationId}/grants/requests, eller vaultgate grants request) med åtgärden read och vänta tills det är giltigt; GET /vault/v1/shared listar de tillstånd du har nu.',
    },
  ),
  CHANNEL_DISABLED: def(
    403,
    'SERVICE_ACCESS_ERROR',
    'The channel is disabled.',
    'Kanava on poistettu käytöstä.',
    'Kanalen är inaktiverad.',
    {
      en: 'A disabled channel stays disabled: the vendor requests a new one (POST /api/v1/organisations/{id}/channel-requests; vaultgate org --org <vendor> channels request --business-id …) and the company admin approves it (vaultgate org --org <company> channels approve <chr_…>).',
      fi: 'Käytöstä poistettu kanava pysyy poissa käytöstä: toimittaja pyytää uuden kanavan (POST /api/v1/organisations/{id}/channel-requests; vaultgate org --org <vendor> channels request --business-id …) ja yrityksen pääkäyttäjä hyväksyy sen (vaultgate org --org <company> channels approve <chr_…>).',
      sv: 'En inaktiverad kanal förblir inaktiverad: leverantören begär en ny (POST /api/v1/organisations/{id}/channel-requests; vaultgate org --org <vendor> channels request --business-id …) och företagets administratör godkänner den (vaultgate org --org <company> channels approve <chr_…>).',
    },
  ),
  CHANNEL_NOT_FOUND: def(
    404,
    'INVALID_DATA',
    'No such channel in this environment.',
    'Kanavaa ei ole tässä ympäristössä.',
    'Kanalen finns inte i denna miljö.',
    {
      en: 'Check the channel id in the ingestion URL.',
      fi: 'Tarkista kanavan tunniste vastaanoton URL-osoitteessa.',
      sv: 'Kontrollera kanalens id i mottagnings-URL:en.',
    },
  ),
  NOT_FOUND: def(
    404,
    'INVALID_DATA',
    'The requested resource does not exist.',
    'Pyydettyä kohdetta ei ole.',
    'Den begärda resursen finns inte.',
    {
      en: 'Check the id and the path.',
      fi: 'Tarkista tunniste ja polku.',
      sv: 'Kontrollera id:t och sökvägen.',
    },
  ),
  MESSAGE_TYPE_REQUIRED: def(
    400,
    'INVALID_DATA',
    'The channel agrees several message types: name one in X-Message-Type or in the URL (?messageType=).',
    'Kanavalla on useita sanomatyyppejä: anna sanomatyyppi X-Message-Type-otsakkeessa tai osoitteessa (?messageType=).',
    'Kanalen har flera meddelandetyper: ange en i X-Message-Type eller i adressen (?messageType=).',
    {
      en: 'Send X-Message-Type, or add ?messageType=<type> to the ingestion URL (and sign that URL), with one of the message types agreed for the channel.',
      fi: 'Lähetä X-Message-Type tai lisää vastaanoton URL-osoitteeseen ?messageType=<type> (ja allekirjoita se URL) jollakin kanavalle sovituista sanomatyypeistä.',
      sv: 'Skicka X-Message-Type, eller lägg till ?messageType=<type> i mottagnings-URL:en (och signera den URL:en), med en av de meddelandetyper som avtalats för kanalen.',
    },
  ),
  // --- real signing clients (issue 11 §1): the message type named in the URL ---
  MESSAGE_TYPE_CONFLICT: def(
    400,
    'INVALID_DATA',
    'The message type is named more than once, with different or repeated values (X-Message-Type and ?messageType=).',
    'Sanomatyyppi on annettu useaan kertaan, eri tai toistetuin arvoin (X-Message-Type ja ?messageType=).',
    'Meddelandetypen anges mer än en gång, med olika eller upprepade värden (X-Message-Type och ?messageType=).',
    {
      en: 'Name the message type once: either X-Message-Type or ?messageType= in the URL, or both with the same value.',
      fi: 'Ilmoita sanomatyyppi kerran: joko X-Message-Type tai ?messageType= URL-osoitteessa, tai molemmat samalla arvolla.',
      sv: 'Ange meddelandetypen en gång: antingen X-Message-Type eller ?messageType= i URL:en, eller båda med samma värde.',
    },
  ),
  MESSAGE_TYPE_NOT_AGREED: def(
    400,
    'INVALID_DATA',
    'The message type is not agreed for this channel.',
    'Sanomatyyppiä ei ole sovittu tälle kanavalle.',
    'Meddelandetypen är inte avtalad för denna kanal.',
    {
      en: 'Use one of the message types agreed for the channel; to send another, the vendor requests a channel with it (vaultgate org --org <vendor> channels request --business-id … --type <Type>:<media types>) and the company admin approves it (vaultgate org --org <company> channels approve <chr_…>).',
      fi: 'Käytä jotakin kanavalle sovituista sanomatyypeistä; jos haluat lähettää muuta tyyppiä, toimittaja pyytää kanavan, jossa se on (vaultgate org --org <vendor> channels request --business-id … --type <Type>:<media types>), ja yrityksen pääkäyttäjä hyväksyy sen (vaultgate org --org <company> channels approve <chr_…>).',
      sv: 'Använd en av de meddelandetyper som avtalats för kanalen; för att skicka en annan begär leverantören en kanal med den (vaultgate org --org <vendor> channels request --business-id … --type <Type>:<media types>) och företagets administratör godkänner den (vaultgate org --org <company> channels approve <chr_…>).',
    },
  ),
  MEDIA_TYPE_NOT_AGREED: def(
    415,
    'INVALID_DATA',
    'The media type (Content-Type) is not agreed for this message type.',
    'Mediatyyppiä (Content-Type) ei ole sovittu tälle sanomatyypille.',
    'Medietypen (Content-Type) är inte avtalad för denna meddelandetyp.',
    {
      en: 'Send a Content-Type agreed for the message type.',
      fi: 'Lähetä Content-Type, joka on sovittu tälle sanomatyypille.',
      sv: 'Skicka en Content-Type som avtalats för meddelandetypen.',
    },
  ),
  BODY_EMPTY: def(
    400,
    'INVALID_DATA_SIZE',
    'The message body is empty.',
    'Sanoman runko on tyhjä.',
    'Meddelandets innehåll är tomt.',
    {
      en: 'Send at least one byte.',
      fi: 'Lähetä vähintään yksi tavu.',
      sv: 'Skicka minst en byte.',
    },
  ),
  BODY_TOO_LARGE: def(
    413,
    'INVALID_DATA_SIZE',
    'The message body is larger than this deployment accepts.',
    'Sanoman runko on suurempi kuin palvelu hyväksyy.',
    'Meddelandets innehåll är större än tjänsten tar emot.',
    {
      en: 'Split the message, or ask the operator about VAULTGATE_MAX_BODY_BYTES.',
      fi: 'Jaa sanoma osiin tai kysy ylläpitäjältä asetuksesta VAULTGATE_MAX_BODY_BYTES.',
      sv: 'Dela upp meddelandet, eller fråga operatören om VAULTGATE_MAX_BODY_BYTES.',
    },
  ),
  REQUEST_NOT_UNIQUE: def(
    409,
    'REQUEST_NOT_UNIQUE',
    'The transaction id has been used before by this party.',
    'Tapahtumatunnistetta on käytetty aiemmin.',
    'Transaktions-id:t har använts tidigare.',
    {
      en: 'Use a fresh transaction id per request; if you are retrying, the message named in the error is already stored.',
      fi: 'Käytä jokaisessa pyynnössä uutta tapahtumatunnistetta; jos yrität uudelleen, virheessä mainittu sanoma on jo tallennettu.',
      sv: 'Använd ett nytt transaktions-id för varje begäran; om du försöker på nytt är meddelandet som nämns i felet redan lagrat.',
    },
  ),
  INVALID_REQUEST: def(
    400,
    'INVALID_DATA',
    'The request is not valid.',
    'Pyyntö ei ole kelvollinen.',
    'Begäran är ogiltig.',
    {
      en: 'Correct the fields named in the details and send again.',
      fi: 'Korjaa lisätiedoissa mainitut kentät ja lähetä uudelleen.',
      sv: 'Rätta fälten som nämns i detaljerna och skicka igen.',
    },
  ),
  // A list's or an export's cursor that the list did not give out (the feed has its own, FEED_CURSOR_INVALID).
  CURSOR_INVALID: def(
    400,
    'INVALID_DATA',
    'The cursor is not one this list gave out: it is malformed or cut short.',
    'Kohdistin ei ole tämän listan antama: se on virheellinen tai katkennut.',
    'Markören är inte en som denna lista har gett ut: den är felaktig eller avkortad.',
    {
      en: 'Pass back exactly the nextCursor of the previous page (or, to resume an export, the cursor of the last line received) of the same route; to start from the beginning, leave cursor out.',
      fi: 'Palauta täsmälleen saman reitin edellisen sivun nextCursor (tai viennin jatkamiseksi viimeisen vastaanotetun rivin kursori); aloittaaksesi alusta jätä cursor pois.',
      sv: 'Skicka tillbaka exakt nextCursor från föregående sida av samma rutt (eller, för att återuppta en export, markören på den sista mottagna raden); för att börja från början, utelämna cursor.',
    },
  ),
  BUSINESS_ID_INVALID: def(
    400,
    'INVALID_DATA',
    'The business id is not valid: its check digit does not match.',
    'Y-tunnus ei ole kelvollinen: tarkistusnumero ei täsmää.',
    'FO-numret är ogiltigt: kontrollsiffran stämmer inte.',
    {
      en: 'Check the business id (Finnish form NNNNNNN-C); the last digit is a check digit.',
      fi: 'Tarkista Y-tunnus (muoto NNNNNNN-C); viimeinen numero on tarkistusnumero.',
      sv: 'Kontrollera FO-numret (formen NNNNNNN-C); den sista siffran är en kontrollsiffra.',
    },
  ),
  BUSINESS_ID_TAKEN: def(
    409,
    'INVALID_DATA',
    'A company with this business id is already registered.',
    'Yritys tällä Y-tunnuksella on jo rekisteröity.',
    'Ett företag med detta FO-nummer är redan registrerat.',
    {
      en: 'The company has a Vaultgate organisation already: if you work there, ask one of its admins to invite you (POST /api/v1/organisations/{id}/invitations) instead of registering it again; an operator adding a company through /admin/v1 uses the existing one (GET /admin/v1/companies?businessId=…), and declines a registration of it.',
      fi: 'Yrityksellä on jo Vaultgate-organisaatio: jos työskentelet siellä, pyydä jotakuta sen pääkäyttäjistä kutsumaan sinut (POST /api/v1/organisations/{id}/invitations) sen sijaan, että rekisteröisit sen uudelleen; ylläpitäjä, joka lisää yrityksen /admin/v1-rajapinnan kautta, käyttää olemassa olevaa (GET /admin/v1/companies?businessId=…) ja hylkää sen rekisteröinnin.',
      sv: 'Företaget har redan en Vaultgate-organisation: om du arbetar där, be någon av dess administratörer att bjuda in dig (POST /api/v1/organisations/{id}/invitations) i stället för att registrera det på nytt; en operatör som lägger till ett företag via /admin/v1 använder det befintliga (GET /admin/v1/companies?businessId=…) och avslår registreringen av det.',
    },
  ),
  STATE_CONFLICT: def(
    409,
    'INVALID_DATA',
    'The resource is not in a state that allows this.',
    'Kohde ei ole tilassa, joka sallii tämän.',
    'Resursen är inte i ett tillstånd som tillåter detta.',
    {
      en: 'The detail names the state: a disabled or deleted company, party, channel or credential cannot be used (use an active one or create a new one), and a step already taken (a decision, an enrolment, a membership) is not taken again — read the resource to see where it stands.',
      fi: 'Lisätiedot kertovat tilan: käytöstä poistettua tai poistettua yritystä, osapuolta, kanavaa tai tunnusta ei voi käyttää (käytä aktiivista tai luo uusi), eikä jo tehtyä vaihetta (päätöstä, käyttöönottoa, jäsenyyttä) tehdä uudelleen — hae resurssi nähdäksesi, missä tilassa se on.',
      sv: 'Detaljerna anger tillståndet: ett inaktiverat eller raderat företag, en part, kanal eller autentiseringsuppgift kan inte användas (använd en aktiv eller skapa en ny), och ett steg som redan tagits (ett beslut, en aktivering, ett medlemskap) tas inte igen — läs resursen för att se var den står.',
    },
  ),
  TECHNICAL_ERROR: def(
    500,
    'TECHNICAL_ERROR',
    'An internal error occurred. Nothing was stored.',
    'Tapahtui sisäinen virhe. Mitään ei tallennettu.',
    'Ett internt fel inträffade. Inget sparades.',
    {
      en: 'Retry with the same transaction id; report the request id if it persists.',
      fi: 'Yritä uudelleen samalla tapahtumatunnisteella; ilmoita pyynnön tunniste, jos virhe toistuu.',
      sv: 'Försök igen med samma transaktions-id; rapportera begärans id om felet kvarstår.',
    },
  ),
  DATA_INTEGRITY_ERROR: def(
    500,
    'TECHNICAL_ERROR',
    'Stored data failed its integrity check and was not returned.',
    'Tallennettu tieto ei läpäissyt eheystarkistusta, eikä sitä palautettu.',
    'Lagrade data klarade inte integritetskontrollen och returnerades inte.',
    {
      en: 'Report the request id to the operator; the stored copy was altered or moved and must be restored from a backup.',
      fi: 'Ilmoita pyynnön tunniste ylläpitäjälle; tallennettua kopiota on muutettu tai se on siirretty, ja se on palautettava varmuuskopiosta.',
      sv: 'Rapportera begärans id till operatören; den lagrade kopian har ändrats eller flyttats och måste återställas från en säkerhetskopia.',
    },
  ),
  DATA_KEY_DESTROYED: def(
    410,
    'INVALID_DATA',
    'The key of this data has been destroyed; the data can no longer be read.',
    'Tämän tiedon avain on tuhottu; tietoa ei voi enää lukea.',
    'Nyckeln till dessa data har förstörts; data kan inte längre läsas.',
    {
      en: 'Nothing to do: the owner was deleted (crypto-shredded) and its data is gone for good.',
      fi: 'Mitään ei tarvitse tehdä: omistaja on poistettu (kryptografisesti tuhottu) ja sen tiedot ovat lopullisesti poissa.',
      sv: 'Inget att göra: ägaren har raderats (kryptografiskt förstörd) och dess data är borta för gott.',
    },
  ),
  // --- the store's room and readiness (issue 11 §7) ---
  STORE_FULL: def(
    507,
    'TECHNICAL_ERROR',
    'The store has no room left to write; nothing was stored.',
    'Tallennustilassa ei ole tilaa kirjoittaa; mitään ei tallennettu.',
    'Lagringen har inget utrymme kvar att skriva; inget sparades.',
    {
      en: 'Retry later with the same transaction id. Operator: free disk space where the store writes (the data directory, or the PostgreSQL volume); the server takes writes again as soon as there is room, without a restart (GET /readyz answers 200 then).',
      fi: 'Yritä myöhemmin uudelleen samalla tapahtumatunnisteella. Ylläpitäjä: vapauta levytilaa sinne, minne tallennus kirjoittaa (datahakemisto tai PostgreSQL-taltio); palvelin ottaa kirjoituksia taas vastaan heti kun tilaa on, ilman uudelleenkäynnistystä (GET /readyz vastaa silloin 200).',
      sv: 'Försök igen senare med samma transaktions-id. Operatör: frigör diskutrymme där lagringen skriver (datakatalogen eller PostgreSQL-volymen); servern tar emot skrivningar igen så snart det finns utrymme, utan omstart (GET /readyz svarar då 200).',
    },
  ),
  STORE_NOT_READY: def(
    503,
    'TECHNICAL_ERROR',
    'The server is running but its store is not ready: it cannot be read or has no room to write.',
    'Palvelin on käynnissä, mutta sen tallennustila ei ole valmis: sitä ei voi lukea tai siinä ei ole tilaa kirjoittaa.',
    'Servern körs men dess lagring är inte redo: den kan inte läsas eller har inget utrymme att skriva.',
    {
      en: 'Send traffic to another instance or retry later. Operator: `reason` says which check failed (full: free disk space in the data directory or on the database volume; unreadable: check the database file or the PostgreSQL connection).',
      fi: 'Ohjaa liikenne toiseen instanssiin tai yritä myöhemmin uudelleen. Ylläpitäjä: `reason` kertoo, mikä tarkistus epäonnistui (full: vapauta levytilaa datahakemistosta tai tietokannan taltiolta; unreadable: tarkista tietokantatiedosto tai PostgreSQL-yhteys).',
      sv: 'Skicka trafiken till en annan instans eller försök igen senare. Operatör: `reason` anger vilken kontroll som misslyckades (full: frigör diskutrymme i datakatalogen eller på databasvolymen; unreadable: kontrollera databasfilen eller PostgreSQL-anslutningen).',
    },
  ),
  // --- the audit trail (issue 13) ---
  AUDIT_UNAVAILABLE: def(
    503,
    'TECHNICAL_ERROR',
    'The audit trail cannot be written, so the request was not carried out; no data was sent.',
    'Auditointilokiin ei voi kirjoittaa, joten pyyntöä ei suoritettu; tietoja ei lähetetty.',
    'Granskningsloggen kan inte skrivas, så begäran utfördes inte; inga data skickades.',
    {
      en: 'Retry later. Operator: every read of a vault is recorded before it is answered; check that the database accepts writes (disk space, permissions, the PostgreSQL connection) and the log line with this request id for the cause.',
      fi: 'Yritä myöhemmin uudelleen. Ylläpitäjä: jokainen holvin luku kirjataan ennen kuin siihen vastataan; tarkista, että tietokanta hyväksyy kirjoitukset (levytila, käyttöoikeudet, PostgreSQL-yhteys), ja katso syy tämän pyynnön tunnisteen lokiriviltä.',
      sv: 'Försök igen senare. Operatör: varje läsning av ett valv registreras innan den besvaras; kontrollera att databasen tar emot skrivningar (diskutrymme, behörigheter, PostgreSQL-anslutningen) och se orsaken i loggraden med denna begärans id.',
    },
  ),
  // --- bearer tokens and the token endpoint (issue 4); the TOKEN_* 401s are answered with
  // WWW-Authenticate: Bearer error="invalid_token" ---
  TOKEN_MALFORMED: def(
    401,
    'AUTHENTICATION_FAILED',
    'The bearer token is not a well-formed signed JWT.',
    'Bearer-tunniste ei ole kelvollinen allekirjoitettu JWT.',
    'Bearer-token är inte en korrekt signerad JWT.',
    {
      en: 'Send Authorization: Bearer <JWT> with the access token exactly as the token endpoint issued it.',
      fi: 'Lähetä Authorization: Bearer <JWT>, jossa pääsytunniste on täsmälleen sellaisena kuin tunnisteiden päätepiste (token endpoint) sen myönsi.',
      sv: 'Skicka Authorization: Bearer <JWT> med åtkomsttoken exakt som token-slutpunkten utfärdade den.',
    },
  ),
  TOKEN_ALGORITHM_REJECTED: def(
    401,
    'AUTHENTICATION_FAILED',
    'The token is signed with an algorithm this deployment does not accept for its issuer.',
    'Tunniste on allekirjoitettu algoritmilla, jota ei hyväksytä tälle myöntäjälle.',
    'Token är signerad med en algoritm som inte godtas för dess utfärdare.',
    {
      en: 'Use a token signed with an asymmetric algorithm allowed for the issuer (never none or HMAC); see the issuer configuration.',
      fi: 'Käytä tunnistetta, joka on allekirjoitettu myöntäjälle sallitulla epäsymmetrisellä algoritmilla (ei koskaan none tai HMAC); katso myöntäjän asetukset.',
      sv: 'Använd en token som signerats med en asymmetrisk algoritm som tillåts för utfärdaren (aldrig none eller HMAC); se utfärdarens konfiguration.',
    },
  ),
  TOKEN_HEADER_REJECTED: def(
    401,
    'AUTHENTICATION_FAILED',
    'The token header names a key or key location (jku, x5u, jwk, x5c); keys are only taken from the configured issuer.',
    'Tunnisteen otsake osoittaa avaimeen tai sen sijaintiin (jku, x5u, jwk, x5c); avaimet haetaan vain määritetyltä myöntäjältä.',
    'Tokenhuvudet anger en nyckel eller nyckelplats (jku, x5u, jwk, x5c); nycklar hämtas endast från den konfigurerade utfärdaren.',
    {
      en: 'Send a token whose header carries only alg, kid and typ, as issued by a trusted issuer.',
      fi: 'Lähetä tunniste, jonka otsakkeessa on vain alg, kid ja typ, sellaisena kuin luotettu myöntäjä sen myönsi.',
      sv: 'Skicka en token vars huvud endast innehåller alg, kid och typ, så som en betrodd utfärdare utfärdade den.',
    },
  ),
  TOKEN_KEY_UNKNOWN: def(
    401,
    'AUTHENTICATION_FAILED',
    "The token's key id is not among the issuer's published keys.",
    'Tunnisteen avaintunnus ei ole myöntäjän julkaisemien avainten joukossa.',
    'Tokenets nyckel-id finns inte bland utfärdarens publicerade nycklar.',
    {
      en: 'Fetch a new token; if it persists, the issuer signs with a key it does not publish at its JWKS URI.',
      fi: 'Hae uusi tunniste; jos virhe toistuu, myöntäjä allekirjoittaa avaimella, jota se ei julkaise JWKS-osoitteessaan.',
      sv: 'Hämta en ny token; om felet kvarstår signerar utfärdaren med en nyckel som den inte publicerar på sin JWKS-URI.',
    },
  ),
  TOKEN_SIGNATURE_INVALID: def(
    401,
    'AUTHENTICATION_FAILED',
    'The token signature does not verify: it was altered or not signed by the issuer.',
    'Tunnisteen allekirjoitus ei täsmää: tunnistetta on muutettu tai myöntäjä ei allekirjoittanut sitä.',
    'Tokenets signatur kan inte verifieras: token har ändrats eller signerades inte av utfärdaren.',
    {
      en: 'Send the token exactly as issued; do not modify it.',
      fi: 'Lähetä tunniste täsmälleen sellaisena kuin se myönnettiin; älä muuta sitä.',
      sv: 'Skicka token exakt som den utfärdades; ändra den inte.',
    },
  ),
  TOKEN_EXPIRED: def(
    401,
    'AUTHENTICATION_FAILED',
    'The token has expired.',
    'Tunniste on vanhentunut.',
    'Token har gått ut.',
    {
      en: 'Fetch a new token (client credentials) before the old one expires; keep the client clock synchronised.',
      fi: 'Hae uusi tunniste (client credentials) ennen kuin vanha vanhenee; pidä asiakasohjelman kello synkronoituna.',
      sv: 'Hämta en ny token (client credentials) innan den gamla går ut; håll klientens klocka synkroniserad.',
    },
  ),
  TOKEN_NOT_YET_VALID: def(
    401,
    'AUTHENTICATION_FAILED',
    'The token is not valid yet (nbf or iat in the future).',
    'Tunniste ei ole vielä voimassa (nbf tai iat tulevaisuudessa).',
    'Token är inte giltig ännu (nbf eller iat i framtiden).',
    {
      en: "Check the issuer's clock; at most 60 seconds of clock skew are tolerated.",
      fi: 'Tarkista myöntäjän kello; kellojen eroa sallitaan enintään 60 sekuntia.',
      sv: 'Kontrollera utfärdarens klocka; högst 60 sekunders klockavvikelse tolereras.',
    },
  ),
  TOKEN_ISSUER_UNTRUSTED: def(
    401,
    'AUTHENTICATION_FAILED',
    'The token issuer (iss) is not trusted by this deployment.',
    'Tunnisteen myöntäjä (iss) ei ole tämän palvelun luottama.',
    'Tokenets utfärdare (iss) är inte betrodd av denna tjänst.',
    {
      en: 'Use a token of this deployment (POST /oauth2/token) or of an issuer in VAULTGATE_OIDC_ISSUERS; iss must match exactly.',
      fi: 'Käytä tämän palvelun (POST /oauth2/token) tai jonkin VAULTGATE_OIDC_ISSUERS-asetuksessa luetellun myöntäjän tunnistetta; iss-arvon on täsmättävä tarkasti.',
      sv: 'Använd en token från denna tjänst (POST /oauth2/token) eller från en utfärdare i VAULTGATE_OIDC_ISSUERS; iss måste stämma exakt.',
    },
  ),
  TOKEN_AUDIENCE_MISMATCH: def(
    401,
    'AUTHENTICATION_FAILED',
    'The token audience (aud) is not one this deployment accepts.',
    'Tunnisteen yleisö (aud) ei ole tämän palvelun hyväksymä.',
    'Tokenets mottagare (aud) godtas inte av denna tjänst.',
    {
      en: 'Request the token for the audience configured for the issuer (Entra ID: scope=<application id URI>/.default).',
      fi: 'Pyydä tunniste myöntäjälle määritetylle yleisölle (audience) (Entra ID: scope=<application id URI>/.default).',
      sv: 'Begär token för den målgrupp (audience) som konfigurerats för utfärdaren (Entra ID: scope=<application id URI>/.default).',
    },
  ),
  TOKEN_ENVIRONMENT_MISMATCH: def(
    401,
    'AUTHENTICATION_FAILED',
    'The token was issued for another environment than this deployment.',
    'Tunniste on myönnetty toiseen ympäristöön kuin tämä palvelu.',
    'Token utfärdades för en annan miljö än denna tjänst.',
    {
      en: "Fetch the token from this environment's token endpoint with a client of this environment (oc_<environment>_…).",
      fi: 'Hae tunniste tämän ympäristön tunnistepalvelusta tämän ympäristön asiakkaalla (oc_<environment>_…).',
      sv: 'Hämta token från denna miljös token-slutpunkt med en klient i denna miljö (oc_<environment>_…).',
    },
  ),
  TOKEN_CLAIM_MISMATCH: def(
    401,
    'AUTHENTICATION_FAILED',
    'A claim the issuer configuration requires is missing or has another value (e.g. the client id claim or the B2C policy).',
    'Myöntäjän määrityksen vaatima väite puuttuu tai sen arvo on eri (esim. asiakastunnus tai B2C-käytäntö).',
    'Ett anspråk som utfärdarens konfiguration kräver saknas eller har ett annat värde (t.ex. klient-id eller B2C-policyn).',
    {
      en: 'Request the token with the client credentials flow and the policy configured for the issuer.',
      fi: 'Pyydä tunniste client credentials -kululla ja myöntäjälle määritetyn käytännön mukaisesti.',
      sv: 'Begär token med flödet client credentials och den policy som konfigurerats för utfärdaren.',
    },
  ),
  TOKEN_CLIENT_UNKNOWN: def(
    401,
    'AUTHENTICATION_FAILED',
    'The token is valid but its client is not registered or linked here.',
    'Tunniste on kelvollinen, mutta sen asiakasta ei ole rekisteröity tai linkitetty tänne.',
    'Token är giltig men dess klient är inte registrerad eller länkad här.',
    {
      en: 'Ask the operator to link the client id to your party or company (vaultgate admin client link …).',
      fi: 'Pyydä ylläpitäjää linkittämään asiakastunnus osapuoleesi tai yritykseesi (vaultgate admin client link …).',
      sv: 'Be operatören att länka klient-id:t till din part eller ditt företag (vaultgate admin client link …).',
    },
  ),
  TOKEN_CLIENT_DISABLED: def(
    401,
    'AUTHENTICATION_FAILED',
    "The token's client, or the party or company it acts for, is disabled.",
    'Tunnisteen asiakas tai sen osapuoli tai yritys on poistettu käytöstä.',
    'Tokenets klient, eller parten eller företaget den agerar för, är inaktiverad.',
    {
      en: 'A disabled client stays disabled: the organisation admin creates a new one (vaultgate org --org <id> credentials create --kind client), or the operator.',
      fi: 'Käytöstä poistettu asiakas pysyy poissa käytöstä: organisaation pääkäyttäjä luo uuden (vaultgate org --org <id> credentials create --kind client), tai ylläpitäjä.',
      sv: 'En inaktiverad klient förblir inaktiverad: organisationens administratör skapar en ny (vaultgate org --org <id> credentials create --kind client), eller operatören.',
    },
  ),
  TOKEN_ISSUER_UNAVAILABLE: def(
    503,
    'TECHNICAL_ERROR',
    "The issuer's signing keys could not be fetched; the token could not be checked.",
    'Myöntäjän allekirjoitusavaimia ei saatu haettua; tunnistetta ei voitu tarkistaa.',
    'Utfärdarens signeringsnycklar kunde inte hämtas; token kunde inte kontrolleras.',
    {
      en: 'Retry later; the operator should check that the issuer discovery and JWKS URIs are reachable from the server.',
      fi: 'Yritä myöhemmin uudelleen; ylläpitäjän kannattaa tarkistaa, että myöntäjän discovery- ja JWKS-osoitteet ovat palvelimelta tavoitettavissa.',
      sv: 'Försök igen senare; operatören bör kontrollera att utfärdarens discovery- och JWKS-URI:er går att nå från servern.',
    },
  ),
  OAUTH_INVALID_REQUEST: def(
    400,
    'INVALID_DATA',
    'The token request is missing a parameter, repeats one, or is malformed (invalid_request).',
    'Tunnistepyynnöstä puuttuu parametri, se toistuu tai pyyntö on virheellinen (invalid_request).',
    'Tokenbegäran saknar en parameter, upprepar en eller är felaktig (invalid_request).',
    {
      en: 'POST application/x-www-form-urlencoded with grant_type=client_credentials and one client authentication method.',
      fi: 'Lähetä POST-pyyntö muodossa application/x-www-form-urlencoded, jossa on grant_type=client_credentials ja yksi asiakkaan tunnistautumistapa.',
      sv: 'Skicka POST som application/x-www-form-urlencoded med grant_type=client_credentials och en metod för klientautentisering.',
    },
  ),
  OAUTH_INVALID_CLIENT: def(
    401,
    'AUTHENTICATION_FAILED',
    'Client authentication failed: unknown or disabled client, wrong secret, or an invalid client assertion (invalid_client).',
    'Asiakkaan tunnistus epäonnistui: tuntematon tai passiivinen asiakas, väärä salaisuus tai virheellinen väite (invalid_client).',
    'Klientautentiseringen misslyckades: okänd eller inaktiv klient, fel hemlighet eller ogiltigt klientintyg (invalid_client).',
    {
      en: 'Check client_id and client_secret (shown once at creation), or sign the client assertion with the registered key.',
      fi: 'Tarkista client_id ja client_secret (näytetään kerran luotaessa) tai allekirjoita asiakkaan väite (client assertion) rekisteröidyllä avaimella.',
      sv: 'Kontrollera client_id och client_secret (visas en gång när klienten skapas), eller signera klientintyget (client assertion) med den registrerade nyckeln.',
    },
  ),
  OAUTH_INVALID_SCOPE: def(
    400,
    'INVALID_DATA',
    'The requested scope is not granted to this client (invalid_scope).',
    'Pyydettyä oikeutta ei ole myönnetty tälle asiakkaalle (invalid_scope).',
    'Den begärda behörigheten är inte beviljad denna klient (invalid_scope).',
    {
      en: 'Ask for scope=<client_id>/.default (all granted roles) or a space-separated list of granted roles.',
      fi: 'Pyydä scope=<client_id>/.default (kaikki myönnetyt roolit) tai välilyönnein eroteltu luettelo myönnetyistä rooleista.',
      sv: 'Begär scope=<client_id>/.default (alla beviljade roller) eller en blankstegsseparerad lista över beviljade roller.',
    },
  ),
  OAUTH_UNSUPPORTED_GRANT_TYPE: def(
    400,
    'INVALID_DATA',
    'Only the client_credentials grant is supported (unsupported_grant_type).',
    'Vain client_credentials-myöntötapaa tuetaan (unsupported_grant_type).',
    'Endast beviljandetypen client_credentials stöds (unsupported_grant_type).',
    {
      en: 'Send grant_type=client_credentials.',
      fi: 'Lähetä grant_type=client_credentials.',
      sv: 'Skicka grant_type=client_credentials.',
    },
  ),
  EXTERNAL_CLIENT_ALREADY_LINKED: def(
    409,
    'INVALID_DATA',
    "This issuer's client id is already linked to a party or company.",
    'Tämän myöntäjän asiakastunnus on jo linkitetty osapuoleen tai yritykseen.',
    'Denna utfärdares klient-id är redan länkat till en part eller ett företag.',
    {
      en: 'Disable the existing link first (vaultgate admin client unlink <link id>).',
      fi: 'Poista ensin olemassa oleva linkki käytöstä (vaultgate admin client unlink <link id>).',
      sv: 'Inaktivera först den befintliga länken (vaultgate admin client unlink <link id>).',
    },
  ),
  // --- request headers and content codings (issue 11 §2, §3) ---
  DUPLICATE_HEADER: def(
    400,
    'INVALID_DATA',
    'A header that must appear once was sent more than once.',
    'Otsake, joka saa esiintyä vain kerran, lähetettiin useammin kuin kerran.',
    'Ett huvud som bara får förekomma en gång skickades flera gånger.',
    {
      en: 'Send the header named in the detail (and in `header`) exactly once: Authorization, Idempotency-Key, X-Message-Type, Content-Type, Content-Length, Content-Encoding, Host and every X-Netvisor-* header are single-valued.',
      fi: 'Lähetä lisätiedoissa (ja kentässä `header`) mainittu otsake täsmälleen kerran: Authorization, Idempotency-Key, X-Message-Type, Content-Type, Content-Length, Content-Encoding, Host ja kaikki X-Netvisor-*-otsakkeet ovat yksiarvoisia.',
      sv: 'Skicka huvudet som nämns i detaljerna (och i `header`) exakt en gång: Authorization, Idempotency-Key, X-Message-Type, Content-Type, Content-Length, Content-Encoding, Host och alla X-Netvisor-*-huvuden får bara ha ett värde.',
    },
  ),
  CONTENT_ENCODING_UNSUPPORTED: def(
    415,
    'INVALID_DATA',
    'The content coding (Content-Encoding) is not accepted.',
    'Sisällön koodausta (Content-Encoding) ei hyväksytä.',
    'Innehållskodningen (Content-Encoding) godtas inte.',
    {
      en: 'Send the body unencoded; ingestion also takes it encoded with gzip, deflate or br (at most 4, listed in one Content-Encoding header in the order applied). The Accept-Encoding response header lists what the route accepts.',
      fi: 'Lähetä runko koodaamattomana; vastaanotto hyväksyy sen myös gzip-, deflate- tai br-koodattuna (enintään 4, lueteltuina yhdessä Content-Encoding-otsakkeessa käyttöjärjestyksessä). Vastauksen Accept-Encoding-otsake luettelee, mitä reitti hyväksyy.',
      sv: 'Skicka kroppen okodad; mottagningen tar också emot den kodad med gzip, deflate eller br (högst 4, listade i ett Content-Encoding-huvud i den ordning de tillämpats). Svarshuvudet Accept-Encoding listar vad rutten tar emot.',
    },
  ),
  CONTENT_ENCODING_INVALID: def(
    400,
    'INVALID_DATA',
    'The body could not be decoded with the content coding its Content-Encoding names.',
    'Runkoa ei voitu purkaa Content-Encoding-otsakkeen nimeämällä koodauksella.',
    'Innehållet kunde inte avkodas med den kodning som Content-Encoding anger.',
    {
      en: 'Send the body encoded exactly as Content-Encoding says (gzip: RFC 1952, deflate: zlib RFC 1950, br: RFC 7932), complete, or send it unencoded without Content-Encoding.',
      fi: 'Lähetä runko kokonaisena ja koodattuna täsmälleen Content-Encoding-otsakkeen mukaisesti (gzip: RFC 1952, deflate: zlib RFC 1950, br: RFC 7932) tai koodaamattomana ilman Content-Encoding-otsaketta.',
      sv: 'Skicka kroppen komplett och kodad exakt så som Content-Encoding anger (gzip: RFC 1952, deflate: zlib RFC 1950, br: RFC 7932), eller skicka den okodad utan Content-Encoding.',
    },
  ),
  // --- body integrity: Content-Digest (RFC 9530) and HTTP Message Signatures (RFC 9421) (issue 17, docs/http-signatures.md) ---
  CONTENT_DIGEST_INVALID: def(
    400,
    'INVALID_DATA',
    'The Content-Digest header is malformed.',
    'Content-Digest-otsake on virheellinen.',
    'Content-Digest-huvudet är felaktigt.',
    {
      en: 'Send Content-Digest as a Structured Field dictionary (RFC 9530 §2): sha-256=:<base64 of the 32-byte SHA-256 of the body as sent>: (or sha-512=:<64 bytes>:).',
      fi: 'Lähetä Content-Digest Structured Field -sanakirjana (RFC 9530 §2): sha-256=:<base64 of the 32-byte SHA-256 of the body as sent>: (tai sha-512=:<64 bytes>:), eli lähetetyn rungon 32-tavuinen SHA-256-tiiviste base64-muodossa.',
      sv: 'Skicka Content-Digest som en Structured Field-ordbok (RFC 9530 §2): sha-256=:<base64 of the 32-byte SHA-256 of the body as sent>: (eller sha-512=:<64 bytes>:), dvs. den skickade kroppens 32 byte långa SHA-256-hash i base64.',
    },
  ),
  CONTENT_DIGEST_MISMATCH: def(
    400,
    'INVALID_DATA',
    'The body does not match its Content-Digest: it was changed in transit or the digest is wrong. Nothing was stored.',
    'Runko ei vastaa Content-Digest-tiivistettään: sitä muutettiin matkalla tai tiiviste on väärä. Mitään ei tallennettu.',
    'Innehållet stämmer inte med dess Content-Digest: det ändrades under överföringen eller så är sammanfattningen fel. Inget sparades.',
    {
      en: 'Compute the digest over the body exactly as sent (after any Content-Encoding) and send the request again; the transaction id was not consumed. If it keeps failing, something between you and the server changes the body.',
      fi: 'Laske tiiviste rungosta täsmälleen sellaisena kuin se lähetetään (mahdollisen Content-Encoding-koodauksen jälkeen) ja lähetä pyyntö uudelleen; tapahtumatunnistetta ei kulutettu. Jos virhe toistuu, jokin sinun ja palvelimen välissä muuttaa runkoa.',
      sv: 'Beräkna hashen över kroppen exakt som den skickas (efter eventuell Content-Encoding) och skicka begäran igen; transaktions-id:t förbrukades inte. Om det fortsätter att misslyckas ändrar något mellan dig och servern kroppen.',
    },
  ),
  CONTENT_DIGEST_REQUIRED: def(
    400,
    'INVALID_DATA',
    'This channel requires a Content-Digest header on every message.',
    'Tämä kanava vaatii jokaiseen sanomaan Content-Digest-otsakkeen.',
    'Den här kanalen kräver ett Content-Digest-huvud på varje meddelande.',
    {
      en: "Send Content-Digest: sha-256=:<base64 SHA-256 of the body as sent>: (the answer's Want-Content-Digest lists the accepted algorithms, RFC 9530 §4). The CLI does so with `vaultgate send --content-digest`, the SDK with the option contentDigest: true; HTTP-signed sends always carry it.",
      fi: 'Lähetä Content-Digest: sha-256=:<base64 SHA-256 of the body as sent>: eli lähetetyn rungon SHA-256-tiiviste base64-muodossa (vastauksen Want-Content-Digest luettelee hyväksytyt algoritmit, RFC 9530 §4). Komentorivityökalu lähettää sen valitsimella `vaultgate send --content-digest`, SDK asetuksella contentDigest: true; HTTP-allekirjoitetuissa lähetyksissä se on aina mukana.',
      sv: 'Skicka Content-Digest: sha-256=:<base64 SHA-256 of the body as sent>:, dvs. den skickade kroppens SHA-256-hash i base64 (svarets Want-Content-Digest listar de godkända algoritmerna, RFC 9530 §4). Kommandoradsverktyget skickar det med `vaultgate send --content-digest`, SDK:n med inställningen contentDigest: true; HTTP-signerade sändningar har det alltid med.',
    },
  ),
  SIGNATURE_INVALID: def(
    401,
    'AUTHENTICATION_FAILED',
    'The HTTP message signature is malformed or does not verify.',
    'HTTP-viestin allekirjoitus on virheellinen tai ei täsmää.',
    'HTTP-meddelandets signatur är felaktig eller kan inte verifieras.',
    {
      en: 'Sign the request as RFC 9421 describes (one Signature-Input and Signature label) over @method, @target-uri, content-digest and content-type, with the key named by keyid and its algorithm; for @target-uri, sign the server\'s public URL (VAULTGATE_PUBLIC_URL, named in the detail) with the path and query as sent: a URL addressing the server by another name, such as localhost for 127.0.0.1, does not verify.',
      fi: 'Allekirjoita pyyntö RFC 9421:n mukaisesti (yksi Signature-Input- ja Signature-nimiö) komponenteista @method, @target-uri, content-digest ja content-type keyid-arvon nimeämällä avaimella ja sen algoritmilla; allekirjoita @target-uri-komponenttina palvelimen julkinen URL-osoite (VAULTGATE_PUBLIC_URL, mainittu lisätiedoissa) ja polku ja kysely sellaisina kuin ne lähetetään: URL, joka nimeää palvelimen toisin, esimerkiksi localhost osoitteen 127.0.0.1 sijaan, ei täsmää.',
      sv: 'Signera begäran så som RFC 9421 beskriver (en Signature-Input- och Signature-etikett) över @method, @target-uri, content-digest och content-type, med nyckeln som keyid anger och dess algoritm; signera som @target-uri serverns publika URL (VAULTGATE_PUBLIC_URL, som anges i detaljerna) med sökvägen och frågesträngen som de skickas: en URL som anger servern med ett annat namn, till exempel localhost i stället för 127.0.0.1, kan inte verifieras.',
    },
  ),
  SIGNATURE_COMPONENT_MISSING: def(
    401,
    'AUTHENTICATION_FAILED',
    'The HTTP message signature does not cover a required component or parameter.',
    'HTTP-viestin allekirjoitus ei kata vaadittua komponenttia tai parametria.',
    'HTTP-meddelandets signatur täcker inte en obligatorisk komponent eller parameter.',
    {
      en: 'Cover "@method", "@target-uri", "content-digest" and "content-type", and give the parameters created, nonce and keyid (alg is optional; the detail names what is missing).',
      fi: 'Sisällytä allekirjoitukseen komponentit "@method", "@target-uri", "content-digest" ja "content-type" ja anna parametrit created, nonce ja keyid (alg on valinnainen; lisätiedot kertovat, mitä puuttuu).',
      sv: 'Täck "@method", "@target-uri", "content-digest" och "content-type" och ange parametrarna created, nonce och keyid (alg är valfri; detaljerna anger vad som saknas).',
    },
  ),
  SIGNATURE_CREATED_OUT_OF_WINDOW: def(
    401,
    'AUTHENTICATION_FAILED',
    'The signature\'s created time is outside the allowed window of server time.',
    'Allekirjoituksen luontiaika ei ole sallitun aikaikkunan sisällä.',
    'Signaturens skapandetid ligger utanför det tillåtna tidsfönstret.',
    {
      en: 'Set created to the current Unix time when signing and keep the client clock synchronised (NTP); sign every request anew.',
      fi: 'Aseta created allekirjoitettaessa nykyiseen Unix-aikaan ja pidä asiakasohjelman kello synkronoituna (NTP); allekirjoita jokainen pyyntö uudelleen.',
      sv: 'Sätt created till aktuell Unix-tid vid signeringen och håll klientens klocka synkroniserad (NTP); signera varje begäran på nytt.',
    },
  ),
  SIGNATURE_KEY_UNKNOWN: def(
    401,
    'AUTHENTICATION_FAILED',
    'No active signature key has the keyid the signature names.',
    'Allekirjoituksen nimeämällä keyid-tunnisteella ei ole aktiivista allekirjoitusavainta.',
    'Ingen aktiv signaturnyckel har det keyid som signaturen anger.',
    {
      en: 'Use the key id shown when the key was registered (GET …/signature-keys lists your keys and their status); register a new key if it was disabled.',
      fi: 'Käytä avaimen tunnistetta, joka näytettiin avainta rekisteröitäessä (GET …/signature-keys luettelee avaimesi ja niiden tilan); rekisteröi uusi avain, jos avain on poistettu käytöstä.',
      sv: 'Använd nyckel-id:t som visades när nyckeln registrerades (GET …/signature-keys listar dina nycklar och deras status); registrera en ny nyckel om den har inaktiverats.',
    },
  ),
  SIGNATURE_KEY_INVALID: def(
    400,
    'INVALID_DATA',
    'The public key is not usable for the chosen algorithm.',
    'Julkinen avain ei sovi valitulle algoritmille.',
    'Den publika nyckeln kan inte användas med den valda algoritmen.',
    {
      en: "Upload a public key (JWK object or PEM SubjectPublicKeyInfo) of the algorithm's type: an Ed25519 key for ed25519, a P-256 EC key for ecdsa-p256-sha256; never a private key. For hmac-sha256 send no key: the server generates the secret.",
      fi: 'Lataa algoritmin tyyppiä vastaava julkinen avain (JWK-objekti tai PEM SubjectPublicKeyInfo): Ed25519-avain algoritmille ed25519, P-256 EC -avain algoritmille ecdsa-p256-sha256; ei koskaan yksityistä avainta. Algoritmille hmac-sha256 älä lähetä avainta: palvelin luo salaisuuden.',
      sv: 'Ladda upp en publik nyckel (JWK-objekt eller PEM SubjectPublicKeyInfo) av algoritmens typ: en Ed25519-nyckel för ed25519, en P-256 EC-nyckel för ecdsa-p256-sha256; aldrig en privat nyckel. För hmac-sha256 skickas ingen nyckel: servern genererar hemligheten.',
    },
  ),
  // --- transport and HTTP protocol errors: answers the server itself decides, before any route (issue 11 §5, §6, §8) ---
  REQUEST_MALFORMED: def(
    400,
    'INVALID_DATA',
    'The request is not valid HTTP/1.1 and could not be read.',
    'Pyyntö ei ole kelvollista HTTP/1.1:tä, eikä sitä voitu lukea.',
    'Begäran är inte giltig HTTP/1.1 och kunde inte läsas.',
    {
      en: 'Send one well-formed HTTP/1.1 request (RFC 9112): one Content-Length or Transfer-Encoding: chunked, header lines "Name: value" without control characters.',
      fi: 'Lähetä yksi oikeamuotoinen HTTP/1.1-pyyntö (RFC 9112): yksi Content-Length tai Transfer-Encoding: chunked, otsakerivit muodossa "Name: value" ilman ohjausmerkkejä.',
      sv: 'Skicka en välformad HTTP/1.1-begäran (RFC 9112): en Content-Length eller Transfer-Encoding: chunked, huvudrader på formen "Name: value" utan kontrolltecken.',
    },
  ),
  URL_MALFORMED: def(
    400,
    'INVALID_DATA',
    'The request target is not a valid URL: a percent sign is not followed by two hex digits, or it decodes to invalid UTF-8.',
    'Pyynnön kohde ei ole kelvollinen URL: prosenttimerkkiä ei seuraa kaksi heksanumeroa, tai se ei ole kelvollista UTF-8:aa.',
    'Begärans mål är ingen giltig URL: ett procenttecken följs inte av två hexadecimala siffror, eller den avkodas till ogiltig UTF-8.',
    {
      en: 'Percent-encode the path as UTF-8 (RFC 3986 §2.1): write % as %25.',
      fi: 'Prosenttikoodaa polku UTF-8-muodossa (RFC 3986 §2.1): kirjoita % muodossa %25.',
      sv: 'Procentkoda sökvägen som UTF-8 (RFC 3986 §2.1): skriv % som %25.',
    },
  ),
  METHOD_NOT_ALLOWED: def(
    405,
    'INVALID_DATA',
    'The method is not allowed on this path.',
    'Menetelmä ei ole sallittu tässä polussa.',
    'Metoden är inte tillåten för denna sökväg.',
    {
      en: 'Use one of the methods in the Allow header (docs/api.md lists every route).',
      fi: 'Käytä jotakin Allow-otsakkeessa luetelluista metodeista (docs/api.md luettelee kaikki reitit).',
      sv: 'Använd en av metoderna i Allow-huvudet (docs/api.md listar alla rutter).',
    },
  ),
  METHOD_NOT_IMPLEMENTED: def(
    501,
    'TECHNICAL_ERROR',
    'The request method is not implemented by this server.',
    'Palvelin ei toteuta pyynnön menetelmää.',
    'Servern implementerar inte begärans metod.',
    {
      en: 'Use GET, HEAD, POST or DELETE as docs/api.md lists for the route.',
      fi: 'Käytä metodia GET, HEAD, POST tai DELETE sen mukaan, mitä docs/api.md luettelee reitille.',
      sv: 'Använd GET, HEAD, POST eller DELETE så som docs/api.md anger för rutten.',
    },
  ),
  REQUEST_TIMEOUT: def(
    408,
    'INVALID_DATA',
    'The request was not received in time.',
    'Pyyntöä ei vastaanotettu ajoissa.',
    'Begäran togs inte emot i tid.',
    {
      en: 'Send the whole request (headers and body) within VAULTGATE_REQUEST_TIMEOUT_S seconds, on a new connection.',
      fi: 'Lähetä koko pyyntö (otsakkeet ja runko) VAULTGATE_REQUEST_TIMEOUT_S sekunnin kuluessa uudella yhteydellä.',
      sv: 'Skicka hela begäran (huvuden och kropp) inom VAULTGATE_REQUEST_TIMEOUT_S sekunder, på en ny anslutning.',
    },
  ),
  URI_TOO_LONG: def(
    414,
    'INVALID_DATA',
    'The request target (URL) is longer than this server accepts.',
    'Pyynnön kohde (URL) on pidempi kuin palvelin hyväksyy.',
    'Begärans mål (URL) är längre än servern tar emot.',
    {
      en: 'Check the URL: ids are at most 100 characters, and the whole request line and headers at most 16 KiB.',
      fi: 'Tarkista URL: tunnisteet ovat enintään 100 merkkiä, ja koko pyyntörivi ja otsakkeet yhteensä enintään 16 KiB.',
      sv: 'Kontrollera URL:en: id:n är högst 100 tecken, och hela begäranraden och huvudena högst 16 KiB.',
    },
  ),
  HEADERS_TOO_LARGE: def(
    431,
    'INVALID_DATA',
    'The request header fields are larger than this server accepts.',
    'Pyynnön otsakkeet ovat suuremmat kuin palvelin hyväksyy.',
    'Begärans huvudfält är större än servern tar emot.',
    {
      en: 'Send at most 16 KiB of request line and header fields; drop cookies or headers this API does not use.',
      fi: 'Lähetä pyyntöriviä ja otsakekenttiä yhteensä enintään 16 KiB; jätä pois evästeet tai otsakkeet, joita tämä rajapinta ei käytä.',
      sv: 'Skicka högst 16 KiB begäranrad och huvudfält; utelämna kakor eller huvuden som detta API inte använder.',
    },
  ),
  EXPECTATION_FAILED: def(
    417,
    'INVALID_DATA',
    'The Expect header asks for something other than 100-continue, which is all this server supports.',
    'Expect-otsake pyytää muuta kuin 100-continue, jota ainoastaan palvelin tukee.',
    'Expect-huvudet begär något annat än 100-continue, som är det enda servern stöder.',
    {
      en: 'Send Expect: 100-continue or no Expect header (RFC 9110 §10.1.1).',
      fi: 'Lähetä Expect: 100-continue tai jätä Expect-otsake pois (RFC 9110 §10.1.1).',
      sv: 'Skicka Expect: 100-continue eller inget Expect-huvud (RFC 9110 §10.1.1).',
    },
  ),
  HTTPS_REQUIRED: def(
    403,
    'SERVICE_ACCESS_ERROR',
    'This live deployment answers only requests that arrive over HTTPS.',
    'Tämä tuotantopalvelu vastaa vain HTTPS-yhteyden kautta saapuviin pyyntöihin.',
    'Denna produktionstjänst svarar bara på begäranden som kommer över HTTPS.',
    {
      en: 'Address the https:// URL of the deployment (VAULTGATE_PUBLIC_URL). Operators: terminate TLS in the server (VAULTGATE_TLS_CERT) or in a proxy listed in VAULTGATE_TRUST_PROXY that sends X-Forwarded-Proto: https (or Forwarded: proto=https).',
      fi: 'Käytä palvelun https://-osoitetta (VAULTGATE_PUBLIC_URL). Ylläpitäjät: päätä TLS palvelimessa (VAULTGATE_TLS_CERT) tai VAULTGATE_TRUST_PROXY-asetuksessa luetellussa välityspalvelimessa, joka lähettää X-Forwarded-Proto: https (tai Forwarded: proto=https).',
      sv: 'Använd tjänstens https://-URL (VAULTGATE_PUBLIC_URL). Operatörer: terminera TLS i servern (VAULTGATE_TLS_CERT) eller i en proxy som anges i VAULTGATE_TRUST_PROXY och som skickar X-Forwarded-Proto: https (eller Forwarded: proto=https).',
    },
  ),
  // --- authentication hardening (issue 11 §4 bearer keys and lifetimes, §6 throttling) ---
  AUTHENTICATION_THROTTLED: def(
    429,
    'AUTHENTICATION_FAILED',
    'Too many failed authentication attempts for this credential or from this address; the request was not checked.',
    'Liian monta epäonnistunutta tunnistautumisyritystä näillä tunnuksilla tai tästä osoitteesta; pyyntöä ei tarkistettu.',
    'För många misslyckade autentiseringsförsök för dessa uppgifter eller från denna adress; begäran kontrollerades inte.',
    {
      en: 'Wait the seconds given in Retry-After, and correct the credentials before retrying: failed attempts are counted per credential and per client address (VAULTGATE_AUTH_THROTTLE_*).',
      fi: 'Odota Retry-After-otsakkeen ilmoittama määrä sekunteja ja korjaa tunnukset ennen uutta yritystä: epäonnistuneet yritykset lasketaan tunnuskohtaisesti ja asiakkaan osoitteen mukaan (VAULTGATE_AUTH_THROTTLE_*).',
      sv: 'Vänta det antal sekunder som Retry-After anger och rätta autentiseringsuppgifterna innan du försöker igen: misslyckade försök räknas per uppgift och per klientadress (VAULTGATE_AUTH_THROTTLE_*).',
    },
  ),
  TOKEN_KEY_UNUSABLE: def(
    401,
    'AUTHENTICATION_FAILED',
    "The issuer publishes the token's key in a form that cannot be used (a malformed key or certificate, or an unsupported key type).",
    'Myöntäjä julkaisee tunnisteen avaimen muodossa, jota ei voi käyttää (virheellinen avain tai varmenne, tai tukematon avaintyyppi).',
    'Utfärdaren publicerar tokenets nyckel i en form som inte kan användas (felaktig nyckel eller certifikat, eller nyckeltyp som inte stöds).',
    {
      en: 'Ask the issuer to publish the key with its public members (RSA n and e, EC x and y) or a valid x5c certificate whose key type matches kty and alg; the operator finds the key id in the log (TOKEN_KEY_UNUSABLE).',
      fi: 'Pyydä myöntäjää julkaisemaan avain julkisine osineen (RSA n ja e, EC x ja y) tai kelvollisella x5c-varmenteella, jonka avaintyyppi vastaa kty- ja alg-arvoja; ylläpitäjä löytää avaimen tunnisteen lokista (TOKEN_KEY_UNUSABLE).',
      sv: 'Be utfärdaren publicera nyckeln med dess publika delar (RSA n och e, EC x och y) eller ett giltigt x5c-certifikat vars nyckeltyp motsvarar kty och alg; operatören hittar nyckel-id:t i loggen (TOKEN_KEY_UNUSABLE).',
    },
  ),
  TOKEN_LIFETIME_TOO_LONG: def(
    401,
    'AUTHENTICATION_FAILED',
    "The token's lifetime (exp - iat, or exp - now without iat) is longer than this deployment accepts for its issuer.",
    'Tunnisteen voimassaoloaika (exp - iat, tai exp - nyt ilman iat-väitettä) on pidempi kuin palvelu hyväksyy tälle myöntäjälle.',
    'Tokenets livslängd (exp - iat, eller exp - nu utan iat) är längre än denna tjänst godtar för dess utfärdare.',
    {
      en: 'Request tokens that expire sooner; the operator sets the limit per issuer (maxTokenLifetimeS in VAULTGATE_OIDC_ISSUERS, default 86400 s).',
      fi: 'Pyydä tunnisteita, jotka vanhenevat aiemmin; ylläpitäjä asettaa rajan myöntäjäkohtaisesti (maxTokenLifetimeS asetuksessa VAULTGATE_OIDC_ISSUERS, oletus 86400 s).',
      sv: 'Begär token som går ut tidigare; operatören ställer in gränsen per utfärdare (maxTokenLifetimeS i VAULTGATE_OIDC_ISSUERS, standard 86400 s).',
    },
  ),
  // --- accounts (issue 14): people, sign-in, sessions ---
  USER_EMAIL_TAKEN: def(
    409,
    'INVALID_DATA',
    'A user with this email address exists already.',
    'Tällä sähköpostiosoitteella on jo käyttäjä.',
    'Det finns redan en användare med denna e-postadress.',
    {
      en: "If the address is yours, sign in with it (POST /api/v1/session, or `vaultgate account signin`): an invitation is then accepted signed in, and another organisation adds you by invitation; a registration waiting for the operator's decision holds its address until then (a declined one frees it). Otherwise use another address (emails are compared case-insensitively).",
      fi: 'Jos osoite on sinun, kirjaudu sillä (POST /api/v1/session tai `vaultgate account signin`): kutsu hyväksytään tällöin kirjautuneena, ja toinen organisaatio lisää sinut kutsulla; ylläpitäjän päätöstä odottava rekisteröinti varaa osoitteensa siihen asti (hylätty vapauttaa sen). Muussa tapauksessa käytä toista osoitetta (sähköpostiosoitteita verrataan kirjainkoosta riippumatta).',
      sv: 'Om adressen är din, logga in med den (POST /api/v1/session, eller `vaultgate account signin`): en inbjudan godkänns då inloggad, och en annan organisation lägger till dig genom en inbjudan; en registrering som väntar på operatörens beslut reserverar sin adress tills dess (en avslagen frigör den). Annars använd en annan adress (e-postadresser jämförs utan skillnad mellan stora och små bokstäver).',
    },
  ),
  PASSWORD_TOO_SHORT: def(
    400,
    'INVALID_DATA',
    'The password is too short: it must be at least 12 characters.',
    'Salasana on liian lyhyt: siinä on oltava vähintään 12 merkkiä.',
    'Lösenordet är för kort: det måste ha minst 12 tecken.',
    {
      en: 'Choose a password of at least 12 characters (up to 256); a passphrase of several words is easiest to remember.',
      fi: 'Valitse vähintään 12 merkin salasana (enintään 256); useamman sanan salalause on helpoin muistaa.',
      sv: 'Välj ett lösenord på minst 12 tecken (högst 256); en lösenfras med flera ord är lättast att komma ihåg.',
    },
  ),
  PASSWORD_TOO_COMMON: def(
    400,
    'INVALID_DATA',
    'The password is in a list of common or breached passwords.',
    'Salasana on yleisten tai vuotaneiden salasanojen luettelossa.',
    'Lösenordet finns i en lista över vanliga eller läckta lösenord.',
    {
      en: 'Choose a password nobody else is likely to use: not a known password, keyboard pattern or repeated word.',
      fi: 'Valitse salasana, jota kukaan muu tuskin käyttää: ei tunnettua salasanaa, näppäimistökuviota tai toistettua sanaa.',
      sv: 'Välj ett lösenord som ingen annan sannolikt använder: inte ett känt lösenord, ett tangentbordsmönster eller ett upprepat ord.',
    },
  ),
  SIGN_IN_FAILED: def(
    401,
    'AUTHENTICATION_FAILED',
    'Sign-in failed: the email or password is wrong, or the account is not active.',
    'Kirjautuminen epäonnistui: sähköposti tai salasana on väärä, tai tili ei ole käytössä.',
    'Inloggningen misslyckades: e-postadressen eller lösenordet är fel, eller kontot är inte aktivt.',
    {
      en: 'Check the email and password; a newly registered account can sign in once an operator has approved its registration. Forgot the password: a platform operator issues a reset link (vaultgate admin users password-reset <userId>), completed with vaultgate account password-reset <link>.',
      fi: 'Tarkista sähköpostiosoite ja salasana; juuri rekisteröidyllä tilillä voi kirjautua, kun ylläpitäjä on hyväksynyt rekisteröinnin. Unohtunut salasana: alustan ylläpitäjä antaa palautuslinkin (vaultgate admin users password-reset <userId>), joka viedään loppuun komennolla vaultgate account password-reset <link>.',
      sv: 'Kontrollera e-postadressen och lösenordet; ett nyregistrerat konto kan logga in när en operatör har godkänt registreringen. Glömt lösenordet: en plattformsoperatör utfärdar en återställningslänk (vaultgate admin users password-reset <userId>), som slutförs med vaultgate account password-reset <link>.',
    },
  ),
  TOTP_REQUIRED: def(
    401,
    'AUTHENTICATION_FAILED',
    'A second factor is required: the one-time code of the authenticator app to sign in, or, when none is enrolled yet, its enrolment first.',
    'Toinen tunnistautumistekijä vaaditaan: kirjautuessa todennussovelluksen kertakäyttöinen koodi, tai jos sovellusta ei ole vielä otettu käyttöön, sen käyttöönotto ensin.',
    'En andra faktor krävs: engångskoden från autentiseringsappen för att logga in, eller, om ingen app har aktiverats än, först aktivering av den.',
    {
      en: 'At sign-in, send the 6-digit code your authenticator app shows as `totp` with the email and password (CLI: --totp). Not enrolled yet (your organisation requires it, or you are a platform operator): signed in, enrol with POST /api/v1/me/totp and confirm a code with POST /api/v1/me/totp/confirm (CLI: vaultgate account totp enrol, then vaultgate account totp confirm <code>); the session works fully from then on.',
      fi: 'Lähetä kirjautuessa todennussovelluksesi näyttämä 6-numeroinen koodi kentässä `totp` sähköpostiosoitteen ja salasanan kanssa (CLI: --totp). Jos et ole vielä ottanut sitä käyttöön (organisaatiosi vaatii sen, tai olet alustan ylläpitäjä): ota se kirjautuneena käyttöön pyynnöllä POST /api/v1/me/totp ja vahvista koodi pyynnöllä POST /api/v1/me/totp/confirm (CLI: vaultgate account totp enrol, sitten vaultgate account totp confirm <code>); istunto toimii siitä lähtien täysin.',
      sv: 'Skicka vid inloggningen den 6-siffriga kod som din autentiseringsapp visar som `totp` tillsammans med e-postadressen och lösenordet (CLI: --totp). Inte aktiverat ännu (din organisation kräver det, eller du är plattformsoperatör): aktivera inloggad med POST /api/v1/me/totp och bekräfta en kod med POST /api/v1/me/totp/confirm (CLI: vaultgate account totp enrol, sedan vaultgate account totp confirm <code>); sessionen fungerar fullt ut från och med då.',
    },
  ),
  TOTP_INVALID: def(
    401,
    'AUTHENTICATION_FAILED',
    'The one-time code is wrong, expired, or was used already.',
    'Kertakäyttöinen koodi on väärä, vanhentunut tai jo käytetty.',
    'Engångskoden är fel, har gått ut eller har redan använts.',
    {
      en: 'Send the 6 digits the authenticator app shows now (each code works once, within 30 seconds either side) and check the device clock. Lost the authenticator: an operator (vaultgate admin users reset-totp <userId>) or your organisation admin (vaultgate account members reset-totp <userId> --org …) resets it; then sign in with the password and enrol again. To replace a working one: vaultgate account totp replace <current code>.',
      fi: 'Lähetä todennussovelluksen juuri nyt näyttämät 6 numeroa (kukin koodi toimii kerran, 30 sekunnin sisällä kumpaankin suuntaan) ja tarkista laitteen kello. Kadonnut todennussovellus: ylläpitäjä (vaultgate admin users reset-totp <userId>) tai organisaatiosi pääkäyttäjä (vaultgate account members reset-totp <userId> --org …) nollaa sen; kirjaudu sitten salasanalla ja ota se uudelleen käyttöön. Toimivan korvaaminen: vaultgate account totp replace <current code>.',
      sv: 'Skicka de 6 siffror som autentiseringsappen visar nu (varje kod fungerar en gång, inom 30 sekunder åt båda hållen) och kontrollera enhetens klocka. Förlorad autentiseringsapp: en operatör (vaultgate admin users reset-totp <userId>) eller din organisations administratör (vaultgate account members reset-totp <userId> --org …) återställer den; logga sedan in med lösenordet och aktivera på nytt. För att byta ut en fungerande: vaultgate account totp replace <current code>.',
    },
  ),
  SIGN_IN_THROTTLED: def(
    429,
    'AUTHENTICATION_FAILED',
    'Too many failed sign-ins for this account; sign-in was not attempted.',
    'Liian monta epäonnistunutta kirjautumista tälle tilille; kirjautumista ei yritetty.',
    'För många misslyckade inloggningar för detta konto; inloggningen prövades inte.',
    {
      en: 'Wait the seconds given in Retry-After (the wait grows with each further failure, at most 100 failures an hour are checked); if you forgot the password, ask a platform operator for a password-reset link (vaultgate admin users password-reset <userId>) and complete it with vaultgate account password-reset <link>; a lost authenticator is reset by an operator (vaultgate admin users reset-totp <userId>) or your organisation admin (vaultgate account members reset-totp <userId> --org …).',
      fi: 'Odota Retry-After-otsakkeen ilmoittama määrä sekunteja (odotus pitenee jokaisen uuden epäonnistumisen myötä, enintään 100 epäonnistumista tunnissa tarkistetaan); jos unohdit salasanan, pyydä alustan ylläpitäjältä palautuslinkki (vaultgate admin users password-reset <userId>) ja vie se loppuun komennolla vaultgate account password-reset <link>; kadonneen todennussovelluksen nollaa ylläpitäjä (vaultgate admin users reset-totp <userId>) tai organisaatiosi pääkäyttäjä (vaultgate account members reset-totp <userId> --org …).',
      sv: 'Vänta det antal sekunder som Retry-After anger (väntan växer med varje nytt misslyckande, högst 100 misslyckanden i timmen kontrolleras); om du glömt lösenordet, be en plattformsoperatör om en återställningslänk (vaultgate admin users password-reset <userId>) och slutför den med vaultgate account password-reset <link>; en förlorad autentiseringsapp återställs av en operatör (vaultgate admin users reset-totp <userId>) eller din organisations administratör (vaultgate account members reset-totp <userId> --org …).',
    },
  ),
  SESSION_REQUIRED: def(
    401,
    'AUTHENTICATION_FAILED',
    'Not signed in: the session is missing, expired, or was signed out.',
    'Et ole kirjautunut: istunto puuttuu, on vanhentunut tai siitä on kirjauduttu ulos.',
    'Du är inte inloggad: sessionen saknas, har gått ut eller har loggats ut.',
    {
      en: 'The detail says why. A token that is no session at all: send the session token from sign-in (or, on operator routes, the admin token; a vgp_… personal API token where the route takes one). An ended session: sign in again (POST /api/v1/session, or vaultgate account signin); sessions end after the idle and absolute timeouts the detail gives (VAULTGATE_SESSION_IDLE_S, VAULTGATE_SESSION_ABSOLUTE_S).',
      fi: 'Lisätiedot kertovat syyn. Jos tunniste ei ole lainkaan istunto: lähetä kirjautumisesta saatu istuntotunniste (tai ylläpitäjän reiteillä ylläpitäjän tunniste; henkilökohtainen vgp_…-API-tunniste, jos reitti hyväksyy sellaisen). Jos istunto on päättynyt: kirjaudu uudelleen (POST /api/v1/session tai vaultgate account signin); istunnot päättyvät lisätiedoissa mainittujen käyttämättömyys- ja enimmäisaikakatkaisujen jälkeen (VAULTGATE_SESSION_IDLE_S, VAULTGATE_SESSION_ABSOLUTE_S).',
      sv: 'Detaljerna anger varför. En token som inte alls är en session: skicka sessionstoken från inloggningen (eller, på operatörsrutter, admin-token; en personlig API-token vgp_… där rutten tar emot en sådan). En session som upphört: logga in på nytt (POST /api/v1/session, eller vaultgate account signin); sessioner upphör efter de tidsgränser för inaktivitet och maximal längd som detaljerna anger (VAULTGATE_SESSION_IDLE_S, VAULTGATE_SESSION_ABSOLUTE_S).',
    },
  ),
  API_TOKEN_INVALID: def(
    401,
    'AUTHENTICATION_FAILED',
    'The personal API token is unknown, expired, or revoked, or its user is no longer active.',
    'Henkilökohtainen API-tunniste on tuntematon, vanhentunut tai peruttu, tai sen käyttäjä ei ole enää käytössä.',
    'Den personliga API-token är okänd, har gått ut eller återkallats, eller så är dess användare inte längre aktiv.',
    {
      en: 'Create a new token (POST /api/v1/me/api-tokens, signed in) and replace the old one where it is used; GET /api/v1/me/api-tokens lists yours with their expiry.',
      fi: 'Luo uusi tunniste (POST /api/v1/me/api-tokens kirjautuneena) ja vaihda se vanhan tilalle kaikkialla, missä sitä käytetään; GET /api/v1/me/api-tokens luettelee tunnisteesi ja niiden voimassaolon.',
      sv: 'Skapa en ny token (POST /api/v1/me/api-tokens, inloggad) och byt ut den gamla där den används; GET /api/v1/me/api-tokens listar dina med deras giltighetstid.',
    },
  ),
  CSRF_TOKEN_INVALID: def(
    403,
    'SERVICE_ACCESS_ERROR',
    'The request changes something with a session cookie but lacks a valid CSRF token.',
    'Pyyntö muuttaa tietoja istuntoevästeellä, mutta siitä puuttuu kelvollinen CSRF-tunniste.',
    'Begäran ändrar något med en sessionskaka men saknar en giltig CSRF-token.',
    {
      en: 'Send the csrfToken from the sign-in answer (or GET /api/v1/session/csrf) in the X-CSRF-Token header with every POST, PUT, PATCH and DELETE made with the session cookie.',
      fi: 'Lähetä kirjautumisvastauksen csrfToken (tai GET /api/v1/session/csrf) X-CSRF-Token-otsakkeessa jokaisen istuntoevästeellä tehdyn POST-, PUT-, PATCH- ja DELETE-pyynnön mukana.',
      sv: 'Skicka csrfToken från inloggningssvaret (eller GET /api/v1/session/csrf) i huvudet X-CSRF-Token med varje POST, PUT, PATCH och DELETE som görs med sessionskakan.',
    },
  ),
  ACCOUNT_FORBIDDEN: def(
    403,
    'SERVICE_ACCESS_ERROR',
    'Your account may not do this.',
    'Tilisi ei saa tehdä tätä.',
    'Ditt konto får inte göra detta.',
    {
      en: "The detail names the rule that refused it and what to do instead. In general: `vaultgate account me` (GET /api/v1/me) lists your organisations and your role in each (check the id you gave with --org); a role you lack is given by an admin of that organisation; operator actions need a platform operator (an operator user's session, or the admin token); a personal API token acts only in its one organisation, with at most its role, and never as an operator.",
      fi: 'Lisätiedot kertovat säännön, joka esti toiminnon, ja mitä tehdä sen sijaan. Yleisesti: `vaultgate account me` (GET /api/v1/me) luettelee organisaatiosi ja roolisi kussakin (tarkista --org-valitsimella antamasi tunniste); puuttuvan roolin antaa kyseisen organisaation pääkäyttäjä; ylläpitotoiminnot vaativat alustan ylläpitäjän (ylläpitäjäkäyttäjän istunnon tai ylläpitäjän tunnisteen); henkilökohtainen API-tunniste toimii vain yhdessä organisaatiossaan, enintään roolinsa oikeuksin, eikä koskaan ylläpitäjänä.',
      sv: 'Detaljerna anger regeln som avvisade åtgärden och vad du kan göra i stället. I allmänhet: `vaultgate account me` (GET /api/v1/me) listar dina organisationer och din roll i var och en (kontrollera id:t du angav med --org); en roll du saknar ges av en administratör i den organisationen; operatörsåtgärder kräver en plattformsoperatör (en operatörsanvändares session eller admin-token); en personlig API-token agerar endast i sin enda organisation, med högst sin roll, och aldrig som operatör.',
    },
  ),
  // --- the accounts journey's findings (issue 14) ---
  API_TOKEN_NOT_FOR_ACCOUNT: def(
    403,
    'SERVICE_ACCESS_ERROR',
    'A personal API token cannot manage the account; this needs a signed-in session.',
    'Henkilökohtaisella API-tunnisteella ei voi hallita tiliä; tähän tarvitaan kirjautunut istunto.',
    'En personlig API-token kan inte hantera kontot; detta kräver en inloggad session.',
    {
      en: 'Sign in (POST /api/v1/session, or vaultgate account signin) and do this with the session: API tokens, TOTP and sign-out belong to the person, a token only acts in its one organisation.',
      fi: 'Kirjaudu (POST /api/v1/session tai vaultgate account signin) ja tee tämä istunnolla: API-tunnisteet, TOTP ja uloskirjautuminen kuuluvat henkilölle, ja tunniste toimii vain yhdessä organisaatiossaan.',
      sv: 'Logga in (POST /api/v1/session, eller vaultgate account signin) och gör detta med sessionen: API-token, TOTP och utloggning hör till personen, en token agerar endast i sin enda organisation.',
    },
  ),
  // --- self-service credentials and channel requests (issue 14) ---
  ORGANISATION_KIND_MISMATCH: def(
    409,
    'INVALID_DATA',
    'This organisation is not of the kind this needs (a company, or a software vendor).',
    'Organisaatio ei ole tähän tarvittavaa tyyppiä (yritys tai ohjelmistotoimittaja).',
    'Organisationen är inte av den typ som krävs (ett företag eller en programvaruleverantör).',
    {
      en: 'Customer credentials and channel approvals belong to a company; partner credentials and channel requests to a software vendor. GET /api/v1/organisations/{id} shows companyId and partyId. An organisation does not change kind: to act as the other kind, register a separate organisation of that kind (POST /api/v1/registrations with kind party or company; vaultgate account register --kind party …) and use its id.',
      fi: 'Asiakastunnukset ja kanavien hyväksynnät kuuluvat yritykselle; kumppanitunnukset ja kanavapyynnöt ohjelmistotoimittajalle. GET /api/v1/organisations/{id} näyttää companyId- ja partyId-arvot. Organisaation tyyppi ei muutu: toimiaksesi toisena tyyppinä rekisteröi erillinen organisaatio kyseistä tyyppiä (POST /api/v1/registrations, kind party tai company; vaultgate account register --kind party …) ja käytä sen tunnistetta.',
      sv: 'Kunduppgifter och godkännanden av kanaler hör till ett företag; partneruppgifter och kanalbegäranden till en programvaruleverantör. GET /api/v1/organisations/{id} visar companyId och partyId. En organisation byter inte typ: för att agera som den andra typen, registrera en separat organisation av den typen (POST /api/v1/registrations med kind party eller company; vaultgate account register --kind party …) och använd dess id.',
    },
  ),
  CHANNEL_GRANT_EXCEEDS_REQUEST: def(
    400,
    'INVALID_DATA',
    'The approval grants a message type or media type the vendor did not request.',
    'Hyväksyntä sallii sanomatyypin tai mediatyypin, jota toimittaja ei pyytänyt.',
    'Godkännandet tillåter en meddelandetyp eller medietyp som leverantören inte begärde.',
    {
      en: "An approval may only narrow the request: keep a subset of its messageTypes and of each type's mediaTypes, or decline and let the vendor request again.",
      fi: 'Hyväksyntä voi vain kaventaa pyyntöä: pidä osajoukko sen messageTypes-arvoista ja kunkin tyypin mediaTypes-arvoista, tai hylkää pyyntö ja anna toimittajan pyytää uudelleen.',
      sv: 'Ett godkännande får bara begränsa begäran: behåll en delmängd av dess messageTypes och av varje typs mediaTypes, eller avslå och låt leverantören begära på nytt.',
    },
  ),
  // --- people (issue 14): invitations, roles, suspension ---
  INVITATION_INVALID: def(
    404,
    'INVALID_DATA',
    'The invitation link is unknown, used already, revoked, or expired.',
    'Kutsulinkki on tuntematon, jo käytetty, peruttu tai vanhentunut.',
    'Inbjudningslänken är okänd, redan använd, återkallad eller har gått ut.',
    {
      en: 'Ask an admin of the organisation for a new invitation (POST /api/v1/organisations/{id}/invitations); each link works once and for a limited time.',
      fi: 'Pyydä organisaation pääkäyttäjältä uusi kutsu (POST /api/v1/organisations/{id}/invitations); kukin linkki toimii kerran ja rajoitetun ajan.',
      sv: 'Be en administratör i organisationen om en ny inbjudan (POST /api/v1/organisations/{id}/invitations); varje länk fungerar en gång och under begränsad tid.',
    },
  ),
  PASSWORD_RESET_INVALID: def(
    404,
    'INVALID_DATA',
    'The password-reset link is unknown, used already, replaced by a newer one, or expired.',
    'Salasanan vaihtolinkki on tuntematon, jo käytetty, korvattu uudemmalla tai vanhentunut.',
    'Länken för lösenordsåterställning är okänd, redan använd, ersatt av en nyare eller har gått ut.',
    {
      en: "Ask a platform operator for a new link (vaultgate admin users password-reset <userId>); each link works once, for a limited time, and only the newest one works. Use the whole link as it came (vaultgate account password-reset '<link>').",
      fi: "Pyydä alustan ylläpitäjältä uusi linkki (vaultgate admin users password-reset <userId>); kukin linkki toimii kerran, rajoitetun ajan, ja vain uusin toimii. Käytä koko linkkiä sellaisenaan (vaultgate account password-reset '<link>').",
      sv: "Be en plattformsoperatör om en ny länk (vaultgate admin users password-reset <userId>); varje länk fungerar en gång, under begränsad tid, och endast den senaste fungerar. Använd hela länken som den kom (vaultgate account password-reset '<link>').",
    },
  ),
  INVITATION_EMAIL_MISMATCH: def(
    403,
    'SERVICE_ACCESS_ERROR',
    'The invitation is for another email address than the signed-in user\'s.',
    'Kutsu on osoitettu eri sähköpostiosoitteelle kuin kirjautuneen käyttäjän.',
    'Inbjudan gäller en annan e-postadress än den inloggade användarens.',
    {
      en: 'Sign in as the user with the invited email address (or sign out and accept as a new user), or ask the admin to invite your address.',
      fi: 'Kirjaudu käyttäjänä, jolla on kutsuttu sähköpostiosoite (tai kirjaudu ulos ja hyväksy uutena käyttäjänä), tai pyydä pääkäyttäjää kutsumaan osoitteesi.',
      sv: 'Logga in som användaren med den inbjudna e-postadressen (eller logga ut och godkänn som ny användare), eller be administratören bjuda in din adress.',
    },
  ),
  LAST_ADMIN: def(
    409,
    'INVALID_DATA',
    'This would leave the organisation without an admin.',
    'Tämä jättäisi organisaation ilman pääkäyttäjää.',
    'Detta skulle lämna organisationen utan administratör.',
    {
      en: 'Make another member an admin first (PUT /api/v1/organisations/{id}/members/{userId} with role admin), then change or remove this one.',
      fi: 'Tee ensin toisesta jäsenestä pääkäyttäjä (PUT /api/v1/organisations/{id}/members/{userId} roolilla admin) ja muuta tai poista sitten tämä.',
      sv: 'Gör först en annan medlem till administratör (PUT /api/v1/organisations/{id}/members/{userId} med rollen admin), ändra eller ta sedan bort den här.',
    },
  ),
  TOTP_ENROLMENT_FIRST: def(
    409,
    'INVALID_DATA',
    'Enrol a second factor yourself before requiring one of the members: requiring it now would lock you out.',
    'Ota toinen tunnistautumistekijä itse käyttöön ennen kuin vaadit sitä jäseniltä: vaatimus nyt lukitsisi sinut ulos.',
    'Aktivera en andra faktor själv innan du kräver den av medlemmarna: kravet nu skulle låsa ute dig.',
    {
      en: 'Enrol an authenticator first (POST /api/v1/me/totp, then POST /api/v1/me/totp/confirm with a code; CLI: vaultgate account totp enrol, then vaultgate account totp confirm <code>), then require TOTP again.',
      fi: 'Ota ensin todennussovellus käyttöön (POST /api/v1/me/totp, sitten POST /api/v1/me/totp/confirm koodilla; CLI: vaultgate account totp enrol, sitten vaultgate account totp confirm <code>) ja vaadi sitten TOTP uudelleen.',
      sv: 'Aktivera först en autentiseringsapp (POST /api/v1/me/totp, sedan POST /api/v1/me/totp/confirm med en kod; CLI: vaultgate account totp enrol, sedan vaultgate account totp confirm <code>), kräv sedan TOTP igen.',
    },
  ),
  ORGANISATION_SUSPENDED: def(
    403,
    'SERVICE_ACCESS_ERROR',
    'The organisation is suspended by the platform operator: its credentials, clients, tokens and sessions are refused.',
    'Alustan ylläpitäjä on keskeyttänyt organisaation: sen tunnuksia, asiakkaita, tunnisteita ja istuntoja ei hyväksytä.',
    'Organisationen är avstängd av plattformens operatör: dess autentiseringsuppgifter, klienter, token och sessioner avvisas.',
    {
      en: 'The detail names the suspended organisation (the company of a channel, or the vendor sending on it): its admins contact the platform operator; once it is reinstated, its credentials work again unchanged.',
      fi: 'Lisätiedot kertovat keskeytetyn organisaation (kanavan yritys tai sillä lähettävä toimittaja): sen pääkäyttäjät ottavat yhteyttä alustan ylläpitäjään; kun se on palautettu, sen tunnukset toimivat taas muuttumattomina.',
      sv: 'Detaljerna anger den avstängda organisationen (kanalens företag, eller leverantören som skickar på den): dess administratörer kontaktar plattformens operatör; när den har återinsatts fungerar dess autentiseringsuppgifter igen oförändrade.',
    },
  ),
  MAIL_UNAVAILABLE: def(
    503,
    'TECHNICAL_ERROR',
    'The invitation mail could not be handed to the mail server; the invitation was withdrawn.',
    'Kutsusähköpostia ei saatu välitettyä sähköpostipalvelimelle; kutsu peruttiin.',
    'Inbjudningsmejlet kunde inte lämnas till e-postservern; inbjudan drogs tillbaka.',
    {
      en: 'Try again later; the operator should check the SMTP settings (VAULTGATE_SMTP_*) and the server log for the cause.',
      fi: 'Yritä myöhemmin uudelleen; ylläpitäjän kannattaa tarkistaa SMTP-asetukset (VAULTGATE_SMTP_*) ja syy palvelimen lokista.',
      sv: 'Försök igen senare; operatören bör kontrollera SMTP-inställningarna (VAULTGATE_SMTP_*) och orsaken i serverloggen.',
    },
  ),
  // --- sign-in through an external OpenID Connect provider (issue 14, docs/accounts.md) ---
  OIDC_PROVIDER_UNKNOWN: def(
    400,
    'INVALID_DATA',
    'No OpenID Connect sign-in provider is configured for the domain of this email address, or by this provider name.',
    'Tämän sähköpostiosoitteen verkkotunnukselle tai tällä nimellä ei ole määritetty OpenID Connect -kirjautumispalvelua.',
    'Ingen OpenID Connect-leverantör för inloggning är konfigurerad för den här e-postadressens domän eller med det här namnet.',
    {
      en: "Sign in with your password instead. If your organisation (rather than your email domain) has a provider, start with ?provider=<its id> (CLI: --provider; your organisation's admin knows it); otherwise the platform operator can configure one for your domain or organisation (VAULTGATE_OIDC_SIGNIN_PROVIDERS).",
      fi: 'Kirjaudu sen sijaan salasanallasi. Jos organisaatiollasi (eikä sähköpostisi verkkotunnuksella) on tunnistuspalvelu, aloita parametrilla ?provider=<its id> (CLI: --provider; organisaatiosi pääkäyttäjä tietää sen); muussa tapauksessa alustan ylläpitäjä voi määrittää sellaisen verkkotunnuksellesi tai organisaatiollesi (VAULTGATE_OIDC_SIGNIN_PROVIDERS).',
      sv: 'Logga in med ditt lösenord i stället. Om din organisation (snarare än din e-postdomän) har en leverantör, börja med ?provider=<its id> (CLI: --provider; din organisations administratör vet vilken); annars kan plattformens operatör konfigurera en för din domän eller organisation (VAULTGATE_OIDC_SIGNIN_PROVIDERS).',
    },
  ),
  OIDC_STATE_INVALID: def(
    400,
    'INVALID_DATA',
    'The sign-in through the external provider was not started in this browser, has expired, or was tampered with.',
    'Ulkoisen palveluntarjoajan kautta kirjautumista ei aloitettu tässä selaimessa, se on vanhentunut tai sitä on muutettu.',
    'Inloggningen via den externa leverantören startades inte i denna webbläsare, har gått ut eller har manipulerats.',
    {
      en: 'Start the sign-in again from GET /api/v1/session/oidc in the same browser and finish it within 10 minutes.',
      fi: 'Aloita kirjautuminen uudelleen osoitteesta GET /api/v1/session/oidc samassa selaimessa ja vie se loppuun 10 minuutin kuluessa.',
      sv: 'Börja inloggningen på nytt från GET /api/v1/session/oidc i samma webbläsare och slutför den inom 10 minuter.',
    },
  ),
  OIDC_PROVIDER_DENIED: def(
    401,
    'AUTHENTICATION_FAILED',
    'The external provider did not sign you in.',
    'Ulkoinen palveluntarjoaja ei kirjannut sinua sisään.',
    'Den externa leverantören loggade inte in dig.',
    {
      en: "Sign in at your organisation's provider again; if it keeps refusing, ask its administrator whether your account may use Vaultgate.",
      fi: 'Kirjaudu uudelleen organisaatiosi tunnistuspalveluun; jos se edelleen estää kirjautumisen, kysy sen ylläpitäjältä, saako tilisi käyttää Vaultgatea.',
      sv: 'Logga in hos din organisations leverantör igen; om den fortsätter att neka, fråga dess administratör om ditt konto får använda Vaultgate.',
    },
  ),
  OIDC_TOKEN_INVALID: def(
    401,
    'AUTHENTICATION_FAILED',
    'The external provider\'s answer could not be verified (its ID token is invalid, expired or for another client).',
    'Ulkoisen palveluntarjoajan vastausta ei voitu varmentaa (sen ID-tunniste on virheellinen, vanhentunut tai toiselle asiakkaalle).',
    'Den externa leverantörens svar kunde inte verifieras (dess ID-token är ogiltig, har gått ut eller gäller en annan klient).',
    {
      en: "Start the sign-in again; if it fails again, the operator should check the provider's clientId, issuer and the server clocks.",
      fi: 'Aloita kirjautuminen uudelleen; jos se epäonnistuu taas, ylläpitäjän kannattaa tarkistaa tunnistuspalvelun clientId, issuer ja palvelinten kellot.',
      sv: 'Börja inloggningen på nytt; om den misslyckas igen bör operatören kontrollera leverantörens clientId, issuer och servrarnas klockor.',
    },
  ),
  OIDC_USER_UNKNOWN: def(
    401,
    'AUTHENTICATION_FAILED',
    'The provider signed you in, but no active Vaultgate user is linked to that account or has its verified email.',
    'Palveluntarjoaja kirjasi sinut sisään, mutta mikään aktiivinen Vaultgate-käyttäjä ei ole liitetty siihen tiliin eikä käytä sen vahvistettua sähköpostia.',
    'Leverantören loggade in dig, men ingen aktiv Vaultgate-användare är kopplad till kontot eller har dess verifierade e-postadress.',
    {
      en: 'Ask an admin of your organisation to add you (or register the organisation); the first sign-in links your provider account by its verified email.',
      fi: 'Pyydä organisaatiosi pääkäyttäjää lisäämään sinut (tai rekisteröi organisaatio); ensimmäinen kirjautuminen linkittää tunnistuspalvelun tilisi vahvistetun sähköpostiosoitteen perusteella.',
      sv: 'Be en administratör i din organisation att lägga till dig (eller registrera organisationen); den första inloggningen länkar ditt konto hos leverantören via dess verifierade e-postadress.',
    },
  ),
  OIDC_PROVIDER_MISMATCH: def(
    403,
    'SERVICE_ACCESS_ERROR',
    'This provider is not the one configured for your email domain or organisation.',
    'Tämä palveluntarjoaja ei ole sähköpostisi verkkotunnukselle tai organisaatiollesi määritetty palveluntarjoaja.',
    'Denna leverantör är inte den som är konfigurerad för din e-postdomän eller organisation.',
    {
      en: "Start the sign-in with your email (GET /api/v1/session/oidc?email=…) so that your organisation's provider is chosen.",
      fi: 'Aloita kirjautuminen sähköpostiosoitteellasi (GET /api/v1/session/oidc?email=…), jotta organisaatiosi tunnistuspalvelu valitaan.',
      sv: 'Börja inloggningen med din e-postadress (GET /api/v1/session/oidc?email=…) så att din organisations leverantör väljs.',
    },
  ),
  OIDC_PROVIDER_UNAVAILABLE: def(
    503,
    'TECHNICAL_ERROR',
    'The external OpenID Connect provider could not be reached.',
    'Ulkoiseen OpenID Connect -palveluntarjoajaan ei saatu yhteyttä.',
    'Den externa OpenID Connect-leverantören kunde inte nås.',
    {
      en: "Try again shortly or sign in with your password; the operator should check that the provider's discovery URL answers from the server.",
      fi: 'Yritä hetken kuluttua uudelleen tai kirjaudu salasanallasi; ylläpitäjän kannattaa tarkistaa, että tunnistuspalvelun discovery-osoite vastaa palvelimelta.',
      sv: 'Försök igen om en stund eller logga in med ditt lösenord; operatören bör kontrollera att leverantörens discovery-URL svarar från servern.',
    },
  ),
  // --- sharing (issue 15): grants ---
  GRANT_STATE_CONFLICT: def(
    409,
    'INVALID_DATA',
    'The grant is not in a state that allows this step.',
    'Käyttöoikeus ei ole tilassa, joka sallii tämän vaiheen.',
    'Behörigheten är inte i ett tillstånd som tillåter detta steg.',
    {
      en: "The detail names the grant's state. Approve, offer and decline need a requested grant; accept needs an offered one; revoke an active or offered one; withdraw a requested, offered or active one; a declined, revoked, withdrawn or expired grant is final — request a new one. GET /api/v1/organisations/{id}/grants/{grantId} shows where it stands.",
      fi: 'Lisätiedot kertovat käyttöoikeuden tilan. Hyväksyminen, tarjoaminen ja hylkääminen edellyttävät pyydettyä käyttöoikeutta; vastaanottaminen tarjottua; peruminen voimassa olevaa tai tarjottua; peruuttaminen pyydettyä, tarjottua tai voimassa olevaa; hylätty, peruttu, peruutettu tai vanhentunut käyttöoikeus on lopullinen — pyydä uusi. GET /api/v1/organisations/{id}/grants/{grantId} näyttää, missä tilassa se on.',
      sv: 'Detaljerna anger behörighetens tillstånd. Godkänna, erbjuda och avslå kräver en begärd behörighet; acceptera kräver en erbjuden; återkalla en aktiv eller erbjuden; dra tillbaka en begärd, erbjuden eller aktiv; en avslagen, återkallad, tillbakadragen eller utgången behörighet är slutgiltig — begär en ny. GET /api/v1/organisations/{id}/grants/{grantId} visar var den står.',
    },
  ),
  GRANT_WRONG_SIDE: def(
    403,
    'SERVICE_ACCESS_ERROR',
    'This step belongs to the other side of the grant.',
    'Tämä vaihe kuuluu käyttöoikeuden toiselle osapuolelle.',
    'Detta steg tillhör behörighetens andra part.',
    {
      en: 'The owner (the company whose vault is shared) approves, offers, declines, revokes and grants directly; the consumer requests, accepts and withdraws. Call the route under the organisation of the right side, or ask the other organisation.',
      fi: 'Omistaja (yritys, jonka holvi jaetaan) hyväksyy, tarjoaa, hylkää, peruu ja myöntää suoraan; käyttäjä pyytää, vastaanottaa ja peruuttaa. Kutsu reittiä oikean osapuolen organisaation alla tai pyydä toista organisaatiota tekemään vaihe.',
      sv: 'Ägaren (företaget vars valv delas) godkänner, erbjuder, avslår, återkallar och beviljar direkt; mottagaren begär, accepterar och drar tillbaka. Anropa rutten under den rätta partens organisation, eller be den andra organisationen ta steget.',
    },
  ),
  GRANT_OWNER_INVALID: def(
    400,
    'INVALID_DATA',
    'The owner of a grant must be a company other than the consumer.',
    'Käyttöoikeuden omistajan on oltava jokin muu yritys kuin käyttäjä.',
    'Behörighetens ägare måste vara ett annat företag än mottagaren.',
    {
      en: 'Name the owner by its organisation id or business id: a company organisation that uses Vaultgate, not your own organisation (you read your own vault without a grant).',
      fi: 'Nimeä omistaja sen organisaatiotunnisteella tai Y-tunnuksella: Vaultgatea käyttävä yritysorganisaatio, ei oma organisaatiosi (omaa holviasi luet ilman käyttöoikeutta).',
      sv: 'Ange ägaren med dess organisations-id eller FO-nummer: en företagsorganisation som använder Vaultgate, inte din egen organisation (ditt eget valv läser du utan behörighet).',
    },
  ),
  GRANT_SCOPE_INVALID: def(
    400,
    'INVALID_DATA',
    'The grant\'s scope is not valid.',
    'Käyttöoikeuden laajuus ei ole kelvollinen.',
    'Behörighetens omfattning är ogiltig.',
    {
      en: "Name at least one of channelIds or messageTypes; receivedFrom must precede receivedBefore; actions are read, or read and subscribe (subscribe needs read). Every channel must be one of the owner's: a consumer that does not know the owner's channel ids scopes by message types instead, or asks the owner for them (the owner lists them with vaultgate org --org <owner> channels ls; docs/sharing.md, Grants).",
      fi: 'Nimeä vähintään yksi channelIds- tai messageTypes-arvo; receivedFrom-arvon on oltava ennen receivedBefore-arvoa; toiminnot ovat read tai read ja subscribe (subscribe edellyttää read-toimintoa). Jokaisen kanavan on oltava omistajan: käyttäjä, joka ei tiedä omistajan kanavatunnisteita, rajaa sen sijaan sanomatyypeillä tai pyytää ne omistajalta (omistaja luettelee ne komennolla vaultgate org --org <owner> channels ls; docs/sharing.md, Grants).',
      sv: 'Ange minst en av channelIds eller messageTypes; receivedFrom måste komma före receivedBefore; åtgärderna är read, eller read och subscribe (subscribe kräver read). Varje kanal måste vara ägarens: en mottagare som inte känner till ägarens kanal-id:n avgränsar i stället med meddelandetyper, eller ber ägaren om dem (ägaren listar dem med vaultgate org --org <owner> channels ls; docs/sharing.md, Grants).',
    },
  ),
  GRANT_VALIDITY_INVALID: def(
    400,
    'INVALID_DATA',
    'The grant\'s validity window is not valid.',
    'Käyttöoikeuden voimassaoloaika ei ole kelvollinen.',
    'Behörighetens giltighetstid är ogiltig.',
    {
      en: 'notBefore must precede notOnOrAfter (ISO 8601 instants) and notOnOrAfter must be in the future, also when approving or accepting: request or offer a window that has not ended. An offer (or request) whose window has ended can no longer be accepted (or approved): the consumer withdraws it (vaultgate grants withdraw <grantId>) and requests again.',
      fi: 'notBefore-arvon on oltava ennen notOnOrAfter-arvoa (ISO 8601 -ajanhetkiä), ja notOnOrAfter-arvon on oltava tulevaisuudessa myös hyväksyttäessä tai vastaanotettaessa: pyydä tai tarjoa aikaikkunaa, joka ei ole päättynyt. Tarjousta (tai pyyntöä), jonka aikaikkuna on päättynyt, ei voi enää vastaanottaa (tai hyväksyä): käyttäjä peruuttaa sen (vaultgate grants withdraw <grantId>) ja pyytää uudelleen.',
      sv: 'notBefore måste komma före notOnOrAfter (ISO 8601-tidpunkter) och notOnOrAfter måste ligga i framtiden, också vid godkännande eller accepterande: begär eller erbjud ett fönster som inte har tagit slut. Ett erbjudande (eller en begäran) vars fönster har tagit slut kan inte längre accepteras (eller godkännas): mottagaren drar tillbaka det (vaultgate grants withdraw <grantId>) och begär på nytt.',
    },
  ),
  GRANT_SCOPE_WIDENED: def(
    400,
    'INVALID_DATA',
    'An offer may narrow the request, never widen it.',
    'Tarjous voi vain rajata pyyntöä, ei laajentaa sitä.',
    'Ett erbjudande får bara begränsa begäran, aldrig utvidga den.',
    {
      en: 'Offer a subset of the requested channels and message types, of its received-at window, of its actions, and a validity within the requested one; or decline the request and grant directly.',
      fi: 'Tarjoa osajoukko pyydetyistä kanavista ja sanomatyypeistä, pyynnön vastaanottoaikaikkunasta ja toiminnoista sekä voimassaoloaika pyydetyn sisällä; tai hylkää pyyntö ja myönnä käyttöoikeus suoraan.',
      sv: 'Erbjud en delmängd av de begärda kanalerna och meddelandetyperna, av begärans mottagningsfönster och av dess åtgärder, samt en giltighetstid inom den begärda; eller avslå begäran och bevilja behörigheten direkt.',
    },
  ),
  GRANT_NOT_ACTIVE: def(
    409,
    'INVALID_DATA',
    'The grant is not active now, so there is no statement of it.',
    'Käyttöoikeus ei ole nyt voimassa, joten siitä ei ole lausumaa.',
    'Behörigheten är inte aktiv nu, så det finns inget intyg om den.',
    {
      en: 'A statement is issued only for an active grant within its validity window; GET the grant to see its state and notBefore / notOnOrAfter.',
      fi: 'Lausuma annetaan vain voimassa olevasta käyttöoikeudesta sen voimassaoloaikana; hae käyttöoikeus (GET) nähdäksesi sen tilan sekä notBefore- ja notOnOrAfter-arvot.',
      sv: 'Ett intyg utfärdas endast för en aktiv behörighet inom dess giltighetsfönster; hämta behörigheten (GET) för att se dess tillstånd och notBefore / notOnOrAfter.',
    },
  ),
  // --- the change feed (issue 15, docs/sharing.md) ---
  FEED_CURSOR_INVALID: def(
    400,
    'INVALID_DATA',
    'The feed cursor is not one this feed gave out: it is malformed, cut short, or belongs to another reader.',
    'Syötteen kohdistin ei ole tämän syötteen antama: se on virheellinen, katkennut tai toisen lukijan.',
    'Flödets markör är inte en som detta flöde har gett ut: den är felaktig, avkortad eller tillhör en annan läsare.',
    {
      en: 'Pass back exactly the nextCursor of your previous feed answer, with the same credentials; to start over, leave cursor out (the feed starts at the oldest message you may see).',
      fi: 'Palauta täsmälleen edellisen syötevastauksesi nextCursor samoilla tunnuksilla; aloittaaksesi alusta jätä cursor pois (syöte alkaa vanhimmasta sanomasta, jonka saat nähdä).',
      sv: 'Skicka tillbaka exakt nextCursor från ditt föregående flödessvar, med samma autentiseringsuppgifter; för att börja om, utelämna cursor (flödet börjar vid det äldsta meddelande du får se).',
    },
  ),
  FEED_WAITS_EXHAUSTED: def(
    429,
    'SERVICE_ACCESS_ERROR',
    'This reader already has as many long-polls of the feed waiting as it may.',
    'Tällä lukijalla on jo enimmäismäärä odottavia syötteen pitkiä kyselyjä.',
    'Denna läsare har redan så många väntande långa förfrågningar mot flödet som tillåts.',
    {
      en: 'Wait for your other feed requests to return (one follower per cursor is enough), or retry after the seconds in Retry-After; VAULTGATE_FEED_MAX_WAITS_PER_READER sets the limit.',
      fi: 'Odota, että muut syötepyyntösi palaavat (yksi seuraaja kursoria kohden riittää), tai yritä uudelleen Retry-After-otsakkeen sekuntien jälkeen; VAULTGATE_FEED_MAX_WAITS_PER_READER asettaa rajan.',
      sv: 'Vänta tills dina andra flödesbegäranden har returnerat (en följare per markör räcker), eller försök igen efter sekunderna i Retry-After; VAULTGATE_FEED_MAX_WAITS_PER_READER anger gränsen.',
    },
  ),
  FEED_BUSY: def(
    503,
    'TECHNICAL_ERROR',
    'The server holds as many waiting feed long-polls as it may; the request was not served.',
    'Palvelimella on jo enimmäismäärä odottavia syötteen pitkiä kyselyjä; pyyntöä ei käsitelty.',
    'Servern har redan så många väntande långa förfrågningar mot flödet som tillåts; begäran behandlades inte.',
    {
      en: 'Retry after the seconds in Retry-After (or poll with wait=0); the operator can raise VAULTGATE_FEED_MAX_WAITS or add gateway processes.',
      fi: 'Yritä uudelleen Retry-After-otsakkeen sekuntien jälkeen (tai kysele parametrilla wait=0); ylläpitäjä voi nostaa VAULTGATE_FEED_MAX_WAITS-arvoa tai lisätä yhdyskäytäväprosesseja.',
      sv: 'Försök igen efter sekunderna i Retry-After (eller fråga med wait=0); operatören kan höja VAULTGATE_FEED_MAX_WAITS eller lägga till gatewayprocesser.',
    },
  ),
  // --- feed checkpoints (issue 16, docs/sharing.md) ---
  FEED_CHECKPOINT_NOT_FOUND: def(
    404,
    'INVALID_DATA',
    'Your organisation has no feed checkpoint of that name.',
    'Organisaatiollasi ei ole tämännimistä syötteen tarkistuspistettä.',
    'Din organisation har ingen flödeskontrollpunkt med det namnet.',
    {
      en: 'List the checkpoints (GET /api/v1/organisations/{id}/feed/checkpoints), or create this one with PUT …/feed/checkpoints/{name} {"position": "start"} or {"position": "now"}.',
      fi: 'Luettele tarkistuspisteet (GET /api/v1/organisations/{id}/feed/checkpoints) tai luo tämä pyynnöllä PUT …/feed/checkpoints/{name} {"position": "start"} tai {"position": "now"}.',
      sv: 'Lista kontrollpunkterna (GET /api/v1/organisations/{id}/feed/checkpoints), eller skapa den här med PUT …/feed/checkpoints/{name} {"position": "start"} eller {"position": "now"}.',
    },
  ),
  FEED_CHECKPOINT_LIMIT: def(
    409,
    'INVALID_DATA',
    'Your organisation already has as many feed checkpoints as it may (100).',
    'Organisaatiollasi on jo enimmäismäärä syötteen tarkistuspisteitä (100).',
    'Din organisation har redan så många flödeskontrollpunkter som tillåts (100).',
    {
      en: 'Delete checkpoints no follower uses any more (DELETE …/feed/checkpoints/{name}), or move an existing one instead of creating a new one.',
      fi: 'Poista tarkistuspisteet, joita mikään seuraaja ei enää käytä (DELETE …/feed/checkpoints/{name}), tai siirrä olemassa olevaa uuden luomisen sijaan.',
      sv: 'Radera kontrollpunkter som ingen följare längre använder (DELETE …/feed/checkpoints/{name}), eller flytta en befintlig i stället för att skapa en ny.',
    },
  ),
  // --- webhooks (issue 15, docs/sharing.md) ---
  WEBHOOK_URL_REFUSED: def(
    400,
    'INVALID_DATA',
    'The webhook URL is refused: it must be an absolute https URL (http only outside live) to a public address.',
    'Webhook-osoite hylätään: sen on oltava absoluuttinen https-osoite (http vain muualla kuin live-ympäristössä) julkiseen osoitteeseen.',
    'Webhook-adressen avvisas: den måste vara en absolut https-URL (http endast utanför live) till en offentlig adress.',
    {
      en: 'Give an https:// URL whose host resolves only to public addresses (not loopback, private, link-local, unique-local, multicast or a cloud metadata address), without user name or password. An operator can allow private receivers with VAULTGATE_WEBHOOK_ALLOW_PRIVATE or VAULTGATE_WEBHOOK_ALLOW_CIDRS.',
      fi: 'Anna https://-osoite, jonka isäntänimi ratkeaa vain julkisiin osoitteisiin (ei loopback-, yksityisiin, link-local-, unique-local-, multicast- tai pilven metatieto-osoitteisiin), ilman käyttäjätunnusta tai salasanaa. Ylläpitäjä voi sallia yksityiset vastaanottajat asetuksilla VAULTGATE_WEBHOOK_ALLOW_PRIVATE tai VAULTGATE_WEBHOOK_ALLOW_CIDRS.',
      sv: 'Ange en https://-URL vars värd endast löses upp till publika adresser (inte loopback, privata, link-local, unique-local, multicast eller en molnmetadataadress), utan användarnamn eller lösenord. En operatör kan tillåta privata mottagare med VAULTGATE_WEBHOOK_ALLOW_PRIVATE eller VAULTGATE_WEBHOOK_ALLOW_CIDRS.',
    },
  ),
  // --- people reading /vault/v1 (issue 16, docs/api.md) ---
  ORGANISATION_REQUIRED: def(
    400,
    'INVALID_DATA',
    'Name the organisation you read for: you are a member of several.',
    'Nimeä organisaatio, jonka puolesta luet: olet usean organisaation jäsen.',
    'Ange organisationen du läser för: du är medlem i flera.',
    {
      en: 'Send Vaultgate-Organisation: <organisationId> (co_… or tp_…) with the request; GET /api/v1/me (vaultgate account me) lists your organisations. A personal API token acts for its one organisation and needs no header.',
      fi: 'Lähetä pyynnön mukana Vaultgate-Organisation: <organisationId> (co_… tai tp_…); GET /api/v1/me (vaultgate account me) luettelee organisaatiosi. Henkilökohtainen API-tunniste toimii omassa organisaatiossaan eikä tarvitse otsaketta.',
      sv: 'Skicka Vaultgate-Organisation: <organisationId> (co_… eller tp_…) med begäran; GET /api/v1/me (vaultgate account me) listar dina organisationer. En personlig API-token agerar för sin enda organisation och behöver inget huvud.',
    },
  ),
  // --- batch ingestion (issue 17, docs/ingestion.md "Batches") ---
  BATCH_MEDIA_TYPE: def(
    415,
    'INVALID_DATA',
    'A batch must be sent as application/x-ndjson.',
    'Erä on lähetettävä muodossa application/x-ndjson.',
    'En sats måste skickas som application/x-ndjson.',
    {
      en: 'Send Content-Type: application/x-ndjson with one JSON object per line ({"messageType","mediaType","transactionId","body" or "bodyBase64"}); a single message goes to POST /ingestion/{channelId}.',
      fi: 'Lähetä Content-Type: application/x-ndjson ja yksi JSON-objekti riviä kohden ({"messageType","mediaType","transactionId","body" tai "bodyBase64"}); yksittäinen sanoma lähetetään osoitteeseen POST /ingestion/{channelId}.',
      sv: 'Skicka Content-Type: application/x-ndjson med ett JSON-objekt per rad ({"messageType","mediaType","transactionId","body" eller "bodyBase64"}); ett enskilt meddelande går till POST /ingestion/{channelId}.',
    },
  ),
  BATCH_EMPTY: def(
    400,
    'INVALID_DATA_SIZE',
    'The batch holds no items.',
    'Erässä ei ole yhtään sanomaa.',
    'Satsen innehåller inga meddelanden.',
    {
      en: 'Send at least one line, each a JSON object describing one message.',
      fi: 'Lähetä vähintään yksi rivi, kukin yhtä sanomaa kuvaava JSON-objekti.',
      sv: 'Skicka minst en rad, var och en ett JSON-objekt som beskriver ett meddelande.',
    },
  ),
  BATCH_TOO_MANY_ITEMS: def(
    413,
    'INVALID_DATA_SIZE',
    'The batch holds more items than one request may (1,000).',
    'Erässä on enemmän sanomia kuin yksi pyyntö saa sisältää (1 000).',
    'Satsen innehåller fler meddelanden än en begäran får innehålla (1 000).',
    {
      en: 'Split the items into batches of at most 1,000 lines (OPTIONS /ingestion/{channelId}/batch gives the limits); nothing of this batch was stored.',
      fi: 'Jaa kohteet enintään 1 000 rivin eriin (OPTIONS /ingestion/{channelId}/batch kertoo rajat); tästä erästä ei tallennettu mitään.',
      sv: 'Dela upp posterna i satser om högst 1 000 rader (OPTIONS /ingestion/{channelId}/batch anger gränserna); ingenting av denna sats lagrades.',
    },
  ),
  BATCH_LINE_INVALID: def(
    400,
    'INVALID_DATA',
    'This line of the batch is not a valid item.',
    'Erän tämä rivi ei ole kelvollinen sanoma.',
    'Denna rad i satsen är inte ett giltigt meddelande.',
    {
      en: 'Make the line one JSON object with a string mediaType, exactly one of body (text) or bodyBase64 (base64), and optionally messageType and one of transactionId/idempotencyKey (1-255 characters, no control characters); the detail names the problem. Only this item was refused.',
      fi: 'Tee rivistä yksi JSON-objekti, jossa on merkkijono mediaType, täsmälleen yksi kentistä body (teksti) tai bodyBase64 (base64) sekä valinnaisesti messageType ja yksi kentistä transactionId/idempotencyKey (1–255 merkkiä, ei ohjausmerkkejä); lisätiedot kertovat ongelman. Vain tämä kohde hylättiin.',
      sv: 'Gör raden till ett JSON-objekt med en sträng mediaType, exakt ett av body (text) eller bodyBase64 (base64), och valfritt messageType och ett av transactionId/idempotencyKey (1–255 tecken, inga kontrolltecken); detaljerna anger problemet. Endast denna post avvisades.',
    },
  ),
  // --- web portal (issue 16) ---
  PORTAL_NOT_BUILT: def(
    503,
    'TECHNICAL_ERROR',
    'The web portal is not built on this server.',
    'Verkkoportaalia ei ole käännetty tälle palvelimelle.',
    'Webbportalen är inte byggd på denna server.',
    {
      en: 'Run `npm run build` (it writes dist/portal) and restart the server, or turn the portal off with VAULTGATE_PORTAL=false.',
      fi: 'Suorita `npm run build` (se kirjoittaa hakemiston dist/portal) ja käynnistä palvelin uudelleen, tai poista portaali käytöstä asetuksella VAULTGATE_PORTAL=false.',
      sv: 'Kör `npm run build` (den skriver dist/portal) och starta om servern, eller stäng av portalen med VAULTGATE_PORTAL=false.',
    },
  ),
  // --- fair use (issue 17 §3, docs/api.md "Limits") ---
  RATE_LIMITED: def(
    429,
    'SERVICE_ACCESS_ERROR',
    'This party or channel has sent as many messages as it may in the current window; the message was not stored.',
    'Tämä osapuoli tai kanava on lähettänyt nykyisessä aikaikkunassa niin monta viestiä kuin se saa; viestiä ei tallennettu.',
    'Denna part eller kanal har skickat så många meddelanden som den får i det aktuella tidsfönstret; meddelandet lagrades inte.',
    {
      en: 'Wait the seconds given in Retry-After, then resend the same message with the same TransactionId or Idempotency-Key; pace your sending by the RateLimit header (r = messages left, t = seconds until the window resets). The operator sets the limits (VAULTGATE_RATE_LIMIT_*).',
      fi: 'Odota Retry-After-otsakkeen ilmoittama määrä sekunteja ja lähetä sitten sama sanoma uudelleen samalla TransactionId- tai Idempotency-Key-arvolla; tahdista lähettämistä RateLimit-otsakkeen mukaan (r = jäljellä olevat sanomat, t = sekunteja ikkunan nollautumiseen). Ylläpitäjä asettaa rajat (VAULTGATE_RATE_LIMIT_*).',
      sv: 'Vänta det antal sekunder som Retry-After anger och skicka sedan samma meddelande igen med samma TransactionId eller Idempotency-Key; anpassa takten efter RateLimit-huvudet (r = återstående meddelanden, t = sekunder tills fönstret nollställs). Operatören ställer in gränserna (VAULTGATE_RATE_LIMIT_*).',
    },
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
  /** Response header fields the answer must carry (lowercase names), e.g. Accept-Encoding on a 415 (RFC 9110 §15.5.16). */
  readonly headers: Readonly<Record<string, string>> | undefined;

  /** Seconds the client should wait before retrying: sent as `Retry-After` (RFC 9110 §10.2.3). */
  readonly retryAfterS: number | undefined;

  constructor(
    code: ErrorCode,
    options: {
      detail?: string;
      extra?: Record<string, unknown>;
      logReason?: string;
      cause?: unknown;
      headers?: Record<string, string>;
      retryAfterS?: number;
    } = {},
  ) {
    super(`${code}: ${ERROR_CATALOGUE[code].message.en}${options.detail ? ` ${options.detail}` : ''}`, {
      cause: options.cause,
    });
    this.name = 'VaultgateError';
    this.code = code;
    this.detail = options.detail;
    this.extra = options.extra;
    this.logReason = options.logReason;
    this.headers = options.headers;
    this.retryAfterS = options.retryAfterS;
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

/**
 * The remedy of a code in a language: the bearer remedy for a request authenticated by a bearer token where the
 * code has one, else the remedy. Every place that shows a remedy (problem+json, batch items, refusal lists) uses this.
 */
export function errorRemedy(code: ErrorCode, language: Language, bearer = false): string {
  const d: ErrorDefinition = ERROR_CATALOGUE[code];
  return (bearer && d.bearerRemedy !== undefined ? d.bearerRemedy : d.remedy)[language];
}
