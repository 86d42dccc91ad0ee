/**
 * The workflow API beyond the lifecycle: login throttling and token expiry, the current user and the readiness
 * confirmation, organizations, list filters and pagination, and the OpenAPI document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support.js';
import { api, buildClassified, createOrg, createUser, registerThroughQueue, startWorkflowHarness, testClock, type Api,
  type Harness } from './workflow-harness.js';

const T0 = '2026-11-20T10:00:00.000Z';

describe('workflow API', () => {
  let h: Harness;
  let a: Api;
  let admin: string;

  beforeAll(async () => {
    h = await startWorkflowHarness({ clock: testClock(T0), loginLimit: { maxFailures: 3, windowMinutes: 15 } });
    a = api(h);
    admin = (await a.post('/api/v1/auth/login', { login: 'admin', password: 'test-admin-password' })).body.token;
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('limits failed logins per login and IP, answering 429 with Retry-After, and forgets them after the window', async () => {
    await createUser(h, 'limited', []);
    for (let i = 0; i < 3; i++) expect((await a.post('/api/v1/auth/login', { login: 'limited', password: 'wrong-password' })).status).toBe(401);
    const blocked = await fetch(`${h.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'limited', password: 'correct-horse-battery' }) });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(800);
    expect(((await blocked.json()) as { error: string }).error).toMatch(/too many failed logins/);
    // Other logins are not locked out by it.
    expect((await a.post('/api/v1/auth/login', { login: 'admin', password: 'test-admin-password' })).status).toBe(200);
    h.clock.advance(16 * 60_000);
    expect((await a.post('/api/v1/auth/login', { login: 'limited', password: 'correct-horse-battery' })).status).toBe(200);
    h.clock.set(T0);
    expect((await a.post('/api/v1/auth/login', { login: 'limited' })).status).toBe(400);
  });

  it('ends a session on logout', async () => {
    const user = await createUser(h, 'leaving', []);
    expect((await a.get('/api/v1/me', user.token)).status).toBe(200);
    expect((await a.post('/api/v1/auth/logout', undefined, user.token)).status).toBe(200);
    expect((await a.get('/api/v1/me', user.token)).body).toEqual({ error: 'token is invalid or expired' });
  });

  it('shows the confirmation dialog until both readiness flags of the organization are set', async () => {
    const org = await createOrg(h, 'МБОУ СОШ № 7');
    const other = await createOrg(h, 'МБОУ СОШ № 8');
    await h.db.query('update organizations set training_confirmed = true, ready_confirmed = true where id = $1', [other]);
    const coordinator = await createUser(h, 'school-coordinator', [['coordinator', org], ['executor', org]]);
    const ready = await createUser(h, 'ready-coordinator', [['coordinator', other]]);
    const me = (await a.get('/api/v1/me', coordinator.token)).body;
    expect(me).toMatchObject({ user: { login: 'school-coordinator' }, confirmationRequired: true, confirmationOrganizations: [org],
      organizations: [{ id: org, name: 'МБОУ СОШ № 7', trainingConfirmed: false, readyConfirmed: false }] });
    expect(me.roles).toHaveLength(2);
    expect((await a.get('/api/v1/me', ready.token)).body.confirmationRequired).toBe(false);
    expect((await a.post(`/api/v1/organizations/${org}/confirm`, {}, coordinator.token)).status).toBe(400);
    await a.post(`/api/v1/organizations/${org}/confirm`, { trainingConfirmed: true }, coordinator.token);
    expect((await a.get('/api/v1/me', coordinator.token)).body.confirmationRequired).toBe(true);
    await a.post(`/api/v1/organizations/${org}/confirm`, { readyConfirmed: true }, coordinator.token);
    expect((await a.get('/api/v1/me', coordinator.token)).body).toMatchObject({ confirmationRequired: false, confirmationOrganizations: [] });
    expect((await a.post(`/api/v1/organizations/${org}/confirm`, { readyConfirmed: true }, ready.token)).status).toBe(403);
  });

  it('keeps the organization hierarchy with OGRN/INN/site, validating them', async () => {
    const region =
      (await a.post('/api/v1/organizations', { name: 'Правительство края', kind: 'region', ogrn: '1022402670016', inn: '2466000000',
        site: 'https://krskstate.ru' }, admin)).body;
    const omsu = (await a.post('/api/v1/organizations', { name: 'Администрация г. Красноярска', kind: 'omsu', parentId: region.id }, admin)).body;
    const school = await a.post('/api/v1/organizations', { name: 'МАОУ Гимназия № 1', kind: 'school', parentId: omsu.id, inn: '246600000012' }, admin);
    expect(school.status).toBe(201);
    expect((await a.get(`/api/v1/organizations/${omsu.id}`, admin)).body).toMatchObject({ parentId: region.id,
      children: [{ id: school.body.id, kind: 'school' }] });
    const bad = await a.post('/api/v1/organizations', { name: 'X', inn: '123', ogrn: 'abc' }, admin);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/INN is 10 or 12 digits/);
    expect((await a.post('/api/v1/organizations', { name: 'Y', parentId: '00000000-0000-4000-8000-000000000000' }, admin)).status).toBe(400);
    expect((await a.send('PATCH', `/api/v1/organizations/${omsu.id}`, { parentId: omsu.id }, admin)).status).toBe(400);
    expect((await a.get(`/api/v1/organizations?parentId=${region.id}`, admin)).body.items.map((o: { id: string }) => o.id)).toEqual([omsu.id]);
  });

  it('filters and pages the case list', async () => {
    const org = await createOrg(h, 'Администрация Ленинского района');
    const moderator = await createUser(h, 'list-moderator', [['moderator', null]]);
    const coordinator = await createUser(h, 'list-coordinator', [['coordinator', org]]);
    const executor = await createUser(h, 'list-executor', [['executor', org]]);
    await createUser(h, 'list-leader', [['leader', org]]);
    h.clock.set('2026-10-01T10:00:00Z');
    const old = await registerThroughQueue(h, buildClassified({ source: 'vk', externalId: 'wall-1_10', category: 'ЖКХ' }));
    h.clock.set('2026-11-01T10:00:00Z');
    const routed = await registerThroughQueue(h, buildClassified({ source: 'telegram', category: 'Дороги' }));
    h.clock.set('2026-11-01T11:00:00Z');
    const assigned = await registerThroughQueue(h, buildClassified({ source: 'contact_center', category: 'Дороги' }));
    for (const id of [routed, assigned]) {
      expect((await a.post(`/api/v1/cases/${id}/accept`, { expectedVersion: 0, organizationId: org }, moderator.token)).status).toBe(200);
    }
    expect((await a.post(`/api/v1/cases/${assigned}/assign`, { expectedVersion: 1, executorId: executor.id }, coordinator.token)).status).toBe(200);
    h.clock.set('2026-11-05T10:00:00Z');
    const ids = async (q: string, token = moderator.token) => {
      const r = await a.get(`/api/v1/cases?limit=500&${q}`, token);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return (r.body.items as { id: string }[]).map((c) => c.id).filter((id) => [old, routed, assigned].includes(id));
    };
    expect(await ids('status=routed,assigned')).toEqual([assigned, routed]);
    expect(await ids('status=moderation')).toEqual([old]);
    expect(await ids('source=vk')).toEqual([old]);
    expect(await ids('category=%D0%94%D0%BE%D1%80%D0%BE%D0%B3%D0%B8')).toEqual([assigned, routed]);
    expect(await ids(`organizationId=${org}`)).toEqual([assigned, routed]);
    expect(await ids('from=2026-10-15&to=2026-12-01')).toEqual([assigned, routed]);
    expect(await ids('to=2026-10-15T00:00:00Z')).toEqual([old]);
    expect(await ids('overdue=true')).toEqual([old]);
    expect(await ids('assignedToMe=true', executor.token)).toEqual([assigned]);
    expect(await ids('', coordinator.token)).toEqual([assigned, routed]);
    const page1 = (await a.get(`/api/v1/cases?organizationId=${org}&limit=1`, moderator.token)).body;
    const page2 = (await a.get(`/api/v1/cases?organizationId=${org}&limit=1&offset=1`, moderator.token)).body;
    expect([page1.total, page1.items.length, page2.items[0].id]).toEqual([2, 1, routed]);
    expect((await a.get('/api/v1/cases?overdue=maybe', moderator.token)).status).toBe(400);
    expect((await a.get('/api/v1/cases?from=yesterday', moderator.token)).status).toBe(400);
    h.clock.set(T0);
  });

  it('serves an OpenAPI 3.1 document generated from the same schemas', async () => {
    const res = await fetch(`${h.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, any>> };
    expect(doc.openapi).toBe('3.1.0');
    for (const p of ['/api/v1/auth/login', '/api/v1/me', '/api/v1/cases', '/api/v1/cases/{id}', '/api/v1/cases/{id}/approve',
      '/api/v1/cases/{id}/stop-repeat-review', '/api/v1/users', '/api/v1/users/{id}/roles', '/api/v1/organizations/{id}/confirm', '/api/v1/notifications'])
    {
      expect(Object.keys(doc.paths)).toContain(p);
    }
    const approve = doc.paths['/api/v1/cases/{id}/approve']!.post;
    expect(approve.requestBody.content['application/json'].schema.required).toEqual(['expectedVersion']);
    expect(Object.keys(approve.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '409']));
    expect(approve.security).toEqual([{ bearer: [] }]);
    const list = doc.paths['/api/v1/cases']!.get;
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['status', 'category', 'organizationId', 'source', 'overdue', 'assignedToMe', 'from', 'to', 'limit', 'offset']),
    );
    expect(doc.paths['/api/v1/auth/login']!.post.responses['429']).toBeDefined();
  });

  it('expires tokens', async () => {
    const short = await startWorkflowHarness({ tokenTtlHours: 1 / 3600 });
    try {
      await createUser(short, 'short-lived', []);
      const token = (await api(short).post('/api/v1/auth/login', { login: 'short-lived', password: 'correct-horse-battery' })).body.token;
      expect((await api(short).get('/api/v1/me', token)).status).toBe(200);
      await eventually(async () => (await api(short).get('/api/v1/me', token)).status === 401, 10_000, 'token to expire');
    } finally {
      await short.stop();
    }
  });
});
