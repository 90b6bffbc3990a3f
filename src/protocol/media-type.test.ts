import { describe, expect, it } from 'vitest';
import { isMediaType, mediaTypeEssence } from './media-type.js';

describe('mediaTypeEssence', () => {
  it('drops parameters and lowercases', () => {
    expect(mediaTypeEssence('Application/JSON; charset=utf-8')).toBe('application/json');
    expect(mediaTypeEssence('text/csv;charset=ISO-8859-1;header=present')).toBe('text/csv');
    expect(mediaTypeEssence('  application/EDIFACT  ')).toBe('application/edifact');
    expect(mediaTypeEssence('application/xml')).toBe('application/xml');
  });
});

describe('isMediaType', () => {
  it('accepts type/subtype tokens', () => {
    for (const t of ['application/json', 'text/csv', 'application/vnd.api+json', 'application/edifact', 'x-custom/x.y-z']) {
      expect(isMediaType(t), t).toBe(true);
    }
  });

  it('refuses parameters, missing parts and separators', () => {
    for (const t of ['application/json; charset=utf-8', 'application', 'application/', '/json', 'a/b/c', 'text /csv', '', 'text/c"sv']) {
      expect(isMediaType(t), t).toBe(false);
    }
  });
});
