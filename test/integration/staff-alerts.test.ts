/**
 * Staff alerts outside the app, on a controllable clock: every kind of step reaches the people it concerns by e-mail
 * (and Telegram once linked), grouped — one message per user per 5 minutes listing the cases with links — and
 * topics, channels and deactivation are respected. The scheduled job runs through the workflow's own worker at the
 * clock's time; messages are asserted as the outbound jobs they become (recipient sealed in Redis).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../lib/queues.js';
import { createStaffLinkDesk } from '../../workflow/staff/telegram-link.js';
import { api, buildClassified, createOrg, createUser, HARNESS_PUBLIC_URL, registerThroughQueue, runStaffJob, staffMail, startWorkflowHarness, testClock,
  type Api, type Harness } from './workflow-harness.js';

// 10:00 in Krasnoyarsk.
const T0 = '2026-11-20T03:00:00.000Z';
const minutes = (n: number) => new Date(new Date(T0).getTime() + n * 60_000);

describe('staff alerts by e-mail and Telegram', () => {
  let h: Harness;
  let a: Api;
  let org: string;
  let org2: string;
  const u: Record<string, { id: string; token: string; login: string }> = {};
  const mail = (login: string) => `${login}@krsk.example`;

  beforeAll(async () => {
    h = await startWorkflowHarness({ clock: testClock(T0) });
    a = api(h);
    org = await createOrg(h, 'Администрация Советского района');
    org2 = await createOrg(h, 'МКУ «Управление дорог»');
    const specs: [string, [string, string | null][]][] = [
      ['moderator', [['moderator', null]]],
      ['coordinator', [['coordinator', org]]],
      ['silent', [['coordinator', org]]],
      ['executor', [['executor', org]]],
      ['executor2', [['executor', org]]],
      ['leader', [['leader', org]]],
      ['curator', [['curator', org]]],
      ['coordinator2', [['coordinator', org2]]],
      ['leader2', [['leader', org2]]],
    ];
    for (const [login, roles] of specs) u[login] = await createUser(h, login, roles);
    // Staff cards with an e-mail; «silent» has none, so it has no channel.
    for (const login of Object.keys(u).filter((l) => l !== 'silent')) {
      await h.db.query('update users set email = $2 where id = $1', [u[login]!.id, mail(login)]);
    }
  });
  afterAll(async () => {
    await h?.stop();
  });

  const act = async (caseId: string, action: string, who: string, body: Record<string, unknown> = {}) => {
    const version = (await h.db.query<{ version: number }>('select version from cases where id = $1', [caseId])).rows[0]!.version;
    const r = await a.post(`/api/v1/cases/${caseId}/${action}`, { expectedVersion: version, ...body }, u[who]!.token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };
  const numberOf = async (caseId: string) => (await h.db.query<{ n: string }>('select registration_number as n from cases where id = $1', [caseId])).rows[0]!.n;
  const alertsTo = (login: string) => staffMail(h, 'staff_alert', mail(login));
  const tick = async (at: Date) => {
    h.clock.set(at);
    return runStaffJob(h, 'alerts');
  };

  it('tells the coordinators of the organization a case was routed to, in one grouped message with links to the cases', async () => {
    h.clock.set(T0);
    const first = await registerThroughQueue(h, buildClassified());
    const second = await registerThroughQueue(h, buildClassified({ category: 'ЖКХ' }));
    await act(first, 'accept', 'moderator', { organizationId: org });
    await act(second, 'accept', 'moderator', { organizationId: org });
    expect(await alertsTo('coordinator')).toEqual([]);

    // One user alerted: the coordinator with an e-mail; the other has no channel.
    expect(await tick(minutes(0.5))).toMatchObject({ alerted: 1 });
    const [m, ...rest] = await alertsTo('coordinator');
    expect(rest).toEqual([]);
    expect(m).toMatchObject({ channel: 'email', kind: 'staff_alert', target: { email: mail('coordinator') }, subject: 'Отклик: 2 новых уведомления' });
    expect(m!.caseId).toBeUndefined();
    const [n1, n2] = [await numberOf(first), await numberOf(second)];
    expect(m!.text).toContain(`Новое обращение № ${n1} в организацию «Администрация Советского района»: Дороги. Срок ответа — до 20.12.2026.`);
    expect(m!.text).toContain(`Новое обращение № ${n2}`);
    expect(m!.links).toEqual([
      { title: `Обращение № ${n1}`, url: `${HARNESS_PUBLIC_URL}/cases/${first}` },
      { title: `Обращение № ${n2}`, url: `${HARNESS_PUBLIC_URL}/cases/${second}` },
      { title: 'Все уведомления', url: `${HARNESS_PUBLIC_URL}/desk#notifications` },
    ]);
    // The other coordinator has no e-mail and no Telegram: the notices wait in the desk only.
    const silent = (await a.get('/api/v1/notifications', u.silent!.token)).body;
    expect(silent.items.filter((n: { caseId: string }) => [first, second].includes(n.caseId)).map((n: { topic: string }) => n.topic)).toEqual(['routed',
      'routed']);
    // Nothing new: nothing sent, however often the job runs.
    expect(await tick(minutes(1))).toMatchObject({ alerted: 0 });
    expect(await alertsTo('coordinator')).toHaveLength(1);
  });

  it('sends no more than one message per user per 5 minutes: what comes in between goes together', async () => {
    h.clock.set(minutes(10));
    const caseId = await registerThroughQueue(h, buildClassified());
    await act(caseId, 'accept', 'moderator', { organizationId: org });
    await tick(minutes(10.5));
    const before = (await alertsTo('coordinator')).length;
    h.clock.set(minutes(11));
    await act(caseId, 'assign', 'coordinator', { executorId: u.executor!.id });
    h.clock.set(minutes(12));
    await act(caseId, 'return-to-coordinator', 'executor', { comment: 'Не мой участок' });
    h.clock.set(minutes(13));
    const other = await registerThroughQueue(h, buildClassified());
    await act(other, 'accept', 'moderator', { organizationId: org });
    // 3 minutes after the last alert: too soon for the coordinator; the executor's first alert goes at once.
    await tick(minutes(13.5));
    expect(await alertsTo('coordinator')).toHaveLength(before);
    expect((await alertsTo('executor')).at(-1)!.text).toContain(`Вам назначено обращение № ${await numberOf(caseId)}`);
    await tick(minutes(15.4));
    expect(await alertsTo('coordinator')).toHaveLength(before);
    await tick(minutes(15.6));
    const all = await alertsTo('coordinator');
    expect(all).toHaveLength(before + 1);
    expect(all.at(-1)!.text).toContain(`Исполнитель вернул обращение № ${await numberOf(caseId)}: Не мой участок`);
    expect(all.at(-1)!.text).toContain(`Новое обращение № ${await numberOf(other)}`);
  });

  it('alerts each step to whom it concerns: assigned, passed, submitted for approval, returned for rework, redirected', async () => {
    h.clock.set(minutes(30));
    const caseId = await registerThroughQueue(h, buildClassified());
    const moved = await registerThroughQueue(h, buildClassified());
    const number = await numberOf(caseId);
    await act(caseId, 'accept', 'moderator', { organizationId: org });
    await act(moved, 'accept', 'moderator', { organizationId: org });
    await act(caseId, 'assign', 'coordinator', { executorId: u.executor!.id });
    await act(caseId, 'pass', 'executor', { executorId: u.executor2!.id });
    await act(caseId, 'start', 'executor2');
    await act(caseId, 'save-draft', 'executor2', { text: 'Здравствуйте! Яма заделана 21 ноября, фото прилагаем. Телефон 8 (391) 200-00-00.' });
    await act(caseId, 'submit', 'executor2');
    await act(caseId, 'return', 'leader', { comment: 'Укажите сроки' });
    await act(moved, 'redirect', 'coordinator', { organizationId: org2, reason: 'Содержание дорог' });
    await tick(minutes(40));
    const last = async (login: string) => (await alertsTo(login)).at(-1)!;
    expect((await last('executor')).text).toContain(`Вам назначено обращение № ${number}`);
    const passed = await last('executor2');
    expect(passed.text).toContain(`Вам передано обращение № ${number}`);
    expect(passed.text).toContain(`Ответ на обращение № ${number} возвращён на доработку: Укажите сроки`);
    expect((await last('leader')).text).toContain(`Ответ на обращение № ${number} ждёт утверждения`);
    const redirected = await last('coordinator2');
    expect(redirected.text).toContain(
      `Перенаправлено из «Администрация Советского района» (Содержание дорог) обращение № ${await numberOf(moved)} в организацию «МКУ «Управление дорог»»`,
    );
    expect(redirected.links![0]).toEqual({ title: `Обращение № ${await numberOf(moved)}`, url: `${HARNESS_PUBLIC_URL}/cases/${moved}` });
    // The curator, on no step of these, heard nothing.
    expect(await alertsTo('curator')).toEqual([]);
  });

  it('alerts 3 days and 1 day before the deadline (the coordinators and the executor) and when it passes (the leader and curators)', async () => {
    h.clock.set(minutes(60));
    const caseId = await registerThroughQueue(h, buildClassified({ deadlineDays: 10 }));
    await act(caseId, 'accept', 'moderator', { organizationId: org });
    await act(caseId, 'assign', 'coordinator', { executorId: u.executor!.id });
    const number = await numberOf(caseId);
    const reminded = async (at: string) => {
      h.clock.set(at);
      await h.stage.sweep();
      await tick(new Date(at));
    };
    // The term ends at midnight after 30 Nov in Krasnoyarsk; «3 days» at 09:00 there on the 27th, «1 day» on the 29th.
    await reminded('2026-11-27T02:01:00.000Z');
    for (const who of ['coordinator', 'executor']) {
      expect((await alertsTo(who)).at(-1)!.text).toContain(`Обращение № ${number}: до окончания срока ответа 3 дн. (срок — до 30.11.2026 включительно).`);
    }
    await reminded('2026-11-29T02:01:00.000Z');
    expect((await alertsTo('executor')).at(-1)!.text).toContain(`Обращение № ${number}: до окончания срока ответа 1 дн.`);
    expect((await alertsTo('leader')).some((m) => m.text.includes(`№ ${number}: до окончания`))).toBe(false);
    await reminded('2026-11-30T17:00:00.000Z');
    for (const who of ['leader', 'curator']) {
      const m = (await alertsTo(who)).at(-1)!;
      expect(m.text).toContain(`Обращение № ${number} просрочено: срок ответа истёк 30.11.2026.`);
    }
  });

  it("respects each user's choice: muted topics, e-mail off, Telegram linked with a one-time code, deactivation", async () => {
    h.clock.set(minutes(24 * 60 * 20));
    const me = await a.get('/api/v1/me/alerts', u.coordinator2!.token);
    expect(me.body).toMatchObject({ email: { enabled: true, address: mail('coordinator2') }, telegram: { enabled: false, linked: false }, digest: true,
      digestTimes: ['09:00', '14:00'], intervalMinutes: 5 });
    expect(me.body.topics.every((t: { enabled: boolean }) => t.enabled)).toBe(true);
    // Telegram cannot be chosen before a chat is linked.
    expect((await a.send('PUT', '/api/v1/me/alerts', { emailEnabled: true, telegramEnabled: true, digest: true }, u.coordinator2!.token)).status).toBe(409);

    // The desk gives a code; the bot hands it to the workflow with the chat it came from.
    const code = (await a.post('/api/v1/me/alerts/telegram-code', undefined, u.coordinator2!.token)).body;
    expect(code).toMatchObject({ code: expect.stringMatching(/^[A-Z2-9]{8}$/), command: `/link ${code.code}` });
    const desk = createStaffLinkDesk({ db: h.db, now: h.clock.now });
    expect(await desk.link({ code: 'WRONG234', chatId: '555001' })).toEqual({ linked: false, reason: 'invalid' });
    expect(await desk.link({ code: code.code.toLowerCase(), chatId: '555001' })).toEqual({ linked: true, displayName: 'Сотрудник coordinator2' });
    expect(await desk.link({ code: code.code, chatId: '555002' })).toEqual({ linked: false, reason: 'invalid' });
    expect((await a.get('/api/v1/me/alerts', u.coordinator2!.token)).body.telegram).toEqual({ enabled: true, linked: true });

    const route = async (minute: number, before?: () => Promise<unknown>) => {
      h.clock.set(minutes(24 * 60 * 20 + minute));
      const caseId = await registerThroughQueue(h, buildClassified());
      await act(caseId, 'accept', 'moderator', { organizationId: org2 });
      await before?.();
      await tick(minutes(24 * 60 * 20 + minute + 1));
      return caseId;
    };
    const both = await route(0);
    const tg = await staffMail(h, 'staff_alert', '555001');
    expect(tg.at(-1)).toMatchObject({ channel: 'telegram', target: { chatId: '555001' } });
    expect(tg.at(-1)!.text).toContain(await numberOf(both));
    expect((await alertsTo('coordinator2')).at(-1)!.text).toContain(await numberOf(both));

    // E-mail off and «routed» muted: nothing leaves, the desk still has it.
    const saved = await a.send('PUT', '/api/v1/me/alerts', { emailEnabled: false, telegramEnabled: true, mutedTopics: ['routed'], digest: false },
      u.coordinator2!.token);
    expect(saved.status).toBe(200);
    expect(saved.body.topics.find((t: { topic: string }) => t.topic === 'routed').enabled).toBe(false);
    const emailCount = (await alertsTo('coordinator2')).length;
    const tgCount = (await staffMail(h, 'staff_alert', '555001')).length;
    const muted = await route(10);
    expect(await alertsTo('coordinator2')).toHaveLength(emailCount);
    expect(await staffMail(h, 'staff_alert', '555001')).toHaveLength(tgCount);
    expect((await a.get('/api/v1/notifications?unread=true', u.coordinator2!.token)).body.items.some((n: { caseId: string }) => n.caseId === muted)).toBe(true);

    // Unlinked in the desk (or by /unlink in the bot): Telegram is off again.
    await a.send('PUT', '/api/v1/me/alerts', { emailEnabled: true, telegramEnabled: true, mutedTopics: [], digest: true }, u.coordinator2!.token);
    expect((await a.send('DELETE', '/api/v1/me/alerts/telegram', undefined, u.coordinator2!.token)).status).toBe(200);
    expect(await desk.unlink({ chatId: '555001' })).toBe(0);
    await route(20);
    expect(await staffMail(h, 'staff_alert', '555001')).toHaveLength(tgCount);
    expect(await alertsTo('coordinator2')).toHaveLength(emailCount + 1);

    // A user deactivated before the alert goes is sent nothing.
    await route(30, () => h.db.query('update users set active = false where id = $1', [u.coordinator2!.id]));
    expect(await alertsTo('coordinator2')).toHaveLength(emailCount + 1);
    await h.db.query('update users set active = true where id = $1', [u.coordinator2!.id]);
  });

  it("keeps alerts out of citizens' channels and out of the case: staff mail names no case and carries no citizen contact", async () => {
    const all: OutboundMessage[] = await staffMail(h, 'staff_alert');
    expect(all.length).toBeGreaterThan(5);
    for (const m of all) {
      expect(m.caseId).toBeUndefined();
      expect(m.messageId).toBeUndefined();
      expect(Object.keys(m.target).sort()).toEqual([m.channel === 'email' ? 'email' : 'chatId']);
      expect(m.text).not.toContain('+73912223344');
    }
  });
});
