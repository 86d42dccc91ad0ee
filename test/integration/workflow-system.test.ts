/**
 * The workflow inside the whole system as main.ts wires it: a 122 call becomes a case, staff created through the
 * admin API move it, the transitions land in ClickHouse through the events queue and the batcher, and the citizen's
 * notices reach the channel adapter's outbound worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../ingest/contact-center.js';
import { authorHash } from '../../lib/hash.js';
import { messageIdFor } from '../../lib/ids.js';
import { loadOrCreateSalt } from '../../lib/salt.js';
import type { Otklik } from '../../main.js';
import { caseIdFor } from '../../workflow/register-case.js';
import { startFakeVk, type FakeVk } from '../fakes/fake-vk.js';
import { buildVkCallback, buildVkComment, buildVkMessage } from '../fakes/payloads.js';
import { eventually, loginAs, startTestSystem } from '../support.js';

async function call(system: Otklik, path: string, method: string, token: string, body?: unknown) {
  const res = await fetch(`${system.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('the workflow in the whole system', () => {
  let system: Otklik;
  let admin: string;

  beforeAll(async () => {
    system = await startTestSystem();
    admin = await loginAs(system.url!, 'admin', 'test-admin-password');
  });
  afterAll(async () => {
    await system?.stop();
  });

  const sys = (path: string, method: string, token: string, body?: unknown) => call(system, path, method, token, body);

  it('moves a 122 call through moderation and routing, into ClickHouse and out to the citizen', async () => {
    const card = JSON.stringify({ callId: 'wf-sys-1', receivedAt: '2026-11-20T09:15:00+07:00', phone: '+7 (391) 222-33-44',
      text: 'Во дворе дома по улице Мира 5 не вывозят мусор уже неделю, контейнеры переполнены.', municipality: 'город Красноярск' });
    const posted = await fetch(`${system.url}/api/v1/contact-center/calls`, { method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signBody('test-secret', card) }, body: card });
    expect(posted.status).toBe(202);
    const caseId = caseIdFor(((await posted.json()) as { messageId: string }).messageId);

    const org = (await sys('/api/v1/organizations', 'POST', admin, { name: 'Администрация Октябрьского района', kind: 'omsu' })).body;
    expect(
      (await sys('/api/v1/users', 'POST', admin, { login: 'sys-moderator', password: 'moderator-password', displayName: 'Модератор',
        roles: [{ role: 'moderator', organizationId: null }] })).status,
    ).toBe(201);
    const moderator = await loginAs(system.url!, 'sys-moderator', 'moderator-password');
    // ПОС: the organization has its responsible people, a coordinator and a leader, before it receives cases.
    for (const [login, role] of [['sys-coordinator', 'coordinator'], ['sys-leader', 'leader']] as const) {
      expect(
        (await sys('/api/v1/users', 'POST', admin, { login, password: 'staff-password-1', displayName: login, roles: [{ role, organizationId: org.id }] }))
          .status,
      ).toBe(201);
    }

    const c = await eventually(async () => {
      const r = await sys(`/api/v1/cases/${caseId}`, 'GET', moderator);
      return r.status === 200 ? r.body : undefined;
    }, 15_000, 'the case');
    expect(c).toMatchObject({ status: 'moderation', version: 0, contact: { phone: '+73912223344' } });
    const accepted = await sys(`/api/v1/cases/${caseId}/accept`, 'POST', moderator, { expectedVersion: 0, organizationId: org.id });
    expect(accepted.status).toBe(200);

    const rows = await eventually(async () => {
      const r = await system.ch!.query({
        query: 'SELECT type, from_status, status, organization_id FROM events WHERE case_id = {id:UUID} ORDER BY at, type',
        query_params: { id: caseId },
        format: 'JSONEachRow',
      });
      const list = await r.json<{ type: string; from_status: string; status: string; organization_id: string }>();
      return list.some((x) => x.type === 'case.transition') ? list : undefined;
    }, 15_000, 'transition in ClickHouse');
    expect(rows).toContainEqual({ type: 'case.transition', from_status: 'moderation', status: 'routed', organization_id: org.id });
    expect(rows.map((r) => r.type)).toContain('case.created');

    // The 122 citizen is told by SMS on the phone they gave, at registration and at routing; without an SMS gateway
    // (development mode) the channel adapter records the notices for them.
    const delivered = await eventually(async () => {
      const r = await system.db.query<{ kind: string; channel: string; target: Record<string, string>; status: string }>(
        'select kind, channel, target, status from outbound_deliveries where case_id = $1 order by delivered_at',
        [caseId],
      );
      return r.rowCount === 2 ? r.rows : undefined;
    }, 15_000, 'notices delivered');
    expect(delivered).toEqual([
      { kind: 'registered', channel: 'sms', target: { phone: '+73912223344' }, status: 'recorded' },
      { kind: 'status', channel: 'sms', target: { phone: '+73912223344' }, status: 'recorded' },
    ]);
  });
});

describe("VK end to end: an appeal answered in the community's messages, a comment answered under its post once accepted", () => {
  let vk: FakeVk;
  let system: Otklik;
  let admin: string;
  let org: { id: string };
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    vk = await startFakeVk({ tokens: ['group-token'] });
    system = await startTestSystem({
      VK_CALLBACK_CONFIRMATION: '111:conf-111',
      VK_CALLBACK_SECRET: 'cb-secret',
      VK_GROUP_IDS: '111',
      VK_GROUP_TOKEN: 'group-token',
      VK_API_BASE_URL: vk.apiBaseUrl,
    }, ['ingest', 'classify', 'workflow', 'dashboard']);
    admin = await loginAs(system.url!, 'admin', 'test-admin-password');
    org = (await call(system, '/api/v1/organizations', 'POST', admin, { name: 'Администрация Свердловского района', kind: 'omsu' })).body;
    for (const [login, role, organizationId] of [['vk-moderator', 'moderator', null], ['vk-coordinator', 'coordinator', org.id], ['vk-executor', 'executor',
      org.id], ['vk-leader', 'leader', org.id]] as const)
    {
      const created = await call(system, '/api/v1/users', 'POST', admin, { login, password: 'a-long-password', displayName: login,
        roles: [{ role, organizationId }] });
      expect(created.status).toBe(201);
      ids[role] = created.body.id;
      tokens[role] = await loginAs(system.url!, login, 'a-long-password');
    }
  });
  afterAll(async () => {
    await system?.stop();
    await vk?.close();
  });

  const answer = 'Здравствуйте! Контейнерная площадка во дворе дома на Мира, 5 очищена 25 ноября, вывоз мусора организован ежедневно. ' +
    'Фото прилагаем. Телефон диспетчерской: 8 (391) 200-00-00. С уважением, администрация района.';
  /** The organization's side of the ПОС lifecycle, from a routed case to the leader's approval. */
  async function answerCase(caseId: string, from: number) {
    const steps: [string, string, Record<string, unknown>][] = [
      ['assign', 'coordinator', { executorId: ids.executor }],
      ['start', 'executor', {}],
      ['save-draft', 'executor', { text: answer, attachments: [{ kind: 'photo', ref: 'photo-111_1' }] }],
      ['submit', 'executor', {}],
      ['approve', 'leader', {}],
    ];
    let version = from;
    for (const [action, role, body] of steps) {
      const r = await call(system, `/api/v1/cases/${caseId}/${action}`, 'POST', tokens[role]!, { expectedVersion: version, ...body });
      expect(r.status, `${action}: ${JSON.stringify(r.body)}`).toBe(200);
      version = r.body.version;
    }
  }

  it('registers a message to the community, answers it there, and counts a rating only from its author', async () => {
    const message = buildVkMessage({ peer_id: 555000333, from_id: 555000333, conversation_message_id: 41,
      text: 'Здравствуйте! Во дворе дома на Мира, 5 неделю не вывозят мусор, контейнеры переполнены.' });
    const hook = await fetch(`${system.url}/webhooks/vk`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(buildVkCallback('message_new', message, { secret: 'cb-secret' })) });
    expect(hook.status).toBe(200);
    const messageId = messageIdFor('vk', 'msg555000333_41');
    const caseId = caseIdFor(messageId);
    const registered = await eventually(async () => vk.sentMessages.find((m) => m.peerId === 555000333 && m.message.includes('зарегистрировано')), 15_000,
      'registration reply');
    expect(registered.message).toMatch(/номер \d{4}-\d+/);
    await eventually(async () => (await call(system, `/api/v1/cases/${caseId}`, 'GET', tokens.moderator!)).status === 200, 15_000, 'case');
    expect((await call(system, `/api/v1/cases/${caseId}/accept`, 'POST', tokens.moderator!, { expectedVersion: 0, organizationId: org.id })).status).toBe(200);
    await answerCase(caseId, 1);
    await eventually(async () => vk.sentMessages.find((m) => m.peerId === 555000333 && m.message.includes(answer)), 15_000, 'answer in VK messages');

    // A rating names the message by its computable id, so it counts only from the case's author (the channel's verified
    // sender, hashed as the message's author was) on the case's own channel.
    const author = authorHash(await loadOrCreateSalt(system.db), 'vk', '555000333');
    const stranger = authorHash(await loadOrCreateSalt(system.db), 'vk', '987654');
    const rate = (actionId: string, hash: string, source: 'vk' | 'telegram' = 'vk') =>
      system.queues.citizenActions.add('rating', { actionId, kind: 'rating', messageId, source, authorHash: hash, rating: 5, at: new Date().toISOString() });
    const forged = [await rate('vk-rating-stranger', stranger), await rate('vk-rating-other-channel', author, 'telegram')];
    const returned = await Promise.all(
      forged.map((job) =>
        eventually(async () => (await job.isCompleted()) && (await system.queues.citizenActions.getJob(job.id!))!.returnvalue, 10_000,
          'forged rating processed')
      ),
    );
    expect(returned).toEqual([{ dropped: 'not-author' }, { dropped: 'wrong-channel' }]);
    expect((await call(system, `/api/v1/cases/${caseId}`, 'GET', tokens.leader!)).body.status).toBe('answered');
    await rate('vk-rating-1', author);
    await eventually(async () => (await call(system, `/api/v1/cases/${caseId}`, 'GET', tokens.leader!)).body.status === 'closed', 15_000, 'closed');
  });

  it('keeps a comment a silent signal until the team accepts it; the approved answer goes under the comment from the community', async () => {
    const comment = buildVkComment({ id: 9100, owner_id: -111, post_id: 4242 });
    const hook = await fetch(`${system.url}/webhooks/vk`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(buildVkCallback('wall_reply_new', comment, { secret: 'cb-secret' })) });
    expect(hook.status).toBe(200);
    const messageId = messageIdFor('vk', 'wall-111_4242_c9100');
    const listed = await eventually(async () => {
      const all = (await call(system, '/api/v1/dashboard/monitoring/incidents?status=all', 'GET', tokens.moderator!)).body.items as { id: string;
        leadMessageId: string; version: number }[];
      return all.find((i) => i.leadMessageId === messageId);
    }, 15_000, 'the incident in the inbox');
    expect(vk.comments).toEqual([]);

    const accepted = await call(system, `/api/v1/dashboard/monitoring/incidents/${listed.id}/accept`, 'POST', tokens.moderator!, {
      expectedVersion: listed.version,
      organizationId: org.id,
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body).toMatchObject({ caseStatus: 'routed', organizationId: org.id, caseId: caseIdFor(messageId) });
    // Routing a case made from signals tells nobody anything publicly.
    expect(vk.comments).toEqual([]);
    await answerCase(accepted.body.caseId, 1);
    const replied = await eventually(async () => vk.comments.find((c) => c.message.includes(answer)), 15_000, 'answer on VK');
    expect(replied).toMatchObject({ ownerId: -111, postId: 4242, replyTo: 9100, fromGroup: 111 });
    // Nobody can rate on a wall: the answer comes without a request to rate that the citizen could not act on there.
    expect(vk.comments.filter((c) => c.postId === 4242 && /оцени/i.test(c.message))).toEqual([]);
    expect(vk.comments).toHaveLength(1);
    const detail = await eventually(async () => {
      const d = (await call(system, `/api/v1/dashboard/monitoring/incidents/${listed.id}`, 'GET', tokens.moderator!)).body;
      return d.threads[0]?.replies[0]?.delivery?.state === 'sent' ? d : undefined;
    }, 15_000, 'delivery status sent');
    expect(detail.incident).toMatchObject({ status: 'answered', answerText: answer });
    expect((await call(system, `/api/v1/cases/${accepted.body.caseId}`, 'GET', tokens.leader!)).body.status).toBe('answered');
  });
});
