/**
 * The role × endpoint matrix of docs/security.md, held to the running system: every operation of the one OpenAPI
 * document is called anonymously and as each role, and whether it was refused (401/403) must be what the document's
 * table says, cell by cell. The table is read from the document itself, so the document and the enforcement cannot
 * drift: a new route without a row fails, and so does a row whose cells the server does not keep.
 *
 * The fixtures: the region's government R (kind `region`) with an organization A below it; every organization
 * role is held in A, the «region official» is a curator of R. Path parameters name A's things: a case of A assigned
 * to A's executor, a member of A, a draft poll. Inputs are valid where a handler validates before it authorizes, and
 * never change what a later call depends on: case actions carry a stale expectedVersion (an entitled caller gets
 * 409, not a change), poll moves a stale version, logout a throwaway session.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Otklik } from '../../main.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/fake-telegram.js';
import { eventually, loginAs, startTestSystem } from '../support.js';
import { buildClassified } from './workflow-harness.js';
import { caseIdFor } from '../../workflow/register-case.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PRINCIPALS = ['anonymous', 'region admin', 'moderator', 'region official', 'org admin', 'coordinator', 'curator', 'leader', 'executor'] as const;
type Principal = (typeof PRINCIPALS)[number];
/** Cells that mean the caller is turned away; every other cell (✓, org, org+, own) lets them through. */
const REFUSED = new Set(['—', 'secret', 'site', 'voter']);
const ALLOWED = new Set(['✓', 'org', 'org+', 'own']);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const PASSWORD = 'matrix-password-1';
const RANDOM = '00000000-0000-4000-8000-00000000abcd';

/** The rows of the matrix section: `METHOD /path` → the cell of each principal. */
export function documentedMatrix(markdown: string): Map<string, Record<Principal, string>> {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('Role × endpoint matrix (as enforced)'));
  if (!section) throw new Error('docs/security.md has no "## Role × endpoint matrix (as enforced)" section');
  const rows = new Map<string, Record<Principal, string>>();
  let header: string[] | undefined;
  for (const line of section.split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells[0] === 'Operation') {
      header = cells;
      expect(header.slice(1, PRINCIPALS.length + 1)).toEqual([...PRINCIPALS]);
      continue;
    }
    const op = /^`(GET|POST|PUT|PATCH|DELETE) (\S+)`$/.exec(cells[0] ?? '');
    if (!op || !header) continue;
    const key = `${op[1]} ${op[2]}`;
    if (rows.has(key)) throw new Error(`${key} has two rows`);
    rows.set(key, Object.fromEntries(PRINCIPALS.map((p, i) => [p, cells[i + 1]!])) as Record<Principal, string>);
  }
  return rows;
}

interface Probe {
  body?: unknown;
  /** A session of its own (logout ends the one it is called with). */
  fresh?: boolean;
}

