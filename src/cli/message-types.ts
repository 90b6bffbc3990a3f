/**
 * Message-type agreements on the command line, one parser for every command that takes them (`admin channel create
 * --message-type`, `postman export --message-type`, `org channels request|approve --type`): a message type's name,
 * then `=` or `:`, then its media types separated by commas — `TransportOrder=application/json,application/xml` and
 * `TransportOrder:application/json,application/xml` mean the same. The name ends at the first `=` or `:`, so a media
 * type may carry parameters (`Rahtikirja:text/csv;charset=utf-8`). Repeat the option for several types.
 */
import { InvalidArgumentError } from 'commander';

export interface MessageTypeAgreement {
  name: string;
  mediaTypes: string[];
}

/** One `Name=media/type,…` or `Name:media/type,…`; throws commander's InvalidArgumentError (a usage error, exit 2). */
export function parseMessageType(spec: string): MessageTypeAgreement {
  const m = /^([^=:]+)[=:](.+)$/.exec(spec);
  const mediaTypes = m ? m[2]!.split(',').map((s) => s.trim()).filter(Boolean) : [];
  if (!m || !m[1]!.trim() || mediaTypes.length === 0) {
    throw new InvalidArgumentError(`give Name=media/type[,media/type…] or Name:media/type[,…], e.g. TransportOrder=application/json (got ${spec})`);
  }
  return { name: m[1]!.trim(), mediaTypes };
}

/** A commander argument parser for a repeatable option: each value parsed and appended. */
export const collectMessageTypes = (spec: string, previous: MessageTypeAgreement[] = []): MessageTypeAgreement[] => [...previous, parseMessageType(spec)];

/** Agreements as the options take them, `Name:media/type,media/type`, several joined by `; ` (for tables and hints). */
export const messageTypesText = (types: readonly MessageTypeAgreement[] | null): string => (types ?? []).map((t) => `${t.name}:${t.mediaTypes.join(',')}`).join('; ');
