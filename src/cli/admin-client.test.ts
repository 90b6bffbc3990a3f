import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../protocol/index.js';
import { ApiError, withFlagNames } from './admin-client.js';

describe('API field names → the command\'s flags', () => {
  const flags = { overlapHours: '--overlap-hours', businessId: '--business-id', email: '--email' };

  it('replaces the validation form always and a camelCase name as a word; plain words only in the validation form', () => {
    expect(withFlagNames('body/overlapHours: must be <= 168', flags)).toBe('--overlap-hours: must be <= 168');
    expect(withFlagNames('A company registration needs its businessId.', flags)).toBe('A company registration needs its --business-id.');
    expect(withFlagNames('body/email: must NOT have fewer than 3 characters; the email is taken', flags)).toBe('--email: must NOT have fewer than 3 characters; the email is taken');
    expect(withFlagNames('body/overlapHoursX stays; myBusinessId stays', flags)).toBe('body/overlapHoursX stays; myBusinessId stays');
  });

  it("leaves a field name in a URL or query string alone (BUSINESS_ID_TAKEN's remedy)", () => {
    const remedy = ERROR_CATALOGUE.BUSINESS_ID_TAKEN.remedy.en;
    expect(remedy).toContain('?businessId=');
    expect(withFlagNames(remedy, flags)).toBe(remedy);
    expect(withFlagNames('Give businessId (GET /admin/v1/companies?businessId=…&x=1).', flags)).toBe('Give --business-id (GET /admin/v1/companies?businessId=…&x=1).');
    expect(new ApiError(409, { code: 'BUSINESS_ID_TAKEN', title: 't', remedy }, undefined, flags).describe()).toContain('GET /admin/v1/companies?businessId=…');
  });

  it('an ApiError shows the flags in its message and remedy, and keeps the problem as the server sent it', () => {
    const problem = { code: 'INVALID_REQUEST', title: 'Invalid request', detail: 'body/overlapHours: must be integer', remedy: 'Fix overlapHours.' };
    const err = new ApiError(400, problem, undefined, flags);
    expect(err.describe()).toBe('INVALID_REQUEST: Invalid request (--overlap-hours: must be integer)\n  Fix --overlap-hours.');
    expect(err.problem.detail).toBe('body/overlapHours: must be integer');
  });
});
