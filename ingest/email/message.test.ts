import { describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../lib/queues.js';
import { classifySmtpError, smtpServerOf } from './outbound.js';
import { htmlBody, mailOf, senderDomain } from './message.js';

const message = (o: Partial<OutboundMessage> = {}): OutboundMessage => ({
  outboundId: '5f0c3f0e-8d52-5c1a-9a43-3a6e1c2b7d10',
  caseId: '11111111-1111-4111-8111-111111111111',
  messageId: '22222222-2222-4222-8222-222222222222',
  source: 'widget',
  channel: 'email',
  kind: 'answer',
  subject: 'Ответ на обращение № 2026-000042',
  text: 'Ответ на сообщение № 2026-000042:\n\nЗдравствуйте!\nЯма заделана <сегодня>.',
  target: { email: 'ivan@example.ru' },
  links: [{ title: 'Фото 1', url: 'https://files.example.ru/1.jpg' }, { title: 'Оценить ответ',
    url: 'https://otklik.example.ru/status/2026-000042?token=abc&x=1' }],
  ...o,
});

describe('mailOf', () => {
  it('addresses the mail, keeps the subject, writes the links out in the text and derives the Message-ID from the outboundId', () => {
    const mail = mailOf(message(), 'Отклик <noreply@otklik.example.ru>');
    expect(mail).toMatchObject({ from: 'Отклик <noreply@otklik.example.ru>', to: 'ivan@example.ru', subject: 'Ответ на обращение № 2026-000042',
      messageId: '<5f0c3f0e-8d52-5c1a-9a43-3a6e1c2b7d10@otklik.example.ru>' });
    expect(mail.text).toBe('Ответ на сообщение № 2026-000042:\n\nЗдравствуйте!\nЯма заделана <сегодня>.\n\n' +
      'Фото 1: https://files.example.ru/1.jpg\nОценить ответ: https://otklik.example.ru/status/2026-000042?token=abc&x=1');
  });
  it("takes a Russian subject by kind when the producer gave none (staff mail as well as citizens')", () => {
    expect(mailOf(message({ subject: undefined, kind: 'code' }), 'a@b.ru').subject).toBe('Код подтверждения');
    expect(mailOf(message({ subject: undefined, kind: 'staff_digest', caseId: undefined }), 'a@b.ru').subject).toBe('Сводка системы «Отклик»');
  });
});

describe('htmlBody', () => {
  it('escapes the text, keeps paragraphs and line breaks, and makes only web links clickable', () => {
    const html = htmlBody(message({ links: [{ title: 'Сайт', url: 'https://x.ru/?a=1&b=2' }, { title: 'Опасная', url: 'javascript:alert(1)' }] }));
    expect(html).toContain('<p>Здравствуйте!<br>Яма заделана &lt;сегодня&gt;.</p>');
    expect(html).toContain('<a href="https://x.ru/?a=1&amp;b=2">Сайт</a>');
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('<li>Опасная: javascript:alert(1)</li>');
  });
});

describe('e-mail settings and SMTP errors', () => {
  it('finds the sender domain and names the server without its credentials', () => {
    expect(senderDomain('Отклик <noreply@otklik.example.ru>')).toBe('otklik.example.ru');
    expect(senderDomain('robot@mail.krsk.ru')).toBe('mail.krsk.ru');
    expect(smtpServerOf('smtps://user:secret@smtp.example.ru')).toBe('smtps://smtp.example.ru:465');
    expect(smtpServerOf('smtp://u:p@127.0.0.1:2525')).toBe('smtp://127.0.0.1:2525');
  });
  it('bounces on a permanent refusal of the mailbox or the message, retries 4xx and connection faults, refuses bad credentials', () => {
    expect(classifySmtpError({ name: 'Error', message: '', code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO', permanent: true })).toBe('bounce');
    expect(classifySmtpError({ name: 'Error', message: '', code: 'EMESSAGE', responseCode: 552, command: 'DATA' })).toBe('bounce');
    expect(classifySmtpError({ name: 'Error', message: '', code: 'EENVELOPE', responseCode: 451, command: 'RCPT TO', permanent: false })).toBe('retry');
    expect(classifySmtpError({ name: 'Error', message: '', code: 'ECONNECTION' })).toBe('retry');
    expect(classifySmtpError({ name: 'Error', message: '', code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN' })).toBe('settings');
  });
});
