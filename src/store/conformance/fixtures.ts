import { randomBytes } from 'node:crypto';
import type {
  ChannelRecord,
  CompanyRecord,
  CustomerCredentialRecord,
  MessageRecord,
  PartnerCredentialRecord,
  PartyRecord,
  Store,
} from '../port.js';

/*
 * Record factories for the conformance suite. Ids and business ids are unique per suite run (a random tag plus a
 * counter), so an adapter that shares one database between tests still sees no collisions. Times are fixed ISO
 * strings so that ordering and time-window filters are predictable.
 */

const BASE_MS = Date.UTC(2025, 0, 1);

/** The ISO timestamp `seconds` after 2025-01-01T00:00:00.000Z. */
export function at(seconds: number): string {
  return new Date(BASE_MS + seconds * 1000).toISOString();
}

/** Ciphertext-like bytes: every byte value once, then random bytes, so nothing may be treated as text. */
export function cipherBytes(length = 300): Uint8Array {
  const out = new Uint8Array(length);
  out.set(Uint8Array.from({ length: Math.min(256, length) }, (_, i) => i));
  if (length > 256) out.set(randomBytes(length - 256), 256);
  return out;
}

export interface Fixtures {
  company(over?: Partial<CompanyRecord>): CompanyRecord;
  party(over?: Partial<PartyRecord>): PartyRecord;
  partnerCredential(partyId: string, over?: Partial<PartnerCredentialRecord>): PartnerCredentialRecord;
  customerCredential(companyId: string, over?: Partial<CustomerCredentialRecord>): CustomerCredentialRecord;
  channel(companyId: string, partyId: string, over?: Partial<ChannelRecord>): ChannelRecord;
  message(channel: ChannelRecord, over?: Partial<MessageRecord>): MessageRecord;
  /** A unique transaction id. */
  transactionId(): string;
  /** Creates a company, a party and a channel between them. */
  seed(store: Store): Promise<{ company: CompanyRecord; party: PartyRecord; channel: ChannelRecord }>;
}

export function createFixtures(): Fixtures {
  const tag = randomBytes(4).toString('hex');
  let n = 0;
  const next = (): number => ++n;
  const id = (prefix: string, i: number): string => `${prefix}_test_${tag}${String(i).padStart(8, '0')}`;

  const fx: Fixtures = {
    company: (over) => {
      const i = next();
      const digits = String((Number.parseInt(tag, 16) + i) % 10_000_000).padStart(7, '0');
      return { id: id('co', i), name: `Company ${i} Oy`, businessId: `${digits}-${i % 10}`, createdAt: at(i), ...over };
    },
    party: (over) => {
      const i = next();
      return { id: id('tp', i), name: `Party ${i}`, status: 'active', createdAt: at(i), disabledAt: null, ...over };
    },
    partnerCredential: (partyId, over) => {
      const i = next();
      return {
        partnerId: id('pid', i),
        partyId,
        status: 'active',
        createdAt: at(i),
        disabledAt: null,
        keyCiphertext: cipherBytes(60),
        ...over,
      };
    },
    customerCredential: (companyId, over) => {
      const i = next();
      return {
        customerId: id('cid', i),
        companyId,
        name: `Reader ${i}`,
        scopes: ['vault.read'],
        status: 'active',
        createdAt: at(i),
        disabledAt: null,
        keyCiphertext: cipherBytes(60),
        ...over,
      };
    },
    channel: (companyId, partyId, over) => {
      const i = next();
      return {
        id: id('ch', i),
        companyId,
        partyId,
        messageTypes: [
          { name: 'salesinvoice', mediaTypes: ['application/xml', 'application/json'] },
          { name: 'receipt', mediaTypes: ['application/pdf'] },
        ],
        status: 'active',
        createdAt: at(i),
        disabledAt: null,
        ...over,
      };
    },
    message: (channel, over) => {
      const i = next();
      const body = cipherBytes(300);
      return {
        id: id('msg', i),
        companyId: channel.companyId,
        channelId: channel.id,
        partyId: channel.partyId,
        messageType: 'salesinvoice',
        mediaType: 'application/xml',
        contentType: 'application/xml; charset=utf-8',
        size: 1234 + i,
        sha256: 'ab'.repeat(32),
        receivedAt: at(1000 + i),
        transactionId: `tx-${tag}-${i}`,
        bodyCiphertext: body,
        keyVersion: 1,
        ...over,
      };
    },
    transactionId: () => `tx-${tag}-${next()}`,
    seed: async (store) => {
      const company = fx.company();
      const party = fx.party();
      const channel = fx.channel(company.id, party.id);
      await store.createCompany(company);
      await store.createParty(party);
      await store.createChannel(channel);
      return { company, party, channel };
    },
  };
  return fx;
}
