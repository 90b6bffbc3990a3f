// The signed-header scheme in a few lines, as existing Netvisor client code computes it (docs/mac-auth.md).
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';

export const base = process.env.VAULTGATE_URL ?? 'http://127.0.0.1:8080';
// The README walkthrough writes the credential files into .vaultgate/ (git ignores it), relative to where you run.
// A file that is missing, or holds an error answer instead of a credential (an admin command that failed), stops
// here with what to do, not deep in the HTTP library.
const load = (f) => {
  const path = join('.vaultgate', f);
  let value;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    console.error(`${path}: ${e.code === 'ENOENT' ? 'missing' : 'not JSON'}; run the README's loop block (from the repository root) to create it.`);
    process.exit(2);
  }
  const id = value.partnerId ?? value.customerId;
  if (!id || !(value.partnerKey ?? value.customerKey)) {
    console.error(`${path} holds no credential${value.code ? ` but an error answer (${value.code})` : ''}: recreate it (README: "Starting over").`);
    process.exit(2);
  }
  return value;
};

/** Sends `body` (or GETs when undefined) to `target`, signed with .vaultgate/partner.json + the customer credential file. */
export function send(target, customerFile, body, contentType = 'application/json') {
  const partner = load('partner.json');
  const customer = load(customerFile);
  const organisationId = process.env.ORGANISATION_ID ?? '1967543-8';
  const timestamp = new Date().toISOString().replace('T', ' ').replace('Z', '');
  const h = {
    'X-Netvisor-Authentication-Sender': 'Demokäyttäjä',
    'X-Netvisor-Authentication-CustomerId': customer.customerId,
    'X-Netvisor-Authentication-PartnerId': partner.partnerId,
    'X-Netvisor-Authentication-Timestamp': timestamp,
    'X-Netvisor-Authentication-TransactionId': randomUUID(),
    'X-Netvisor-Interface-Language': 'EN',
    'X-Netvisor-Organisation-ID': organisationId,
    'X-Netvisor-Authentication-MACHashCalculationAlgorithm': 'SHA256',
    'X-Netvisor-Authentication-UseHTTPResponseStatusCodes': '1',
    Accept: 'application/json',
  };
  // URL (decoded), Sender, CustomerId, Timestamp, Language, OrganisationId, TransactionId, CustomerKey, PartnerKey
  const url = base + decodeURIComponent(target);
  const fields = [url, h['X-Netvisor-Authentication-Sender'], customer.customerId, timestamp, 'EN', organisationId,
    h['X-Netvisor-Authentication-TransactionId'], customer.customerKey, partner.partnerKey];
  h['X-Netvisor-Authentication-MAC'] = createHash('sha256').update(Buffer.from(fields.join('&'), 'latin1')).digest('hex');
  if (body !== undefined) h['Content-Type'] = contentType;
  const u = new URL(base + target);
  return new Promise((resolve, reject) => {
    const req = request({ method: body === undefined ? 'GET' : 'POST', hostname: u.hostname, port: u.port, path: u.pathname + u.search, headers: h }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    // A Buffer (send.mjs passes one): with a string, Node would write the headers as UTF-8 instead of ISO-8859-1.
    req.end(body);
  });
}
