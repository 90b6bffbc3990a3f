import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { createSecureContext, rootCertificates } from 'node:tls';
import { buildConnector, type Agent } from 'undici';
import { VaultgateError, type Environment } from '../../../protocol/index.js';

/*
 * Where webhook deliveries may go (SSRF, OWASP SSRF Prevention Cheat Sheet): only public unicast addresses unless the
 * operator allows more. Checked twice: the URL's literal host when an endpoint is created or changed, and every
 * address its name resolves to at each connection (so a name that later resolves inward, DNS rebinding, is refused
 * too). Node's BlockList does the range matching.
 */

/** Cloud instance metadata endpoints: refused even when private addresses are allowed, unless allowed exactly. */
export const METADATA_ADDRESSES = ['169.254.169.254', '169.254.170.2', '100.100.100.200', 'fd00:ec2::254'];

const NON_PUBLIC: Array<[string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'], ['10.0.0.0', 8, 'ipv4'], ['100.64.0.0', 10, 'ipv4'], ['127.0.0.0', 8, 'ipv4'], ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'], ['192.0.0.0', 24, 'ipv4'], ['192.0.2.0', 24, 'ipv4'], ['192.168.0.0', 16, 'ipv4'], ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'], ['203.0.113.0', 24, 'ipv4'], ['224.0.0.0', 4, 'ipv4'], ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'], ['::1', 128, 'ipv6'], ['64:ff9b::', 96, 'ipv6'], ['100::', 64, 'ipv6'], ['2001:db8::', 32, 'ipv6'],
  ['fc00::', 7, 'ipv6'], ['fe80::', 10, 'ipv6'], ['fec0::', 10, 'ipv6'], ['ff00::', 8, 'ipv6'],
];

export interface AddressPolicyOptions {
  /** VAULTGATE_WEBHOOK_ALLOW_PRIVATE: any non-public address (but metadata) is allowed. */
  allowPrivate: boolean;
  /** VAULTGATE_WEBHOOK_ALLOW_CIDRS: addresses or ranges allowed although not public. */
  allowCidrs?: readonly string[] | undefined;
}

export interface AddressPolicy {
  /** Why the address may not be reached, or null when it may. */
  refusal(address: string): string | null;
}

const family = (ip: string): 'ipv4' | 'ipv6' => (isIP(ip) === 6 ? 'ipv6' : 'ipv4');

function addRange(list: BlockList, entry: string): void {
  const [ip, bits] = entry.split('/');
  if (!ip || isIP(ip) === 0) throw new Error(`not an IP address or CIDR range: ${entry}`);
  if (bits === undefined) list.addAddress(ip, family(ip));
  else list.addSubnet(ip, Number(bits), family(ip));
}

export function addressPolicy(o: AddressPolicyOptions): AddressPolicy {
  const nonPublic = new BlockList();
  for (const [ip, bits, fam] of NON_PUBLIC) nonPublic.addSubnet(ip, bits, fam);
  const metadata = new BlockList();
  for (const ip of METADATA_ADDRESSES) metadata.addAddress(ip, family(ip));
  const allowed = new BlockList();
  for (const c of o.allowCidrs ?? []) addRange(allowed, c);
  return {
    refusal(address) {
      let ip = address.replace(/^\[|\]$/g, '');
      const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
      if (mapped) ip = mapped[1]!;
      if (isIP(ip) === 0) return `${address} is not an IP address`;
      const fam = family(ip);
      if (allowed.check(ip, fam)) return null;
      if (metadata.check(ip, fam)) return `${ip} is a cloud metadata address`;
      if (nonPublic.check(ip, fam) && !o.allowPrivate) return `${ip} is not a public address (loopback, private, link-local, unique-local, multicast or reserved)`;
      return null;
    },
  };
}

/**
 * Checks an endpoint URL when it is created or changed: absolute http(s), https in live, no user info, and a literal
 * IP host (or a localhost name) only when the policy allows it. The resolved addresses are checked at connection time.
 * WEBHOOK_URL_REFUSED otherwise.
 */
export function checkWebhookUrl(raw: string, environment: Environment, policy: AddressPolicy): string {
  const refuse = (detail: string) => new VaultgateError('WEBHOOK_URL_REFUSED', { detail });
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw refuse('The URL is not absolute.');
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && environment !== 'live')) {
    throw refuse(environment === 'live' ? 'Only https URLs receive webhooks in live.' : 'Only http and https URLs receive webhooks.');
  }
  if (u.username || u.password) throw refuse('The URL may not carry a user name or password (the signature authenticates deliveries).');
  if (u.hash) throw refuse('The URL may not have a fragment.');
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) {
    const why = policy.refusal(host);
    if (why) throw refuse(why);
  } else if (/(^|\.)localhost\.?$/i.test(host) && policy.refusal('127.0.0.1')) {
    throw refuse(`${host} names the loopback interface.`);
  }
  return u.toString();
}

/** The error a connection to a refused address fails with (its message is what the delivery log shows). */
export class AddressRefusedError extends Error {
  readonly code = 'WEBHOOK_ADDRESS_REFUSED';
}

/**
 * undici connect options whose every connection is checked: names through a lookup that refuses when any resolved
 * address is refused (so round-robin answers cannot slip one through), literal IPs before connecting (Node skips the
 * lookup for them). `ca` adds trusted certificate authorities.
 */
export function guardedConnector(policy: AddressPolicy, o: { ca?: Buffer | undefined; timeoutMs: number }): NonNullable<ConstructorParameters<typeof Agent>[0]>['connect'] {
  const lookup = (hostname: string, options: { all?: boolean; family?: number }, callback: (...a: unknown[]) => void): void => {
    dnsLookup(hostname, { family: options.family ?? 0, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err);
      const bad = addresses.map((a) => policy.refusal(a.address)).find((r) => r !== null);
      if (bad) return callback(new AddressRefusedError(`${hostname} resolves to a refused address: ${bad}`));
      if (options.all) return callback(null, addresses);
      const first = addresses[0]!;
      return callback(null, first.address, first.family);
    });
  };
  // Extra CAs are added to Node's built-in ones (a `ca` option alone would replace them), in one secure context made
  // once: a `ca` per connection would parse every root certificate again for each (it dominated a profile).
  const secureContext = o.ca ? createSecureContext({ ca: [...rootCertificates, o.ca.toString('utf8')] }) : undefined;
  const base = buildConnector({ ...(secureContext ? { secureContext } : {}), timeout: o.timeoutMs, lookup: lookup as never });
  return (opts, cb) => {
    const host = opts.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0) {
      const why = policy.refusal(host);
      if (why) return cb(new AddressRefusedError(why), null);
    }
    return base(opts, cb);
  };
}
