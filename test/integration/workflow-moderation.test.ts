/**
 * The monitoring team's corrections go through the workflow like any other change of a case: a category correction
 * and incident merges and splits made in the dashboard's inbox API are recorded in the case log and reach
 * ClickHouse as analytics events, on a whole running system.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Otklik } from '../../main.js';
import { caseIdFor } from '../../workflow/register-case.js';
import { eventually, loginAs, startTestSystem } from '../support.js';
import { buildClassified } from './workflow-harness.js';

interface ChEvent {
  type: string;
  caseId: string;
  category: string;
  kind: string;
  incident_id: string;
  status: string;
  actor: string;
  props: Record<string, string>;
}

describe('moderation corrections reach analytics', () => {
  let system: Otklik;
  let moderator: { id: string; token: string };
  const ids: string[] = [];

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${system.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${moderator.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const eventsInClickHouse = async (type: string): Promise<ChEvent[]> => {
    const rs = await system.ch!.query({
      // Aliases differ from the columns: in ClickHouse an alias named like a column replaces it in WHERE.
      query: `SELECT type, toString(case_id) AS caseId, category, kind, incident_id, status, actor, props FROM events
               WHERE case_id IN {ids:Array(UUID)} AND type = {type:String} ORDER BY at, event_id`,
      query_params: { ids, type },
      format: 'JSONEachRow',
    });
    return rs.json<ChEvent>();
  };

  beforeAll(async () => {
    system = await startTestSystem({}, ['workflow', 'analytics', 'dashboard']);
    const admin = await loginAs(system.url!, 'admin', 'test-admin-password');
    const created = await fetch(`${system.url}/api/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'monitor', password: 'a-long-password-1', displayName: 'Мониторинг',
        roles: [{ role: 'moderator', organizationId: null }] }),
    });
    moderator = { id: ((await created.json()) as { id: string }).id, token: await loginAs(system.url!, 'monitor', 'a-long-password-1') };
    for (const text of ['Прорыв трубы на улице Вавилова, 5: затопило подвал.', 'Вавилова, 5 — вода в подвале после прорыва трубы.']) {
      const input = buildClassified({ source: 'contact_center', text, category: 'ЖКХ' });
      await system.queues.classified.add('classified', input);
      ids.push(caseIdFor(input.message.messageId));
    }
    await eventually(async () => (await system.db.query('select 1 from cases where id = any($1::uuid[])', [ids])).rowCount === 2, 20_000, 'two cases');
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('records a category correction in the case log and in ClickHouse, moving the version', async () => {
    const before = await call('GET', `/api/v1/cases/${ids[0]}`);
    expect(before.body.category).toBe('ЖКХ');
    const stale = await call('POST', `/api/v1/dashboard/cases/${ids[0]}/correction`, { field: 'category', label: 'Вывоз мусора',
      expectedVersion: before.body.version + 1 });
    expect(stale.status).toBe(409);
    const corrected = await call('POST', `/api/v1/dashboard/cases/${ids[0]}/correction`, { field: 'category', label: 'Вывоз мусора',
      expectedVersion: before.body.version });
    expect(corrected).toEqual({ status: 200, body: { version: before.body.version + 1 } });

    const after = await call('GET', `/api/v1/cases/${ids[0]}`);
    expect([after.body.category, after.body.version, after.body.status]).toEqual(['Вывоз мусора', before.body.version + 1, 'moderation']);
    expect(after.body.history.at(-1)).toMatchObject({ type: 'category_corrected', actor: moderator.id, fromStatus: 'moderation', toStatus: 'moderation',
      data: { from: 'ЖКХ', to: 'Вывоз мусора' } });

    const [event] = await eventually(async () => {
      const found = await eventsInClickHouse('case.corrected');
      return found.length ? found : undefined;
    }, 30_000, 'the correction in ClickHouse');
    expect(event).toMatchObject({ type: 'case.corrected', caseId: ids[0], category: 'Вывоз мусора', kind: 'complaint', status: 'moderation',
      actor: moderator.id, props: { field: 'category', from: 'ЖКХ', to: 'Вывоз мусора' } });
  });

  it('sends incident merges and splits to ClickHouse without moving the case version', async () => {
    const versions = async () => Promise.all(ids.map(async (id) => (await call('GET', `/api/v1/cases/${id}`)).body.version as number));
    const before = await versions();
    const merged = await call('POST', '/api/v1/dashboard/incidents/merge', { targetId: ids[0], caseIds: [ids[1]] });
    // Neither case had an incident: both join the target's own.
    expect(merged).toEqual({ status: 200, body: { incidentId: ids[0], moved: 2 } });
    const split = await call('POST', `/api/v1/dashboard/cases/${ids[1]}/split`);
    expect(split).toEqual({ status: 200, body: { incidentId: ids[1] } });
    expect(await versions()).toEqual(before);
    const inbox = await call('GET', '/api/v1/dashboard/inbox?status=moderation');
    const incidentOf = (id: string) => inbox.body.items.find((x: { id: string }) => x.id === id);
    expect([incidentOf(ids[0]!), incidentOf(ids[1]!)].map((x) => [x.incidentId, x.mentions])).toEqual([[ids[0], 1], [ids[1], 1]]);

    const events = await eventually(async () => {
      const found = await eventsInClickHouse('case.incident');
      return found.length === 3 ? found : undefined;
    }, 30_000, 'three incident moves in ClickHouse');
    const summary = events.map((e) => [e.caseId, e.props.action, e.props.from, e.incident_id]);
    expect(summary).toEqual(expect.arrayContaining([
      [ids[0], 'merged', ids[0], ids[0]],
      [ids[1], 'merged', ids[1], ids[0]],
      [ids[1], 'split', ids[0], ids[1]],
    ]));
    expect(events.every((e) => e.actor === moderator.id && e.status === 'moderation')).toBe(true);
  });
});
