import { describe, expect, it } from 'vitest';
import { okEnvelope, failedEnvelope } from '../../../protocol/envelope.js';
import { ERROR_CATALOGUE, ERROR_CODES, errorMessage, type Language } from '../../../protocol/errors.js';
import { envelopeCode, sampleBody } from './envelope-code.js';

/*
 * The send form reads the code of a refused MAC request out of the Netvisor envelope: held against the server's own
 * envelope writer (src/protocol/envelope.ts, as src/server/plugins/errors.ts fills it) for every code of the
 * catalogue in every language, with the details the server appends (a message id, a string to hash holding
 * parentheses and capitals).
 */

describe('envelopeCode', () => {
  it('finds the code of every catalogue entry in every language, whatever details follow', () => {
    // The rule envelopeCode relies on: every code has an underscore (a message may hold "(URL)").
    expect(ERROR_CODES.filter((c) => !c.includes('_'))).toEqual([]);
    for (const code of ERROR_CODES) {
      for (const language of ['en', 'fi', 'sv'] as Language[]) {
        const text = `${errorMessage(code, language)} (${code}) msg_test_1 String to hash: https://h.example/ingestion/ch?x=(ABC)&Sender (X)&<CustomerKey>&<PartnerKey>`;
        expect(envelopeCode(failedEnvelope(Date.now(), ERROR_CATALOGUE[code].family, text)), `${code} ${language}`).toBe(code);
      }
    }
  });

  it('finds none in a success envelope', () => {
    expect(envelopeCode(okEnvelope(Date.now(), { InsertedDataIdentifier: 'msg_test_(ABC)' }))).toBeUndefined();
  });
});

describe('sampleBody', () => {
  it('gives a parseable sample for JSON and XML media types', () => {
    expect(JSON.parse(sampleBody('application/json'))).toMatchObject({ orderId: 'A-1001' });
    expect(JSON.parse(sampleBody('application/vnd.example+json'))).toBeTruthy();
    expect(sampleBody('application/xml')).toMatch(/^<\?xml[^]*<\/Invoice>\n$/);
    expect(sampleBody('text/plain')).not.toBe('');
  });
});
