import { describe, expect, it } from 'vitest';
import { messageBodyLink } from './body-link.js';

describe('messageBodyLink', () => {
  it("links the owner's own message to its vault read, and a message seen through a grant to the consumer read of the owner's vault", () => {
    const m = { id: 'msg_test_06h2mcegxgm94f0ecyw0vyby94', companyId: 'co_test_06h2mckntf1azhkmch1mg5f25g' };
    expect(messageBodyLink(m, null)).toBe('/vault/v1/messages/msg_test_06h2mcegxgm94f0ecyw0vyby94');
    expect(messageBodyLink(m, 'grt_test_x')).toBe('/vault/v1/shared/co_test_06h2mckntf1azhkmch1mg5f25g/messages/msg_test_06h2mcegxgm94f0ecyw0vyby94');
  });
});
