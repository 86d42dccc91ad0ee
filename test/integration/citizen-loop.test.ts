/**
 * The citizen's loop closed on the channels without a network: a widget appeal with an e-mail address and a 122 call
 * with a phone, through registration, routing, answer and approval, with every notice arriving at a real SMTP server
 * (smtp-server on loopback) and at a local SMS.ru; the status page from the notice's link shows the answer without
 * personal data, takes a low rating and a repeat review, and a second round's rating after the new answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../ingest/contact-center.js';
import { randomUUID } from '../../lib/ids.js';
import type { Otklik } from '../../main.js';
import { caseIdFor } from '../../workflow/register-case.js';
import { startFakeSmsRu, type FakeSmsRu } from '../fakes/fake-smsru.js';
import { startSmtpSink, type SmtpSink } from '../fakes/smtp-sink.js';
import { eventually, loginAs, startTestSystem } from '../support.js';

const SITE = 'https://www.krskstate.test';
const CITIZEN = { name: 'Иван Петрович Сидоров', email: 'ivan.sidorov@mail.test', address: 'ул. Ленина, 12, кв. 5' };
const APPEAL = 'У дома по улице Ленина 12 вторую неделю не вывозят мусор, контейнеры переполнены, запах на весь двор.';
const CALLER_PHONE = '+7 (913) 555-12-34';

interface Api {
  status: number;
  body: any;
}

describe('the citizen loop by e-mail, SMS and the status page', () => {
  let smtp: SmtpSink;
  let sms: FakeSmsRu;
  let system: Otklik;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  let org: { id: string };

  const call = async (path: string, method: string, token: string, body?: unknown): Promise<Api> => {
    const res = await fetch(`${system.url}${path}`, { method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, body: await res.json() };
  };
  const act = async (caseId: string, action: string, role: string, body: Record<string, unknown> = {}) => {
    const version = (await call(`/api/v1/cases/${caseId}`, 'GET', tokens.moderator!)).body.version as number;
    const r = await call(`/api/v1/cases/${caseId}/${action}`, 'POST', tokens[role]!, { expectedVersion: version, ...body });
    expect(r.status, `${action}: ${JSON.stringify(r.body)}`).toBe(200);
    return r.body;
  };
  const mailsTo = (address: string, subject: RegExp, n = 1) =>
    eventually(async () => {
      const m = smtp.to(address).filter((x) => subject.test(x.subject));
      return m.length >= n ? m : undefined;
    }, 20_000, `mail «${subject}» to ${address}`);
  const smsTo = (digits: string, text: RegExp) =>
    eventually(async () => sms.sent.find((s) => s.to === digits && text.test(s.text)), 20_000, `SMS ${text} to ${digits}`);
  const statusLinkIn = (text: string) => new URL(/https?:\/\/\S+\/status\/\S+/.exec(text)![0]);
  const caseStatus = async (caseId: string) => (await call(`/api/v1/cases/${caseId}`, 'GET', tokens.moderator!)).body.status as string;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    sms = await startFakeSmsRu({ apiId: 'smsru-api-id' });
    system = await startTestSystem({ SMTP_URL: smtp.url, OTKLIK_MAIL_FROM: 'Отклик <noreply@otklik.test>', SMS_API_KEY: 'smsru-api-id',
      SMS_API_BASE_URL: sms.url, SMS_SENDER: 'Otklik', WIDGET_ALLOWED_ORIGINS: SITE, OTKLIK_METRICS_TOKEN: 'metrics-token' });
    const admin = await loginAs(system.url!, 'admin', 'test-admin-password');
    org = (await call('/api/v1/organizations', 'POST', admin, { name: 'Администрация Советского района', kind: 'omsu' })).body;
    for (const [login, role, organizationId] of [['loop-moderator', 'moderator', null], ['loop-coordinator', 'coordinator', org.id], ['loop-executor',
      'executor', org.id], ['loop-leader', 'leader', org.id], ['loop-curator', 'curator', org.id]] as const)
    {
      const created = await call('/api/v1/users', 'POST', admin, { login, password: 'a-long-password', displayName: login, roles: [{ role, organizationId }] });
      expect(created.status).toBe(201);
      ids[role] = created.body.id;
      tokens[role] = await loginAs(system.url!, login, 'a-long-password');
    }
  });
  afterAll(async () => {
    await system?.stop();
    await sms?.close();
    await smtp?.close();
  });

  const submitWidget = async (email: string, text = APPEAL) => {
    const res = await fetch(`${system.url}/api/v1/widget/messages`, { method: 'POST', headers: { 'content-type': 'application/json', origin: SITE },
      body: JSON.stringify({ idempotencyKey: randomUUID(), org: 'adm-sov', category: 'ЖКХ', text, name: CITIZEN.name, email, address: CITIZEN.address,
        consent: true }) });
    expect(res.status).toBe(202);
    return caseIdFor(((await res.json()) as { messageId: string }).messageId);
  };
  const answerCase = async (caseId: string, text: string, first: boolean) => {
    if (first) await act(caseId, 'assign', 'coordinator', { executorId: ids.executor });
    await act(caseId, 'start', 'executor');
    await act(caseId, 'save-draft', 'executor', { text, attachments: [{ kind: 'photo', ref: 'https://files.krsk.test/musor-ubran.jpg' }] });
    await act(caseId, 'submit', 'executor');
    await act(caseId, 'approve', 'leader');
  };

  it('e-mails the widget citizen at every stage and shows the answer on the status page, without personal data', async () => {
    const caseId = await submitWidget(CITIZEN.email);
    const [registered] = await mailsTo(CITIZEN.email, /зарегистрировано/);
    const number = /номер (\d{4}-\d{6})/.exec(registered!.text)![1]!;
    expect(registered!.to).toEqual([CITIZEN.email]);
    expect(registered!.from).toBe('noreply@otklik.test');
    expect(registered!.messageId).toMatch(/@otklik\.test>$/);
    const link = statusLinkIn(registered!.text);
    expect(link.pathname).toBe(`/status/${number}`);
    expect(link.searchParams.get('token')).toMatch(/^[\w-]{32}$/);
    expect(registered!.html).toContain(`/status/${number}?token=`);

    await eventually(async () => (await call(`/api/v1/cases/${caseId}`, 'GET', tokens.moderator!)).status === 200, 15_000, 'case');
    await act(caseId, 'accept', 'moderator', { organizationId: org.id });
    const [routed] = await mailsTo(CITIZEN.email, /направлено на рассмотрение/);
    expect(routed!.text).toContain('Администрация Советского района');

    const answer =
      'Здравствуйте! Контейнерная площадка у дома по ул. Ленина, 12 очищена 21 ноября, вывоз организован ежедневно. С уважением, администрация района.';
    await answerCase(caseId, answer, true);
    const [answered] = await mailsTo(CITIZEN.email, /^Ответ на обращение/);
    expect(answered!.text).toContain(answer);
    expect(answered!.text).toContain('https://files.krsk.test/musor-ubran.jpg');
    expect(answered!.html).toContain('href="https://files.krsk.test/musor-ubran.jpg"');
    await mailsTo(CITIZEN.email, /^Оцените ответ/);

    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain(`Обращение № ${number}`);
    expect(html).toContain('Дан ответ');
    expect(html).toContain('Контейнерная площадка у дома по ул. Ленина, 12 очищена');
    for (const personal of [CITIZEN.name, CITIZEN.email, CITIZEN.address, APPEAL.slice(0, 40)]) expect(html).not.toContain(personal);

    const wrong = new URL(link);
    wrong.searchParams.set('token', `${link.searchParams.get('token')!.slice(0, 31)}A`);
    expect((await fetch(wrong)).status).toBe(404);
    expect((await fetch(`${system.url}/status/${number}`)).status).toBe(404);
    expect((await fetch(`${system.url}/status/2026-999999?token=${link.searchParams.get('token')}`)).status).toBe(404);

    const detail = (await call(`/api/v1/cases/${caseId}`, 'GET', tokens.coordinator!)).body;
    expect(detail.citizenChannel).toBe('email');
    expect(detail.deliveries.map((d: { kind: string; status: string; channel: string }) => `${d.channel}:${d.kind}:${d.status}`))
      .toEqual(expect.arrayContaining(['email:registered:sent', 'email:status:sent', 'email:answer:sent', 'email:rating_request:sent']));
  });

  it("takes a low rating and a repeat review through the page, then a second round's rating", async () => {
    const email = 'rounds@mail.test';
    const caseId = await submitWidget(email);
    const link = statusLinkIn((await mailsTo(email, /зарегистрировано/))[0]!.text);
    await eventually(async () => (await call(`/api/v1/cases/${caseId}`, 'GET', tokens.moderator!)).status === 200, 15_000, 'case');
    await act(caseId, 'accept', 'moderator', { organizationId: org.id });
    await answerCase(caseId, 'Здравствуйте! Вывоз мусора организован, площадка очищена 21 ноября. С уважением, администрация.', true);
    await eventually(async () => (await caseStatus(caseId)) === 'answered', 15_000, 'answered');

    const number = link.pathname.split('/').pop()!;
    const token = link.searchParams.get('token')!;
    const post = (path: string, form: Record<string, string>, origin = system.url!, proxy: Record<string, string> = {}) =>
      fetch(`${system.url}/status/${number}/${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin, ...proxy },
        body: new URLSearchParams(form),
      });
    // Behind a reverse proxy on loopback: the Host is the upstream's, the page's origin is the forwarded host.
    const viaProxy = { 'x-forwarded-host': 'otklik.krsk.test', 'x-forwarded-proto': 'https' };
    expect((await post('rating', { token, rating: '2' }, 'https://evil.test')).status).toBe(403);
    expect((await post('rating', { token: 'x'.repeat(32), rating: '2' })).status).toBe(404);
    expect((await post('rating', { token, rating: '2' }, 'https://evil.test', viaProxy)).status).toBe(403);
    const rated = await post('rating', { token, rating: '2', comment: 'Мусор снова не вывозят' }, 'https://otklik.krsk.test', viaProxy);
    expect(rated.status).toBe(303);
    expect(rated.headers.get('location')).toContain('done=rated');
    expect(await caseStatus(caseId)).toBe('rated');
    expect((await post('rating', { token, rating: '5' })).headers.get('location')).toContain('done=duplicate');
    await mailsTo(email, /^Повторное рассмотрение/);
    expect(await (await fetch(link)).text()).toContain('Попросить о повторном рассмотрении');

    expect((await post('repeat-review', { token, comment: 'Прошу проверить на месте' })).headers.get('location')).toContain('done=repeat');
    expect(await caseStatus(caseId)).toBe('repeat_review');
    await mailsTo(email, /на повторном рассмотрении/);

    await answerCase(caseId, 'Здравствуйте! Повторно проверили на месте 28 ноября: график вывоза восстановлен, площадка чистая. С уважением, администрация.',
      false);
    await eventually(async () => (await caseStatus(caseId)) === 'answered', 15_000, 'answered again');
    await mailsTo(email, /^Ответ на обращение/, 2);
    const again = await post('rating', { token, rating: '5' });
    expect(again.headers.get('location')).toContain('done=rated');
    expect(await caseStatus(caseId)).toBe('closed');
    const page = await (await fetch(link)).text();
    expect(page).toContain('Повторно проверили на месте');
    expect(page).toContain('Ответ оценён: 2 из 5');
    expect(page).toContain('Ответ оценён: 5 из 5');
  });

  it('sends the 122 caller every notice by SMS through SMS.ru; a caller without a number gets none and the staff see it', async () => {
    const card = (callId: string, phone?: string) =>
      JSON.stringify({ callId, receivedAt: new Date().toISOString(), ...(phone ? { phone } : {}),
        text: 'На перекрёстке Мира и Ленина не работает светофор с утра, машины едут как попало.', municipality: 'город Красноярск' });
    const post = async (body: string) => {
      const res = await fetch(`${system.url}/api/v1/contact-center/calls`, { method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': signBody('test-secret', body) }, body });
      expect(res.status).toBe(202);
      return caseIdFor(((await res.json()) as { messageId: string }).messageId);
    };
    const caseId = await post(card('loop-122-1', CALLER_PHONE));
    const registered = await smsTo('79135551234', /зарегистрировано/);
    expect(registered.from).toBe('Otklik');
    const number = /номер (\d{4}-\d{6})/.exec(registered.text)![1]!;
    expect(registered.text).toContain(`/status/${number}?token=`);

    await eventually(async () => (await call(`/api/v1/cases/${caseId}`, 'GET', tokens.moderator!)).status === 200, 15_000, 'case');
    await act(caseId, 'accept', 'moderator', { organizationId: org.id });
    await smsTo('79135551234', /направлено на рассмотрение/);
    await answerCase(caseId, 'Здравствуйте! Светофор на перекрёстке Мира и Ленина отремонтирован 21 ноября в 14:00. С уважением, администрация.', true);
    const answered = await smsTo('79135551234', /^Ответ на сообщение № \d{4}-\d{6}: /);
    expect(answered.text).toContain('Светофор на перекрёстке Мира и Ленина отремонтирован 21 ноября в 14:00.');
    expect(answered.text).toMatch(/Полный ответ, вложения и оценка: http:\/\/\S+\/status\//);
    const page = await (await fetch(statusLinkIn(answered.text))).text();
    expect(page).toContain('Светофор на перекрёстке Мира и Ленина отремонтирован');
    for (const personal of ['555-12-34', '79135551234', '+79135551234']) expect(page).not.toContain(personal);
    expect(sms.sent.filter((s) => s.to === '79135551234').every((s) => s.text.length <= 8 * 67)).toBe(true);
    const detail = (await call(`/api/v1/cases/${caseId}`, 'GET', tokens.coordinator!)).body;
    expect(detail.deliveries.every((d: { channel: string; status: string }) => d.channel === 'sms' && d.status === 'sent')).toBe(true);

    const silent = await post(card('loop-122-anonymous'));
    await eventually(async () => (await call(`/api/v1/cases/${silent}`, 'GET', tokens.moderator!)).status === 200, 15_000, 'anonymous case');
    const none = (await call(`/api/v1/cases/${silent}`, 'GET', tokens.moderator!)).body;
    expect(none).toMatchObject({ citizenChannel: null, deliveries: [] });
  });

  it('retries an SMS while SMS.ru is unavailable: the trail shows it retrying, then sent on the third attempt', async () => {
    const body = JSON.stringify({ callId: 'loop-122-retry', receivedAt: new Date().toISOString(), phone: '+7 913 555-77-88',
      text: 'Во дворе дома по улице Мира 40 вторые сутки нет горячей воды, управляющая компания не отвечает.', municipality: 'город Красноярск' });
    sms.unavailable(2);
    const res = await fetch(`${system.url}/api/v1/contact-center/calls`, { method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signBody('test-secret', body) }, body });
    expect(res.status).toBe(202);
    const caseId = caseIdFor(((await res.json()) as { messageId: string }).messageId);
    type Delivery = { kind: string; status: string; attempts: number; error: string | null; channel: string };
    const registeredDelivery = async () =>
      ((await call(`/api/v1/cases/${caseId}`, 'GET', tokens.moderator!)).body.deliveries as Delivery[] | undefined)
        ?.find((d) => d.kind === 'registered');
    const retrying = await eventually(async () => {
      const d = await registeredDelivery();
      return d?.status === 'retrying' ? d : undefined;
    }, 20_000, 'retrying');
    expect(retrying).toMatchObject({ channel: 'sms', error: expect.stringContaining('220') });
    const sent = await eventually(async () => {
      const d = await registeredDelivery();
      return d?.status === 'sent' ? d : undefined;
    }, 30_000, 'sent after retries');
    expect(sent.attempts).toBe(3);
    expect(sms.requests.filter((r) => r.to === '79135557788')).toHaveLength(3);
    expect(sms.sent.filter((m) => m.to === '79135557788' && /зарегистрировано/.test(m.text))).toHaveLength(1);
  });

  it('tells the reason of a rejection, bounces a mailbox the server refuses, and counts deliveries in /metrics', async () => {
    const caseId = await submitWidget('rejected@mail.test', 'Хочу сообщить что в нашем районе всё хорошо, спасибо всем, просто пишу чтобы проверить.');
    await mailsTo('rejected@mail.test', /зарегистрировано/);
    await eventually(async () => (await call(`/api/v1/cases/${caseId}`, 'GET', tokens.moderator!)).status === 200, 15_000, 'case');
    await act(caseId, 'reject', 'moderator', { reason: 'сообщение не содержит проблемы' });
    const [rejected] = await mailsTo('rejected@mail.test', /отклонено/);
    expect(rejected!.text).toContain('Причина: сообщение не содержит проблемы');

    smtp.refuse('nobody@mail.test');
    const bounced = await submitWidget('nobody@mail.test');
    const trail = await eventually(async () => {
      const d = (await call(`/api/v1/cases/${bounced}`, 'GET', tokens.moderator!)).body.deliveries as
        | { kind: string; status: string; error: string }[]
        | undefined;
      return d?.find((x) => x.kind === 'registered' && x.status === 'bounced');
    }, 20_000, 'bounced delivery');
    expect(trail.error).toMatch(/550/);
    expect(smtp.to('nobody@mail.test')).toEqual([]);

    const metrics = await (await fetch(`${system.url}/metrics`, { headers: { authorization: 'Bearer metrics-token' } })).text();
    expect(metrics).toMatch(/otklik_outbound_deliveries_total\{channel="email",status="sent"\} [1-9]/);
    expect(metrics).toMatch(/otklik_outbound_deliveries_total\{channel="sms",status="sent"\} [1-9]/);
    expect(metrics).toMatch(/otklik_outbound_deliveries_total\{channel="email",status="bounced"\} 1/);
    expect(metrics).toMatch(/otklik_outbound_deliveries_total\{channel="sms",status="retrying"\} 2/);
  });
});
