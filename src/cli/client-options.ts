/**
 * The options every client-side command shares (send, sign, vault, postman): the server URL and credentials (MAC
 * keys, or an OAuth client's id and secret), from flags, else `VAULTGATE_*` environment variables, else the named
 * profile of the credentials file.
 */
import { Command, Option } from 'commander';
import { VaultgateClient, type MacCredentials, type OAuthClientCredentials, type VaultgateClientOptions } from '../sdk/index.js';
import { PROFILE_KEYS, readProfile, type Profile, type ProfileKey } from './profiles.js';

const FLAGS: Record<ProfileKey, [flag: string, env: string, help: string]> = {
  url: ['--url <url>', 'VAULTGATE_URL', 'server base URL (default http://127.0.0.1:8080)'],
  partnerId: ['--partner-id <id>', 'VAULTGATE_PARTNER_ID', 'partner id'],
  partnerKey: ['--partner-key <key>', 'VAULTGATE_PARTNER_KEY', 'partner key'],
  customerId: ['--customer-id <id>', 'VAULTGATE_CUSTOMER_ID', 'customer id'],
  customerKey: ['--customer-key <key>', 'VAULTGATE_CUSTOMER_KEY', 'customer key'],
  organisationId: ['--organisation-id <businessId>', 'VAULTGATE_ORGANISATION_ID', "the company's business id"],
  sender: ['--sender <name>', 'VAULTGATE_SENDER', 'X-Netvisor-Authentication-Sender (default "Vaultgate client")'],
  language: ['--language <FI|EN|SE>', 'VAULTGATE_LANGUAGE', 'language of error messages (default EN)'],
  algorithm: ['--algorithm <SHA256|HMACSHA256>', 'VAULTGATE_ALGORITHM', 'MAC algorithm (default SHA256)'],
  clientId: ['--client-id <id>', 'VAULTGATE_CLIENT_ID', 'OAuth client id: bearer tokens instead of the MAC'],
  clientSecret: ['--client-secret <secret>', 'VAULTGATE_CLIENT_SECRET', 'OAuth client secret'],
  tokenUrl: ['--token-url <url>', 'VAULTGATE_TOKEN_URL', 'token endpoint (default <url>/oauth2/token)'],
  sessionToken: ['--session-token <token>', 'VAULTGATE_SESSION_TOKEN', 'a session token or a personal API token (vgp_…, from vaultgate account tokens create); vaultgate account signin keeps a session in the profile'],
};

/**
 * Adds the shared options to a command (its subcommands read them with `clientSettings`): all of them, or only
 * `keys` for a command that uses fewer (its help lists only what it reads; a profile may still hold the rest).
 */
export function withClientOptions(cmd: Command, keys: readonly ProfileKey[] = PROFILE_KEYS): Command {
  cmd.addOption(new Option('--profile <name>', 'profile of the credentials file').env('VAULTGATE_PROFILE'));
  for (const k of keys) cmd.addOption(new Option(FLAGS[k][0], FLAGS[k][2]).env(FLAGS[k][1]));
  return cmd;
}

export interface ClientSettings {
  url: string;
  /** OAuth client credentials when a client id is given (flags, environment or profile); MAC credentials otherwise. */
  credentials: MacCredentials | OAuthClientCredentials;
  /** Accept-Language for `--language` (FI → fi, SE → sv, EN → en): the language of the server's error messages. */
  acceptLanguage?: string;
}

/** The Netvisor interface languages (X-Netvisor-Interface-Language) and the language tags they stand for. */
const LANGUAGE_TAGS = { FI: 'fi', EN: 'en', SE: 'sv' } as const;

/** `--language` checked and upper-cased; undefined when not given. */
export function languageOf(values: Profile): keyof typeof LANGUAGE_TAGS | undefined {
  const language = values.language?.toUpperCase();
  if (language === undefined) return undefined;
  if (!Object.hasOwn(LANGUAGE_TAGS, language)) throw new Error('--language must be FI, EN or SE');
  return language as keyof typeof LANGUAGE_TAGS;
}

/** The Accept-Language tag for `--language`, if one was given. */
export function acceptLanguageOf(values: Profile): { acceptLanguage?: string } {
  const language = languageOf(values);
  return language ? { acceptLanguage: LANGUAGE_TAGS[language] } : {};
}

