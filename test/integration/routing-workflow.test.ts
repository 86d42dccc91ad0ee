/**
 * Routing on the real workflow (Redis + PostgreSQL): automatic routes above the threshold, the coordinator below it
 * or when the best organization is not ready, redirects kept as training examples, routing-table versions applied
 * only to cases routed after the change, the dry run against a recount, and the self-adjusting threshold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClassifiedMessage } from '../../lib/queues.js';
import { DAY_MS } from '../../lib/time.js';
import { exportExamples } from '../../workflow/routing/store.js';
import { loginAs } from '../support.js';
import { api, buildClassified, createOrg, createUser, registerThroughQueue, startWorkflowHarness, type Api, type Harness } from './workflow-harness.js';

function buildRoutedMessage(overrides: { category?: string; routing?: { organization: string; score: number }[]; text?: string } = {}): ClassifiedMessage {
  const m = buildClassified({ category: overrides.category ?? 'дороги', text: overrides.text });
  if (overrides.routing) m.classification.routing = overrides.routing;
  return m;
}

interface World {
  h: Harness;
  a: Api;
  admin: string;
  moderator: string;
  orgs: Record<'roads' | 'housing' | 'noCoordinator' | 'noLeader' | 'coordination' | 'city', string>;
  coordinators: Record<string, string>;
}

async function setUpWorld(): Promise<World> {
  const h = await startWorkflowHarness();
  const a = api(h);
  const admin = await loginAs(h.url, 'admin', 'test-admin-password');
  const make = async (name: string, code: string, ready: boolean) => {
    const id = await createOrg(h, name);
    await h.db.query('update organizations set code = $2, training_confirmed = $3, ready_confirmed = $3 where id = $1', [id, code, ready]);
    return id;
  };
  const orgs = {
    roads: await make('Департамент дорожного хозяйства', 'roads', true),
    housing: await make('Департамент городского хозяйства', 'housing', false),
    noCoordinator: await make('Управление транспорта', 'transport', true),
    coordination: await make('Центр управления регионом', 'region-coordination', true),
    city: await make('Администрация города', 'city', true),
    noLeader: await make('Управление образования', 'education', true),
  };
  const coordinators: Record<string, string> = {};
  for (const key of ['roads', 'housing', 'coordination', 'city', 'noLeader'] as const) {
    coordinators[key] = (await createUser(h, `coord-${key}`, [['coordinator', orgs[key]]])).token;
  }
  // ПОС: an organization that receives cases has a leader too (who approves the answers).
  for (const key of ['roads', 'housing', 'coordination', 'city', 'noCoordinator'] as const) await createUser(h, `leader-${key}`, [['leader', orgs[key]]]);
  const moderator = (await createUser(h, 'moderator1', [['moderator', null]])).token;
  const settings = await a.send('PATCH', '/api/v1/routing/settings', { coordinatingOrganization: 'region-coordination', threshold: 0.8 }, admin);
  expect(settings.status).toBe(200);
  return { h, a, admin, moderator, orgs, coordinators };
}

async function acceptAutomatically(w: World, caseId: string) {
  const res = await w.a.post(`/api/v1/cases/${caseId}/accept`, { expectedVersion: 0 }, w.moderator);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (await w.a.get(`/api/v1/cases/${caseId}`, w.moderator)).body;
}

describe('routing in the workflow', () => {
  let w: World;
  beforeAll(async () => {
    w = await setUpWorld();
  }, 60_000);
  afterAll(async () => {
    await w?.h.stop();
  });

  it('routes automatically above the threshold and says so in the case log', async () => {
    const caseId = await registerThroughQueue(w.h, buildRoutedMessage({ routing: [
      { organization: 'roads', score: 0.93 },
      { organization: 'Департамент городского хозяйства', score: 0.05 },
      { organization: 'Неизвестно', score: 0.02 },
    ] }));
    const before = (await w.a.get(`/api/v1/cases/${caseId}`, w.moderator)).body;
    expect(before.routingSuggestions).toEqual([
      { organization: 'roads', score: 0.93, organizationId: w.orgs.roads, organizationName: 'Департамент дорожного хозяйства', ready: true },
      { organization: 'Департамент городского хозяйства', score: 0.05, organizationId: w.orgs.housing, organizationName: 'Департамент городского хозяйства',
        ready: false },
      { organization: 'Неизвестно', score: 0.02, organizationId: null, organizationName: null, ready: false },
    ]);
    const detail = await acceptAutomatically(w, caseId);
    expect(detail.organizationId).toBe(w.orgs.roads);
    expect(detail.status).toBe('routed');
    expect(detail.routing).toMatchObject({ automatic: true, source: 'model', reason: 'model-confident' });
    const accept = detail.history.find((e: any) => e.type === 'accept');
    expect(accept.comment).toBe('Маршрутизировано автоматически моделью: «Департамент дорожного хозяйства», уверенность 93\u00a0% (порог 80\u00a0%).');
    expect(accept.data.routing).toMatchObject({ automatic: true, reason: 'model-confident', score: 0.93, threshold: 0.8 });
    // The coordinator of the chosen organization sees the case and its suggestions too.
    const seen = await w.a.get(`/api/v1/cases/${caseId}`, w.coordinators.roads);
    expect(seen.status).toBe(200);
    expect(seen.body.routingSuggestions).toHaveLength(3);
  });

  it("sends the message to the region's coordinator below the threshold, with the reason", async () => {
    const caseId = await registerThroughQueue(w.h,
      buildRoutedMessage({ routing: [{ organization: 'roads', score: 0.55 }, { organization: 'city', score: 0.3 }] }));
    const detail = await acceptAutomatically(w, caseId);
    expect(detail.organizationId).toBe(w.orgs.coordination);
    expect(detail.routing).toMatchObject({ automatic: false, reason: 'below-threshold' });
    expect(detail.routingSuggestions.map((s: any) => [s.organizationId, s.score])).toEqual([[w.orgs.roads, 0.55], [w.orgs.city, 0.3]]);
    expect(detail.history.find((e: any) => e.type === 'accept').comment).toContain('ниже порога 80\u00a0%');
  });

  it('never chooses an organization that is not ready or has no active coordinator or leader', async () => {
    const notReady = await registerThroughQueue(w.h, buildRoutedMessage({ routing: [{ organization: 'housing', score: 0.97 }] }));
    const d1 = await acceptAutomatically(w, notReady);
    expect(d1.organizationId).toBe(w.orgs.coordination);
    expect(d1.routing.reason).toBe('not-ready');
    expect(d1.history.find((e: any) => e.type === 'accept').comment).toContain('не подтвердила обучение и готовность');

    const noCoordinator = await registerThroughQueue(w.h, buildRoutedMessage({ routing: [{ organization: 'transport', score: 0.97 }] }));
    const d2 = await acceptAutomatically(w, noCoordinator);
    expect(d2.organizationId).toBe(w.orgs.coordination);
    expect(d2.routing.reason).toBe('no-coordinator');

    const noLeader = await registerThroughQueue(w.h, buildRoutedMessage({ routing: [{ organization: 'education', score: 0.97 }] }));
    const d3 = await acceptAutomatically(w, noLeader);
    expect(d3.organizationId).toBe(w.orgs.coordination);
    expect(d3.routing.reason).toBe('no-leader');
    expect(d3.history.find((e: any) => e.type === 'accept').comment).toContain('нет активного руководителя');

    // Once the organization confirms both flags, the same suggestion is routed automatically.
    await w.h.db.query('update organizations set training_confirmed = true, ready_confirmed = true where id = $1', [w.orgs.housing]);
    const ready = await registerThroughQueue(w.h, buildRoutedMessage({ routing: [{ organization: 'housing', score: 0.97 }] }));
    expect((await acceptAutomatically(w, ready)).organizationId).toBe(w.orgs.housing);
    await w.h.db.query('update organizations set training_confirmed = false, ready_confirmed = false where id = $1', [w.orgs.housing]);
  });

  it("records a coordinator's redirect as a training example and counts it against the automatic route", async () => {
    const text = 'На перекрёстке Мира и Ленина не работает светофор третий день';
    const caseId = await registerThroughQueue(w.h, buildRoutedMessage({ text, routing: [{ organization: 'roads', score: 0.9 }] }));
    const detail = await acceptAutomatically(w, caseId);
    expect(detail.routing.automatic).toBe(true);
    const statsBefore = (await w.a.get('/api/v1/routing/stats', w.admin)).body;
    const res = await w.a.post(`/api/v1/cases/${caseId}/redirect`, { expectedVersion: detail.version, organizationId: w.orgs.city,
      reason: 'Светофоры обслуживает город' }, w.coordinators.roads);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const ex = await w.h.db.query('select * from routing_examples where case_id = $1', [caseId]);
    expect(ex.rows).toHaveLength(1);
    expect(ex.rows[0]).toMatchObject({ text, category: 'дороги', from_label: 'roads', to_label: 'city', from_organization_id: w.orgs.roads,
      to_organization_id: w.orgs.city, automatic_route: true, context: { district: 'город Красноярск', municipality: 'город Красноярск' } });
    const stats = (await w.a.get('/api/v1/routing/stats', w.admin)).body;
    expect(stats.redirected).toBe(statsBefore.redirected + 1);
    expect(stats.autoRoutes).toBe(statsBefore.autoRoutes);
    expect(stats.routingExamples).toBe(statsBefore.routingExamples + 1);
    expect(stats.rate).toBeCloseTo(stats.redirected / stats.autoRoutes, 10);
    // A second redirect is another example but not a second correction of the automatic route.
    const again = await w.a.post(`/api/v1/cases/${caseId}/redirect`, { expectedVersion: res.body.version, organizationId: w.orgs.roads,
      reason: 'Вернули по решению штаба' }, w.coordinators.city);
    expect(again.status).toBe(200);
    expect((await w.a.get('/api/v1/routing/stats', w.admin)).body.redirected).toBe(stats.redirected);
    const lines: string[] = [];
    await exportExamples(w.h.db, (l) => void lines.push(l));
    const mine = lines.map((l) => JSON.parse(l)).filter((x) => x.text === text);
    expect(mine.map((x) => [x.from, x.organization, x.district])).toEqual([['roads', 'city', 'город Красноярск'], ['city', 'roads', 'город Красноярск']]);
  });

  it('applies a routing-table change only to messages routed after it, and records the version', async () => {
    const v1 = await w.a.send('PUT', '/api/v1/routing/table', { rules: [{ category: 'ЖКХ', municipality: 'город Красноярск', organization: 'roads' }],
      comment: 'первая' }, w.admin);
    expect(v1.status).toBe(201);
    const first = await registerThroughQueue(w.h, buildRoutedMessage({ category: 'ЖКХ', routing: [{ organization: 'city', score: 0.99 }] }));
    const d1 = await acceptAutomatically(w, first);
    expect(d1.organizationId).toBe(w.orgs.roads);
    expect(d1.routing).toMatchObject({ source: 'table', reason: 'table-rule', tableVersion: v1.body.version, automatic: true });
    const pending = await registerThroughQueue(w.h, buildRoutedMessage({ category: 'ЖКХ' }));

    const v2 = await w.a.send('PUT', '/api/v1/routing/table', { rules: [{ category: 'ЖКХ', organization: 'Администрация города' }], comment: 'вторая' },
      w.admin);
    expect(v2.body.version).toBe(v1.body.version + 1);
    const later = await acceptAutomatically(w, pending);
    expect(later.organizationId).toBe(w.orgs.city);
    expect(later.routing.tableVersion).toBe(v2.body.version);
    const unchanged = (await w.a.get(`/api/v1/cases/${first}`, w.moderator)).body;
    expect(unchanged.organizationId).toBe(w.orgs.roads);
    expect(unchanged.routing.tableVersion).toBe(v1.body.version);

    const versions = (await w.a.get('/api/v1/routing/table/versions', w.admin)).body.items;
    expect(versions.slice(0, 2).map((v: any) => [v.version, v.comment, v.ruleCount])).toEqual([[v2.body.version, 'вторая', 1], [v1.body.version, 'первая', 1]]);
    expect((await w.a.get(`/api/v1/routing/table/versions/${v1.body.version}`, w.admin)).body.rules).toEqual(v1.body.rules);
  });

  it('refuses bad tables and non-administrators without changing the current version', async () => {
    const current = (await w.a.get('/api/v1/routing/table', w.admin)).body.version;
    const bad = await w.a.send('PUT', '/api/v1/routing/table', { rules: [{ category: 'ЖКХ', reason: 'Ямы', organization: 'roads' }] }, w.admin);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/exactly one of category or reason/);
    expect((await w.a.send('PUT', '/api/v1/routing/table', { rules: [] }, w.moderator)).status).toBe(403);
    expect((await w.a.send('PATCH', '/api/v1/routing/settings', { threshold: 2 }, w.admin)).status).toBe(400);
    expect((await w.a.get('/api/v1/routing/table', w.admin)).body.version).toBe(current);
    expect((await w.a.get('/api/v1/routing/stats')).status).toBe(401);
  });
});

describe('routing dry run', () => {
  let w: World;
  beforeAll(async () => {
    w = await setUpWorld();
  }, 60_000);
  afterAll(async () => {
    await w?.h.stop();
  });

  it("counts how last month's messages would be routed, equal to a recount", async () => {
    const start = w.h.clock.now();
    // An old message (40 days ago) lies outside «last month».
    w.h.clock.set(new Date(start.getTime() - 40 * DAY_MS));
    await registerThroughQueue(w.h, buildRoutedMessage({ category: 'ЖКХ', routing: [{ organization: 'roads', score: 0.95 }] }));
    w.h.clock.set(new Date(start.getTime() - 10 * DAY_MS));
    const plan: [string, string, number][] = [
      ['ЖКХ', 'city', 0.95],
      ['ЖКХ', 'roads', 0.2],
      ['ЖКХ', 'housing', 0.9],
      ['дороги', 'roads', 0.95],
      ['дороги', 'roads', 0.81],
      ['дороги', 'roads', 0.5],
      ['дороги', 'housing', 0.99],
      ['дороги', 'city', 0.85],
      ['образование', 'Неизвестная школа', 0.99],
      ['образование', 'city', 0.1],
    ];
    const ids: string[] = [];
    for (const [category, organization, score] of plan) {
      ids.push(await registerThroughQueue(w.h, buildRoutedMessage({ category, routing: [{ organization, score }] })));
    }
    // Two of them are already routed somewhere: `changed` counts those the new table would move.
    await w.a.post(`/api/v1/cases/${ids[0]}/accept`, { expectedVersion: 0, organizationId: w.orgs.city }, w.moderator);
    await w.a.post(`/api/v1/cases/${ids[3]}/accept`, { expectedVersion: 0, organizationId: w.orgs.roads }, w.moderator);
    w.h.clock.set(start);

    const rules = [{ category: 'ЖКХ', organization: 'roads' }];
    const res = await w.a.post('/api/v1/routing/dry-run', { rules }, w.admin);
    expect(res.status, JSON.stringify(res.body)).toBe(200);

    // The recount, straight from the database: ЖКХ goes to roads by the table; otherwise the model's top suggestion
    // when it reaches 0.8 and names a ready organization with a coordinator (roads, city); the rest to coordination.
    const from = new Date(start.getTime() - 30 * DAY_MS);
    const q = async (where: string) =>
      (await w.h.db.query<{ n: number }>(
        `select count(*)::int as n from cases c where c.registered_at >= $1 and c.registered_at < $2 and (${where})`,
        [from, start],
      )).rows[0]!.n;
    const top = `(c.routing_suggestions->0->>'organization')`;
    const score = `(c.routing_suggestions->0->>'score')::float`;
    const table = await q(`c.category = 'ЖКХ'`);
    const modelRoads = await q(`c.category <> 'ЖКХ' and ${top} = 'roads' and ${score} >= 0.8`);
    const modelCity = await q(`c.category <> 'ЖКХ' and ${top} = 'city' and ${score} >= 0.8`);
    const total = await q('true');
    const coordinator = total - table - modelRoads - modelCity;
    const changed = await q(`c.organization_id is not null and c.organization_id <> (case when c.category = 'ЖКХ' then '${w.orgs.roads}'::uuid
      when ${top} = 'roads' and ${score} >= 0.8 then '${w.orgs.roads}'::uuid when ${top} = 'city' and ${score} >= 0.8 then '${w.orgs.city}'::uuid
      else '${w.orgs.coordination}'::uuid end)`);

    expect(total).toBe(plan.length);
    expect(res.body).toMatchObject({ total, automatic: table + modelRoads + modelCity, toCoordinator: coordinator, unrouted: 0, changed });
    const byOrg = Object.fromEntries(res.body.byOrganization.map((o: any) => [o.organizationId, o.count]));
    expect(byOrg).toEqual({ [w.orgs.roads]: table + modelRoads, [w.orgs.city]: modelCity, [w.orgs.coordination]: coordinator });
    expect(res.body.byReason['table-rule']).toBe(table);
    // Nothing was routed by the dry run.
    expect((await w.h.db.query('select count(*)::int as n from cases where organization_id is not null')).rows[0].n).toBe(2);
  });

  it('adjusts the threshold by itself from the redirect rate of automatic routes, recording each change with its reason', async () => {
    await w.a.send('PATCH', '/api/v1/routing/settings', { adjustMinSample: 4, targetRedirectRate: 0.2, threshold: 0.75, comment: 'test' }, w.admin);
    const autoRoute = async () => {
      w.h.clock.advance(1000);
      const id = await registerThroughQueue(w.h, buildRoutedMessage({ routing: [{ organization: 'roads', score: 0.9 }] }));
      const d = await acceptAutomatically(w, id);
      expect(d.routing.automatic).toBe(true);
      return { id, version: d.version };
    };
    const redirect = async (c: { id: string; version: number }) => {
      w.h.clock.advance(1000);
      const r = await w.a.post(`/api/v1/cases/${c.id}/redirect`, { expectedVersion: c.version, organizationId: w.orgs.city, reason: 'Не та организация' },
        w.coordinators.roads);
      expect(r.status).toBe(200);
    };
    const threshold = async () => (await w.a.get('/api/v1/routing/settings', w.admin)).body.threshold as number;

    // Four automatic routes, none redirected: well below the target, so the threshold comes down one small step.
    for (let i = 0; i < 3; i++) await autoRoute();
    expect(await threshold()).toBeCloseTo(0.75, 5);
    await autoRoute();
    expect(await threshold()).toBeCloseTo(0.74, 5);

    // The next four count afresh; two of them are redirected (50 % > 20 %), so it goes up by a big step.
    await redirect(await autoRoute());
    await redirect(await autoRoute());
    await autoRoute();
    expect(await threshold()).toBeCloseTo(0.74, 5);
    await autoRoute();
    const stats = (await w.a.get('/api/v1/routing/stats', w.admin)).body;
    expect(stats.threshold).toBeCloseTo(0.79, 5);
    expect(stats.thresholdHistory.map((x: any) => [x.actor, x.autoRoutes, x.redirected])).toEqual([['system', 4, 2], ['system', 4, 0], [expect.any(String),
      null, null]]);
    expect(stats.thresholdHistory[0].reason).toMatch(/50\u00a0% \(2 из 4\) выше целевой 20\u00a0%: порог повышен/);
    expect(stats.thresholdHistory[1].reason).toMatch(/0\u00a0% \(0 из 4\) ниже половины целевой 20\u00a0%: порог понижен/);
    expect(stats.thresholdHistory[2].reason).toBe('установлен администратором: test');
    expect(stats.sinceLastChange).toMatchObject({ autoRoutes: 0, redirected: 0 });

    // The new threshold applies at once: 0.78 is no longer enough.
    const id = await registerThroughQueue(w.h, buildRoutedMessage({ routing: [{ organization: 'roads', score: 0.78 }] }));
    expect((await acceptAutomatically(w, id)).routing.reason).toBe('below-threshold');
  });
});
