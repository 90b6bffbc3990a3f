import { describe, expect, it } from 'vitest';
import { ApiError, withFlagNames } from './admin-client.js';

describe('API field names → the command\'s flags', () => {
  const flags = { overlapHours: '--overlap-hours', businessId: '--business-id', email: '--email' };

  it('replaces the validation form always and a camelCase name as a word; plain words only in the validation form', () => {
    expect(withFlagNames('body/overlapHours: must be <= 168', flags)).toBe('--overlap-hours: must be <= 168');
    expect(withFlagNames('A company registration needs its businessId.', flags)).toBe('A company registration needs its --business-id.');
    expect(withFlagNames('body/email: must NOT have fewer than 3 characters; the email is taken', flags)).toBe('--email: must NOT have fewer than 3 characters; the email is taken');
    expect(withFlagNames('body/overlapHoursX stays; myBusinessId stays', flags)).toBe('body/overlapHoursX stays; myBusinessId stays');
  });

  it('an ApiError shows the flags in its message and remedy, and keeps the problem as the server sent it', () => {
    const problem = { code: 'INVALID_REQUEST', title: 'Invalid request', detail: 'body/overlapHours: must be integer', remedy: 'Fix overlapHours.' };
    const err = new ApiError(400, problem, undefined, flags);
    expect(err.describe()).toBe('INVALID_REQUEST: Invalid request (--overlap-hours: must be integer)\n  Fix --overlap-hours.');
    expect(err.problem.detail).toBe('body/overlapHours: must be integer');
  });
});