/** The error of a command that needs a session (or a personal API token) and has none. */
export function notSignedIn(profile: string): Error {
  const p = profile === 'default' ? '' : ` --profile ${profile}`;
  return new Error(`not signed in (profile "${profile}"): run vaultgate account signin${p} --email …, or give a personal API token in --session-token or VAULTGATE_SESSION_TOKEN`);
}

const kebab = (k: string): string => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * Every setting given, flags/environment first, then the profile; nothing required. A profile named with `--profile`
 * (or VAULTGATE_PROFILE) must exist, unless `mayBeNew` (a command that creates it: `account register`, `signin`).
 */
export function resolvedValues(cmd: Command, env: NodeJS.ProcessEnv = process.env, { mayBeNew = false }: { mayBeNew?: boolean } = {}): Profile {
  const o = cmd.optsWithGlobals<Record<string, string | undefined>>();
  const profile = readProfile(env, o.profile ?? 'default', o.profile !== undefined && !mayBeNew) ?? {};
  return Object.fromEntries(PROFILE_KEYS.map((k) => [k, o[k] ?? profile[k]]).filter(([, v]) => v !== undefined));
}

/**
 * Resolves URL and credentials: flags/environment first, then the profile; names what is missing. A client id
 * (`--client-id`, VAULTGATE_CLIENT_ID or `client_id`) selects bearer tokens by client credentials; else the MAC.
 */
export function clientSettings(cmd: Command, env: NodeJS.ProcessEnv = process.env): ClientSettings {
  const values = resolvedValues(cmd, env);
  const url = values.url ?? 'http://127.0.0.1:8080';
  const language = acceptLanguageOf(values);
  if (values.clientId) {
    if (!values.clientSecret) throw new Error(`missing credentials: ${kebab('clientSecret')} (${FLAGS.clientSecret[1]}) for client ${values.clientId}`);
    return { url, credentials: { clientId: values.clientId, clientSecret: values.clientSecret, ...(values.tokenUrl ? { tokenUrl: values.tokenUrl } : {}) }, ...language };
  }
  return { url, credentials: macCredentials(values), ...language };
}

/** MAC credentials only (for `vaultgate sign`). */
export function macSettings(cmd: Command, env: NodeJS.ProcessEnv = process.env): { url: string; credentials: MacCredentials } {
  const values = resolvedValues(cmd, env);
  return { url: values.url ?? 'http://127.0.0.1:8080', credentials: macCredentials(values) };
}

function macCredentials(values: Profile): MacCredentials {
  const v = (k: ProfileKey): string | undefined => values[k];
  const required = ['partnerId', 'partnerKey', 'customerId', 'customerKey', 'organisationId'] as const;
  const missing = required.filter((k) => !v(k));
  if (missing.length > 0) {
    throw new Error(`missing credentials: ${missing.map((k) => `${kebab(k)} (${FLAGS[k][1]})`).join(', ')}, or --client-id and --client-secret for bearer tokens; or put them in a profile (vaultgate profile set)`);
  }
  const language = languageOf(values);
  const algorithm = v('algorithm')?.toUpperCase();
  if (algorithm !== undefined && !['SHA256', 'HMACSHA256', 'MD5'].includes(algorithm)) throw new Error('--algorithm must be SHA256 or HMACSHA256');
  return {
    partnerId: v('partnerId')!, partnerKey: v('partnerKey')!, customerId: v('customerId')!, customerKey: v('customerKey')!,
    organisationId: v('organisationId')!,
    ...(v('sender') ? { sender: v('sender')! } : {}),
    ...(language ? { language: language as 'EN' } : {}),
    ...(algorithm ? { algorithm: algorithm as 'SHA256' } : {}),
  };
}

/** A client for the resolved settings. */
export function clientFor(cmd: Command, extra: ClientExtras = {}): VaultgateClient {
  return clientOf(clientSettings(cmd), extra);
}

/** Client options beyond the settings: Content-Digest on every message (`send --content-digest`), rate-limit waits reported. */
export type ClientExtras = Pick<VaultgateClientOptions, 'contentDigest' | 'onRateLimitWait'>;

/** A client for settings already resolved. */
export function clientOf(s: ClientSettings, extra: ClientExtras = {}): VaultgateClient {
  return new VaultgateClient({ baseUrl: s.url, credentials: s.credentials, acceptLanguage: s.acceptLanguage, ...extra });
}
