import { describe, expect, it } from 'vitest';
import {
  ERROR_CATALOGUE,
  ERROR_CODES,
  type ErrorCode,
  errorMessage,
  errorRemedy,
  FAMILY_STATUS,
  type Language,
  VaultgateError,
} from './errors.js';

const LANGUAGES: Language[] = ['en', 'fi', 'sv'];
const FAMILIES = Object.keys(FAMILY_STATUS);

describe('FAMILY_STATUS', () => {
  it('maps the Netvisor families as mac-auth.md specifies', () => {
    expect(FAMILY_STATUS).toEqual({
      INVALID_DATA: 400,
      INVALID_DATA_SIZE: 400,
      REQUEST_NOT_UNIQUE: 400,
      AUTHENTICATION_FAILED: 401,
      SERVICE_ACCESS_ERROR: 403,
      TECHNICAL_ERROR: 500,
      SYSTEM_MAINTENANCE: 500,
    });
  });
});

describe('ERROR_CATALOGUE', () => {
  it('lists its codes in ERROR_CODES', () => {
    expect(ERROR_CODES).toEqual(Object.keys(ERROR_CATALOGUE));
    expect(ERROR_CODES.length).toBeGreaterThan(10);
  });

  it('includes the codes the specs name', () => {
    for (const code of [
      'AUTHENTICATION_FAILED',
      'SERVICE_ACCESS_ERROR',
      'REQUEST_NOT_UNIQUE',
      'TECHNICAL_ERROR',
      'TIMESTAMP_OUT_OF_WINDOW',
      'MEDIA_TYPE_NOT_AGREED',
      'ENVIRONMENT_MISMATCH',
      'MAC_ALGORITHM_NOT_SUPPORTED',
    ]) {
      expect(ERROR_CODES).toContain(code);
    }
  });

  describe.each(ERROR_CODES)('%s', (code) => {
    const def = ERROR_CATALOGUE[code];

    it('is SCREAMING_SNAKE', () => {
      expect(code).toMatch(/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/);
    });

    it('has a non-empty message in en, fi and sv, each different', () => {
      for (const l of LANGUAGES) {
        expect(def.message[l].trim().length, l).toBeGreaterThan(5);
        expect(def.message[l], l).toBe(def.message[l].trim());
      }
      expect(new Set(LANGUAGES.map((l) => def.message[l])).size).toBe(3);
    });

    it('has a remedy in en, fi and sv that is not just the message again', () => {
      for (const l of LANGUAGES) {
        expect(def.remedy[l].trim().length, l).toBeGreaterThan(10);
        expect(def.remedy[l], l).not.toBe(def.message[l]);
      }
    });

    it('has a 4xx or 5xx status in the class of its family', () => {
      expect(Number.isInteger(def.status)).toBe(true);
      expect(def.status).toBeGreaterThanOrEqual(400);
      expect(def.status).toBeLessThan(600);
      expect(FAMILIES).toContain(def.family);
      const familyStatus = FAMILY_STATUS[def.family];
      expect(Math.floor(def.status / 100)).toBe(Math.floor(familyStatus / 100));
    });

    it('maps onto itself when it is a family name', () => {
      if (FAMILIES.includes(code)) expect(def.family).toBe(code);
    });

    it('never leaks a placeholder or secret-looking text', () => {
      for (const text of LANGUAGES.flatMap((l) => [def.message[l], def.remedy[l], ...(def.bearerRemedy ? [def.bearerRemedy[l]] : [])])) {
        expect(text).not.toMatch(/TODO|FIXME|undefined|\$\{/);
      }
    });
  });

  it('keeps the message of every code distinct (per language)', () => {
    for (const l of LANGUAGES) {
      const messages = ERROR_CODES.map((c) => ERROR_CATALOGUE[c].message[l]);
      expect(new Set(messages).size, l).toBe(messages.length);
    }
  });

  it('answers 5xx only for the technical families', () => {
    for (const code of ERROR_CODES) {
      const { status, family } = ERROR_CATALOGUE[code];
      expect(status >= 500, code).toBe(family === 'TECHNICAL_ERROR' || family === 'SYSTEM_MAINTENANCE');
    }
  });
});

describe('errorMessage', () => {
  it('gives the message of a code in a language', () => {
    expect(errorMessage('REQUEST_NOT_UNIQUE', 'fi')).toBe('Tapahtumatunnistetta on käytetty aiemmin.');
    for (const code of ERROR_CODES) {
      for (const l of LANGUAGES) expect(errorMessage(code, l)).toBe(ERROR_CATALOGUE[code].message[l]);
    }
  });
});

describe('VaultgateError', () => {
  it('carries code, status and family from the catalogue', () => {
    for (const code of ERROR_CODES) {
      const e = new VaultgateError(code);
      expect(e).toBeInstanceOf(Error);
      expect(e).toBeInstanceOf(VaultgateError);
      expect(e.name).toBe('VaultgateError');
      expect(e.code).toBe(code);
      expect(e.status).toBe(ERROR_CATALOGUE[code].status);
      expect(e.family).toBe(ERROR_CATALOGUE[code].family);
      expect(e.message).toBe(`${code}: ${ERROR_CATALOGUE[code].message.en}`);
      expect(e.detail).toBeUndefined();
    }
  });

  it('gives concrete values for a few codes', () => {
    const cases: [ErrorCode, number, string][] = [
      ['TIMESTAMP_OUT_OF_WINDOW', 401, 'AUTHENTICATION_FAILED'],
      ['SERVICE_ACCESS_ERROR', 403, 'SERVICE_ACCESS_ERROR'],
      ['REQUEST_NOT_UNIQUE', 409, 'REQUEST_NOT_UNIQUE'],
      ['MEDIA_TYPE_NOT_AGREED', 415, 'INVALID_DATA'],
      ['BODY_TOO_LARGE', 413, 'INVALID_DATA_SIZE'],
      ['TECHNICAL_ERROR', 500, 'TECHNICAL_ERROR'],
    ];
    for (const [code, status, family] of cases) {
      const e = new VaultgateError(code);
      expect([e.status, e.family]).toEqual([status, family]);
    }
  });

  it('keeps detail, extra, log reason and cause', () => {
    const cause = new Error('db down');
    const e = new VaultgateError('REQUEST_NOT_UNIQUE', {
      detail: 'tx-1 was used before.',
      extra: { messageId: 'msg_test_01abc' },
      logReason: 'ledger hit',
      cause,
    });
    expect(e.detail).toBe('tx-1 was used before.');
    expect(e.extra).toEqual({ messageId: 'msg_test_01abc' });
    expect(e.logReason).toBe('ledger hit');
    expect(e.cause).toBe(cause);
    expect(e.message).toBe('REQUEST_NOT_UNIQUE: The transaction id has been used before by this party. tx-1 was used before.');
    // The log reason is for the log only: it is not in the message.
    expect(e.message).not.toContain('ledger hit');
  });
});

describe('errorRemedy', () => {
  it('gives the remedy in the language asked for, and the bearer remedy only to a bearer request of a code that has one', () => {
    expect(errorRemedy('SERVICE_ACCESS_ERROR', 'fi')).toBe(ERROR_CATALOGUE.SERVICE_ACCESS_ERROR.remedy.fi);
    expect(errorRemedy('SERVICE_ACCESS_ERROR', 'sv', true)).toBe(ERROR_CATALOGUE.SERVICE_ACCESS_ERROR.bearerRemedy.sv);
    expect(errorRemedy('SERVICE_ACCESS_ERROR', 'sv', true)).not.toBe(errorRemedy('SERVICE_ACCESS_ERROR', 'sv'));
    // Without a bearer remedy a bearer request gets the remedy.
    expect(errorRemedy('BODY_EMPTY', 'sv', true)).toBe(ERROR_CATALOGUE.BODY_EMPTY.remedy.sv);
    expect(errorRemedy('BODY_EMPTY', 'en')).toBe('Send at least one byte.');
    expect(new Set(LANGUAGES.map((l) => errorRemedy('BODY_EMPTY', l))).size).toBe(3);
  });
});
