import { describe, expect, it } from 'vitest';
import { formAnswerer } from '../../test/fakes/form-answerer.js';
import { SmsRefused } from './gateway.js';
import { createSmscGateway, smscOutcome } from './smsc.js';

/** SMSC.ru's answers as its documentation shows them, to a gateway that records what it posts. */
function answering(body: unknown, status = 200) {
  const { requests, fetchImpl } = formAnswerer(body, status);
  return { requests, gateway: createSmscGateway({ apiKey: 'SMSC-KEY', baseUrl: 'https://smsc.test', sender: 'Otklik', fetchImpl }) };
}

describe('SMSC.ru gateway', () => {
  it('posts the key, the number with its +, the text, utf-8, fmt=3 and the sender; returns the message id', async () => {
    const { requests, gateway } = answering({ id: 4217, cnt: 1 });
    expect(await gateway.send('+79131234567', 'Код: 123456')).toEqual({ providerId: '4217' });
    expect(requests[0]!.url).toBe('https://smsc.test/sys/send.php');
    expect(Object.fromEntries(requests[0]!.form)).toEqual({ apikey: 'SMSC-KEY', phones: '+79131234567', mes: 'Код: 123456', charset: 'utf-8', fmt: '3',
      sender: 'Otklik' });
  });

  it('bounces a number SMSC.ru cannot reach, refuses for good on our settings, retries when it may pass later', async () => {
    const error = (code: number) => answering({ error: 'описание', error_code: code, ...(code >= 6 ? { id: 1 } : {}) }).gateway;
    await expect(error(8).send('+79131234567', 'x')).rejects.toMatchObject({ recipient: true, code: '8' });
    await expect(error(2).send('+79131234567', 'x')).rejects.toMatchObject({ recipient: false, code: '2' });
    await expect(error(3).send('+79131234567', 'x')).rejects.not.toBeInstanceOf(SmsRefused);
    await expect(answering({}, 503).gateway.send('+79131234567', 'x')).rejects.toThrow(/HTTP 503/);
    await expect(answering('ERROR = 2').gateway.send('+79131234567', 'x')).rejects.toThrow(/not its JSON answer/);
  });

  it('maps every documented code', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 42].map(smscOutcome))
      .toEqual(['refused', 'refused', 'retry', 'retry', 'refused', 'refused', 'bounce', 'bounce', 'retry', 'retry']);
  });
});
