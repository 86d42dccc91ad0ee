import { describe, expect, it } from 'vitest';
import { outboundMessageSchema } from '../../lib/queues.js';
import { createSealer } from '../../lib/seal.js';
import { openOutbound, sealOutbound } from '../../lib/sealed-payloads.js';
import { codeMessage } from './code-delivery.js';

describe('one-time codes as outbound messages', () => {
  const d = { challengeId: '5f0c3f0e-8d52-4c1a-9a43-3a6e1c2b7d10', code: '042917', ttlMinutes: 10 };
  it('go by SMS to a phone and by e-mail to a mailbox, each a valid outbound message', () => {
    const sms = codeMessage({ ...d, channel: 'phone', destination: '+79131234567' });
    expect(sms).toMatchObject({ channel: 'sms', kind: 'code', target: { phone: '+79131234567' }, text: expect.stringContaining('042917') });
    const mail = codeMessage({ ...d, channel: 'email', destination: 'ivan@example.ru' });
    expect(mail).toMatchObject({ channel: 'email', kind: 'code', target: { email: 'ivan@example.ru' }, subject: expect.stringContaining('042917') });
    for (const m of [sms, mail]) expect(outboundMessageSchema.safeParse(m).success).toBe(true);
  });
  it('cross Redis with the code sealed with the recipient, and open whole', () => {
    const sealer = createSealer('salt');
    const m = codeMessage({ ...d, channel: 'phone', destination: '+79131234567' });
    const sealed = sealOutbound(sealer, m);
    expect(JSON.stringify(sealed)).not.toContain('042917');
    expect(JSON.stringify(sealed)).not.toContain('79131234567');
    expect(openOutbound(sealer, sealed)).toEqual(m);
  });
});
