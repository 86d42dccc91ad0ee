import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../lib/logger.js';
import { maskedRecipient, recordingAdapter } from './outbound-adapter.js';

/** The real logger (with its redaction of personal data) writing into an array. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', new Writable({ write(chunk, _enc, done) {
    lines.push(JSON.parse(String(chunk)));
    done();
  } }));
  return { lines, log: (fields: Record<string, unknown>, msg: string) => logger.info(fields, msg) };
}

describe('development mode (no gateway)', () => {
  it('logs the whole message, a one-time code included, with the recipient masked, and records it as not sent', async () => {
    const { lines, log } = capture();
    const sms = recordingAdapter('sms', log);
    const delivery = await sms.deliver({ outboundId: '5f0c3f0e-8d52-4c1a-9a43-3a6e1c2b7d10', channel: 'sms', kind: 'code',
      text: 'Код подтверждения «Отклик»: 042917. Никому его не сообщайте.', target: { phone: '+79131234567' } });
    expect(delivery).toEqual({ status: 'recorded' });
    expect(lines[0]).toMatchObject({ channel: 'sms', kind: 'code', to: '+7913***4567', body: expect.stringContaining('042917') });
    expect(JSON.stringify(lines)).not.toContain('+79131234567');
    expect(sms.mode).toMatch(/^development mode/);
  });
  it('masks mailboxes and phones', () => {
    expect(maskedRecipient({ email: 'ivan.petrov@mail.ru' })).toBe('i***@mail.ru');
    expect(maskedRecipient({ phone: '+79131234567' })).toBe('+7913***4567');
    expect(maskedRecipient({ chatId: '42' })).toBeUndefined();
  });
});
