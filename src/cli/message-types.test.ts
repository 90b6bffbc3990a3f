import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { collectMessageTypes, messageTypesText, parseMessageType } from './message-types.js';

describe('message-type options', () => {
  it('reads Name=… and Name:… alike, media types comma-separated, parameters kept', () => {
    const want = { name: 'TransportOrder', mediaTypes: ['application/json', 'application/xml'] };
    expect(parseMessageType('TransportOrder=application/json,application/xml')).toEqual(want);
    expect(parseMessageType('TransportOrder:application/json, application/xml')).toEqual(want);
    expect(parseMessageType('Rahtikirja:text/csv;charset=utf-8')).toEqual({ name: 'Rahtikirja', mediaTypes: ['text/csv;charset=utf-8'] });
    expect(parseMessageType('Rahtikirja=text/csv;charset=utf-8')).toEqual({ name: 'Rahtikirja', mediaTypes: ['text/csv;charset=utf-8'] });
  });

  it('collects repeated options and prints them back in the option form', () => {
    const types = collectMessageTypes('B=text/csv', collectMessageTypes('A:application/json'));
    expect(types.map((t) => t.name)).toEqual(['A', 'B']);
    expect(messageTypesText(types)).toBe('A:application/json; B:text/csv');
  });

  it('refuses a spec without a name or media types as a usage error', () => {
    for (const bad of ['TransportOrder', '=application/json', 'TransportOrder:', 'TransportOrder=,']) {
      expect(() => parseMessageType(bad), bad).toThrow(InvalidArgumentError);
    }
  });
});
