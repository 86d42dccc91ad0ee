/**
 * Deadlines and reminders with a controllable clock: terms in calendar days of the region (Krasnoyarsk, UTC+7: a
 * term ends at 23:59:59 there), days left and overdue in the API, reminders to the executor and coordinators before
 * the deadline (at 09:00 region time) and to the leader and curators after it — each once, across restarts,
 * whichever of the delayed job and the sweep gets there first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../lib/time.js';
import { termEnd } from '../../lib/region-time.js';
import { planReminders, reminderJobId, scheduleReminders } from '../../workflow/reminders.js';
import { eventually } from '../support.js';
import { api, buildClassified, createOrg, createUser, outboundOf, realClock, registerThroughQueue, startWorkflowHarness, testClock, type Api,
  type Harness } from './workflow-harness.js';

// 17:00 on 20 Nov in Krasnoyarsk.
const T0 = '2026-11-20T10:00:00.000Z';
const at = (iso: string, plusMs = 0) => new Date(new Date(iso).getTime() + plusMs);

describe('deadlines and reminders on a controllable clock', () => {
  let h: Harness;
  let a: Api;
  let org: string;
  const u: Record<string, { id: string; token: string }> = {};

  beforeAll(async () => {
    // The harness's region is the shipped one: Krasnoyarsk.
    h = await startWorkflowHarness({ clock: testClock(T0) });
    a = api(h);
    org = await createOrg(h, 'Администрация Центрального района');
    u.moderator = await createUser(h, 'moderator', [['moderator', null]]);
    u.coordinator = await createUser(h, 'coordinator', [['coordinator', org]]);
    u.executor = await createUser(h, 'executor', [['executor', org]]);
    u.leader = await createUser(h, 'leader', [['leader', org]]);
    u.curator = await createUser(h, 'curator', [['curator', org]]);
  });
  afterAll(async () => {
    await h?.stop();
  });

  const act = async (caseId: string, action: string, who: string, body: Record<string, unknown> = {}) => {
    const version = (await h.db.query<{ version: number }>('select version from cases where id = $1', [caseId])).rows[0]!.version;
    const r = await a.post(`/api/v1/cases/${caseId}/${action}`, { expectedVersion: version, ...body }, u[who]!.token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };
  const notes = async (caseId: string) =>
    (await h.db.query<{ login: string; kind: string }>(
      `select u.login, n.kind from notifications n join users u on u.id = n.user_id
        where n.case_id = $1 and n.kind like 'reminder-%' order by n.kind, u.login`,
      [caseId],
    )).rows
      .map((r) => `${r.kind}:${r.login}`);

  it('computes terms in calendar days of the region — 30 standard, 10 fast-track, 1–15 federal — ending at midnight there, and shows days left', async () => {
    h.clock.set(T0);
    const standard = await registerThroughQueue(h, buildClassified({ deadlineDays: 30 }));
    const fast = await registerThroughQueue(h, buildClassified({ deadlineDays: 10, fastTrack: true }));
    const federal = await registerThroughQueue(h, buildClassified({ deadlineDays: 5 }));
    const list = (await a.get('/api/v1/cases?limit=500', u.moderator!.token)).body.items as { id: string; deadlineAt: string; daysLeft: number;
      overdue: boolean }[];
    const byId = Object.fromEntries(list.map((c) => [c.id, c]));
    // 23:59:59.999 of the 30th / 10th / 5th day after 20 Nov, Krasnoyarsk time.
    expect(byId[standard]).toMatchObject({ deadlineAt: '2026-12-20T16:59:59.999Z', daysLeft: 30, overdue: false });
    expect(byId[fast]).toMatchObject({ deadlineAt: '2026-11-30T16:59:59.999Z', daysLeft: 10 });
    expect(byId[federal]).toMatchObject({ deadlineAt: '2026-11-25T16:59:59.999Z', daysLeft: 5 });

    // 23:30 on the federal term's last day: still in time (0 days left); at 00:30 the next day it is overdue.
    h.clock.set('2026-11-25T16:30:00.000Z');
    expect((await a.get(`/api/v1/cases/${federal}`, u.moderator!.token)).body).toMatchObject({ daysLeft: 0, overdue: false });
    h.clock.set('2026-11-25T17:30:00.000Z');
    expect((await a.get(`/api/v1/cases/${federal}`, u.moderator!.token)).body).toMatchObject({ daysLeft: -1, overdue: true });

    h.clock.set(at(T0, 6 * DAY_MS));
    const overdue = (await a.get('/api/v1/cases?overdue=true&limit=500', u.moderator!.token)).body.items.map((c: { id: string }) => c.id);
    expect(overdue).toContain(federal);
    expect(overdue).not.toContain(fast);
    expect((await a.get(`/api/v1/cases/${federal}`, u.moderator!.token)).body).toMatchObject({ daysLeft: -1, overdue: true });
    h.clock.set(T0);
  });

  it("tells the deadline in the region's time zone: a case registered at 01:30 in Krasnoyarsk is due on that local day", async () => {
    // 18:30 UTC on 20 November is 01:30 on 21 November in Krasnoyarsk (UTC+7): UTC dates would be a day early.
    h.clock.set('2026-11-20T18:30:00.000Z');
    const caseId = await registerThroughQueue(h, buildClassified({ deadlineDays: 30 }));
    const [registered] = await outboundOf(h, caseId);
    expect(registered).toMatchObject({ kind: 'registered', text: expect.stringContaining('Срок рассмотрения — до 21.12.2026.') });
    await act(caseId, 'accept', 'moderator', { organizationId: org });
    await act(caseId, 'assign', 'coordinator', { executorId: u.executor!.id });
    const assigned = await h.db.query<{ text: string }>(`select text from notifications where case_id = $1 and kind like 'assigned-%'`, [caseId]);
    expect(assigned.rows[0]!.text).toContain('Срок ответа — до 21.12.2026');
    h.clock.set(T0);
  });

  it('reminds before the deadline and flags overdue, each once, across a restart and a redelivered job', async () => {
    h.clock.set(T0);
    const caseId = await registerThroughQueue(h, buildClassified({ deadlineDays: 10 }));
    await act(caseId, 'accept', 'moderator', { organizationId: org });
    await act(caseId, 'assign', 'coordinator', { executorId: u.executor!.id });

    // A row per reminder: «3 days» and «1 day left» at 09:00 Krasnoyarsk on the 27th and the 29th, overdue at the
    // deadline (midnight after the 30th); none is a job yet: Redis holds only the next day's reminders.
    const deadline = termEnd(new Date(T0), 10, 'Asia/Krasnoyarsk');
    expect(deadline.toISOString()).toBe('2026-11-30T16:59:59.999Z');
    const plan = [['before-3d', new Date('2026-11-27T02:00:00.000Z')], ['before-1d', new Date('2026-11-29T02:00:00.000Z')], ['overdue', deadline]] as const;
    const rows = (await h.db.query<{ kind: string; due_at: Date; queued_at: Date | null }>(
      'select kind, due_at, queued_at from case_reminders where case_id = $1 order by due_at',
      [caseId],
    )).rows;
    expect(rows.map((r) => [r.kind, r.due_at.toISOString(), r.queued_at])).toEqual(plan.map(([k, d]) => [k, d.toISOString(), null]));
    const reminderOutbox = async () =>
      (await h.db.query('select count(*)::int as n from outbox where queue = $1 and job_id like $2', ['workflow-reminders', `%${caseId}%`])).rows[0].n;
    expect(await reminderOutbox()).toBe(0);
    // Scheduling again (a replayed registration, a reschedule) adds no row and no job.
    await scheduleReminders(h.db, caseId, planReminders(deadline, 0), new Date(T0));
    expect((await h.db.query('select count(*)::int as n from case_reminders where case_id = $1', [caseId])).rows[0].n).toBe(3);
    expect(await reminderOutbox()).toBe(0);

    // Half a day before the first reminder the sweep makes it a delayed job with a deterministic id; the later ones wait.
    const halfDayBefore = at(plan[0][1].toISOString(), -DAY_MS / 2);
    h.clock.set(halfDayBefore);
    await h.stage.sweep();
    const job = await eventually(() => h.reminders.getJob(reminderJobId(caseId, 'before-3d')), 10_000, 'job before-3d');
    expect(await job.getState()).toBe('delayed');
    expect(job.delay).toBe(DAY_MS / 2);
    expect(job.data).toEqual({ caseId, kind: 'before-3d', dueAt: plan[0][1].toISOString() });
    expect(await h.reminders.getJob(reminderJobId(caseId, 'before-1d'))).toBeUndefined();
    await h.stage.sweep();
    expect(await reminderOutbox()).toBe(1);
    expect(await notes(caseId)).toEqual([]);

    h.clock.set(at(plan[0][1].toISOString(), 60_000));
    await h.stage.sweep();
    expect(await notes(caseId)).toEqual(['reminder-before-3d:coordinator', 'reminder-before-3d:executor']);
    const executorNotes = (await a.get('/api/v1/notifications?unread=true', u.executor!.token)).body.items.filter((n: { kind: string }) =>
      n.kind.startsWith('reminder-')
    );
    expect(executorNotes[0].text).toMatch(/до окончания срока ответа 3 дн\. \(срок — до 30\.11\.2026 включительно\)/);
    expect(executorNotes[0].topic).toBe('deadline');

    // A restart sweeps again at start, and the delayed job's time comes: neither sends a second copy.
    await h.restart();
    await h.stage.sweep();
    const again = (await h.reminders.getJob(reminderJobId(caseId, 'before-3d')))!;
    await again.promote();
    await eventually(async () => (await again.getState()) === 'completed', 10_000, 'promoted job processed');
    expect((await h.reminders.getJob(reminderJobId(caseId, 'before-3d')))!.returnvalue).toEqual({ dropped: 'already-sent' });
    expect(await notes(caseId)).toEqual(['reminder-before-3d:coordinator', 'reminder-before-3d:executor']);

    h.clock.set(at(deadline.toISOString(), 60_000));
    await h.stage.sweep();
    expect(await notes(caseId)).toEqual([
      'reminder-before-1d:coordinator',
      'reminder-before-1d:executor',
      'reminder-before-3d:coordinator',
      'reminder-before-3d:executor',
      'reminder-overdue:curator',
      'reminder-overdue:leader',
    ]);
    const leaderNote = (await a.get('/api/v1/notifications', u.leader!.token)).body.items.find((n: { caseId: string }) => n.caseId === caseId);
    expect(leaderNote.text).toMatch(/просрочено: срок ответа истёк 30\.11\.2026/);
    expect(leaderNote.topic).toBe('overdue');
    expect((await a.get('/api/v1/cases?overdue=true&limit=500', u.leader!.token)).body.items.map((c: { id: string }) => c.id)).toContain(caseId);
    expect((await a.post(`/api/v1/notifications/${leaderNote.id}/read`, undefined, u.leader!.token)).status).toBe(200);
    expect((await a.get('/api/v1/notifications?unread=true', u.leader!.token)).body.items.some((n: { id: number }) => n.id === leaderNote.id)).toBe(false);
    await h.restart();
    await h.stage.sweep();
    expect(await notes(caseId)).toHaveLength(6);
    h.clock.set(T0);
  });

  it('sends no reminder for a case answered in time, and reminds moderators of a case stuck in moderation', async () => {
    h.clock.set(T0);
    const answered = await registerThroughQueue(h, buildClassified({ deadlineDays: 10 }));
    const stuck = await registerThroughQueue(h, buildClassified({ deadlineDays: 10 }));
    await act(answered, 'accept', 'moderator', { organizationId: org });
    await act(answered, 'assign', 'coordinator', { executorId: u.executor!.id });
    await act(answered, 'start', 'executor');
    await act(answered, 'save-draft', 'executor', { text: 'Здравствуйте! Яма заделана 21 ноября. Телефон 8 (391) 200-00-00.' });
    await act(answered, 'submit', 'executor');
    await act(answered, 'approve', 'leader');
    h.clock.set(at(T0, 11 * DAY_MS));
    await h.stage.sweep();
    expect(await notes(answered)).toEqual([]);
    const finished =
      (await h.db.query('select kind, recipients from case_reminders where case_id = $1 and sent_at is not null order by kind', [answered])).rows;
    expect(finished).toEqual([{ kind: 'before-1d', recipients: 0 }, { kind: 'before-3d', recipients: 0 }, { kind: 'overdue', recipients: 0 }]);
    expect(await notes(stuck)).toEqual(['reminder-before-1d:moderator', 'reminder-before-3d:moderator', 'reminder-overdue:moderator']);
    h.clock.set(T0);
  });
});

describe('reminders on real time: the delayed job fires by itself and survives a restart', () => {
  let h: Harness;
  let moderator: { id: string; token: string };
  /**
   * A reminder a few seconds after registration of a one-day case: the delayed job's own timing is what is tested. A
   * term ends at midnight of the next day in the region, so the fraction of a day before it is set (in the array the
   * workflow reads at each registration) just before each case is registered.
   */
  const reminderDaysBefore = [1];
  const remindIn = (ms: number) => {
    reminderDaysBefore[0] = (termEnd(new Date(), 1, h.region.timeZone).getTime() - Date.now() - ms) / DAY_MS;
    return `before-${reminderDaysBefore[0]}d`;
  };

  beforeAll(async () => {
    h = await startWorkflowHarness({ clock: realClock(), reminderDaysBefore });
    moderator = await createUser(h, 'moderator', [['moderator', null]]);
  });
  afterAll(async () => {
    await h?.stop();
  });

  const count = async (caseId: string) =>
    (await h.db.query<{ n: number }>('select count(*)::int as n from notifications where case_id = $1 and user_id = $2', [caseId, moderator.id])).rows[0]!.n;

  it('delivers from the delayed job without any sweep', async () => {
    const kind = remindIn(3000);
    const caseId = await registerThroughQueue(h, buildClassified({ deadlineDays: 1, receivedAt: new Date().toISOString() }));
    const job = await eventually(() => h.reminders.getJob(reminderJobId(caseId, kind)), 10_000, 'delayed job');
    expect(await job.getState()).toBe('delayed');
    await eventually(async () => (await count(caseId)) === 1, 15_000, 'reminder from the delayed job');
    const done = await eventually(async () => {
      const j = await h.reminders.getJob(reminderJobId(caseId, kind));
      return j && (await j.getState()) === 'completed' ? j : undefined;
    }, 10_000, 'job completed');
    expect(done.returnvalue).toEqual({ recipients: 1 });
  });

  it('delivers once when the due time passes while nothing runs', async () => {
    const kind = remindIn(3000);
    const caseId = await registerThroughQueue(h, buildClassified({ deadlineDays: 1, receivedAt: new Date().toISOString() }));
    await eventually(() => h.reminders.getJob(reminderJobId(caseId, kind)), 10_000, 'delayed job');
    await h.down();
    const due = (await h.db.query<{ due_at: Date }>('select due_at from case_reminders where case_id = $1 and kind = $2', [caseId, kind])).rows[0]!.due_at;
    await eventually(async () => Date.now() > due.getTime() + 300, 10_000, 'due time to pass');
    expect(await count(caseId)).toBe(0);
    await h.up();
    await eventually(async () => (await count(caseId)) === 1, 15_000, 'reminder after restart');
    // Both the start-up sweep and the delayed job ran; one of them sent, the other found it sent.
    await eventually(async () => (await h.reminders.getJob(reminderJobId(caseId, kind)))?.getState().then((s) => s === 'completed'), 10_000, 'job done');
    expect(await count(caseId)).toBe(1);
    expect((await h.db.query('select recipients from case_reminders where case_id = $1 and kind = $2 and sent_at is not null', [caseId, kind])).rows).toEqual([{
      recipients: 1,
    }]);
  });
});
