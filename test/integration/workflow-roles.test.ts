/**
 * The role × endpoint matrix: every role against every workflow endpoint, with the answer each must get. Case
 * actions are tried on a case in the status the action starts from, forbidden roles first (they must change
 * nothing), then each allowed role on a fresh case.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCitizenAction } from '../../workflow/lifecycle.js';
import { ACTIONS } from '../../workflow/rules.js';
import { loginAs } from '../support.js';
import { api, buildClassified, createOrg, createUser, registerThroughQueue, startWorkflowHarness, type Api, type Harness } from './workflow-harness.js';

const ROLE_NAMES = ['regionAdmin', 'moderator', 'coordinator', 'executor', 'otherExecutor', 'leader', 'curator', 'orgAdmin', 'foreignCoordinator',
  'parentCurator'] as const;
type R = (typeof ROLE_NAMES)[number];

const ANSWER =
  'Здравствуйте! Яма во дворе засыпана и заасфальтирована 24 ноября, фото прилагаем. Телефон для связи: +7 (391) 226-10-15. С уважением, администрация района.';

describe('the role matrix', () => {
  let h: Harness;
  let a: Api;
  let orgA: string;
  let orgB: string;
  const u = {} as Record<R, { id: string; token: string }>;

  beforeAll(async () => {
    h = await startWorkflowHarness();
    a = api(h);
    const parent = await createOrg(h, 'Министерство строительства края');
    orgA = await createOrg(h, 'Администрация района А', parent);
    orgB = await createOrg(h, 'Администрация района Б');
    const adminId = (await h.db.query<{ id: string }>("select id from users where login = 'admin'")).rows[0]!.id;
    u.regionAdmin = { id: adminId, token: await loginAs(h.url, 'admin', 'test-admin-password') };
    u.moderator = await createUser(h, 'moderator', [['moderator', null]]);
    u.coordinator = await createUser(h, 'coordinator', [['coordinator', orgA]]);
    u.executor = await createUser(h, 'executor', [['executor', orgA]]);
    u.otherExecutor = await createUser(h, 'other-executor', [['executor', orgA]]);
    u.leader = await createUser(h, 'leader', [['leader', orgA]]);
    u.curator = await createUser(h, 'curator', [['curator', orgA]]);
    u.orgAdmin = await createUser(h, 'org-admin', [['administrator', orgA]]);
    u.foreignCoordinator = await createUser(h, 'foreign-coordinator', [['coordinator', orgB]]);
    // Redirects into B need its leader too (an organization without one receives no cases); no role of the matrix below.
    await createUser(h, 'foreign-leader', [['leader', orgB]]);
    // Curates the parent organization: reads the cases below it, acts on none of them.
    u.parentCurator = await createUser(h, 'parent-curator', [['curator', parent]]);
  });
  afterAll(async () => {
    await h?.stop();
  });

  const version = async (caseId: string) => (await h.db.query<{ version: number }>('select version from cases where id = $1', [caseId])).rows[0]!.version;
  const step = async (caseId: string, action: string, who: R, body: Record<string, unknown> = {}) => {
    const r = await a.post(`/api/v1/cases/${caseId}/${action}`, { expectedVersion: await version(caseId), ...body }, u[who].token);
    if (r.status !== 200) throw new Error(`${who} ${action}: ${r.status} ${JSON.stringify(r.body)}`);
  };

  type Status = 'moderation' | 'routed' | 'assigned' | 'in_progress' | 'draft' | 'on_approval' | 'rated' | 'repeat_review';
  const CHAIN: Status[] = ['moderation', 'routed', 'assigned', 'in_progress', 'draft', 'on_approval', 'rated', 'repeat_review'];
  /** A fresh case driven (by the right people) to `status`. */
  const caseIn = async (status: Status) => {
    const input = buildClassified();
    const caseId = await registerThroughQueue(h, input);
    const upto = CHAIN.indexOf(status);
    if (upto >= 1) await step(caseId, 'accept', 'moderator', { organizationId: orgA });
    if (upto >= 2) await step(caseId, 'assign', 'coordinator', { executorId: u.executor.id });
    if (upto >= 3) await step(caseId, 'start', 'executor');
    if (upto >= 4) await step(caseId, 'save-draft', 'executor', { text: ANSWER });
    if (upto >= 5) await step(caseId, 'submit', 'executor');
    if (upto >= 6) {
      await step(caseId, 'approve', 'leader');
      const r = await applyCitizenAction({ db: h.db, now: h.clock.now }, { actionId: `rate-${caseId}`, kind: 'rating', caseId, rating: 2 });
      expect(r).toEqual({ applied: true, status: 'rated' });
    }
    if (upto >= 7) {
      const r = await applyCitizenAction({ db: h.db, now: h.clock.now }, { actionId: `repeat-${caseId}`, kind: 'repeat_review_request', caseId });
      expect(r).toEqual({ applied: true, status: 'repeat_review' });
    }
    return caseId;
  };

  it('reads: executors see only their assignments, organizations only their own cases', async () => {
    const caseId = await caseIn('assigned');
    const listed: Record<string, boolean> = {};
    const detail: Record<string, number> = {};
    for (const role of ROLE_NAMES) {
      const list = await a.get('/api/v1/cases?limit=500', u[role].token);
      expect(list.status).toBe(200);
      listed[role] = list.body.items.some((c: { id: string }) => c.id === caseId);
      detail[role] = (await a.get(`/api/v1/cases/${caseId}`, u[role].token)).status;
    }
    expect(listed).toEqual({ regionAdmin: true, moderator: true, coordinator: true, executor: true, otherExecutor: false, leader: true, curator: true,
      orgAdmin: false, foreignCoordinator: false, parentCurator: true });
    expect(detail).toEqual({ regionAdmin: 200, moderator: 200, coordinator: 200, executor: 200, otherExecutor: 403, leader: 200, curator: 200, orgAdmin: 403,
      foreignCoordinator: 403, parentCurator: 200 });
    // Contacts (personal data) only for those who work on the case.
    expect((await a.get(`/api/v1/cases/${caseId}`, u.executor.token)).body.contact).toBeDefined();
    expect((await a.get(`/api/v1/cases/${caseId}`, u.regionAdmin.token)).body.contact).toBeUndefined();
    // Filtering by another organization does not widen what one sees.
    const foreign = await a.get(`/api/v1/cases?organizationId=${orgA}`, u.foreignCoordinator.token);
    expect(foreign.body.items).toEqual([]);
  });

  const ACTION_CASES: { action: (typeof ACTIONS)[number]; from: Status; allowed: R[]; body: () => Record<string, unknown> }[] = [
    { action: 'accept', from: 'moderation', allowed: ['moderator'], body: () => ({ organizationId: orgA }) },
    { action: 'reject', from: 'moderation', allowed: ['moderator'], body: () => ({ reason: 'Не по существу' }) },
    { action: 'reject', from: 'routed', allowed: ['coordinator', 'moderator'], body: () => ({ reason: 'Не по существу' }) },
    { action: 'redirect', from: 'routed', allowed: ['coordinator', 'moderator'], body: () => ({ organizationId: orgB, reason: 'Не наша компетенция' }) },
    { action: 'assign', from: 'routed', allowed: ['coordinator'], body: () => ({ executorId: u.otherExecutor.id }) },
    { action: 'take', from: 'routed', allowed: ['coordinator'], body: () => ({}) },
    { action: 'start', from: 'assigned', allowed: ['executor'], body: () => ({}) },
    { action: 'pass', from: 'assigned', allowed: ['executor'], body: () => ({ executorId: u.otherExecutor.id }) },
    { action: 'return-to-coordinator', from: 'assigned', allowed: ['executor'], body: () => ({ comment: 'Не мой участок' }) },
    { action: 'save-draft', from: 'in_progress', allowed: ['executor'], body: () => ({ text: ANSWER }) },
    { action: 'submit', from: 'draft', allowed: ['executor'], body: () => ({}) },
    { action: 'approve', from: 'on_approval', allowed: ['leader'], body: () => ({}) },
    { action: 'return', from: 'on_approval', allowed: ['leader'], body: () => ({ comment: 'Доработать' }) },
    { action: 'close', from: 'rated', allowed: ['coordinator', 'curator'], body: () => ({}) },
    { action: 'stop-repeat-review', from: 'repeat_review', allowed: ['curator'], body: () => ({ comment: 'Вопрос решён' }) },
  ];

  it('covers every action in the matrix', () => {
    expect(new Set(ACTION_CASES.map((c) => c.action))).toEqual(new Set(ACTIONS));
  });

  it('case actions: each role gets exactly what the matrix says', async () => {
    const actual: Record<string, Record<R, number>> = {};
    const expected: Record<string, Record<R, number>> = {};
    for (const row of ACTION_CASES) {
      const key = `${row.action} from ${row.from}`;
      actual[key] = {} as Record<R, number>;
      expected[key] = Object.fromEntries(ROLE_NAMES.map((r) => [r, row.allowed.includes(r) ? 200 : 403])) as Record<R, number>;
      const first = await caseIn(row.from);
      const v = await version(first);
      for (const role of ROLE_NAMES.filter((r) => !row.allowed.includes(r))) {
        actual[key][role] = (await a.post(`/api/v1/cases/${first}/${row.action}`, { expectedVersion: v, ...row.body() }, u[role].token)).status;
      }
      expect(await version(first), `${key}: forbidden attempts changed the case`).toBe(v);
      for (const [i, role] of row.allowed.entries()) {
        const caseId = i === 0 ? first : await caseIn(row.from);
        const r = await a.post(`/api/v1/cases/${caseId}/${row.action}`, { expectedVersion: await version(caseId), ...row.body() }, u[role].token);
        actual[key][role] = r.status;
      }
    }
    expect(actual).toEqual(expected);
  });

  it('administration endpoints: organizations, users, roles, readiness', async () => {
    const target = await createUser(h, 'target-user', [['executor', orgA]]);
    const rows: { name: string; call: (role: R, i: number) => Promise<number>; allowed: Partial<Record<R, number>> }[] = [
      { name: 'GET /me', call: async (r) => (await a.get('/api/v1/me', u[r].token)).status, allowed: Object.fromEntries(ROLE_NAMES.map((r) => [r, 200])) },
      { name: 'GET /notifications', call: async (r) => (await a.get('/api/v1/notifications', u[r].token)).status,
        allowed: Object.fromEntries(ROLE_NAMES.map((r) => [r, 200])) },
      { name: 'POST /answer-lint', call: async (r) => (await a.post('/api/v1/answer-lint', { text: ANSWER }, u[r].token)).status,
        allowed: Object.fromEntries(ROLE_NAMES.map((r) => [r, 200])) },
      { name: 'GET /organizations', call: async (r) => (await a.get('/api/v1/organizations', u[r].token)).status,
        allowed: Object.fromEntries(ROLE_NAMES.map((r) => [r, 200])) },
      { name: 'POST /organizations',
        call: async (r, i) =>
          (await a.post('/api/v1/organizations', { name: `Школа № ${i}`, kind: 'school', parentId: orgA, inn: '2466000000' }, u[r].token)).status,
        allowed: { regionAdmin: 201 } },
      { name: 'PATCH /organizations/:id',
        call: async (r) => (await a.send('PATCH', `/api/v1/organizations/${orgA}`, { site: 'https://sovadm.ru' }, u[r].token)).status,
        allowed: { regionAdmin: 200, orgAdmin: 200 } },
      { name: 'POST /organizations/:id/confirm',
        call: async (r) => (await a.post(`/api/v1/organizations/${orgA}/confirm`, { trainingConfirmed: true }, u[r].token)).status,
        allowed: { regionAdmin: 200, coordinator: 200, executor: 200, otherExecutor: 200, leader: 200, curator: 200, orgAdmin: 200 } },
      { name: 'GET /users', call: async (r) => (await a.get('/api/v1/users', u[r].token)).status,
        allowed: { regionAdmin: 200, coordinator: 200, leader: 200, curator: 200, orgAdmin: 200, foreignCoordinator: 200, parentCurator: 200 } },
      { name: 'POST /users',
        call: async (r, i) =>
          (await a.post('/api/v1/users', { login: `new-user-${i}`, password: 'long-enough-password', displayName: 'Новый',
            roles: [{ role: 'executor', organizationId: orgA }] }, u[r].token)).status, allowed: { regionAdmin: 201, orgAdmin: 201 } },
      { name: 'PUT /users/:id/roles',
        call: async (r) =>
          (await a.send('PUT', `/api/v1/users/${target.id}/roles`, { organizationId: orgA, roles: ['executor', 'coordinator'] }, u[r].token)).status,
        allowed: { regionAdmin: 200, orgAdmin: 200, curator: 200 } },
      { name: 'PATCH /users/:id',
        call: async (r) => (await a.send('PATCH', `/api/v1/users/${target.id}`, { displayName: 'Исполнитель Иванов' }, u[r].token)).status,
        allowed: { regionAdmin: 200, orgAdmin: 200 } },
    ];
    const actual: Record<string, Record<string, number>> = {};
    const expected: Record<string, Record<string, number>> = {};
    let i = 0;
    for (const row of rows) {
      actual[row.name] = {};
      expected[row.name] = {};
      for (const role of ROLE_NAMES) {
        actual[row.name]![role] = await row.call(role, i++);
        expected[row.name]![role] = row.allowed[role] ?? 403;
      }
    }
    expect(actual).toEqual(expected);
  });

  it('keeps role management inside its scope', async () => {
    // An organization administrator cannot grant roles elsewhere, nor region-wide ones; a curator cannot make administrators.
    const t = await createUser(h, 'scope-user', [['executor', orgA]]);
    expect((await a.send('PUT', `/api/v1/users/${t.id}/roles`, { organizationId: orgB, roles: ['coordinator'] }, u.orgAdmin.token)).status).toBe(403);
    expect((await a.send('PUT', `/api/v1/users/${t.id}/roles`, { organizationId: null, roles: ['moderator'] }, u.orgAdmin.token)).status).toBe(403);
    expect((await a.send('PUT', `/api/v1/users/${t.id}/roles`, { organizationId: orgA, roles: ['administrator'] }, u.curator.token)).status).toBe(403);
    expect(
      (await a.post('/api/v1/users', { login: 'sneaky', password: 'long-enough-password', displayName: 'X',
        roles: [{ role: 'moderator', organizationId: null }] }, u.orgAdmin.token)).status,
    ).toBe(403);
    expect(
      await a.post('/api/v1/users', { login: 'bad-role', password: 'long-enough-password', displayName: 'X',
        roles: [{ role: 'executor', organizationId: null }] }, u.regionAdmin.token),
    ).toMatchObject({ status: 400, body: { error: expect.stringMatching(/needs an organizationId/) } });
    expect((await a.post('/api/v1/users', { login: 'moderator', password: 'long-enough-password', displayName: 'X' }, u.regionAdmin.token)).status).toBe(409);
    // A deactivated user's tokens stop working at once.
    expect((await a.send('PATCH', `/api/v1/users/${u.otherExecutor.id}`, { active: false }, u.regionAdmin.token)).status).toBe(200);
    expect((await a.get('/api/v1/me', u.otherExecutor.token)).status).toBe(401);
  });
});
