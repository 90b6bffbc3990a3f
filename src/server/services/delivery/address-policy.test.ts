import { describe, expect, it } from 'vitest';
import { expectCode } from '../../../store/conformance/assertions.js';
import { addressPolicy, checkWebhookUrl } from './address-policy.js';

describe('webhook address policy (SSRF)', () => {
  const strict = addressPolicy({ allowPrivate: false });
  it('refuses loopback, private, link-local, unique-local, multicast, reserved and metadata addresses; allows public ones', () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255',
      '::1', '::', 'fc00::1', 'fd00:ec2::254', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '[::1]']) {
      expect(strict.refusal(ip), ip).not.toBeNull();
    }
    for (const ip of ['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(strict.refusal(ip), ip).toBeNull();
  });

  it('allows private addresses when the operator says so, but not metadata unless listed exactly; or only listed ranges', () => {
    const open = addressPolicy({ allowPrivate: true });
    expect(open.refusal('127.0.0.1')).toBeNull();
    expect(open.refusal('10.0.0.1')).toBeNull();
    expect(open.refusal('169.254.169.254')).toMatch(/metadata/);
    const some = addressPolicy({ allowPrivate: false, allowCidrs: ['10.1.2.0/24', '169.254.169.254'] });
    expect(some.refusal('10.1.2.9')).toBeNull();
    expect(some.refusal('10.1.3.9')).not.toBeNull();
    expect(some.refusal('169.254.169.254')).toBeNull();
  });

  it("checks an endpoint's URL: https in live, http elsewhere, no user info, literal hosts by the policy", async () => {
    expect(checkWebhookUrl('https://hooks.example.com/in', 'live', strict)).toBe('https://hooks.example.com/in');
    expect(checkWebhookUrl('http://hooks.example.com/in', 'test', strict)).toBe('http://hooks.example.com/in');
    const refused = async (url: string, env: 'live' | 'test' = 'test') => expectCode((async () => checkWebhookUrl(url, env, strict))(), 'WEBHOOK_URL_REFUSED');
    await refused('http://hooks.example.com/in', 'live');
    await refused('ftp://hooks.example.com/in');
    await refused('not a url');
    await refused('https://user:pw@hooks.example.com/in');
    await refused('https://127.0.0.1/in');
    await refused('https://[::1]:8443/in');
    await refused('https://169.254.169.254/latest/meta-data');
    await refused('https://localhost:8443/in');
    expect(checkWebhookUrl('https://127.0.0.1:8443/in', 'live', addressPolicy({ allowPrivate: true }))).toBe('https://127.0.0.1:8443/in');
  });
});
