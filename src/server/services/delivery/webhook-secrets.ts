import { randomBytes } from 'node:crypto';
import type { WebhookEndpointRecord } from '../../../store/index.js';
import { SYSTEM_OWNER, type VaultCrypto } from '../../crypto/vault-crypto.js';

/*
 * An endpoint's signing secret (Standard Webhooks): `whsec_` + base64 of 32 random bytes, shown once, kept sealed with
 * the system data key (bound to the endpoint id) like credential keys.
 */

export const WEBHOOK_SECRET_PREFIX = 'whsec_';

export const newWebhookSecret = (): string => `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;

const aad = (endpointId: string): string => `webhook-secret:${endpointId}`;

export async function sealSecret(crypto: VaultCrypto, endpointId: string, secret: string): Promise<Uint8Array> {
  return crypto.seal(SYSTEM_OWNER, Buffer.from(secret, 'utf8'), aad(endpointId));
}

/** The secrets to sign with at `nowMs`: the current one and, during a rotation's overlap, the previous one. */
export async function openSecrets(crypto: VaultCrypto, e: WebhookEndpointRecord, nowMs: number): Promise<string[]> {
  const current = (await crypto.open(e.secretCiphertext, aad(e.id), SYSTEM_OWNER)).toString('utf8');
  if (!e.previousSecretCiphertext || !e.previousValidUntil || Date.parse(e.previousValidUntil) <= nowMs) return [current];
  return [current, (await crypto.open(e.previousSecretCiphertext, aad(e.id), SYSTEM_OWNER)).toString('utf8')];
}
