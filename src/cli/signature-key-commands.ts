/**
 * HTTP message signature keys (RFC 9421) and a channel's Content-Digest rule from the command line (issue 17,
 * docs/http-signatures.md), for `vaultgate org …` (a vendor's own keys, either side's channels, /api/v1) and
 * `vaultgate admin …` (any party's keys, any channel, /admin/v1). An HMAC secret is printed once, as the server
 * returns it once.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { HTTP_SIGNATURE_ALGORITHMS } from '../protocol/index.js';

/** The calls and printers of the command's side (org: /organisations/{org}; admin: /admin/v1). */
export interface KeysContext {
  call(method: string, path: string, body?: unknown): Promise<any>;
  out(r: Record<string, unknown>): void;
  table(r: { items: Record<string, unknown>[] }, cols: string[]): void;
  /** Said on stderr after a record carrying a secret, in the human output. */
  once(r: Record<string, unknown>): void;
}

export const SIGNATURE_KEY_COLUMNS = ['keyId', 'algorithm', 'label', 'status', 'createdAt', 'disabledAt'];

/** A public key file as the server takes it: a JWK (JSON object) or PEM text. */
export function publicKeyOf(file: string): unknown {
  const text = readFileSync(file, 'utf8').trim();
  if (text.startsWith('{')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error(`${file}: starts like a JWK but is not valid JSON`);
    }
  }
  return text;
}

/** The options of `… signature-keys add`. */
export function withAddKeyOptions(c: Command): Command {
  return c
    .addOption(new Option('--algorithm <alg>', 'hmac-sha256 (the server makes the secret, printed once), ed25519 or ecdsa-p256-sha256 (upload your public key)').choices([...HTTP_SIGNATURE_ALGORITHMS]).makeOptionMandatory())
    .option('--public-key-file <file>', 'ed25519 / ecdsa-p256-sha256: your public key, PEM (-----BEGIN PUBLIC KEY-----) or a JWK')
    .option('--label <text>', 'what the key is for, e.g. the system that signs');
}

/** The body of POST …/signature-keys from the options of `add`. */
export function addKeyBody(o: { algorithm: string; publicKeyFile?: string; label?: string }): Record<string, unknown> {
  if (o.algorithm === 'hmac-sha256' && o.publicKeyFile) throw new Error('--public-key-file is for ed25519 and ecdsa-p256-sha256; an hmac-sha256 secret is made by the server');
  if (o.algorithm !== 'hmac-sha256' && !o.publicKeyFile) throw new Error(`--public-key-file is required for ${o.algorithm} (your public key, PEM or JWK)`);
  return { algorithm: o.algorithm, ...(o.label ? { label: o.label } : {}), ...(o.publicKeyFile ? { publicKey: publicKeyOf(o.publicKeyFile) } : {}) };
}

/** `… integrity <channelId> [--require-content-digest true|false]`: show or set the channel's rule. */
export function integrityCommand(name: string, ctx: (cmd: Command) => KeysContext, channelPath: (id: string) => string): Command {
  return new Command(name).argument('<channelId>')
    .description('whether the channel requires Content-Digest (RFC 9530) on every message; with --require-content-digest, set it (an admin)')
    .addOption(new Option('--require-content-digest <bool>', 'true: a message without Content-Digest is refused (CONTENT_DIGEST_REQUIRED); false: optional').choices(['true', 'false']))
    .action(async (id: string, o: { requireContentDigest?: 'true' | 'false' }, cmd: Command) => {
      const c = ctx(cmd);
      const path = `${channelPath(id)}/integrity`;
      c.out(o.requireContentDigest === undefined ? await c.call('GET', path) : await c.call('POST', path, { requireContentDigest: o.requireContentDigest === 'true' }));
    });
}

/** `… signature-keys ls|add|disable` under `base(cmd)` (the party's …/signature-keys path). */
export function signatureKeysCommand(ctx: (cmd: Command) => KeysContext, base: (cmd: Command) => string, party?: (c: Command) => Command): Command {
  const keys = new Command('signature-keys').description('HTTP message signature keys (RFC 9421) a vendor signs sends with (docs/http-signatures.md)');
  const withParty = party ?? ((c: Command) => c);
  withParty(keys.command('ls').description('the keys and their status (never a secret)'))
    .action(async (_o: unknown, cmd: Command) => {
      const c = ctx(cmd);
      c.table(await c.call('GET', base(cmd)), SIGNATURE_KEY_COLUMNS);
    });
  withAddKeyOptions(withParty(keys.command('add').description('register a key (an admin): an hmac-sha256 secret is printed once (store it: send --key-file reads it), or upload a public key')))
    .action(async (o: { algorithm: string; publicKeyFile?: string; label?: string }, cmd: Command) => {
      const c = ctx(cmd);
      const r = await c.call('POST', base(cmd), addKeyBody(o));
      c.out(r);
      c.once(r);
    });
  withParty(keys.command('disable <keyId>').description('disable a key (an admin): requests it signs are refused at once; keys are never deleted'))
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const c = ctx(cmd);
      c.out(await c.call('POST', `${base(cmd)}/${encodeURIComponent(id)}/disable`));
    });
  return keys;
}
