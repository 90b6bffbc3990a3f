import { createHash } from 'node:crypto';
import { scopesCovering, type ReadScope } from '../../../protocol/grant-scope.js';
import { bodyLink } from './body-link.js';
import type { GrantEventRecord, PositionedMessage, WebhookDeliveryRecord, WebhookEndpointRecord } from '../../../store/index.js';

/*
 * What a webhook delivers (issue 15): a thin payload — ids and metadata, never the body, which the receiver reads
 * through the vault API so that every read is authorised and audited. The payload is fixed when the delivery is
 * created, so every attempt sends the same bytes.
 */

/** `data` of a message.received event. */
export interface MessageReceivedData {
  messageId: string;
  /** The owner's company id (the vault). */
  companyId: string;
  /** The grant that puts the message in the endpoint organisation's scope; null when it is the owner's own. */
  grantId: string | null;
  channelId: string;
  messageType: string;
  mediaType: string;
  /** Bytes of the body. */
  size: number;
  /** Hex SHA-256 of the body. */
  sha256: string;
  receivedAt: string;
  links: { body: string };
}

export interface WebhookPayload<T = unknown> {
  type: string;
  /** ISO 8601 instant the event was created. */
  timestamp: string;
  data: T;
}

/**
 * The webhook-id of an event for an endpoint: the same for every attempt and every replay, so a receiver
 * deduplicates by it (delivery is at least once).
 */
export function webhookIdOf(endpointId: string, eventKey: string): string {
  return `msg_${createHash('sha256').update(`${endpointId}\n${eventKey}`).digest('base64url').slice(0, 27)}`;
}

const narrowed = (list: string[] | null, value: string): boolean => list === null || list.length === 0 || list.includes(value);

/** The scope that puts a message in front of an endpoint (its organisation's scopes and its own filters), if any. */
export function coveringScope(e: WebhookEndpointRecord, scopes: readonly ReadScope[], m: PositionedMessage): ReadScope | undefined {
  if (!narrowed(e.filters.messageTypes, m.messageType) || !narrowed(e.filters.channelIds, m.channelId) || !narrowed(e.filters.ownerCompanyIds, m.companyId)) return undefined;
  const covering = scopesCovering(scopes, m);
  return covering.find((s) => s.grantId === null) ?? covering[0];
}

/** A message.received delivery for an endpoint, due at `now`. */
export function messageDelivery(e: WebhookEndpointRecord, m: PositionedMessage, scope: ReadScope, o: { id: string; now: string; origin: WebhookDeliveryRecord['origin'] }): WebhookDeliveryRecord {
  const data: MessageReceivedData = {
    messageId: m.id, companyId: m.companyId, grantId: scope.grantId, channelId: m.channelId, messageType: m.messageType, mediaType: m.mediaType,
    size: m.size, sha256: m.sha256, receivedAt: m.receivedAt, links: { body: bodyLink(m, scope.grantId) },
  };
  const payload: WebhookPayload<MessageReceivedData> = { type: 'message.received', timestamp: o.now, data };
  return {
    id: o.id, endpointId: e.id, webhookId: webhookIdOf(e.id, m.id), eventType: 'message.received', messageId: m.id, payload: JSON.stringify(payload),
    origin: o.origin, status: 'pending', attempts: 0, nextAttemptAt: o.now, createdAt: o.now, updatedAt: o.now,
  };
}

/** `data` of a grant.* event: the grant's parties, its state and terms after the transition. */
export interface GrantEventData {
  eventId: string;
  grantId: string;
  ownerOrganisationId: string;
  consumerOrganisationId: string;
  state: GrantEventRecord['state'];
  terms: GrantEventRecord['terms'];
  at: string;
}

/** A grant.* delivery (its type is the event's, e.g. grant.revoked) for an endpoint of either side. */
export function grantEventDelivery(e: WebhookEndpointRecord, g: GrantEventRecord, o: { id: string; now: string; origin: WebhookDeliveryRecord['origin'] }): WebhookDeliveryRecord {
  const data: GrantEventData = {
    eventId: g.id, grantId: g.grantId, ownerOrganisationId: g.ownerOrganisationId, consumerOrganisationId: g.consumerOrganisationId, state: g.state, terms: g.terms, at: g.at,
  };
  const payload: WebhookPayload<GrantEventData> = { type: g.type, timestamp: g.at, data };
  return {
    id: o.id, endpointId: e.id, webhookId: webhookIdOf(e.id, g.id), eventType: g.type, messageId: null, payload: JSON.stringify(payload),
    origin: o.origin, status: 'pending', attempts: 0, nextAttemptAt: o.now, createdAt: o.now, updatedAt: o.now,
  };
}
