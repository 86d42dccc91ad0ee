/**
 * Deliveries to citizens: how fast the e-mail adapter hands mail to an SMTP server (a real smtp-server on loopback,
 * nodemailer's pool of 2 connections) and the SMS adapter to SMS.ru's API (the local fake), at the outbound worker's
 * concurrency of 5; and what rendering the status page costs. Loopback only: a provider's own latency comes on top.
 */
import { createEmailOutbound } from '../ingest/email/outbound.js';
import type { OutboundAdapter } from '../ingest/outbound-adapter.js';
import { createSmsGateway, createSmsOutbound } from '../ingest/sms/outbound.js';
import { statusPageBody } from '../dashboard/status-page.js';
import { randomUUID } from '../lib/ids.js';
import type { OutboundMessage } from '../lib/queues.js';
import { startFakeSmsRu } from '../test/fakes/fake-smsru.js';
import { startSmtpSink } from '../test/fakes/smtp-sink.js';
import type { BenchResult } from './index.js';

const CONCURRENCY = 5;

async function drive(adapter: OutboundAdapter, n: number, make: (i: number) => OutboundMessage): Promise<{ seconds: number; perSecond: number }> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < n) await adapter.deliver(make(next++));
  }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, perSecond: n / seconds };
}

const notice = (i: number, target: Record<string, string>, channel: 'email' | 'sms'): OutboundMessage => ({
  outboundId: randomUUID(),
  caseId: randomUUID(),
  messageId: randomUUID(),
  source: 'widget',
  channel,
  kind: 'answer',
  subject: `Ответ на обращение № 2026-${String(i).padStart(6, '0')}`,
  text: `Ответ на сообщение № 2026-${
    String(i).padStart(6, '0')
  }:\n\nЗдравствуйте! Контейнерная площадка очищена, вывоз мусора организован ежедневно. С уважением, администрация района.`,
  links: [{ title: 'Фото 1', url: 'https://files.example.ru/1.jpg' }, { title: 'Оценить ответ',
    url: `https://otklik.example.ru/status/2026-${i}?token=${'a'.repeat(32)}` }],
  target,
});

export default async function deliveries(options: Record<string, string> = {}): Promise<BenchResult> {
  const mails = Number(options.mails ?? 500);
  const texts = Number(options.sms ?? 500);
  const rows: Record<string, string | number>[] = [];
  const smtp = await startSmtpSink();
  const sms = await startFakeSmsRu({ apiId: 'bench' });
  const email = createEmailOutbound({ smtpUrl: smtp.url, from: 'Отклик <noreply@otklik.example.ru>' });
  try {
    const e = await drive(email, mails, (i) => notice(i, { email: `citizen${i}@mail.test` }, 'email'));
    rows.push({ what: 'e-mail via SMTP (pool of 2)', messages: mails, seconds: e.seconds, per_second: e.perSecond, arrived: smtp.mails.length });
    const smsAdapter = createSmsOutbound(createSmsGateway({ provider: 'smsru', apiKey: 'bench', baseUrl: sms.url }));
    const s = await drive(smsAdapter, texts, (i) => notice(i, { phone: `+7913${String(1_000_000 + i)}` }, 'sms'));
    rows.push({ what: 'SMS via SMS.ru API', messages: texts, seconds: s.seconds, per_second: s.perSecond, arrived: sms.sent.length });
  } finally {
    await email.close?.();
    await sms.close();
    await smtp.close();
  }
  const view = { registrationNumber: '2026-000042', status: 'answered', category: 'ЖКХ', organizationName: 'Администрация района', registeredAt: new Date(),
    deadlineAt: new Date(), round: 0, rejectionReason: null, rating: null, canRate: true, canRequestRepeatReview: false,
    stages: Array.from({ length: 6 }, (_, i) => ({ at: new Date(), title: `Этап ${i}` })),
    answer: { text: 'Здравствуйте! '.repeat(50), at: new Date(), links: [{ title: 'Фото 1', url: 'https://files.example.ru/1.jpg' }] } };
  const renders = 5000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < renders; i++) statusPageBody(view, 'a'.repeat(32), 'Asia/Krasnoyarsk');
  const microseconds = Number(process.hrtime.bigint() - started) / 1e3 / renders;
  rows.push({ what: 'status page body render', messages: renders, seconds: (microseconds * renders) / 1e6, per_second: 1e6 / microseconds, arrived: '' });
  return { rows, summary: { concurrency: CONCURRENCY, statusPageRenderMicroseconds: Math.round(microseconds) } };
}
