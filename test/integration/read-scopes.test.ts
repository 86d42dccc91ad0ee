/**
 * Who sees what beyond the case pages (issue #16): the messages listing scoped like cases with contacts only for
 * those who work on the case; analytics, exports and pages cut to the official's figures (the region's, their
 * organization's, or none); poll drafts, live counts and official replies for those who manage polls. The role ×
 * endpoint matrix (role-matrix.test.ts) says who is let in; this file checks what each one then gets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Otklik } from '../../main.js';
import type { ClassifiedMessage } from '../../lib/queues.js';
import { caseIdFor } from '../../workflow/register-case.js';
import { eventually, loginAs, startTestSystem } from '../support.js';
import { buildClassified } from './workflow-harness.js';

const PASSWORD = 'scopes-password-1';
const PEER = '555000111';
const CHAT = '4200333';

type Item = { messageId: string; externalId: string | null; link: string | null; provenance: Record<string, string>; text: string } & Record<string, unknown>;
type Who = 'admin' | 'moderator' | 'official' | 'coordinatorA' | 'leaderA' | 'executorA' | 'otherExecutorA' | 'orgAdminA' | 'coordinatorB';

describe('read scopes: messages, figures and polls', () => {
  let system: Otklik;
  const t = {} as Record<Who, string>;
  const users = {} as Record<Who, string>;
  const orgs = {} as Record<'region' | 'a' | 'b', string>;
  const messages = {} as Record<'vkA' | 'botB' | 'waiting', ClassifiedMessage>;

  const call = async (method: string, path: string, token?: string, body?: unknown) => {
    const res = await fetch(`${system.url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, type, body: type.includes('json') ? await res.json() as any : await res.text() };
  };
  const ok = async (method: string, path: string, token: string, body?: unknown) => {
    const r = await call(method, path, token, body);
    expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
    return r.body;
  };
  const register = async (m: ClassifiedMessage, org: string | null, executor?: Who) => {
    await system.queues.classified.add('classified', m);
    const caseId = caseIdFor(m.message.messageId);
    await eventually(async () => (await call('GET', `/api/v1/cases/${caseId}`, t.admin)).status === 200, 20_000, 'case registered');
    if (org) await ok('POST', `/api/v1/cases/${caseId}/accept`, t.moderator, { expectedVersion: 0, organizationId: org });
    const coordinator = org === orgs.a ? t.coordinatorA : t.coordinatorB;
    if (executor) await ok('POST', `/api/v1/cases/${caseId}/assign`, coordinator, { expectedVersion: 1, executorId: users[executor] });
    return caseId;
  };

  beforeAll(async () => {
    system = await startTestSystem();
    t.admin = await loginAs(system.url!, 'admin', 'test-admin-password');
    orgs.region = (await ok('POST', '/api/v1/organizations', t.admin, { name: 'Правительство края', kind: 'region' })).id;
    orgs.a = (await ok('POST', '/api/v1/organizations', t.admin, { name: 'Администрация Ачинска', kind: 'omsu', parentId: orgs.region })).id;
    orgs.b = (await ok('POST', '/api/v1/organizations', t.admin, { name: 'Администрация Канска', kind: 'omsu', parentId: orgs.region })).id;
    const staff: [Exclude<Who, 'admin'>, string, string | null][] = [
      ['moderator', 'moderator', null],
      ['official', 'curator', orgs.region],
      ['coordinatorA', 'coordinator', orgs.a],
      ['leaderA', 'leader', orgs.a],
      ['executorA', 'executor', orgs.a],
      ['otherExecutorA', 'executor', orgs.a],
      ['orgAdminA', 'administrator', orgs.a],
      ['coordinatorB', 'coordinator', orgs.b],
    ];
    for (const [who, role, organizationId] of staff) {
      users[who] =
        (await ok('POST', '/api/v1/users', t.admin, { login: `scopes-${who}`, password: PASSWORD, displayName: who, roles: [{ role, organizationId }] })).id;
      t[who] = await loginAs(system.url!, `scopes-${who}`, PASSWORD);
    }
    // B receives a case, so it has a leader too (ПОС: an organization that receives cases can answer them).
    await ok('POST', '/api/v1/users', t.admin, { login: 'scopes-leaderB', password: PASSWORD, displayName: 'leaderB',
      roles: [{ role: 'leader', organizationId: orgs.b }] });
    // A private VK conversation routed to A and assigned; a Telegram bot dialog routed to B; one still in moderation.
    messages.vkA = buildClassified({ source: 'vk', externalId: `msg${PEER}_17`, provenance: { channel: 'vk', via: 'callback', groupId: '111', peerId: PEER } });
    messages.vkA.message.link = `https://vk.com/gim111?sel=${PEER}`;
    messages.vkA.message.contact = { channelUserId: PEER };
    messages.botB = buildClassified({ source: 'telegram', externalId: `${CHAT}:42`,
      provenance: { channel: 'telegram', via: 'bot', chatId: CHAT, replyToMessageId: '42' } });
    messages.waiting = buildClassified({ source: 'contact_center', externalId: 'scopes-call-1' });
    await register(messages.vkA, orgs.a, 'executorA');
    await register(messages.botB, orgs.b);
    await register(messages.waiting, null);
  }, 120_000);
  afterAll(async () => {
    await system?.stop();
  });

  const listed = async (who: Who) => {
    const r = await call('GET', '/api/v1/messages?limit=500', t[who]);
    expect(r.status).toBe(200);
    return new Map((r.body.items as Item[]).map((i) => [i.messageId, i]));
  };
  const id = (k: keyof typeof messages) => messages[k].message.messageId;

  it("lists messages as cases are scoped: the region's officials all, organizations their own, executors their assignments", async () => {
    const seen: Record<string, string[]> = {};
    for (const who of Object.keys(t) as Who[]) {
      const items = await listed(who);
      seen[who] = (['vkA', 'botB', 'waiting'] as const).filter((k) => items.has(id(k)));
    }
    expect(seen).toEqual({
      admin: ['vkA', 'botB', 'waiting'],
      moderator: ['vkA', 'botB', 'waiting'],
      official: ['vkA', 'botB'],
      coordinatorA: ['vkA'],
      leaderA: ['vkA'],
      executorA: ['vkA'],
      otherExecutorA: [],
      orgAdminA: [],
      coordinatorB: ['botB'],
    });
  });

  it('shows contacts only to those who work on the case, and never the raw payload', async () => {
    const handled = (await listed('coordinatorA')).get(id('vkA'))!;
    expect(handled).toMatchObject({ externalId: `msg${PEER}_17`, link: `https://vk.com/gim111?sel=${PEER}`, provenance: { peerId: PEER } });
    expect((await listed('executorA')).get(id('vkA'))!.provenance.peerId).toBe(PEER);
    expect((await listed('moderator')).get(id('botB'))).toMatchObject({ externalId: `${CHAT}:42`, provenance: { chatId: CHAT } });
    // Reading the case is not handling it: the region administrator and the curator of the parent organization.
    for (const who of ['admin', 'official'] as const) {
      const items = await listed(who);
      const vk = items.get(id('vkA'))!;
      const bot = items.get(id('botB'))!;
      expect(vk, who).toMatchObject({ externalId: null, link: null, provenance: { channel: 'vk', via: 'callback', groupId: '111' },
        text: messages.vkA.message.text });
      expect(bot, who).toMatchObject({ externalId: null, link: null, provenance: { channel: 'telegram', via: 'bot' } });
      expect(JSON.stringify([...items.values()]), who).not.toMatch(new RegExp(`${PEER}|${CHAT}`));
    }
    // A call id (like a widget submission's key) names no one: it stays for every reader.
    expect((await listed('admin')).get(id('waiting'))!.externalId).toBe('scopes-call-1');
    // The case list and page withhold them alike: otherwise the listing's care would be one request away.
    const caseId = caseIdFor(id('vkA'));
    for (const [who, shown] of [['coordinatorA', true], ['executorA', true], ['moderator', true], ['admin', false], ['official', false]] as const) {
      const page = (await ok('GET', `/api/v1/cases/${caseId}`, t[who])) as Item;
      const row = ((await ok('GET', '/api/v1/cases?limit=500', t[who])).items as (Item & { id: string })[]).find((c) => c.id === caseId)!;
      for (const seen of [page, row]) {
        expect([seen.externalId, seen.link], who).toEqual(shown ? [`msg${PEER}_17`, `https://vk.com/gim111?sel=${PEER}`] : [null, null]);
      }
    }
    for (const who of Object.keys(t) as Who[]) {
      for (const item of (await listed(who)).values()) expect(Object.keys(item), who).not.toContain('raw');
    }
  });

  const sla = async (who: Who, query = '') => call('GET', `/api/v1/analytics/sla?groupBy=organization${query}`, t[who]);
  const orgsIn = (rows: { organization: string }[]) => rows.map((r) => r.organization).filter(Boolean).sort();

  it("cuts analytics to the official's figures: the region's, their organization's, or none", async () => {
    await eventually(async () => orgsIn((await sla('admin')).body.rows).length === 2, 30_000, 'both organizations in analytics');
    expect(orgsIn((await sla('admin')).body.rows)).toEqual([orgs.a, orgs.b].sort());
    expect(orgsIn((await sla('official')).body.rows)).toEqual([orgs.a, orgs.b].sort());
    expect(orgsIn((await sla('coordinatorA')).body.rows)).toEqual([orgs.a]);
    expect(orgsIn((await sla('leaderA')).body.rows)).toEqual([orgs.a]);
    expect(orgsIn((await call('GET', '/api/v1/analytics/ratings?groupBy=organization', t.coordinatorB)).body.rows)).toEqual([]);
    expect((await sla('coordinatorA', `&organization=${orgs.b}`)).status).toBe(403);
    expect(orgsIn((await sla('coordinatorA', `&organization=${orgs.a}`)).body.rows)).toEqual([orgs.a]);
    // Files are the same table: the organization's staff download their own rows only.
    const csv = await sla('coordinatorA', '&format=csv');
    expect([csv.status, csv.type]).toEqual([200, expect.stringContaining('text/csv')]);
    expect(csv.body).toContain(orgs.a);
    expect(csv.body).not.toContain(orgs.b);
    expect((await sla('coordinatorA', '&format=xlsx')).status).toBe(200);
    // Region-wide tables, and any figure for executors and organization administrators, are refused.
    for (const who of ['coordinatorA', 'leaderA'] as const) expect((await call('GET', '/api/v1/analytics/volume', t[who])).status, who).toBe(403);
    for (const who of ['executorA', 'orgAdminA'] as const) expect((await sla(who)).status, who).toBe(403);
    expect((await call('GET', '/api/v1/analytics/volume?format=csv', t.executorA)).status).toBe(403);
    expect((await call('GET', '/api/v1/analytics/volume', t.official)).status).toBe(200);
    expect((await call('GET', '/api/v1/ingest/stats', t.coordinatorA)).status).toBe(403);
    expect((await call('GET', '/api/v1/ingest/stats', t.official)).status).toBe(200);
    // Published statistics stay public.
    expect((await call('GET', '/api/v1/analytics/summary')).status).toBe(200);
  });

  it('exports SVG panels under the same scope', async () => {
    const svg = (who: Who, panel: string, query = '') => call('GET', `/api/v1/dashboard/export/${panel}.svg${query}`, t[who]);
    const own = await svg('coordinatorA', 'sla');
    expect(own.status).toBe(200);
    expect(own.body).toContain('Администрация Ачинска');
    expect(own.body).not.toContain('Администрация Канска');
    expect((await svg('official', 'sla')).body).toContain('Администрация Канска');
    expect((await svg('coordinatorA', 'sla', `?organization=${orgs.b}`)).status).toBe(403);
    expect((await svg('coordinatorA', 'volume')).status).toBe(403);
    expect((await svg('executorA', 'ratings')).status).toBe(403);
    expect((await svg('official', 'polls')).status).toBe(403);
    expect((await svg('moderator', 'polls')).status).toBe(200);
  });

  const pageAs = async (who: Who, path: string) => {
    const form = new URLSearchParams({ login: `scopes-${who}`, password: PASSWORD });
    const login = await fetch(`${system.url}/login`, { method: 'POST', body: form, redirect: 'manual' });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const res = await fetch(`${system.url}${path}`, { headers: { cookie }, redirect: 'manual' });
    return { status: res.status, html: await res.text() };
  };

  it('shows each official the analytics pages of their figures', async () => {
    const org = await pageAs('coordinatorA', '/analytics');
    expect(org.status).toBe(200);
    expect(org.html).toContain('id="panel-sla"');
    expect(org.html).toContain('id="panel-ratings"');
    expect(org.html).not.toContain('id="panel-volume"');
    expect(org.html).not.toContain('id="panel-polls"');
    expect(org.html).not.toContain('href="/report/weekly"');
    expect((await pageAs('coordinatorA', '/report/weekly')).status).toBe(403);
    const none = await pageAs('executorA', '/analytics');
    expect(none.status).toBe(403);
    expect(none.html).not.toContain('href="/analytics"');
    const region = await pageAs('official', '/analytics');
    expect(region.html).toContain('id="panel-volume"');
    expect(region.html).not.toContain('id="panel-polls"');
    expect((await pageAs('official', '/report/weekly')).status).toBe(200);
    expect((await pageAs('moderator', '/analytics')).html).toContain('id="panel-polls"');
  });

  it('keeps poll drafts, live counts and official replies to those who manage polls', async () => {
    const poll = { title: 'Новый сквер', liveResults: false, questions: [{ kind: 'single', text: 'Где?', options: ['У школы', 'У реки'] }] };
    const draft = (await ok('POST', '/api/v1/polls', t.moderator, poll)).id as string;
    for (const who of ['official', 'leaderA', 'executorA'] as const) {
      const list = await call('GET', '/api/v1/polls', t[who]);
      expect(list.status, who).toBe(403);
      expect(JSON.stringify(list.body)).not.toContain(draft);
      expect((await call('GET', `/api/v1/polls/${draft}`, t[who])).status, who).toBe(403);
      expect((await call('GET', `/api/v1/polls/${draft}/counts`, t[who])).status, who).toBe(403);
      expect((await call('POST', `/api/v1/polls/${draft}/comments`, t[who], { text: 'Официально заявляю' })).status, who).toBe(403);
      expect((await call('GET', '/api/v1/analytics/polls', t[who])).status, who).toBe(403);
      expect((await call('GET', `/api/v1/analytics/polls/${draft}`, t[who])).status, who).toBe(403);
    }
    expect((await call('GET', `/api/v1/public/polls/${draft}`)).status).toBe(404);
    expect((await ok('GET', '/api/v1/polls', t.admin)).items.map((p: { id: string }) => p.id)).toContain(draft);
    expect((await call('GET', `/api/v1/polls/${draft}/counts`, t.moderator)).status).toBe(200);
    expect((await call('POST', `/api/v1/polls/${draft}/comments`, t.admin, { text: 'Спасибо за идеи!' })).status).toBe(201);
  });
});
