/**
 * Monitoring in hours, in ClickHouse: signals received at known times, one left without a reaction past its term, one
 * reacted to with the interim reply, one answered by the team itself, and a thank-you without a term; the analytics
 * API answers time to first reaction and to answer and the share within term, by network and by municipality.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Otklik } from '../../main.js';
import { eventually, loginAs, startTestSystem } from '../support.js';
import { buildClassified } from './workflow-harness.js';

const HOUR = 3600_000;

describe('signal reaction analytics', () => {
  let system: Otklik;
  let token: string;
  const moderator = { id: '', token: '' };
  const call = async (method: string, path: string, body?: unknown, as = moderator.token) => {
    const res = await fetch(`${system.url}${path}`, { method, headers: { authorization: `Bearer ${as}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined });
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
    expect((await call('POST', '/api/v1/dashboard/monitoring/incidents/an-3/answer',
      { expectedVersion: await version('an-3'), text: 'Здравствуйте! Приём граждан ведётся по вторникам с 9 до 18 часов.' })).status).toBe(200);

    const table = async (groupBy: string) => (await call('GET', `/api/v1/analytics/signal-reaction?groupBy=${groupBy}`, undefined, token)).body.rows as Record<string, number | string>[];
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
});
