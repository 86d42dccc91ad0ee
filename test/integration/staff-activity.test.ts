/**
 * Who is not looking, on a controllable clock: opening the desk or a case is recorded (at most one write per user per
 * minute); the region's panel lists organizations where nobody looked for more than a day while cases wait; when a
 * waiting case there is a day from its deadline, its leader is told, and if still nobody looks, its curator (or the
 * nearest one above it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, buildClassified, createOrg, createUser, registerThroughQueue, runStaffJob, staffMail, startWorkflowHarness, testClock, type Api,
  type Harness } from './workflow-harness.js';

// 10:00 on 20 Nov in Krasnoyarsk. A 2-day case registered now is due at the end of 22 Nov there: 2026-11-22T16:59:59.999Z.
const T0 = '2026-11-20T03:00:00.000Z';

describe('staff activity and escalations', () => {
  let h: Harness;
  let a: Api;
  const o: Record<string, string> = {};
  const u: Record<string, { id: string; token: string; login: string }> = {};
  const c: Record<string, string> = {};
  const mail = (login: string) => `${login}@krsk.example`;

  beforeAll(async () => {
    h = await startWorkflowHarness({ clock: testClock(T0) });
    a = api(h);
    o.ministry = await createOrg(h, 'Министерство образования края');
    o.idle = await createOrg(h, 'Школа № 1', o.ministry);
    o.busy = await createOrg(h, 'Школа № 2', o.ministry);
    o.watched = await createOrg(h, 'Школа № 3');
    const specs: [string, [string, string | null][]][] = [
      ['admin2', [['administrator', null]]],
      ['moderator', [['moderator', null]]],
      ['ministryCurator', [['curator', o.ministry!]]],
      ['idleCoord', [['coordinator', o.idle!]]],
      ['idleLeader', [['leader', o.idle!]]],
      ['idleExec', [['executor', o.idle!]]],
      ['idleInvited', [['leader', o.idle!]]],
      ['ministryInvited', [['curator', o.ministry!]]],
      ['busyCoord', [['coordinator', o.busy!]]],
      ['busyLeader', [['leader', o.busy!]]],
      ['watchedCoord', [['coordinator', o.watched!]]],
      ['watchedLeader', [['leader', o.watched!]]],
      ['watchedCurator', [['curator', o.watched!]]],
    ];
    for (const [login, roles] of specs) {
      u[login] = await createUser(h, login, roles);
      await h.db.query('update users set email = $2 where id = $1', [u[login]!.id, mail(login)]);
    }
    for (const org of ['idle', 'busy', 'watched']) {
      c[org] = await registerThroughQueue(h, buildClassified({ deadlineDays: 2 }));
      const r = await a.post(`/api/v1/cases/${c[org]}/accept`, { expectedVersion: 0, organizationId: o[org] }, u.moderator!.token);
      expect(r.status).toBe(200);
    }
    // Invited, not yet activated: they cannot act, so nothing is escalated to them.
    await h.db.query('update users set activated_at = null where id = any($1::uuid[])', [[u.idleInvited!.id, u.ministryInvited!.id]]);
    // Logging in looks at nothing; the organizations' staff have not opened the desk yet.
    await h.db.query('delete from staff_activity');
  });
  afterAll(async () => {
    await h?.stop();
  });

  const at = (iso: string) => h.clock.set(iso);
  const look = async (who: string, what: 'desk' | 'case' = 'desk') => {
    const r = what === 'desk' ? await a.get('/api/v1/me', u[who]!.token) : await a.get(`/api/v1/cases/${c.busy}`, u[who]!.token);
    expect(r.status).toBe(200);
  };
  const activity = async (who: string, query = '') => a.get(`/api/v1/activity/organizations?limit=100${query}`, u[who]!.token);
  const seen = async (who: string) =>
    (await h.db.query('select last_seen_at, last_desk_at, last_case_at from staff_activity where user_id = $1', [u[who]!.id])).rows[0];
  const escalations = async (caseId: string) =>
    (await h.db.query<{ level: string }>('select level from staff_escalations where case_id = $1 order by at, level', [caseId]))
      .rows.map((r) => r.level);

  it('records when each user opens the desk or a case, at most once a minute', async () => {
    at(T0);
    await look('busyCoord');
    expect(await seen('busyCoord')).toEqual({ last_seen_at: new Date(T0), last_desk_at: new Date(T0), last_case_at: null });
    at('2026-11-20T03:00:40.000Z');
    await look('busyCoord', 'case');
    // Within the minute: nothing written.
    expect((await seen('busyCoord')).last_seen_at).toEqual(new Date(T0));
    at('2026-11-20T03:02:00.000Z');
    await look('busyCoord', 'case');
    expect(await seen('busyCoord')).toEqual({ last_seen_at: new Date('2026-11-20T03:02:00.000Z'), last_desk_at: new Date(T0),
      last_case_at: new Date('2026-11-20T03:02:00.000Z') });
  });

  it("shows the region which organizations nobody looks at while cases wait, and each member's last look", async () => {
    at('2026-11-20T05:00:00.000Z');
    await look('watchedLeader');
    const all = await activity('moderator');
    expect(all.status).toBe(200);
    const byId = Object.fromEntries(all.body.items.map((x: { organizationId: string }) => [x.organizationId, x]));
    expect(byId[o.idle!]).toMatchObject({ name: 'Школа № 1', waiting: 1, lastLookAt: null, idle: true, nearestDeadlineAt: '2026-11-22T16:59:59.999Z' });
    expect(byId[o.busy!]).toMatchObject({ waiting: 1, lastLookAt: '2026-11-20T03:02:00.000Z', idle: false });
    expect(byId[o.busy!].members).toEqual(expect.arrayContaining([
      expect.objectContaining({ userId: u.busyCoord!.id, roles: ['coordinator'], lastSeenAt: '2026-11-20T03:02:00.000Z' }),
      expect.objectContaining({ userId: u.busyLeader!.id, lastSeenAt: null }),
    ]));
    // Nobody looked at all first; an organization with nothing waiting is not idle.
    expect(all.body.items[0].lastLookAt).toBeNull();
    expect(byId[o.ministry!]).toMatchObject({ waiting: 0, idle: false });
    const idle = await activity('admin2', '&idle=true');
    expect(idle.body.items.map((x: { organizationId: string }) => x.organizationId)).toEqual([o.idle]);

    // A day later everybody looked more than 24 h ago: every school is idle.
    at('2026-11-21T06:00:00.000Z');
    expect((await activity('moderator', '&idle=true')).body.items.map((x: { organizationId: string }) => x.organizationId).sort())
      .toEqual([o.busy, o.idle, o.watched].sort());
    // A curator sees the organizations below theirs; an executor sees none of it.
    const curator = await activity('ministryCurator');
    expect(curator.body.items.map((x: { organizationId: string }) => x.organizationId).sort()).toEqual([o.busy, o.idle, o.ministry].sort());
    expect((await activity('idleExec')).status).toBe(403);
  });

  it('tells the leader when a waiting case is a day from overdue and nobody looked for a day, then the curator if still nobody looks', async () => {
    // The busy school looks again; the watched school's leader looks in the morning.
    at('2026-11-21T10:00:00.000Z');
    await look('busyCoord');
    // 29 hours before the deadline: too early to escalate.
    at('2026-11-21T12:00:00.000Z');
    expect(await runStaffJob(h, 'alerts')).toMatchObject({ escalated: 0 });

    // 23 hours before it: the idle school's leader is told, and the watched school's (nobody looked since yesterday).
    at('2026-11-21T18:00:00.000Z');
    expect(await runStaffJob(h, 'alerts')).toMatchObject({ escalated: 2 });
    expect(await escalations(c.idle!)).toEqual(['leader']);
    expect(await escalations(c.busy!)).toEqual([]);
    const note = (await a.get('/api/v1/notifications', u.idleLeader!.token)).body.items.find((n: { caseId: string }) => n.caseId === c.idle);
    expect(note).toMatchObject({ topic: 'escalation' });
    const escalatedTo = async (caseId: string) =>
      (await h.db.query<{ user_id: string }>(
        "select user_id from notifications where case_id = $1 and topic = 'escalation'",
        [caseId],
      )).rows.map((r) => r.user_id);
    expect(await escalatedTo(c.idle!)).toEqual([u.idleLeader!.id]);
    expect(note.text).toMatch(
      /^В организации «Школа № 1» никто не открывал Отклик больше суток \(ни разу\), а срок ответа на обращение № .* истекает 22\.11\.2026\./,
    );
    // Alerts go out too (the escalation is an alert topic like any other).
    expect((await staffMail(h, 'staff_alert', mail('idleLeader'))).at(-1)!.text).toContain('никто не открывал Отклик больше суток');
    // Running again does not repeat it.
    at('2026-11-21T18:05:00.000Z');
    expect(await runStaffJob(h, 'alerts')).toMatchObject({ escalated: 0 });

    // The watched school's leader looks after being told: its curator is left alone.
    at('2026-11-21T20:00:00.000Z');
    await look('watchedLeader');
    // 12 hours after the leader was told and still nobody of the idle school looked: the nearest curator, the ministry's.
    at('2026-11-22T05:59:00.000Z');
    expect(await runStaffJob(h, 'alerts')).toMatchObject({ escalated: 0 });
    at('2026-11-22T06:01:00.000Z');
    expect(await runStaffJob(h, 'alerts')).toMatchObject({ escalated: 1 });
    expect(await escalations(c.idle!)).toEqual(['leader', 'curator']);
    expect((await escalatedTo(c.idle!)).sort()).toEqual([u.idleLeader!.id, u.ministryCurator!.id].sort());
    expect(await escalations(c.watched!)).toEqual(['leader']);
    const curatorNote = (await a.get('/api/v1/notifications', u.ministryCurator!.token)).body.items.find((n: { caseId: string }) => n.caseId === c.idle);
    expect(curatorNote.text).toMatch(/Руководитель уведомлён 22\.11\.2026, 01:00, но в организацию так никто и не заходил\./);
    expect((await a.get('/api/v1/notifications', u.watchedCurator!.token)).body.items.some((n: { caseId: string }) => n.caseId === c.watched)).toBe(false);
  });
});
