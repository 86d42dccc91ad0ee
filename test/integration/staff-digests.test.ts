/**
 * Digests twice a day: the job is invoked for given instants (no waiting for 09:00); each user gets, on their
 * channel, what waits for them by role and what is within 3 days of its deadline, once per slot. The schedulers that
 * start the job are BullMQ job schedulers with cron patterns in the region's zone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleStaffWork } from '../../workflow/staff/schedule.js';
import { api, buildClassified, createOrg, createUser, HARNESS_PUBLIC_URL, registerThroughQueue, runStaffJob, staffMail, startWorkflowHarness, testClock,
  type Api, type Harness } from './workflow-harness.js';

// 03:00 on 4 Dec in Krasnoyarsk (UTC+7).
const T0 = '2026-12-03T20:00:00.000Z';

describe('staff digests', () => {
  let h: Harness;
  let a: Api;
  let org: string;
  const u: Record<string, { id: string; token: string; login: string }> = {};
  const c: Record<string, string> = {};
  const mail = (login: string) => `${login}@krsk.example`;
  const numberOf = async (caseId: string) => (await h.db.query<{ n: string }>('select registration_number as n from cases where id = $1', [caseId])).rows[0]!.n;

  const act = async (caseId: string, action: string, who: string, body: Record<string, unknown> = {}) => {
    const version = (await h.db.query<{ version: number }>('select version from cases where id = $1', [caseId])).rows[0]!.version;
    const r = await a.post(`/api/v1/cases/${caseId}/${action}`, { expectedVersion: version, ...body }, u[who]!.token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };

  beforeAll(async () => {
    h = await startWorkflowHarness({ clock: testClock(T0) });
    a = api(h);
    org = await createOrg(h, 'Администрация Ленинского района');
    for (const [login, role, o] of [['moderator', 'moderator', null], ['coordinator', 'coordinator', org], ['executor', 'executor', org], ['idle', 'executor',
      org], ['leader', 'leader', org], ['curator', 'curator', org], ['optout', 'coordinator', org]] as const)
    {
      u[login] = await createUser(h, login, [[role, o]]);
      await h.db.query('update users set email = $2 where id = $1', [u[login]!.id, mail(login)]);
    }
    await a.send('PUT', '/api/v1/me/alerts', { emailEnabled: true, telegramEnabled: false, digest: false }, u.optout!.token);
    // Waiting for the coordinator (routed), the executor (assigned, one of them due in 2 days), the leader (on approval), a moderator.
    c.routed = await registerThroughQueue(h, buildClassified({ deadlineDays: 30 }));
    c.assigned = await registerThroughQueue(h, buildClassified({ deadlineDays: 10 }));
    c.urgent = await registerThroughQueue(h, buildClassified({ deadlineDays: 2, category: 'ЖКХ' }));
    c.approval = await registerThroughQueue(h, buildClassified({ deadlineDays: 30 }));
    c.moderation = await registerThroughQueue(h, buildClassified({ deadlineDays: 30 }));
    for (const k of ['routed', 'assigned', 'urgent', 'approval']) await act(c[k]!, 'accept', 'moderator', { organizationId: org });
    for (const k of ['assigned', 'urgent', 'approval']) await act(c[k]!, 'assign', 'coordinator', { executorId: u.executor!.id });
    await act(c.approval!, 'start', 'executor');
    await act(c.approval!, 'save-draft', 'executor', { text: 'Здравствуйте! Работы выполнены 3 декабря. Телефон для справок 8 (391) 200-00-00.' });
    await act(c.approval!, 'submit', 'executor');
  });
  afterAll(async () => {
    await h?.stop();
  });

  const digestOf = async (login: string) => (await staffMail(h, 'staff_digest', mail(login))).at(-1);

  it('sends each user what waits for them by role and what is close to its deadline, at 09:00 region time', async () => {
    // The job runs a little late: the slot is still 09:00 in Krasnoyarsk.
    h.clock.set('2026-12-04T02:02:00.000Z');
    const done = await runStaffJob(h, 'digest');
    expect(done).toMatchObject({ slot: '2026-12-04T02:00:00.000Z', digests: 5 });
    const n = Object.fromEntries(await Promise.all(Object.entries(c).map(async ([k, id]) => [k, await numberOf(id)] as const)));

    const coordinator = (await digestOf('coordinator'))!;
    expect(coordinator).toMatchObject({ channel: 'email', kind: 'staff_digest', subject: 'Отклик: сводка на 04.12.2026, 09:00 — ждут действий: 1' });
    expect(coordinator.text).toContain('Сводка Отклика на 04.12.2026, 09:00.');
    expect(coordinator.text).toContain(
      `Ждут ваших действий: 1\n• № ${n.routed} — направлено в организацию, Дороги, Администрация Ленинского района; срок до 03.01.2027 (30 дней)`,
    );
    // Registered at 03:00 on 4 Dec with 2 days: due at the end of 6 Dec, region time.
    expect(coordinator.text).toContain(
      `Срок истекает в ближайшие 3 дня: 1\n• № ${n.urgent} — назначен исполнитель, ЖКХ, Администрация Ленинского района; срок до 06.12.2026 (2 дня)`,
    );
    expect(coordinator.links).toEqual([
      { title: `Обращение № ${n.urgent}`, url: `${HARNESS_PUBLIC_URL}/cases/${c.urgent}` },
      { title: `Обращение № ${n.routed}`, url: `${HARNESS_PUBLIC_URL}/cases/${c.routed}` },
      { title: 'Рабочий стол', url: `${HARNESS_PUBLIC_URL}/desk` },
    ]);

    const executor = (await digestOf('executor'))!;
    expect(executor.text).toContain('Ждут ваших действий: 2');
    expect(executor.text).toContain(`№ ${n.urgent}`);
    expect(executor.text).toContain(`№ ${n.assigned}`);
    expect(executor.text).not.toContain('Срок истекает');

    const leader = (await digestOf('leader'))!;
    expect(leader.text).toContain(`Ждут ваших действий: 1\n• № ${n.approval} — на утверждении`);
    expect(leader.text).toContain(`Срок истекает в ближайшие 3 дня: 1\n• № ${n.urgent}`);
    // The curator has nothing to do, but sees what is close to its deadline in their organization.
    const curator = (await digestOf('curator'))!;
    expect(curator.text).not.toContain('Ждут ваших действий');
    expect(curator.text).toContain(`№ ${n.urgent}`);
    expect((await digestOf('moderator'))!.text).toContain(`Ждут ваших действий: 1\n• № ${n.moderation} — на модерации`);
    // Nothing for someone with nothing to do, nor for who turned digests off.
    expect(await digestOf('idle')).toBeUndefined();
    expect(await digestOf('optout')).toBeUndefined();
  });

  it('sends one digest per slot, whatever runs the job again, and the next at 14:00', async () => {
    h.clock.set('2026-12-04T02:40:00.000Z');
    expect(await runStaffJob(h, 'digest')).toMatchObject({ slot: '2026-12-04T02:00:00.000Z', digests: 0 });
    expect(await staffMail(h, 'staff_digest', mail('coordinator'))).toHaveLength(1);
    h.clock.set('2026-12-04T07:00:30.000Z');
    expect(await runStaffJob(h, 'digest')).toMatchObject({ slot: '2026-12-04T07:00:00.000Z', digests: 5 });
    const afternoon = (await staffMail(h, 'staff_digest', mail('coordinator'))).at(-1)!;
    expect(afternoon.subject).toBe('Отклик: сводка на 04.12.2026, 14:00 — ждут действий: 1');
    // At 01:00 on 6 Dec the slot is still the afternoon of the 5th; on its last day the term says «today».
    h.clock.set('2026-12-05T18:00:00.000Z');
    expect(await runStaffJob(h, 'digest')).toMatchObject({ slot: '2026-12-05T07:00:00.000Z' });
    expect((await digestOf('leader'))!.text).toContain('срок до 06.12.2026 (1 день)');
    h.clock.set('2026-12-06T02:00:00.000Z');
    await runStaffJob(h, 'digest');
    expect((await digestOf('leader'))!.text).toContain('срок сегодня, 06.12.2026');
    // The next morning it is overdue, and the subject says so.
    h.clock.set('2026-12-07T02:05:00.000Z');
    await runStaffJob(h, 'digest');
    const late = (await digestOf('leader'))!;
    expect(late.subject).toBe('Отклик: сводка на 07.12.2026, 09:00 — ждут действий: 1, просрочено: 1');
    expect(late.text).toContain('срок истёк 06.12.2026');
  });

  it('gives a curator what nears its deadline in every organization below theirs, counting calendar days of the region', async () => {
    // 08:00 on 8 Dec in Krasnoyarsk.
    h.clock.set('2026-12-08T01:00:00.000Z');
    const school = await createOrg(h, 'МБОУ СОШ № 7', org);
    await createUser(h, 'school-coordinator', [['coordinator', school]]);
    await createUser(h, 'school-leader', [['leader', school]]);
    c.school = await registerThroughQueue(h, buildClassified({ deadlineDays: 2 }));
    await act(c.school, 'accept', 'moderator', { organizationId: school });
    // Due at the end of 11 Dec: three calendar days after the 8th, though more than 72 hours after 09:00 on it.
    c.edge = await registerThroughQueue(h, buildClassified({ deadlineDays: 3 }));
    c.later = await registerThroughQueue(h, buildClassified({ deadlineDays: 4 }));
    for (const k of ['edge', 'later']) await act(c[k]!, 'accept', 'moderator', { organizationId: org });
    h.clock.set('2026-12-08T02:01:00.000Z');
    await runStaffJob(h, 'digest');
    const curator = (await digestOf('curator'))!;
    expect(curator.subject).toMatch(/^Отклик: сводка на 08\.12\.2026, 09:00/);
    expect(curator.text).toContain(`№ ${await numberOf(c.school)} — направлено в организацию, Дороги, МБОУ СОШ № 7; срок до 10.12.2026 (2 дня)`);
    expect(curator.text).toContain(
      `№ ${await numberOf(c.edge)} — направлено в организацию, Дороги, Администрация Ленинского района; срок до 11.12.2026 (3 дня)`,
    );
    expect(curator.text).not.toContain(`№ ${await numberOf(c.later)} `);
    // The school's case is not the district's coordinator's business.
    expect((await digestOf('coordinator'))!.text).not.toContain(`№ ${await numberOf(c.school)} `);
  });

  it("is started by job schedulers in Redis: every minute for alerts, a cron pattern in the region's zone per digest time", async () => {
    await scheduleStaffWork(h.reminders, { ...h.region, digestTimes: ['09:00', '12:00'] });
    await scheduleStaffWork(h.reminders, h.region);
    const schedulers = await h.reminders.getJobSchedulers(0, -1);
    const byId = Object.fromEntries(schedulers.map((s) => [s.id ?? s.key, s]));
    expect(Object.keys(byId).sort()).toEqual(['staff-alerts', 'staff-digest-09:00', 'staff-digest-14:00']);
    expect(byId['staff-alerts']).toMatchObject({ every: 60_000 });
    expect(byId['staff-digest-09:00']).toMatchObject({ pattern: '0 9 * * *', tz: 'Asia/Krasnoyarsk' });
    expect(byId['staff-digest-14:00']).toMatchObject({ pattern: '0 14 * * *', tz: 'Asia/Krasnoyarsk' });
    // Their next runs are at 09:00 and 14:00 Krasnoyarsk: 02:00 and 07:00 UTC.
    expect(new Date(byId['staff-digest-09:00']!.next!).toISOString()).toMatch(/T02:00:00\.000Z$/);
    expect(new Date(byId['staff-digest-14:00']!.next!).toISOString()).toMatch(/T07:00:00\.000Z$/);
    for (const id of Object.keys(byId)) await h.reminders.removeJobScheduler(id);
  });
});
