import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

describe('createLogger', () => {
  it('never writes contacts, recipients, code destinations or secrets', () => {
    const lines: string[] = [];
    const log = createLogger('info', { write: (line: string) => void lines.push(line) });
    log.info({
      contact: { name: 'Иванов Иван', phone: '+79131234567' },
      message: { contact: { email: 'ivan@example.ru' }, raw: { from: { first_name: 'Иван' } } },
      target: { chatId: '4100100' },
      outbound: { target: { phone: '+79131234567' } },
      channelUserId: '4100100',
      destination: 'ivan@example.ru',
      password: 'hunter2',
      headers: { authorization: 'Bearer abc' },
    }, 'something happened');
    const out = lines.join('');
    for (const secret of ['Иванов', '+79131234567', 'ivan@example.ru', 'Иван', '4100100', 'hunter2', 'Bearer abc']) expect(out).not.toContain(secret);
    expect(out).toContain('something happened');
  });
});
