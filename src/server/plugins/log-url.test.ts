import { describe, expect, it } from 'vitest';
import { logUrl } from './log-url.js';

describe('logUrl', () => {
  it('keeps only the prefix of a secret path segment', () => {
    expect(logUrl('/api/v1/invitations/vgi_Q2hhbmdlLW1lLXBsZWFzZQ/accept')).toBe('/api/v1/invitations/vgi_[redacted]/accept');
    expect(logUrl('/api/v1/invitations/vgi_Q2hhbmdlLW1lLXBsZWFzZQ')).toBe('/api/v1/invitations/vgi_[redacted]');
    expect(logUrl('/api/v1/password-reset/vgr_Q2hhbmdlLW1lLXBsZWFzZQ')).toBe('/api/v1/password-reset/vgr_[redacted]');
    // The web portal's pages of the mailed links carry the same secrets in their paths.
    expect(logUrl('/portal/invitations/vgi_Q2hhbmdlLW1lLXBsZWFzZQ')).toBe('/portal/invitations/vgi_[redacted]');
    expect(logUrl('/portal/password-reset/vgr_Q2hhbmdlLW1lLXBsZWFzZQ')).toBe('/portal/password-reset/vgr_[redacted]');
  });
  it('keeps only the name of OAuth/OIDC secret query parameters', () => {
    expect(logUrl('/api/v1/session/oidc/callback?code=abc&state=def&iss=https%3A%2F%2Fidp')).toBe('/api/v1/session/oidc/callback?code=[redacted]&state=[redacted]&iss=https%3A%2F%2Fidp');
  });
  it('leaves ordinary targets alone', () => {
    expect(logUrl('/vault/v1/messages/msg_test_06h2kahxx0hsb69h1vk756qdr0')).toBe('/vault/v1/messages/msg_test_06h2kahxx0hsb69h1vk756qdr0');
    expect(logUrl('/vault/v1/messages?limit=10&cursor=v1.5')).toBe('/vault/v1/messages?limit=10&cursor=v1.5');
    expect(logUrl('/ingestion/ch_test_1?messageType=Order')).toBe('/ingestion/ch_test_1?messageType=Order');
  });
});
