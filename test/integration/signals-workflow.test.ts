/**
 * Signals and incidents in the workflow, on a controllable clock: what the monitoring found is never a case and never
 * answered by itself; appeals still are; an incident is accepted, routed, rejected and answered as a whole, its one
 * answer published to each thread the region writes in and never to a stranger's wall; reaction terms in hours in
 * the region's time zone; the auto-accept threshold; spike alerts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageIdFor } from '../../lib/ids.js';
import type { SpikeAlert } from '../../lib/monitoring.js';
import type { OutboundMessage } from '../../lib/queues.js';
import { DEFAULT_SIGNAL_TERMS } from '../../lib/signal-terms.js';
import { performAction } from '../../workflow/lifecycle.js';
import { exportCorrections } from '../../workflow/moderation.js';
import { caseIdFor } from '../../workflow/register-case.js';
import type { Actor } from '../../workflow/rules.js';
import { bindMonitoring } from '../../workflow/signals/monitoring.js';
import { eventually } from '../support.js';
import { buildClassified, createOrg, createUser, registerThroughQueue, startWorkflowHarness, testClock, type Harness } from './workflow-harness.js';

const T0 = '2026-11-20T09:00:00.000Z';
let seq = 0;

/** A signal as a channel marks it: a comment under a post (VK), a message in a group or channel (Telegram). */
function signal(
  o: { where: 'vk-own' | 'vk-foreign' | 'tg-group' | 'tg-channel'; post?: number; incidentId?: string; kind?: 'complaint' | 'question' | 'other';
    kindConfidence?: number; receivedAt?: string; text?: string; category?: string; municipality?: string;
    routing?: { organization: string; score: number }[] },
) {
  const n = ++seq;
  const [source, externalId, provenance] = {
    'vk-own': ['vk', `wall-111_${o.post ?? 4000 + n}_c${n}`, { ownerId: '-111', thread: 'own' }],
    'vk-foreign': ['vk', `wall-7777_${o.post ?? 5000 + n}`, { ownerId: '-7777', thread: 'foreign' }],
    'tg-group': ['telegram', `-1001234567890:${n}`, { via: 'group', chatId: '-1001234567890' }],
    'tg-channel': ['telegram', `-1009876543210:${n}`, { via: 'channel', chatId: '-1009876543210' }],
  }[o.where] as ['vk' | 'telegram', string, Record<string, string>];
  return buildClassified({ source, externalId, provenance, origin: 'signal', kind: o.kind ?? 'complaint', kindConfidence: o.kindConfidence ?? 0.7,
    incidentId: o.incidentId, receivedAt: o.receivedAt ?? T0, text: o.text, category: o.category, municipality: o.municipality, routing: o.routing,
    contact: { channelUserId: String(100 + n) } });
}

async function registerSignal(h: Harness, input: ReturnType<typeof signal>): Promise<string> {
  await h.queues.classified.add('classified', input);
  await eventually(async () => (await h.db.query('select 1 from signals where message_id = $1', [input.message.messageId])).rowCount, 10_000, 'signal stored');
  return input.message.messageId;
}

const outboundRows = async (h: Harness, where = 'true', args: unknown[] = []) =>
  (await h.db.query<{ payload: OutboundMessage }>(`select payload from outbox where queue = 'outbound' and ${where} order by id`, args)).rows.map((r) =>
    r.payload
  );

