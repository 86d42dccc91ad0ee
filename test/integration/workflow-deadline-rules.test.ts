/**
 * Deadlines exactly as ПОС counts them, in the workflow: dates in the region's zone, a corrected category recomputes
 * the term (with the channel's reason and the text, by the region's rules) with an audit entry saying why, and a
 * moderator's fast-track mark by hand — each moving the reminders to the new date.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeadlineRules } from '../../classify/deadlines.js';
import { parseRegionConfig, regionRulesOf } from '../../lib/region-config.js';
import { bindModeration } from '../../workflow/moderation.js';
import { api, buildClassified, createOrg, createUser, eventsOf, outboundOf, registerThroughQueue, startWorkflowHarness, testClock, type Api,
  type Harness } from './workflow-harness.js';

const REGION = parseRegionConfig(`
region: Красноярский край
timezone: Asia/Krasnoyarsk
fastTrack:
  categories: [ЖКХ]
  reasons: [Отсутствие отопления]
  keywords: [не работает светофор]
federalServices:
  - { id: mvd-registration, name: МВД, days: 5, keywords: [паспортный стол] }
`);
// 17:00 on 20 Nov in Krasnoyarsk.
const T0 = '2026-11-20T10:00:00.000Z';

describe('deadline rules in the workflow', () => {
  let h: Harness;
  let a: Api;
  let org: string;
  const u: Record<string, { id: string; token: string }> = {};
  const region = regionRulesOf(REGION, createDeadlineRules(REGION));

  beforeAll(async () => {
    h = await startWorkflowHarness({ clock: testClock(T0), region });
    a = api(h);
    org = await createOrg(h, 'Администрация Октябрьского района');
    u.moderator = await createUser(h, 'moderator', [['moderator', null]]);
    u.coordinator = await createUser(h, 'coordinator', [['coordinator', org]]);
    u.leader = await createUser(h, 'leader', [['leader', org]]);
  });
  afterAll(async () => {
    await h?.stop();
  });

  const moderation = () => bindModeration(h.db, { now: h.clock.now, region });
  const caseOf = async (id: string) => (await a.get(`/api/v1/cases/${id}`, u.moderator!.token)).body;
  const reminders = async (id: string) =>
    (await h.db.query<{ kind: string; due_at: Date }>(
      'select kind, due_at from case_reminders where case_id = $1 and sent_at is null order by due_at',
      [id],
    )).rows.map((r) => [r.kind, r.due_at.toISOString()]);

  it("prints dates in the region's zone: a call at 01:00 there is registered on that day, not the UTC day before", async () => {
    h.clock.set('2026-12-04T18:00:00.000Z');
    const caseId = await registerThroughQueue(h, buildClassified({ deadlineDays: 10 }));
    expect((await caseOf(caseId)).deadlineAt).toBe('2026-12-15T16:59:59.999Z');
    expect((await outboundOf(h, caseId))[0]!.text).toMatch(/Срок рассмотрения — до 15\.12\.2026\./);
    h.clock.set(T0);
  });

  it('recomputes the term when a corrected category is a fast-track one, says why in the case log, and moves the reminders', async () => {
    h.clock.set(T0);
    const caseId = await registerThroughQueue(h, buildClassified({ category: 'Дороги', deadlineDays: 30, text: 'Во дворе прорвало трубу, течёт вода.' }));
    await a.post(`/api/v1/cases/${caseId}/accept`, { expectedVersion: 0, organizationId: org }, u.moderator!.token);
    expect(await reminders(caseId)).toEqual([['before-3d', '2026-12-17T02:00:00.000Z'], ['before-1d', '2026-12-19T02:00:00.000Z'], ['overdue',
      '2026-12-20T16:59:59.999Z']]);
    h.clock.set('2026-11-21T03:00:00.000Z');
    const r = await moderation().correctCase(u.moderator!.id, caseId, { field: 'category', label: 'ЖКХ', expectedVersion: 1 });
    expect(r).toEqual({ ok: true, value: { version: 3 } });
    const c = await caseOf(caseId);
    expect(c).toMatchObject({ category: 'ЖКХ', fastTrack: true, deadlineDays: 10, deadlineRule: 'fast-track:category', deadlineAt: '2026-11-30T16:59:59.999Z',
      registeredAt: '2026-11-20T10:00:00.000Z' });
    const entry = c.history.find((e: { type: string }) => e.type === 'deadline_recomputed');
    expect(entry).toMatchObject({ actor: u.moderator!.id, fromStatus: 'routed', toStatus: 'routed',
      comment:
        'Категория исправлена: «Дороги» → «ЖКХ». Срок пересчитан: фаст-трек по категории, 10 дн., до 30.11.2026 (было: стандартный срок, 30 дн., до 20.12.2026).',
      data: { from: { deadlineDays: 30, deadlineRule: 'standard' },
        to: { deadlineDays: 10, deadlineRule: 'fast-track:category', deadlineAt: '2026-11-30T16:59:59.999Z' } } });
    expect(await reminders(caseId)).toEqual([['before-3d', '2026-11-27T02:00:00.000Z'], ['before-1d', '2026-11-29T02:00:00.000Z'], ['overdue',
      '2026-11-30T16:59:59.999Z']]);
    expect((await eventsOf(h, caseId)).at(-1)).toMatchObject({ type: 'case.corrected', fastTrack: true, deadlineAt: '2026-11-30T16:59:59.999Z',
      props: { field: 'deadline', rule: 'fast-track:category' } });

    // Back to a standard category: the standard term again, unless the text or the reason says otherwise.
    await moderation().correctCase(u.moderator!.id, caseId, { field: 'category', label: 'Дороги', expectedVersion: 3 });
    expect(await caseOf(caseId)).toMatchObject({ fastTrack: false, deadlineDays: 30, deadlineAt: '2026-12-20T16:59:59.999Z' });
    h.clock.set(T0);
  });

  it("decides again with the channel's reason and the text: a fast-track by reason or phrase stays one whatever the category", async () => {
    const byReason = await registerThroughQueue(h, buildClassified({ category: 'ЖКХ', deadlineDays: 10, provenance: { reason: 'Отсутствие отопления' } }));
    await moderation().correctCase(u.moderator!.id, byReason, { field: 'category', label: 'Благоустройство', expectedVersion: 0 });
    expect(await caseOf(byReason)).toMatchObject({ fastTrack: true, deadlineRule: 'fast-track:reason', deadlineDays: 10 });
    const byPhrase = await registerThroughQueue(h, buildClassified({ category: 'ЖКХ', deadlineDays: 10, text: 'Светофор у школы не работает.' }));
    await moderation().correctCase(u.moderator!.id, byPhrase, { field: 'category', label: 'Дороги', expectedVersion: 0 });
    expect(await caseOf(byPhrase)).toMatchObject({ fastTrack: true, deadlineRule: 'fast-track:keyword:не работает светофор' });
    const federal = await registerThroughQueue(h, buildClassified({ category: 'Дороги', deadlineDays: 30, text: 'В паспортном столе очередь на месяц' }));
    await moderation().correctCase(u.moderator!.id, federal, { field: 'category', label: 'Госуслуги', expectedVersion: 0 });
    expect(await caseOf(federal)).toMatchObject({ fastTrack: false, deadlineDays: 5, deadlineRule: 'federal:mvd-registration',
      federalService: 'mvd-registration' });
  });

  it('lets a moderator mark a case fast-track by hand, audited, and take the mark back', async () => {
    h.clock.set(T0);
    const caseId = await registerThroughQueue(h, buildClassified({ category: 'Дороги', deadlineDays: 30 }));
    const mark = (body: Record<string, unknown>, who = 'moderator') => a.post(`/api/v1/cases/${caseId}/fast-track`, body, u[who]!.token);
    expect((await mark({ expectedVersion: 0, fastTrack: true, reason: 'Угроза жизни' }, 'coordinator')).status).toBe(403);
    expect((await mark({ expectedVersion: 7, fastTrack: true, reason: 'Угроза жизни' })).status).toBe(409);
    // A fast-track the rules did not set cannot be "taken back".
    expect((await mark({ expectedVersion: 0, fastTrack: false, reason: 'Ошибка' })).status).toBe(409);
    const marked = await mark({ expectedVersion: 0, fastTrack: true, reason: 'Яма у школы, угроза детям' });
    expect(marked.body).toEqual({ id: caseId, version: 1, fastTrack: true, deadlineDays: 10, deadlineRule: 'fast-track:manual',
      deadlineAt: '2026-11-30T16:59:59.999Z' });
    const c = await caseOf(caseId);
    expect(c.history.find((e: { type: string }) => e.type === 'fast_track_marked')).toMatchObject({ actor: u.moderator!.id,
      comment:
        'Модератор отметил обращение как фаст-трек: Яма у школы, угроза детям. Срок пересчитан: фаст-трек, отмечен модератором, 10 дн., до 30.11.2026 (было: стандартный срок, 30 дн., до 20.12.2026).' });
    // A category correction does not undo a moderator's mark.
    await moderation().correctCase(u.moderator!.id, caseId, { field: 'category', label: 'Благоустройство', expectedVersion: 1 });
    expect(await caseOf(caseId)).toMatchObject({ deadlineRule: 'fast-track:manual', deadlineDays: 10 });
    const unmarked = await mark({ expectedVersion: 2, fastTrack: false, reason: 'Ошибочная отметка' });
    expect(unmarked.body).toMatchObject({ fastTrack: false, deadlineDays: 30, deadlineRule: 'standard', deadlineAt: '2026-12-20T16:59:59.999Z' });

    // A federal service's shorter term stays: fast-track never lengthens a term.
    const federal = await registerThroughQueue(h, buildClassified({ category: 'Дороги', deadlineDays: 5 }));
    const f = await a.post(`/api/v1/cases/${federal}/fast-track`, { expectedVersion: 0, fastTrack: true, reason: 'Срочно' }, u.moderator!.token);
    expect(f.body).toMatchObject({ deadlineDays: 5, deadlineRule: 'fast-track:manual' });
  });
});
