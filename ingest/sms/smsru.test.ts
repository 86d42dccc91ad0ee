import { describe, expect, it } from 'vitest';
import { formAnswerer } from '../../test/fakes/form-answerer.js';
import { SmsRefused } from './gateway.js';
import { MAX_SMS_CHARS, smsText } from './outbound.js';
import { createSmsRuGateway, smsRuOutcome } from './smsru.js';

/** SMS.ru's answers as its documentation shows them, to a gateway that records what it posts. */
function answering(body: unknown, status = 200) {
  const { requests, fetchImpl } = formAnswerer(body, status);
  return { requests, gateway: createSmsRuGateway({ apiKey: 'API-ID', baseUrl: 'https://sms.test', sender: 'Otklik', fetchImpl }) };
}

describe('SMS.ru gateway', () => {
  it('posts api_id, the number as digits, the text, json=1 and the sender; returns the sms_id', async () => {
    const { requests, gateway } = answering({ status: 'OK', status_code: 100, balance: 12.5,
      sms: { '79131234567': { status: 'OK', status_code: 100, sms_id: '000000-10000001' } } });
    expect(await gateway.send('+79131234567', 'Код: 123456')).toEqual({ providerId: '000000-10000001' });
    expect(requests[0]!.url).toBe('https://sms.test/sms/send');
    expect(Object.fromEntries(requests[0]!.form)).toEqual({ api_id: 'API-ID', to: '79131234567', msg: 'Код: 123456', json: '1', from: 'Otklik' });
  });
  it('bounces a number SMS.ru will not serve, refuses for good on our settings, retries when it is unavailable', async () => {
    const perNumber = (code: number) =>
      answering({ status: 'OK', status_code: 100, sms: { '79131234567': { status: 'ERROR', status_code: code, status_text: 'нет' } } }).gateway;
    await expect(perNumber(207).send('+79131234567', 'x')).rejects.toMatchObject({ recipient: true, code: '207' });
    await expect(perNumber(220).send('+79131234567', 'x')).rejects.not.toBeInstanceOf(SmsRefused);
    const wrongKey = answering({ status: 'ERROR', status_code: 200, status_text: 'Неправильный api_id' }).gateway;
    await expect(wrongKey.send('+79131234567', 'x')).rejects.toMatchObject({ recipient: false, code: '200' });
    await expect(answering({}, 502).gateway.send('+79131234567', 'x')).rejects.toThrow(/HTTP 502/);
  });
  it('maps every documented code', () => {
    expect([100, 201, 202, 203, 204, 206, 207, 209, 220, 230, 300, 999].map(smsRuOutcome))
      .toEqual(['sent', 'retry', 'bounce', 'refused', 'refused', 'retry', 'bounce', 'bounce', 'retry', 'refused', 'refused', 'retry']);
  });
});

describe('smsText', () => {
  it('keeps a short notice whole with its links, and cuts a long text before its links', () => {
    expect(smsText({ text: 'Номер 2026-000042.', links: [{ title: 'Ход рассмотрения', url: 'https://o.ru/s' }] })).toBe(
      'Номер 2026-000042.\nХод рассмотрения: https://o.ru/s',
    );
    const long = smsText({ text: 'я'.repeat(2000), links: [{ title: 'Ответ', url: 'https://o.ru/s' }] });
    expect(long.length).toBeLessThanOrEqual(MAX_SMS_CHARS);
    expect(long.endsWith('…\nОтвет: https://o.ru/s')).toBe(true);
  });
});