describe('the role × endpoint matrix of docs/security.md', () => {
  let system: Otklik;
  let telegram: FakeTelegram;
  const tokens = {} as Record<Exclude<Principal, 'anonymous'>, string>;
  const ids = {} as Record<'region' | 'orgA' | 'case' | 'poll' | 'member', string>;
  let probes: Record<string, Probe>;
  let operations: { key: string; method: string; path: string }[];
  let matrix: Map<string, Record<Principal, string>>;

  const call = async (method: string, url: string, token?: string, body?: unknown) => {
    const res = await fetch(`${system.url}${url}`, {
      method,
      redirect: 'manual',
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text
      ? (() => {
        try {
          return JSON.parse(text);
        } catch {
          return text;
        }
      })()
      : undefined };
  };
  const ok = async (method: string, url: string, token: string, body?: unknown) => {
    const r = await call(method, url, token, body);
    expect(r.status, `${method} ${url}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
    return r.body;
  };

  beforeAll(async () => {
    telegram = await startFakeTelegram({ token: '123:matrix' });
    system = await startTestSystem({
      VK_CALLBACK_CONFIRMATION: 'conf',
      VK_CALLBACK_SECRET: 'cb-secret',
      VK_GROUP_IDS: '111',
      TELEGRAM_BOT_TOKEN: '123:matrix',
      TELEGRAM_WEBHOOK_SECRET: 'tg-secret',
      TELEGRAM_API_ROOT: telegram.apiRoot,
      WIDGET_ALLOWED_ORIGINS: 'https://site.example',
      OTKLIK_METRICS_TOKEN: 'scrape-me',
      MAX_BOT_TOKEN: 'max-matrix',
      MAX_WEBHOOK_SECRET: 'max-secret',
      MAX_API_BASE_URL: 'http://127.0.0.1:9',
      OK_GROUPS: '111:ok-group-key',
      OK_WEBHOOK_SECRET: 'ok-secret-0123456789abcdef',
    });
    const admin = await loginAs(system.url!, 'admin', 'test-admin-password');
    tokens['region admin'] = admin;
    ids.region = (await ok('POST', '/api/v1/organizations', admin, { name: 'Правительство края', kind: 'region' })).id;
    ids.orgA = (await ok('POST', '/api/v1/organizations', admin, { name: 'Администрация района А', kind: 'omsu', parentId: ids.region })).id;
    const staff: [Exclude<Principal, 'anonymous' | 'region admin'>, string, string | null][] = [
      ['moderator', 'moderator', null],
      ['region official', 'curator', ids.region],
      ['org admin', 'administrator', ids.orgA],
      ['coordinator', 'coordinator', ids.orgA],
      ['curator', 'curator', ids.orgA],
      ['leader', 'leader', ids.orgA],
      ['executor', 'executor', ids.orgA],
    ];
    const userIds: Record<string, string> = {};
    for (const [who, role, organizationId] of staff) {
      const login = `matrix-${who.replace(' ', '-')}`;
      userIds[who] = (await ok('POST', '/api/v1/users', admin, { login, password: PASSWORD, displayName: who, roles: [{ role, organizationId }] })).id;
      tokens[who] = await loginAs(system.url!, login, PASSWORD);
    }
    ids.member =
      (await ok('POST', '/api/v1/users', admin, { login: 'matrix-member', password: PASSWORD, displayName: 'Сотрудник А',
        roles: [{ role: 'executor', organizationId: ids.orgA }] })).id;

    // A case of A assigned to A's executor, taken there by the people whose job it is.
    const input = buildClassified({ source: 'contact_center', externalId: 'matrix-call-1' });
    await system.queues.classified.add('classified', input);
    ids.case = caseIdFor(input.message.messageId);
    await eventually(async () => (await call('GET', `/api/v1/cases/${ids.case}`, admin)).status === 200, 20_000, 'case registered');
    await ok('POST', `/api/v1/cases/${ids.case}/accept`, tokens.moderator, { expectedVersion: 0, organizationId: ids.orgA });
    await ok('POST', `/api/v1/cases/${ids.case}/assign`, tokens.coordinator, { expectedVersion: 1, executorId: userIds.executor });

    const poll = { title: 'Благоустройство сквера', questions: [{ kind: 'single', text: 'Что сделать первым?', options: ['Скамейки', 'Освещение'] }] };
    ids.poll = (await ok('POST', '/api/v1/polls', admin, poll)).id;
    const { rules } = (await ok('GET', '/api/v1/routing/table', admin)) as { rules: unknown };

    let seq = 0;
    probes = {
      'POST /api/v1/auth/login': { body: { login: 'matrix-member', password: PASSWORD } },
      'POST /api/v1/auth/logout': { fresh: true },
      'POST /api/v1/organizations': { get body() {
        return { name: `Школа № ${++seq}`, kind: 'school', parentId: ids.orgA };
      } },
      'PATCH /api/v1/organizations/{id}': { body: {} },
      'POST /api/v1/organizations/{id}/confirm': { body: { trainingConfirmed: true } },
      'PUT /api/v1/organizations/{id}/code': { body: { code: null } },
      'POST /api/v1/users': { get body() {
        return { login: `matrix-new-${++seq}`, password: PASSWORD, displayName: 'Новый', roles: [] };
      } },
      'PATCH /api/v1/users/{id}': { body: {} },
      'PUT /api/v1/users/{id}/roles': { body: { organizationId: ids.orgA, roles: ['executor'] } },
      'PUT /api/v1/settings/channels': { body: { values: {} } },
      'PUT /api/v1/settings/region': { body: {} },
      'POST /api/v1/answer-lint': { body: { text: 'Здравствуйте! Яма засыпана.' } },
      'PUT /api/v1/routing/table': { body: { rules, comment: 'матрица ролей' } },
      'POST /api/v1/routing/dry-run': { body: {} },
      'PATCH /api/v1/routing/settings': { body: {} },
      'POST /api/v1/polls': { body: poll },
      'PUT /api/v1/polls/{id}': { body: poll },
      'POST /api/v1/polls/{id}/status': { body: { to: 'published', expectedVersion: 999_999 } },
      'POST /api/v1/polls/{id}/push': { body: { municipality: 'город Красноярск' } },
      'POST /api/v1/polls/{id}/comments': { body: { text: 'Спасибо за участие!' } },
      'POST /api/v1/polls/{id}/answers/moderate': { body: { voteId: RANDOM, questionId: RANDOM, decision: 'approved' } },
      'POST /api/v1/polls/{id}/comments/{commentId}/moderate': { body: { decision: 'published' } },
      'POST /api/v1/polls/{id}/votes/quarantine': { body: { voteIds: [RANDOM], reason: 'проверка матрицы' } },
      'POST /api/v1/polls/{id}/votes/release': { body: { voteIds: [RANDOM], reason: 'проверка матрицы' } },
      'POST /api/v1/public/polls/{id}/votes': { body: { answers: [{ questionId: RANDOM, optionIds: [RANDOM] }] } },
      'POST /api/v1/public/polls/{id}/comments': { body: { text: 'Хорошая идея' } },
      'POST /api/v1/public/identity/code': { body: { channel: 'email', destination: 'matrix@example.org' } },
      'POST /api/v1/public/identity/verify': { body: { challengeId: RANDOM, code: '123456' } },
      'POST /api/v1/widget/messages': { body: { text: 'Яма во дворе' } },
      'POST /api/v1/contact-center/calls': { body: { callId: 'matrix', text: 'Яма' } },
      'POST /webhooks/vk': { body: { type: 'message_new', group_id: 111, object: {} } },
      'POST /webhooks/telegram': { body: { update_id: 1 } },
      'POST /webhooks/max': { body: { update_type: 'bot_started', timestamp: 1, chat_id: 1 } },
      'POST /webhooks/ok/{groupId}/{secret}': { body: { webhookType: 'CHAT_SYSTEM' } },
      'PUT /api/v1/me/alerts': { body: { emailEnabled: true, telegramEnabled: false, digest: true } },
      'POST /api/v1/cases/{id}/fast-track': { body: { expectedVersion: 999_999, fastTrack: true, reason: 'проверка матрицы' } },
      'POST /api/v1/invitations/{token}/accept': { body: { password: 'matrix-password-2' } },
    };
    // Case actions: a stale version, so an entitled caller is answered 409 and the case stays as it is.
    for (const action of ['accept', 'reject', 'redirect', 'assign', 'take', 'start', 'pass', 'return-to-coordinator', 'save-draft', 'submit', 'approve',
      'return', 'close', 'stop-repeat-review'])
    {
      probes[`POST /api/v1/cases/{id}/${action}`] = { body: { expectedVersion: 999_999 } };
    }

    const doc = (await ok('GET', '/api/v1/openapi.json', admin)) as { paths: Record<string, Partial<Record<(typeof METHODS)[number], unknown>>> };
    operations = Object.entries(doc.paths).flatMap(([p, item]) =>
      METHODS.filter((m) => item[m]).map((m) => ({ key: `${m.toUpperCase()} ${p}`, method: m.toUpperCase(), path: p }))
    );
    matrix = documentedMatrix(fs.readFileSync(path.join(ROOT, 'docs/security.md'), 'utf8'));
  }, 120_000);
  afterAll(async () => {
    await system?.stop();
    await telegram?.close();
  });

  const freshToken = (
    who: Exclude<Principal, 'anonymous'>,
  ) => (who === 'region admin' ? loginAs(system.url!, 'admin', 'test-admin-password') : loginAs(system.url!, `matrix-${who.replace(' ', '-')}`, PASSWORD));

  /** The fixture a path parameter names, by the resource it belongs to. */
  const fill = (p: string) =>
    p.replace(/\{(\w+)\}/g, (_m, name: string) => {
      if (name === 'id') {
        if (p.startsWith('/api/v1/cases/') || p.startsWith('/api/v1/dashboard/cases/')) return ids.case;
        if (p.startsWith('/api/v1/organizations/')) return ids.orgA;
        if (p.startsWith('/api/v1/users/')) return ids.member;
        if (p.startsWith('/api/v1/notifications/')) return '1';
        if (p.includes('/polls/')) return ids.poll;
        // The monitoring inbox's incidents and alerts: none there, so an admitted caller is answered 404.
        if (p.startsWith('/api/v1/dashboard/monitoring/incidents/')) return 'none';
        if (p.startsWith('/api/v1/dashboard/monitoring/alerts/')) return '1';
      }
      // A staff token is no webhook secret: the OK webhook is called at a group it serves with a secret the caller lacks.
      const fixed: Record<string, string> = { version: '1', panel: 'sla', incident: 'none', poll: ids.poll, commentId: RANDOM, messageId: RANDOM,
        outboundId: RANDOM, groupId: '111', secret: 'not-the-webhook-secret', token: 'matrix-invitation-token-that-is-no-one' };
      if (!(name in fixed)) throw new Error(`no fixture for {${name}} in ${p}`);
      return fixed[name]!;
    });

  it('has exactly one row per operation of the OpenAPI document, each cell a known mark', () => {
    const served = operations.map((o) => o.key);
    expect(served.filter((k) => !matrix.has(k)), 'operations without a row in docs/security.md').toEqual([]);
    expect([...matrix.keys()].filter((k) => !served.includes(k)), 'rows of docs/security.md that are not operations').toEqual([]);
    for (const [key, cells] of matrix) {
      for (const p of PRINCIPALS) expect(REFUSED.has(cells[p]) || ALLOWED.has(cells[p]), `${key}, ${p}: "${cells[p]}"`).toBe(true);
    }
  });

  it('refuses and admits each principal as the matrix says', async () => {
    const expected: Record<string, Record<string, string>> = {};
    const actual: Record<string, Record<string, string>> = {};
    const statuses: Record<string, Record<string, number>> = {};
    for (const op of operations) {
      const row = matrix.get(op.key);
      if (!row) continue;
      const probe = probes[op.key] ?? {};
      expected[op.key] = {};
      actual[op.key] = {};
      statuses[op.key] = {};
      for (const who of PRINCIPALS) {
        const token = who === 'anonymous' ? undefined : probe.fresh ? await freshToken(who) : tokens[who];
        const r = await call(op.method, fill(op.path), token, probe.body);
        expect(r.status, `${op.key} as ${who}: ${JSON.stringify(r.body)}`).toBeLessThan(500);
        statuses[op.key]![who] = r.status;
        expected[op.key]![who] = REFUSED.has(row[who]) ? 'refused' : 'admitted';
        actual[op.key]![who] = r.status === 401 || r.status === 403 ? 'refused' : 'admitted';
      }
    }
    const wrong = Object.keys(expected).filter((k) => JSON.stringify(expected[k]) !== JSON.stringify(actual[k]))
      .map((k) => ({ operation: k, documented: expected[k], statuses: statuses[k] }));
    expect(wrong).toEqual([]);
  }, 300_000);
});