describe('signals and incidents in the workflow', () => {
  let h: Harness;
  let orgId: string;
  let operator: string;
  const spikes: SpikeAlert[] = [];
  beforeAll(async () => {
    h = await startWorkflowHarness({ clock: testClock('2026-11-20T10:00:00.000Z'), onSpike: (a) => spikes.push(a),
      signals: { ...DEFAULT_SIGNAL_TERMS, timezone: 'Asia/Krasnoyarsk' } });
    orgId = await createOrg(h, 'Администрация Советского района');
    // ПОС routes only to an organization with an active coordinator and an active leader, two different people.
    await createUser(h, 'sovetsky-coordinator', [['coordinator', orgId]]);
    await createUser(h, 'sovetsky-leader', [['leader', orgId]]);
    operator = (await h.db.query<{ id: string }>("insert into users (login, password_hash) values ('op', 'x') returning id")).rows[0]!.id;
    await h.db.query("insert into user_roles (user_id, organization_id, role) values ($1, null, 'moderator')", [operator]);
  });
  afterAll(async () => {
    await h?.stop();
  });
  const monitoring = () => bindMonitoring(h.db, { relay: h.stage.relay, now: h.clock.now, terms: { ...DEFAULT_SIGNAL_TERMS, timezone: 'Asia/Krasnoyarsk' } });

  it('keeps a signal out of the cases with no reply of any kind, with its reaction term; a redelivery stores it once', async () => {
    const complaint = signal({ where: 'vk-own' });
    const thanks = signal({ where: 'vk-own', kind: 'other', text: 'Спасибо администрации за новую площадку!' });
    for (const s of [complaint, thanks, complaint]) await registerSignal(h, s);
    await eventually(async () => (await h.queues.classified.getJobCounts('waiting', 'active')).waiting === 0, 10_000, 'queue drained');
    const rows = (await h.db.query('select message_id, status, kind, reaction_due_at from signals where message_id = any($1::uuid[]) order by kind', [[
      complaint.message.messageId,
      thanks.message.messageId,
    ]])).rows;
    expect(rows).toEqual([
      { message_id: complaint.message.messageId, status: 'new', kind: 'complaint', reaction_due_at: new Date('2026-11-21T09:00:00.000Z') },
      { message_id: thanks.message.messageId, status: 'new', kind: 'other', reaction_due_at: null },
    ]);
    expect((await h.db.query('select 1 from cases where message_id = any($1::uuid[])', [[complaint.message.messageId, thanks.message.messageId]])).rowCount)
      .toBe(0);
    expect(await outboundRows(h)).toEqual([]);
  });

  it('still registers and acknowledges an appeal on its channel', async () => {
    const appeal = buildClassified({ source: 'telegram', provenance: { via: 'bot' } });
    const caseId = await registerThroughQueue(h, appeal);
    const sent = await eventually(async () => (await outboundRows(h, "payload->>'caseId' = $1", [caseId])).find((o) => o.kind === 'registered'), 10_000,
      'registered');
    expect(sent.target).toMatchObject({ chatId: appeal.message.externalId.split(':')[0] });
  });

  it('accepts, routes and answers an incident as a whole: one case, the answer on each thread the region writes in', async () => {
    const incidentId = 'inc-water';
    const at = (minute: number) => `2026-11-20T09:0${minute}:00.000Z`;
    const [a, b, c, d, e] = [signal({ where: 'vk-own', post: 7301, incidentId, receivedAt: at(1) }),
      signal({ where: 'vk-own', post: 7301, incidentId, receivedAt: at(2) }), signal({ where: 'tg-group', incidentId, receivedAt: at(3) }),
      signal({ where: 'vk-foreign', incidentId, receivedAt: at(4) }), signal({ where: 'tg-channel', incidentId, receivedAt: at(5) })];
    for (const s of [a, b, c, d, e]) await registerSignal(h, s);
    const m = monitoring();
    const [row] = (await m.listIncidents({ status: 'open', sort: 'urgent', limit: 50, growthHours: 6 })).items.filter((i) => i.id === incidentId);
    expect(row).toMatchObject({ size: 5, channels: ['telegram', 'vk'], status: 'new', caseId: null, kind: 'complaint', leadMessageId: a.message.messageId,
      reactionDueAt: new Date('2026-11-21T09:01:00.000Z'), firstSeenAt: new Date(at(1)), lastSeenAt: new Date(at(5)), growth: 5 });
    // Filters find the incident by any of its signals.
    expect((await m.listIncidents({ status: 'open', sort: 'urgent', limit: 50, growthHours: 6, source: 'telegram' })).items.map((i) => i.id)).toContain(
      incidentId,
    );
    expect((await m.listIncidents({ status: 'open', sort: 'urgent', limit: 50, growthHours: 6, kind: 'other' })).items.map((i) => i.id)).not.toContain(
      incidentId,
    );

    const stale = await m.accept(operator, incidentId, { expectedVersion: row!.version + 1, organizationId: orgId });
    expect(stale).toMatchObject({ ok: false, status: 409 });
    const accepted = await m.accept(operator, incidentId, { expectedVersion: row!.version, organizationId: orgId });
    if (!accepted.ok) throw new Error(accepted.error);
    expect(accepted.value).toMatchObject({ caseStatus: 'routed', organizationId: orgId });
    const caseId = accepted.value.caseId;
    expect(caseId).toBe(caseIdFor(a.message.messageId));
    const statuses = (await h.db.query('select distinct status from signals where incident_id = $1', [incidentId])).rows;
    expect(statuses).toEqual([{ status: 'accepted' }]);
    const kase =
      (await h.db.query('select origin, status, organization_id, incident_id, deadline_at, registered_at from cases where id = $1', [caseId])).rows[0];
    expect(kase).toMatchObject({ origin: 'signal', status: 'routed', organization_id: orgId, incident_id: incidentId });
    // Monitoring works in hours: the answer is due 72 hours after acceptance, not in 30 days.
    expect(kase.deadline_at.getTime() - kase.registered_at.getTime()).toBe(72 * 3600_000);
    expect(await outboundRows(h, "payload->>'caseId' = $1", [caseId])).toEqual([]);
    expect(await m.accept(operator, incidentId, { expectedVersion: row!.version + 1 })).toMatchObject({ ok: false, status: 409 });

    // The organization answers through the ПОС lifecycle; the leader's approval publishes it.
    const staff: Actor = { id: operator, roles: [{ role: 'coordinator', organizationId: orgId }, { role: 'leader', organizationId: orgId }] };
    const engine = { db: h.db, now: h.clock.now };
    let version = 1;
    for (const [action, extra] of [['take', {}], ['save-draft', { text: 'Здравствуйте! Подача воды восстановлена 21 ноября, бригада устранила прорыв.' }], [
      'submit',
      {},
    ], ['approve', {}]] as const) {
      const r = await performAction(engine, staff, caseId, { action, expectedVersion: version, ...extra });
      if (!r.ok) throw new Error(`${action}: ${r.error}`);
      version = r.case.version;
    }
    const answers = await outboundRows(h, "payload->>'incidentId' = $1 and payload->>'kind' = 'answer'", [incidentId]);
    expect(answers.map((o) => [o.channel, o.target, o.audience, o.caseId])).toEqual([
      ['vk', { ownerId: '-111', postId: '7301', commentId: String(Number(a.message.externalId.split('_c')[1])) }, 'public', caseId],
      ['telegram', { chatId: '-1001234567890', replyToMessageId: c.message.externalId.split(':')[1] }, 'public', caseId],
    ]);
    expect(JSON.stringify(answers)).not.toContain('-7777');
    expect(JSON.stringify(answers)).not.toContain('-1009876543210');
    expect((await h.db.query('select status, answered_at is not null as answered from incidents where id = $1', [incidentId])).rows[0]).toEqual({
      status: 'answered',
      answered: true,
    });
    const detail = (await m.incident(incidentId))!;
    expect(detail.threads.filter((t) => !t.own).map((t) => t.link)).toEqual([`https://vk.com/wall-7777_${d.message.externalId.split('_')[1]}`,
      e.message.link ?? null]);
    expect(detail.signals.every((s) => s.status === 'answered' && s.firstReactionAt)).toBe(true);

    // A new post about the same incident after the answer: flagged, not answered by itself; then on request.
    const late = signal({ where: 'vk-own', post: 7400, incidentId });
    await registerSignal(h, late);
    expect((await h.db.query('select status, joined_after_answer from signals where message_id = $1', [late.message.messageId])).rows[0])
      .toEqual({ status: 'new', joined_after_answer: true });
    expect(await outboundRows(h, "payload->>'messageId' = $1", [late.message.messageId])).toEqual([]);
    // It is open again: the late post waits for a reaction.
    const inc = (await m.listIncidents({ status: 'open', sort: 'urgent', limit: 200, growthHours: 6 })).items.find((i) => i.id === incidentId)!;
    expect(inc).toMatchObject({ status: 'answered', lateSignals: 1 });
    const again = await m.republish(operator, incidentId, { expectedVersion: inc.version });
    expect(again).toMatchObject({ ok: true, value: { queued: ['vk:wall-111_7400'] } });
    expect((await outboundRows(h, "payload->>'messageId' = $1", [late.message.messageId])).map((o) => o.kind)).toEqual(['answer']);
  });

  it('counts an interim «взято в работу» as the first reaction, and rejects an incident without a word to anyone', async () => {
    const m = monitoring();
    const s1 = signal({ where: 'vk-own', incidentId: 'inc-light', receivedAt: '2026-11-20T09:10:00.000Z' });
    const s2 = signal({ where: 'tg-group', incidentId: 'inc-light', receivedAt: '2026-11-20T09:11:00.000Z' });
    for (const s of [s1, s2]) await registerSignal(h, s);
    const v = (await m.incident('inc-light'))!.incident.version;
    const interim = await m.interim(operator, 'inc-light', { expectedVersion: v });
    expect(interim).toMatchObject({ ok: true, value: { queued: [expect.stringMatching(/^vk:/), 'telegram:-1001234567890'], byHand: [] } });
    const reacted =
      (await h.db.query('select count(*)::int as n from signals where incident_id = $1 and first_reaction_at = $2', ['inc-light', h.clock.now()])).rows[0];
    expect(reacted.n).toBe(2);
    expect((await outboundRows(h, "payload->>'incidentId' = 'inc-light'")).map((o) => o.kind)).toEqual(['interim', 'interim']);
    // The inbox's row follows: nothing waits for a reaction any more, so no time is left to count.
    const light = (await m.listIncidents({ status: 'open', sort: 'urgent', limit: 200, growthHours: 6 })).items.find((i) => i.id === 'inc-light')!;
    expect(light).toMatchObject({ size: 2, reactionDueAt: null, channels: ['telegram', 'vk'] });
    expect(light.firstReactionAt).not.toBeNull();

    const s3 = signal({ where: 'vk-own', incidentId: 'inc-banter', kind: 'other' });
    await registerSignal(h, s3);
    const r = await m.reject(operator, 'inc-banter', { expectedVersion: (await m.incident('inc-banter'))!.incident.version, reason: 'Не требует ответа' });
    expect(r).toMatchObject({ ok: true });
    expect((await h.db.query('select status from signals where message_id = $1', [s3.message.messageId])).rows[0].status).toBe('rejected');
    expect(await outboundRows(h, "payload->>'incidentId' = 'inc-banter'")).toEqual([]);
    // The team's own answer is for new incidents; an accepted one is answered through its case.
    expect(await m.answer(operator, 'inc-banter', { expectedVersion: 99, text: 'Спасибо за ваше сообщение!' })).toMatchObject({ ok: false, status: 409 });
  });

  it("rejects an accepted incident through its case, never once its organization works on it; the case's own rejection closes the incident", async () => {
    const m = monitoring();
    const staff: Actor = { id: operator, roles: [{ role: 'coordinator', organizationId: orgId }] };
    const acceptedIncident = async (id: string) => {
      for (const s of [signal({ where: 'vk-own', incidentId: id }), signal({ where: 'tg-group', incidentId: id })]) await registerSignal(h, s);
      const r = await m.accept(operator, id, { expectedVersion: (await m.incident(id))!.incident.version, organizationId: orgId });
      if (!r.ok) throw new Error(r.error);
      return r.value.caseId;
    };
    const state = async (id: string, caseId: string) => ({
      incident: (await h.db.query('select status, rejection_reason from incidents where id = $1', [id])).rows[0],
      signals: (await h.db.query('select distinct status from signals where incident_id = $1', [id])).rows.map((r) => r.status),
      case: (await h.db.query('select status from cases where id = $1', [caseId])).rows[0].status,
    });

    // Routed, not yet taken: the team's rejection is the case's rejection step, and the incident closes with it.
    const routed = await acceptedIncident('inc-rej-routed');
    const v = (await m.incident('inc-rej-routed'))!.incident.version;
    expect(await m.reject(operator, 'inc-rej-routed', { expectedVersion: v, reason: 'Не относится к ведению органов власти' })).toEqual({ ok: true,
      value: { status: 'rejected' } });
    expect(await state('inc-rej-routed', routed)).toEqual({ incident: { status: 'rejected', rejection_reason: 'Не относится к ведению органов власти' },
      signals: ['rejected'], case: 'rejected' });
    const log = (await h.db.query('select to_status, actor from case_events where case_id = $1 order by id', [routed])).rows.at(-1);
    expect(log).toEqual({ to_status: 'rejected', actor: operator });
    expect((await h.db.query('select rejection_reason from cases where id = $1', [routed])).rows[0].rejection_reason).toBe(
      'Не относится к ведению органов власти',
    );
    expect(await outboundRows(h, "payload->>'caseId' = $1 or payload->>'incidentId' = 'inc-rej-routed'", [routed])).toEqual([]);
    expect((await m.listIncidents({ status: 'open', sort: 'urgent', limit: 200, growthHours: 6 })).items.map((i) => i.id)).not.toContain('inc-rej-routed');

    // Taken into work by its organization: the team may not reject it over the organization's head.
    const taken = await acceptedIncident('inc-rej-taken');
    const took = await performAction({ db: h.db, now: h.clock.now }, staff, taken, { action: 'take', expectedVersion: 1 });
    if (!took.ok) throw new Error(took.error);
    const refused = await m.reject(operator, 'inc-rej-taken', { expectedVersion: (await m.incident('inc-rej-taken'))!.incident.version,
      reason: 'Не требует ответа' });
    expect(refused).toMatchObject({ ok: false, status: 409, error: expect.stringContaining('in_progress') });
    expect(await state('inc-rej-taken', taken)).toEqual({ incident: { status: 'accepted', rejection_reason: null }, signals: ['accepted'],
      case: 'in_progress' });

    // The organization's coordinator rejects the routed case itself: the incident and its signals close too.
    const byCase = await acceptedIncident('inc-rej-case');
    const r = await performAction({ db: h.db, now: h.clock.now }, staff, byCase, { action: 'reject', expectedVersion: 1,
      reason: 'Вопрос не в компетенции района' });
    if (!r.ok) throw new Error(r.error);
    expect(await state('inc-rej-case', byCase)).toEqual({ incident: { status: 'rejected', rejection_reason: 'Вопрос не в компетенции района' },
      signals: ['rejected'], case: 'rejected' });
    expect(await outboundRows(h, "payload->>'caseId' = $1", [byCase])).toEqual([]);
  });

  it("shows an incident's top-3 suggested organizations and its municipalities from the classifier's routing, and hands them to its case", async () => {
    const m = monitoring();
    const [a, b, c] = [
      signal({ where: 'vk-own', incidentId: 'inc-suggest', municipality: 'город Ачинск',
        routing: [{ organization: 'Администрация Советского района', score: 0.6 }, { organization: 'МКУ «Служба заказчика»', score: 0.3 }, {
          organization: 'Минстрой края',
          score: 0.1,
        }] }),
      signal({ where: 'tg-group', incidentId: 'inc-suggest', municipality: 'Ачинский район',
        routing: [{ organization: 'Администрация Советского района', score: 0.2 }, { organization: 'ООО «Водоканал»', score: 0.7 }] }),
      signal({ where: 'vk-own', incidentId: 'inc-suggest', municipality: 'город Ачинск',
        routing: [{ organization: 'Минстрой края', score: 0.5 }, { organization: 'Минтранс края', score: 0.4 }] }),
    ];
    for (const s of [a, b, c]) await registerSignal(h, s);
    const row = (await m.listIncidents({ status: 'open', sort: 'urgent', limit: 200, growthHours: 6 })).items.find((i) => i.id === 'inc-suggest')!;
    // Scores summed per organization over the incident's three signals, divided by three, best first; a label naming a
    // known organization carries its id.
    expect(row).toMatchObject({ size: 3, channels: ['telegram', 'vk'], municipalities: ['Ачинский район', 'город Ачинск'] });
    expect(row.suggestions).toEqual([
      { label: 'Администрация Советского района', score: 0.2667, organizationId: orgId, organizationName: 'Администрация Советского района' },
      { label: 'ООО «Водоканал»', score: 0.2333, organizationId: null, organizationName: null },
      { label: 'Минстрой края', score: 0.2, organizationId: null, organizationName: null },
    ]);
    // The municipality filter finds the incident by any of its signals.
    expect((await m.listIncidents({ status: 'open', sort: 'urgent', limit: 200, growthHours: 6, municipality: 'Ачинский район' })).items.map((i) => i.id))
      .toContain('inc-suggest');
    const accepted = await m.accept(operator, 'inc-suggest', { expectedVersion: row.version });
    if (!accepted.ok) throw new Error(accepted.error);
    const kase = (await h.db.query('select routing_suggestions, municipality from cases where id = $1', [accepted.value.caseId])).rows[0];
    expect(kase.municipality).toBe('город Ачинск');
    expect(kase.routing_suggestions.map((x: { organization: string }) => x.organization)).toEqual(['Администрация Советского района', 'ООО «Водоканал»',
      'Минстрой края']);
  });

  it("counts reaction terms in working hours of the region's time zone", async () => {
    const terms = { ...DEFAULT_SIGNAL_TERMS, timezone: 'Asia/Krasnoyarsk', workingHours: { from: '09:00', to: '18:00' } };
    const other = await startWorkflowHarness({ clock: testClock(T0), signals: terms });
    try {
      // 19:00 in Krasnoyarsk: the 24 working hours start at 09:00 the next morning → 15:00 local on the third day.
      const s = signal({ where: 'vk-own', receivedAt: '2026-11-20T12:00:00.000Z' });
      await registerSignal(other, s);
      const due = (await other.db.query('select reaction_due_at from signals where message_id = $1', [s.message.messageId])).rows[0].reaction_due_at;
      expect(due.toISOString()).toBe('2026-11-23T08:00:00.000Z');
    } finally {
      await other.stop();
    }
  });

  it('makes a case of a complaint the detector is sure of where the region enables it, never of `other`', async () => {
    const other = await startWorkflowHarness({ clock: testClock(T0), signals: { ...DEFAULT_SIGNAL_TERMS, autoAcceptAbove: 0.8 } });
    try {
      const sure = signal({ where: 'vk-own', kindConfidence: 0.93 });
      const unsure = signal({ where: 'vk-own', kindConfidence: 0.6 });
      const chatter = signal({ where: 'vk-own', kind: 'other', kindConfidence: 0.99 });
      for (const s of [sure, unsure, chatter]) await registerSignal(other, s);
      const cases = (await other.db.query('select message_id, origin, status from cases')).rows;
      expect(cases).toEqual([{ message_id: sure.message.messageId, origin: 'signal', status: 'moderation' }]);
      expect((await other.db.query('select status from signals where message_id = $1', [sure.message.messageId])).rows[0].status).toBe('accepted');
      expect(await outboundRows(other)).toEqual([]);
    } finally {
      await other.stop();
    }
  });

  it('raises one spike alert when an incident grows far beyond its pace, notifying the monitoring team', async () => {
    for (let i = 0; i < 5; i++) {
      await registerSignal(h,
        signal({ where: 'vk-own', incidentId: 'inc-spike', receivedAt: '2026-11-20T09:30:00.000Z', category: 'Дороги', municipality: 'город Ачинск' }));
    }
    const alert = await eventually(async () => spikes.find((a) => a.incidentId === 'inc-spike'), 10_000, 'the spike alert');
    expect(alert).toMatchObject({ kind: 'incident', count: 5, baseline: 0, windowHours: 6 });
    const topic = await eventually(async () => spikes.find((a) => a.kind === 'topic' && a.municipality === 'город Ачинск'), 10_000, 'the topic alert');
    expect(topic).toMatchObject({ category: 'Дороги', count: 5 });
    const notes = (await h.db.query("select text from notifications where user_id = $1 and kind like 'spike-%'", [operator])).rows;
    expect(notes.map((n) => n.text)).toEqual(expect.arrayContaining([expect.stringContaining('5 сообщ. за 6 ч')]));
    // A sixth signal in the same window raises nothing new.
    await registerSignal(h,
      signal({ where: 'vk-own', incidentId: 'inc-spike', receivedAt: '2026-11-20T09:40:00.000Z', category: 'Дороги', municipality: 'город Ачинск' }));
    await new Promise((r) => setTimeout(r, 300));
    expect(spikes.filter((a) => a.incidentId === 'inc-spike')).toHaveLength(1);
    const listed = (await monitoring().alerts({ limit: 50, unacknowledgedOnly: true })).filter((a) => a.municipality === 'город Ачинск');
    expect(listed.map((a) => a.kind).sort()).toEqual(['incident', 'topic']);
    expect(await monitoring().acknowledgeAlert(operator, listed[0]!.id)).toBe(true);
    expect((await monitoring().alerts({ limit: 50, unacknowledgedOnly: true })).filter((a) => a.municipality === 'город Ачинск')).toHaveLength(1);
  });

  it("keeps the team's kind corrections of signals for training; the reaction term follows the kind", async () => {
    const m = monitoring();
    const s = signal({ where: 'vk-own', incidentId: 'inc-kind', receivedAt: '2026-11-20T09:20:00.000Z', text: 'Спасибо за новую площадку во дворе!' });
    await registerSignal(h, s);
    expect(await m.correct(operator, s.message.messageId, { field: 'kind', label: 'other' })).toMatchObject({ ok: true,
      value: { kind: 'other', reactionDueAt: null } });
    expect((await m.listIncidents({ status: 'open', sort: 'urgent', limit: 200, growthHours: 6 })).items.find((i) => i.id === 'inc-kind'))
      .toMatchObject({ kind: 'other', reactionDueAt: null });
    const back = await m.correct(operator, s.message.messageId, { field: 'kind', label: 'question' });
    expect(back).toMatchObject({ ok: true, value: { kind: 'question', reactionDueAt: new Date('2026-11-21T09:20:00.000Z') } });
    expect(await m.correct(operator, '00000000-0000-4000-8000-000000000000', { field: 'kind', label: 'other' })).toMatchObject({ ok: false, status: 404 });
    const file = path.join(os.tmpdir(), `signal-corrections-${Date.now()}.jsonl`);
    expect(await exportCorrections(h.db, file, 'kind')).toBeGreaterThanOrEqual(2);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { text: string; label: string });
    expect(lines.filter((l) => l.text === 'Спасибо за новую площадку во дворе!').map((l) => l.label)).toEqual(['other', 'question']);
    fs.rmSync(file);
  });

  it('merges incidents and splits a signal off; the message of a case stays with it', async () => {
    const m = monitoring();
    const x = signal({ where: 'vk-own', incidentId: 'inc-m1' });
    const y = signal({ where: 'tg-group', incidentId: 'inc-m2' });
    for (const s of [x, y]) await registerSignal(h, s);
    expect(await m.merge(operator, { targetId: 'inc-m1', incidentIds: ['inc-m2'] })).toMatchObject({ ok: true, value: { incidentId: 'inc-m1', moved: 1 } });
    // The classifier still sends the old id: a new signal there joins the incident it was merged into.
    const z = signal({ where: 'vk-own', incidentId: 'inc-m2' });
    await registerSignal(h, z);
    expect((await h.db.query('select incident_id from signals where message_id = $1', [z.message.messageId])).rows[0].incident_id).toBe('inc-m1');
    const split = await m.split(operator, y.message.messageId);
    if (!split.ok) throw new Error(split.error);
    expect(split.value.incidentId).not.toBe('inc-m1');
    const accepted = await m.accept(operator, 'inc-m1', { expectedVersion: (await m.incident('inc-m1'))!.incident.version });
    expect(accepted).toMatchObject({ ok: true, value: { caseStatus: 'moderation' } });
    const lead = (await h.db.query('select message_id from cases where incident_id = $1', ['inc-m1'])).rows[0].message_id;
    expect(await m.split(operator, lead)).toMatchObject({ ok: false, status: 409 });
    expect(messageIdFor('vk', x.message.externalId)).toBe(x.message.messageId);
  });
});
