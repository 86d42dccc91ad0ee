/**
 * Monitoring in hours, in ClickHouse: signals received at known times, one left without a reaction past its term, one
 * reacted to with the interim reply, one answered by the team itself, and a thank-you without a term; the analytics
 * API answers time to first reaction and to answer and the share within term, by network and by municipality. By
 * organization: the one routing named (on acceptance, or routing later) counts the signal's overdue and unanswered,
 * a kind corrected to `other` takes the signal out of the terms, and the answer's term counts from acceptance.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyticsEvent } from '../../lib/queues.js';
import type { Otklik } from '../../main.js';
import { eventually, loginAs, startTestSystem } from '../support.js';
import { buildClassified } from './workflow-harness.js';

const HOUR = 3600_000;

describe('signal reaction analytics', () => {
  let system: Otklik;
  let token: string;
  const moderator = { id: '', token: '' };
  const call = async (method: string, path: string, body?: unknown, as = moderator.token) => {
    const res = await fetch(`${system.url}${path}`, { method,
      headers: { authorization: `Bearer ${as}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    system = await startTestSystem({}, ['workflow', 'analytics', 'dashboard']);
    token = await loginAs(system.url!, 'admin', 'test-admin-password');
    const created = await call('POST', '/api/v1/users', { login: 'signals-op', password: 'a-long-password-1', displayName: 'Оператор',
      roles: [{ role: 'moderator', organizationId: null }] }, token);
    moderator.id = created.body.id;
    moderator.token = await loginAs(system.url!, 'signals-op', 'a-long-password-1');
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('reports hours to reaction and to answer and the share within term, by network and by municipality', async () => {
    const ago = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();
    const vk = (n: number) => ({ source: 'vk' as const, externalId: `wall-111_${n}`, provenance: { ownerId: '-111', thread: 'own' } });
    const signals = {
      overdue: buildClassified({ ...vk(9101), origin: 'signal', receivedAt: ago(30), municipality: 'город Ачинск', incidentId: 'an-1' }),
      interim: buildClassified({ source: 'telegram', externalId: '-1001:9102', provenance: { via: 'group', chatId: '-1001' }, origin: 'signal',
        receivedAt: ago(2), incidentId: 'an-2' }),
      answered: buildClassified({ ...vk(9103), origin: 'signal', kind: 'question', receivedAt: ago(10), incidentId: 'an-3' }),
      thanks: buildClassified({ ...vk(9104), origin: 'signal', kind: 'other', receivedAt: ago(1), incidentId: 'an-4' }),
    };
    for (const s of Object.values(signals)) await system.queues.classified.add('classified', s);
    await eventually(async () => (await system.db.query("select 1 from signals where incident_id like 'an-%'")).rowCount === 4, 20_000, 'four signals');
    const version = async (id: string) => (await call('GET', `/api/v1/dashboard/monitoring/incidents/${id}`)).body.incident.version as number;
    expect((await call('POST', '/api/v1/dashboard/monitoring/incidents/an-2/interim', { expectedVersion: await version('an-2') })).status).toBe(200);
    expect(
      (await call('POST', '/api/v1/dashboard/monitoring/incidents/an-3/answer', { expectedVersion: await version('an-3'),
        text: 'Здравствуйте! Приём граждан ведётся по вторникам с 9 до 18 часов.' })).status,
    ).toBe(200);

    const table = async (groupBy: string) =>
      (await call('GET', `/api/v1/analytics/signal-reaction?groupBy=${groupBy}`, undefined, token)).body.rows as Record<string, number | string>[];
    const bySource = await eventually(async () => {
      const rows = await table('source');
      return rows.find((r) => r.source === 'vk')?.answered === 1 && rows.find((r) => r.source === 'telegram')?.reacted === 1 ? rows : undefined;
    }, 30_000, 'signal events in ClickHouse');
    const vkRow = bySource.find((r) => r.source === 'vk')!;
    // The thank-you has no term; of the two with one, one was answered after ~10 h (in time), one is 6 h past its term.
    expect(vkRow).toMatchObject({ signals: 2, reacted: 1, reactedOnTime: 1, overdueNow: 1, onTimeShare: 0.5, answered: 1 });
    expect(Number(vkRow.medianReactionHours)).toBeGreaterThan(9.9);
    expect(Number(vkRow.medianReactionHours)).toBeLessThan(10.5);
    expect(Number(vkRow.medianAnswerHours)).toBeCloseTo(Number(vkRow.medianReactionHours), 1);
    const tgRow = bySource.find((r) => r.source === 'telegram')!;
    expect(tgRow).toMatchObject({ signals: 1, reacted: 1, reactedOnTime: 1, overdueNow: 0, onTimeShare: 1, answered: 0 });
    expect(Number(tgRow.medianReactionHours)).toBeGreaterThan(1.9);
    expect(Number(tgRow.medianReactionHours)).toBeLessThan(2.5);

    const byMunicipality = await table('municipality');
    expect(byMunicipality.find((r) => r.municipality === 'город Ачинск')).toMatchObject({ signals: 1, overdueNow: 1, onTimeShare: 0 });
    expect(byMunicipality.find((r) => r.municipality === 'город Красноярск')).toMatchObject({ signals: 2, reacted: 2, onTimeShare: 1 });
    // The export has the same rows, as a file.
    const csv = await fetch(`${system.url}/api/v1/analytics/signal-reaction?groupBy=source&format=csv`, { headers: { authorization: `Bearer ${token}` } });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(await csv.text()).toContain('Доля в срок');
  });

  it('counts overdue and unanswered signals per organization named by routing, drops one corrected to `other`, and the answer term', async () => {
    let staffed = 0;
    // An organization takes cases once a coordinator and a leader, two people, are in it (ПОС readiness).
    const org = async (name: string) => {
      const id = (await call('POST', '/api/v1/organizations', { name, kind: 'omsu' }, token)).body.id as string;
      for (const role of ['coordinator', 'leader']) {
        const r = await call('POST', '/api/v1/users', { login: `signals-${role}-${++staffed}`, password: 'a-long-password-1', displayName: role,
          roles: [{ role, organizationId: id }] }, token);
        expect(r.status).toBe(201);
      }
      return id;
    };
    const [orgA, orgB, orgC] = [await org('Администрация Назарово'), await org('Администрация Шарыпово'), await org('Администрация Минусинска')];
    const ago = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();
    const vk = (n: number, hours: number, incidentId: string) =>
      buildClassified({ source: 'vk', externalId: `wall-111_${n}`, provenance: { ownerId: '-111', thread: 'own' }, origin: 'signal', receivedAt: ago(hours),
        incidentId, municipality: 'город Назарово' });
    const signals = { a1: vk(9201, 30, 'ao-1'), a2: vk(9202, 2, 'ao-2'), b1: vk(9203, 30, 'ao-3'), b2: vk(9204, 40, 'ao-4') };
    for (const s of Object.values(signals)) await system.queues.classified.add('classified', s);
    await eventually(async () => (await system.db.query("select 1 from signals where incident_id like 'ao-%'")).rowCount === 4, 20_000, 'four signals');
    const base = '/api/v1/dashboard/monitoring/incidents';
    const act = async (id: string, action: string, body: Record<string, unknown> = {}) => {
      const version = (await call('GET', `${base}/${id}`)).body.incident.version as number;
      const r = await call('POST', `${base}/${id}/${action}`, { expectedVersion: version, ...body });
      expect(r.status, `${action} ${id}: ${JSON.stringify(r.body)}`).toBe(200);
      return r.body;
    };
    // Accepted and routed at once; accepted, then reacted to in time; accepted, then corrected to `other`; accepted without
    // an organization and routed later.
    expect(await act('ao-1', 'accept', { organizationId: orgA })).toMatchObject({ organizationId: orgA });
    await act('ao-2', 'accept', { organizationId: orgA });
    await act('ao-2', 'interim');
    await act('ao-3', 'accept', { organizationId: orgB });
    expect((await call('POST', `/api/v1/dashboard/monitoring/signals/${signals.b1.message.messageId}/correction`, { field: 'kind', label: 'other' })).status)
      .toBe(200);
    expect(await act('ao-4', 'accept')).toMatchObject({ caseStatus: 'moderation', organizationId: null });
    expect(await act('ao-4', 'route', { organizationId: orgB })).toMatchObject({ caseStatus: 'routed', organizationId: orgB });

    // A post joining the accepted incident is accepted with it, for the organization its case was routed to.
    const joiner = vk(9205, 1, 'ao-1');
    await system.queues.classified.add('classified', joiner);
    await eventually(
      async () => (await system.db.query("select 1 from signals where message_id = $1 and status = 'accepted'", [joiner.message.messageId])).rowCount,
      20_000,
      'the joiner',
    );

    // The answer's term, by events as the workflow writes them: one answered after its case's deadline, one past it unanswered.
    const late = randomUUID();
    const waiting = randomUUID();
    const event = (messageId: string, type: AnalyticsEvent['type'], hours: number, extra: Partial<AnalyticsEvent> = {}): AnalyticsEvent => ({
      eventId: randomUUID(),
      type,
      at: ago(hours),
      messageId,
      source: 'telegram',
      category: 'Дороги',
      kind: 'complaint',
      incidentId: `ao-${messageId}`,
      props: {},
      ...extra,
    });
    const routed = { organizationId: orgC, props: { answerDueAt: ago(27) } };
    await system.queues.events.add('events', { events: [
      event(late, 'signal.received', 100, { deadlineAt: ago(76) }),
      event(late, 'signal.accepted', 99, { props: { answerDueAt: ago(27) } }),
      event(late, 'signal.routed', 99, routed),
      event(late, 'signal.reacted', 90, { organizationId: orgC }),
      event(late, 'signal.answered', 20, { organizationId: orgC }),
      event(waiting, 'signal.received', 100, { deadlineAt: ago(76) }),
      event(waiting, 'signal.routed', 99, routed),
      event(waiting, 'signal.reacted', 98, { organizationId: orgC }),
    ] });

    const byOrg = async () =>
      (await call('GET', '/api/v1/analytics/signal-reaction?groupBy=organization', undefined, token)).body.rows as Record<string, number | string>[];
    const rows = await eventually(async () => {
      const r = await byOrg();
      const b = r.find((x) => x.organization === orgB);
      return r.find((x) => x.organization === orgA)?.signals === 3 && b?.signals === 1 && r.find((x) => x.organization === orgC)?.answered === 1
        ? r
        : undefined;
    }, 30_000, 'signals grouped by organization');
    // Organization A: one signal past its reaction term, one reacted to in time, the joiner within its term; answers are due in 72 h.
    expect(rows.find((r) => r.organization === orgA)).toMatchObject({ signals: 3, reacted: 1, reactedOnTime: 1, overdueNow: 1, onTimeShare: 0.5, answered: 0,
      unanswered: 3, answeredOnTime: 0, answerOverdueNow: 0, answerOnTimeShare: 0 });
    // Organization B: the signal routed after acceptance counts; the one corrected to `other` does not.
    expect(rows.find((r) => r.organization === orgB)).toMatchObject({ signals: 1, overdueNow: 1, unanswered: 1 });
    expect(rows.find((r) => r.organization === orgC)).toMatchObject({ signals: 2, reacted: 2, answered: 1, unanswered: 1, answeredOnTime: 0,
      answerOverdueNow: 1, answerOnTimeShare: 0 });
    // Filtering by an organization keeps its signals only.
    const onlyB = (await call('GET', `/api/v1/analytics/signal-reaction?groupBy=source&organization=${orgB}`, undefined, token)).body.rows;
    expect(onlyB).toEqual([expect.objectContaining({ source: 'vk', signals: 1, overdueNow: 1 })]);

    // Back from `other` to a complaint: the term is back, and so is the overdue signal.
    expect(
      (await call('POST', `/api/v1/dashboard/monitoring/signals/${signals.b1.message.messageId}/correction`, { field: 'kind', label: 'complaint' })).status,
    ).toBe(200);
    const again = await eventually(async () => (await byOrg()).find((r) => r.organization === orgB && r.signals === 2), 30_000, 'the corrected signal back');
    expect(again).toMatchObject({ overdueNow: 2, unanswered: 2 });
  });
});
