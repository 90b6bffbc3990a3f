import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { HttpSignatureKey } from '../protocol/index.js';

/*
 * `send --sign http-sig --key-id <hsk_…> --key-file <file>` (issue 17, docs/http-signatures.md): sign sends with HTTP
 * Message Signatures (RFC 9421) instead of the MAC or a token. The key file holds a PEM private key (Ed25519 or P-256:
 * the algorithm follows from it) or the HMAC secret as shown once on registration (base64url text).
 */

/** Adds --sign, --key-id and --key-file to a command. */
export function withSignatureOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--sign <scheme>', 'sign sends with HTTP Message Signatures (RFC 9421) instead of the MAC or a token').choices(['http-sig']))
    .option('--key-id <id>', '--sign http-sig: the key id registered for your party (hsk_…)')
    .option('--key-file <file>', '--sign http-sig: a PEM private key (Ed25519 or P-256), or the HMAC secret as shown at registration');
}

/** The signature key the options name; undefined without --sign. Names what is missing. */
export function signatureKeyOf(o: { sign?: string; keyId?: string; keyFile?: string }): HttpSignatureKey | undefined {
  if (o.sign === undefined) {
    if (o.keyId !== undefined || o.keyFile !== undefined) throw new Error('--key-id and --key-file go with --sign http-sig');
    return undefined;
  }
  if (!o.keyId || !o.keyFile) throw new Error('--sign http-sig needs --key-id and --key-file');
  const text = readFileSync(o.keyFile, 'utf8').trim();
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    const key = createPrivateKey(text);
    if (key.asymmetricKeyType === 'ed25519') return { keyId: o.keyId, algorithm: 'ed25519', key };
    if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return { keyId: o.keyId, algorithm: 'ecdsa-p256-sha256', key };
    throw new Error(`--key-file holds a ${key.asymmetricKeyType} key: use an Ed25519 or P-256 key, or an HMAC secret`);
  }
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) throw new Error('--key-file must hold a PEM private key or the 43-character HMAC secret shown at registration');
  return { keyId: o.keyId, algorithm: 'hmac-sha256', key: Buffer.from(text, 'base64url') };
}
