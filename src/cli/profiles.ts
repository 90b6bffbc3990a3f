/**
 * The credentials file: `$XDG_CONFIG_HOME/vaultgate/credentials` (else `~/.config/vaultgate/credentials`), INI
 * sections of named profiles as in the AWS CLI. It holds keys, so it must be mode 0600: a file that group or others
 * can read is refused rather than used.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Settings a profile may hold (snake_case in the file, as `partner_id`, `client_secret`). */
export const PROFILE_KEYS = ['url', 'partnerId', 'partnerKey', 'customerId', 'customerKey', 'organisationId', 'sender', 'language', 'algorithm', 'clientId', 'clientSecret', 'tokenUrl', 'sessionToken'] as const;
export type ProfileKey = (typeof PROFILE_KEYS)[number];
export type Profile = Partial<Record<ProfileKey, string>>;

const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const FROM_SNAKE = new Map(PROFILE_KEYS.map((k) => [snake(k), k]));

/** Where the credentials file is, by XDG_CONFIG_HOME and HOME. */
export function credentialsPath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || '.', '.config');
  return join(base, 'vaultgate', 'credentials');
}

/** Parses the INI text into profiles; unknown keys and lines outside a section are errors (typos should show). */
export function parseProfiles(text: string, file: string): Map<string, Profile> {
  const out = new Map<string, Profile>();
  let current: Profile | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const section = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (section) {
      current = out.get(section[1]!) ?? {};
      out.set(section[1]!, current);
      return;
    }
    const kv = /^([A-Za-z_]+)\s*=\s*(.*)$/.exec(line);
    const key = kv ? FROM_SNAKE.get(kv[1]!.toLowerCase()) : undefined;
    if (!kv || !current || !key) throw new Error(`${file}:${i + 1}: expected [profile] or one of ${[...FROM_SNAKE.keys()].join(', ')} = value`);
    current[key] = kv[2]!;
  });
  return out;
}

function checkMode(file: string): void {
  const mode = statSync(file).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new Error(`${file} holds keys but is readable by others (mode ${mode.toString(8).padStart(4, '0')}); run: chmod 600 ${file}`);
  }
}

/** Reads one profile; undefined when the file does not exist. An explicitly named profile must exist. */
export function readProfile(env: NodeJS.ProcessEnv, name: string, explicit: boolean): Profile | undefined {
  const file = credentialsPath(env);
  if (!existsSync(file)) {
    if (explicit) throw new Error(`profile "${name}" asked for, but ${file} does not exist (create it with: vaultgate profile set --profile ${name} …)`);
    return undefined;
  }
  checkMode(file);
  const profiles = parseProfiles(readFileSync(file, 'utf8'), file);
  const p = profiles.get(name);
  if (!p && explicit) throw new Error(`no profile "${name}" in ${file} (profiles: ${[...profiles.keys()].join(', ') || 'none'})`);
  return p;
}

/** Sets keys of one profile (creating the file and directory, mode 0600 / 0700), keeping every other profile. */
export function writeProfile(env: NodeJS.ProcessEnv, name: string, values: Profile): string {
  const file = credentialsPath(env);
  const profiles = existsSync(file) ? (checkMode(file), parseProfiles(readFileSync(file, 'utf8'), file)) : new Map<string, Profile>();
  profiles.set(name, { ...profiles.get(name), ...Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) });
  const text = [...profiles].map(([n, p]) => `[${n}]\n${Object.entries(p).map(([k, v]) => `${snake(k)} = ${v}\n`).join('')}`).join('\n');
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

/**
 * Creates profile `name` with the server URL when it does not exist yet (`account register`, `accept`: so that a later
 * `account signin --profile <name>` finds the server); returns the file when it did, else undefined.
 */
export function createProfileIfNew(env: NodeJS.ProcessEnv, name: string, url: string): string | undefined {
  return readProfile(env, name, false) ? undefined : writeProfile(env, name, { url });
}

/** ` --profile <name>` for a hint naming a command, or nothing for the default profile. */
export const profileFlag = (name: string): string => (name === 'default' ? '' : ` --profile ${name}`);

/**
 * A next step to print: `vaultgate account <command> [<rest>]`, with `--profile <name>` after the command when a profile
 * other than the default is in use (`accountHint('ops', 'totp confirm', '<code>')` → `vaultgate account totp confirm
 * --profile ops <code>`), so that the step acts on the same profile.
 */
export const accountHint = (profile: string, command: string, rest = ''): string => `vaultgate account ${command}${profileFlag(profile)}${rest ? ` ${rest}` : ''}`;

/** The next steps of a user who must enrol a TOTP second factor before anything else works. */
export const totpEnrolHint = (profile: string): string =>
  `a TOTP second factor is required of you: ${accountHint(profile, 'totp enrol')}, then ${accountHint(profile, 'totp confirm', '<code>')}`;

/** The profile named on a command line (`--profile <name>` or `--profile=<name>`), else undefined. */
export function profileInArgs(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--profile') return args[i + 1];
    if (args[i]!.startsWith('--profile=')) return args[i]!.slice('--profile='.length);
  }
  return undefined;
}
