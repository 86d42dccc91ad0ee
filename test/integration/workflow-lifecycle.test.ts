/**
 * Whole case lifecycles on PostgreSQL and Redis: happy path, rejection, redirect, return for rework, low rating with
 * repeat review, curator stop, executor hand-offs and two coordinators racing. Citizen notices are asserted as the
 * exact outbound jobs, and answers are delivered to a fake Telegram Bot API by a real telegraf client.
 */
import http from 'node:http';
import { Worker } from 'bullmq';
import { Telegram } from 'telegraf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { eventIdFor, randomUUID } from '../../lib/ids.js';
import type { CitizenAction, OutboundMessage } from '../../lib/queues.js';
import { workerRedisOptions } from '../../lib/runtime/redis.js';
import { eventually } from '../support.js';
import { openOutbound } from '../../lib/sealed-payloads.js';
import { api, buildClassified, createOrg, createUser, eventsOf, outboundOf, registerThroughQueue, startWorkflowHarness, testClock, type Api,
  type Harness } from './workflow-harness.js';

/** A minimal Telegram Bot API: records sendMessage calls and answers like Telegram does. */
async function startFakeTelegram() {
  const calls: { token: string; method: string; body: Record<string, unknown> }[] = [];
  let nextId = 1000;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      if (!m) {
        res.statusCode = 404;
        return void res.end(JSON.stringify({ ok: false, error_code: 404, description: 'Not Found' }));
      }
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      calls.push({ token: m[1]!, method: m[2]!, body });
      res.end(
        JSON.stringify({ ok: true,
          result: { message_id: nextId++, date: Math.floor(Date.now() / 1000), chat: { id: Number(body.chat_id), type: 'private' }, text: body.text } }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { calls, apiRoot: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const GOOD_ANSWER = 'Здравствуйте! По Вашему сообщению о яме во дворе дома по ул. Ленина, 12 сообщаем: 22 ноября подрядчик МКУ «УДИБ» ' +
  'провёл осмотр, 24 ноября яма засыпана щебнем и заасфальтирована. Фото выполненных работ прилагаем. По вопросам ' +
  'звоните по телефону +7 (391) 226-10-15. С уважением, администрация Советского района.';

describe('the ПОС case lifecycle', () => {
  let h: Harness;
  let a: Api;
  let telegram: Awaited<ReturnType<typeof startFakeTelegram>>;
  let deliverer: Worker;
  let orgA: string;
  let orgB: string;
  const u: Record<string, { id: string; token: string }> = {};

  beforeAll(async () => {
    h = await startWorkflowHarness({ clock: testClock('2026-11-20T10:00:00Z') });
    a = api(h);
    orgA = await createOrg(h, 'Администрация Советского района');
    orgB = await createOrg(h, 'МКУ «Управление дорог»');
    const specs: [string, [string, string | null][]][] = [
      ['moderator', [['moderator', null]]],
      ['coordA', [['coordinator', orgA]]],
      ['coordA2', [['coordinator', orgA]]],
      ['execA', [['executor', orgA]]],
      ['execA2', [['executor', orgA]]],
      ['leaderA', [['leader', orgA]]],
      ['curatorA', [['curator', orgA]]],
      ['coordB', [['coordinator', orgB]]],
      // ПОС: an organization receives cases only with an active coordinator and an active leader.
      ['leaderB', [['leader', orgB]]],
    ];
    for (const [login, roles] of specs) u[login] = await createUser(h, login, roles);

    // The channel adapter's role, played by a real telegraf client against the fake Bot API.
    telegram = await startFakeTelegram();
    const client = new Telegram('123456:TEST-TOKEN', { apiRoot: telegram.apiRoot });
    deliverer = new Worker<OutboundMessage>('outbound', async (job) => {
      if (job.data.source !== 'telegram') return;
      const { target } = openOutbound(h.sealer, job.data);
      await client.sendMessage(target.chatId!, job.data.text, target.replyToMessageId
        ? { reply_parameters: { message_id: Number(target.replyToMessageId) } } :
        {});
    }, { connection: { url: inject('redisUrl'), ...workerRedisOptions() }, prefix: h.prefix });
  });

  afterAll(async () => {
    await deliverer?.close();
    await telegram?.close();
    await h?.stop();
  });

  const act = async (caseId: string, action: string, who: string, body: Record<string, unknown> = {}) => {
    const version = (await h.db.query<{ version: number }>('select version from cases where id = $1', [caseId])).rows[0]!.version;
    return a.post(`/api/v1/cases/${caseId}/${action}`, { expectedVersion: version, ...body }, u[who]!.token);
  };
  const mustAct = async (caseId: string, action: string, who: string, body: Record<string, unknown> = {}) => {
    const r = await act(caseId, action, who, body);
    expect(r.status, `${who} ${action}: ${JSON.stringify(r.body)}`).toBe(200);
    return r.body;
  };
  const citizen = async (messageId: string, action: Partial<CitizenAction>) => {
    const payload: CitizenAction = { actionId: randomUUID(), kind: 'rating', messageId, source: 'telegram', authorHash: 'a'.repeat(64),
      at: '2026-11-25T10:00:00Z', ...action };
    await h.queues.citizenActions.add('citizen', payload);
    await eventually(async () => (await h.db.query('select 1 from citizen_actions where action_id = $1', [payload.actionId])).rowCount, 10_000,
      'citizen action applied');
    return payload;
  };
  const statusOf = async (caseId: string) => (await h.db.query<{ status: string }>('select status from cases where id = $1', [caseId])).rows[0]!.status;

  /** Registers a case and drives it to `on_approval` with a good draft by execA. */
  const toApproval = async (input = buildClassified()) => {
    const caseId = await registerThroughQueue(h, input);
    await mustAct(caseId, 'accept', 'moderator', { organizationId: orgA });
    await mustAct(caseId, 'assign', 'coordA', { executorId: u.execA!.id });
    await mustAct(caseId, 'start', 'execA');
    await mustAct(caseId, 'save-draft', 'execA', { text: GOOD_ANSWER, attachments: [{ kind: 'photo', ref: 'AgACAgIAAxkBAAIC' }] });
    await mustAct(caseId, 'submit', 'execA');
    return { caseId, messageId: input.message.messageId };
  };

  it('walks the happy path: moderation, routing, work, quality check, approval, answer on Telegram, rating 5 closes', async () => {
    const input = buildClassified({ externalId: '7001:55' });
    const caseId = await registerThroughQueue(h, input);
    const registered = (await a.get(`/api/v1/cases/${caseId}`, u.moderator!.token)).body;
    expect(registered).toMatchObject({ status: 'moderation', version: 0, daysLeft: 30, overdue: false });
    // 30 calendar days from 20 Nov, to the end of the day in the region (Krasnoyarsk, UTC+7).
    expect(registered.deadlineAt).toBe('2026-12-20T16:59:59.999Z');

    await mustAct(caseId, 'accept', 'moderator', { organizationId: orgA });
    await mustAct(caseId, 'assign', 'coordA', { executorId: u.execA!.id });
    await mustAct(caseId, 'start', 'execA');
    const poor = await mustAct(caseId, 'save-draft', 'execA', { text: 'Ваше обращение рассмотрено, информация принята к сведению.' });
    expect(poor.warnings.map((w: { code: string }) => w.code)).toEqual(['greeting', 'measures', 'contacts', 'attachments', 'formal', 'too_short']);
    const good = await mustAct(caseId, 'save-draft', 'execA', { text: GOOD_ANSWER, attachments: [{ kind: 'photo', ref: 'AgACAgIAAxkBAAIC' }] });
    expect(good.warnings).toEqual([]);
    await mustAct(caseId, 'submit', 'execA');
    const approved = await mustAct(caseId, 'approve', 'leaderA');
    // approve and the system's send are two audited steps: version 6 → 8.
    expect(approved).toMatchObject({ status: 'answered', version: 8 });

    const out = await outboundOf(h, caseId);
    expect(out.map((o) => o.kind)).toEqual(['registered', 'status', 'status', 'status', 'answer', 'rating_request']);
    for (const o of out) {
      expect(o).toMatchObject({ caseId, messageId: input.message.messageId, source: 'telegram', target: { chatId: '7001', replyToMessageId: '55' } });
    }
    expect(out[0]!.text).toMatch(/зарегистрировано, номер \d{4}-\d{6}\. Срок рассмотрения — до 20\.12\.2026/);
    expect(out[1]!.text).toContain('Администрация Советского района');
    expect(out[4]!.text).toContain(GOOD_ANSWER);

    // The answer reached a Telegram Bot API server through telegraf, quoting the citizen's message.
    const sent = await eventually(async () => telegram.calls.find((c) => c.method === 'sendMessage' && String(c.body.text).includes(GOOD_ANSWER)), 10_000,
      'answer on Telegram');
    expect(sent.body).toMatchObject({ chat_id: '7001', reply_parameters: { message_id: 55 } });

    const rating = await citizen(input.message.messageId, { rating: 5 });
    expect(await statusOf(caseId)).toBe('closed');
    // The same action redelivered changes nothing.
    await h.queues.citizenActions.add('citizen', rating);
    await eventually(async () => (await h.queues.citizenActions.getJobCounts('waiting', 'active')).waiting === 0, 10_000, 'redelivery processed');
    const detail = (await a.get(`/api/v1/cases/${caseId}`, u.curatorA!.token)).body;
    expect(detail.history.map((e: { type: string; toStatus: string }) => `${e.type}>${e.toStatus}`)).toEqual([
      'registered>moderation',
      'accept>routed',
      'assign>assigned',
      'start>in_progress',
      'save-draft>draft',
      'save-draft>draft',
      'submit>on_approval',
      'approve>approved',
      'send-answer>answered',
      'rate>rated',
      'close-rated>closed',
    ]);
    expect(detail.history[2]).toMatchObject({ actor: u.coordA!.id, actorName: 'Сотрудник coordA', fromStatus: 'routed' });
    expect(detail.answers).toHaveLength(2);
    expect(detail.answers[0].lint.length).toBeGreaterThan(0);
    expect(detail.rating).toBe(5);
    expect(detail.availableActions).toEqual([]);

    // Every transition went to analytics with an id derived from its audit row, so a re-publish collapses.
    const events = await eventsOf(h, caseId);
    const transitions = events.filter((e) => e.type === 'case.transition');
    expect(transitions).toHaveLength(10);
    for (const [i, e] of transitions.entries()) {
      expect(e.eventId).toBe(eventIdFor(caseId, 'transition', String(detail.history[i + 1].id)));
      expect(e.status).toBe(detail.history[i + 1].toStatus);
    }
    expect(transitions[1]).toMatchObject({ actor: u.coordA!.id, organizationId: orgA, category: 'Дороги', source: 'telegram', fromStatus: 'routed',
      status: 'assigned' });
    expect(events.find((e) => e.type === 'case.rated')).toMatchObject({ rating: 5, caseId });
    // The audit log refuses rewriting.
    await expect(h.db.query('update case_events set comment = $2 where case_id = $1', [caseId, 'x'])).rejects.toThrow(/append-only/);
  });

  it('rejects at moderation with a reason the citizen is told, on the contact they gave', async () => {
    const input = buildClassified({ source: 'widget', externalId: 'widget-key-1', contact: { email: 'citizen@example.ru', name: 'Иван' } });
    const caseId = await registerThroughQueue(h, input);
    expect((await act(caseId, 'reject', 'moderator', {})).status).toBe(400);
    await mustAct(caseId, 'reject', 'moderator', { reason: 'Сообщение не содержит сути вопроса' });
    expect(await statusOf(caseId)).toBe('rejected');
    const out = await outboundOf(h, caseId);
    expect(out.map((o) => [o.kind, o.target])).toEqual([['registered', { email: 'citizen@example.ru' }], ['rejection', { email: 'citizen@example.ru' }]]);
    expect(out[1]!.text).toContain('Причина: Сообщение не содержит сути вопроса');
    const again = await act(caseId, 'accept', 'moderator', { organizationId: orgA });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatch(/status "rejected"/);
  });

  it('redirects to another organization keeping the registration date and deadline; the old one loses sight of it', async () => {
    const caseId = await registerThroughQueue(h, buildClassified());
    await mustAct(caseId, 'accept', 'moderator', { organizationId: orgA });
    const before = (await a.get(`/api/v1/cases/${caseId}`, u.coordA!.token)).body;
    expect((await act(caseId, 'redirect', 'coordA', { organizationId: orgB })).status).toBe(400);
    await mustAct(caseId, 'redirect', 'coordA', { organizationId: orgB, reason: 'Содержание дорог — компетенция МКУ' });
    expect((await a.get(`/api/v1/cases/${caseId}`, u.coordA!.token)).status).toBe(403);
    const after = (await a.get(`/api/v1/cases/${caseId}`, u.coordB!.token)).body;
    expect(after).toMatchObject({ status: 'routed', organizationId: orgB, organizationName: 'МКУ «Управление дорог»', registeredAt: before.registeredAt,
      deadlineAt: before.deadlineAt });
    const out = await outboundOf(h, caseId);
    expect(out.at(-1)!.text).toMatch(/перенаправлено в «МКУ «Управление дорог»».*до 20\.12\.2026/);
    const ev = (await eventsOf(h, caseId)).at(-1)!;
    expect(ev).toMatchObject({ type: 'case.transition', fromStatus: 'routed', status: 'routed', organizationId: orgB,
      props: { reason: 'Содержание дорог — компетенция МКУ', action: 'redirect' } });
  });

  it('returns a draft for rework; the leader edits on approval and the edited text is what the citizen gets', async () => {
    const { caseId } = await toApproval();
    expect((await act(caseId, 'return', 'leaderA')).status).toBe(400);
    await mustAct(caseId, 'return', 'leaderA', { comment: 'Укажите сроки ремонта' });
    expect(await statusOf(caseId)).toBe('returned');
    // Staff hear about it in-app: the leader when a draft waits for approval, the executor when it comes back.
    const leaderNotes = (await a.get('/api/v1/notifications', u.leaderA!.token)).body.items.filter((n: { caseId: string }) => n.caseId === caseId);
    expect(leaderNotes.map((n: { text: string }) => n.text)).toEqual([expect.stringMatching(/ждёт утверждения/)]);
    const execNotes = (await a.get('/api/v1/notifications', u.execA!.token)).body.items.filter((n: { caseId: string }) => n.caseId === caseId);
    expect(execNotes.map((n: { text: string }) => n.text)).toEqual([
      expect.stringMatching(/возвращён на доработку: Укажите сроки ремонта/),
      expect.stringMatching(/Вам назначено обращение № .*Срок ответа — до 20\.12\.2026/),
    ]);
    await mustAct(caseId, 'save-draft', 'execA', { text: `${GOOD_ANSWER} Дополнительно: покрытие будет обновлено до 1 июня.`,
      attachments: [{ kind: 'photo', ref: 'x' }] });
    await mustAct(caseId, 'submit', 'execA');
    const edited = `${GOOD_ANSWER} Гарантийный срок на покрытие — 3 года.`;
    // Replacing the photo with a document is checked like any draft: the warning is returned and kept.
    const r = await mustAct(caseId, 'approve', 'leaderA', { text: edited, attachments: [{ kind: 'document', ref: 'act.pdf' }] });
    expect(r.warnings.map((w: { code: string }) => w.code)).toEqual(['attachments']);
    const out = await outboundOf(h, caseId);
    expect(out.find((o) => o.kind === 'answer')!.text).toContain('Гарантийный срок на покрытие — 3 года.');
    const detail = (await a.get(`/api/v1/cases/${caseId}`, u.leaderA!.token)).body;
    expect(detail.history.find((e: { type: string }) => e.type === 'return').comment).toBe('Укажите сроки ремонта');
    expect(detail.answers.at(-1)).toMatchObject({ authorId: u.leaderA!.id, text: edited, lint: [{ code: 'attachments' }] });
  });

  it('takes a low rating into repeat review with a new term, and the curator can stop it', async () => {
    const { caseId, messageId } = await toApproval();
    await mustAct(caseId, 'approve', 'leaderA');
    await citizen(messageId, { rating: 2 });
    expect(await statusOf(caseId)).toBe('rated');
    h.clock.set('2026-11-26T10:00:00Z');
    try {
      await citizen(messageId, { kind: 'repeat_review_request', comment: 'Яму засыпали плохо' });
      const c = (await a.get(`/api/v1/cases/${caseId}`, u.coordA!.token)).body;
      expect(c).toMatchObject({ status: 'repeat_review', reviewCycle: 1, deadlineAt: '2026-12-26T16:59:59.999Z' });
      expect(c.reminders.map((r: { kind: string }) => r.kind)).toEqual(expect.arrayContaining(['before-3d-r1', 'before-1d-r1', 'overdue-r1']));
      const notes = (await a.get('/api/v1/notifications', u.coordA!.token)).body.items;
      expect(notes.some((n: { kind: string; caseId: string }) => n.kind === 'repeat-review-1' && n.caseId === caseId)).toBe(true);
      expect((await outboundOf(h, caseId)).at(-1)!.text).toMatch(/повторное рассмотрение. Новый срок — до 26\.12\.2026/);

      // Second round: answered, rated low again, asked again — then the curator stops it.
      await mustAct(caseId, 'start', 'execA');
      await mustAct(caseId, 'save-draft', 'execA', { text: GOOD_ANSWER, attachments: [{ kind: 'video', ref: 'v' }] });
      await mustAct(caseId, 'submit', 'execA');
      await mustAct(caseId, 'approve', 'leaderA');
      await citizen(messageId, { rating: 1 });
      await citizen(messageId, { kind: 'repeat_review_request' });
      expect(await statusOf(caseId)).toBe('repeat_review');
      expect((await act(caseId, 'stop-repeat-review', 'coordA', { comment: 'x' })).status).toBe(403);
      expect((await act(caseId, 'stop-repeat-review', 'curatorA')).status).toBe(400);
      await mustAct(caseId, 'stop-repeat-review', 'curatorA', { comment: 'Работы выполнены в полном объёме, подтверждено выездом' });
      expect(await statusOf(caseId)).toBe('closed');
      expect((await outboundOf(h, caseId)).at(-1)).toMatchObject({ kind: 'status', text: expect.stringContaining('завершено') });
    } finally {
      h.clock.set('2026-11-20T10:00:00Z');
    }
  });

  it('ignores a repeat-review request after a good rating and a rating before any answer', async () => {
    const early = await registerThroughQueue(h, buildClassified());
    const input = buildClassified();
    await citizen(input.message.messageId, { rating: 1 });
    await citizen(buildClassified().message.messageId, { kind: 'repeat_review_request' });
    expect(await statusOf(early)).toBe('moderation');
    const { caseId, messageId } = await toApproval(input);
    await mustAct(caseId, 'approve', 'leaderA');
    await citizen(messageId, { rating: 4 });
    await citizen(messageId, { kind: 'repeat_review_request' });
    expect(await statusOf(caseId)).toBe('closed');
    const outcomes = (await h.db.query<{ outcome: string }>('select outcome from citizen_actions where case_id = $1 order by applied_at, outcome', [caseId]))
      .rows.map((r) => r.outcome);
    expect(outcomes).toEqual(expect.arrayContaining(['closed', 'ignored-in-closed']));
  });

  it('lets an executor pass the case on or give it back to the coordinator, losing sight of it', async () => {
    const caseId = await registerThroughQueue(h, buildClassified());
    await mustAct(caseId, 'accept', 'moderator', { organizationId: orgA });
    await mustAct(caseId, 'assign', 'coordA', { executorId: u.execA!.id });
    expect((await act(caseId, 'pass', 'execA', { executorId: u.coordB!.id })).status).toBe(400);
    await mustAct(caseId, 'pass', 'execA', { executorId: u.execA2!.id, comment: 'В отпуске' });
    expect((await a.get(`/api/v1/cases/${caseId}`, u.execA!.token)).status).toBe(403);
    expect((await a.get(`/api/v1/cases/${caseId}`, u.execA2!.token)).status).toBe(200);
    expect((await act(caseId, 'return-to-coordinator', 'execA2')).status).toBe(400);
    await mustAct(caseId, 'return-to-coordinator', 'execA2', { comment: 'Не наш участок' });
    const c = (await a.get(`/api/v1/cases/${caseId}`, u.coordA!.token)).body;
    expect(c).toMatchObject({ status: 'routed', executorId: null });
    // The coordinator may answer personally.
    await mustAct(caseId, 'take', 'coordA');
    expect((await a.get(`/api/v1/cases/${caseId}`, u.coordA!.token)).body).toMatchObject({ status: 'in_progress', executorId: u.coordA!.id });
    await mustAct(caseId, 'save-draft', 'coordA', { text: GOOD_ANSWER });
  });

  it('lets one of two coordinators acting at once win; the other gets a clear conflict and nothing is lost', async () => {
    const caseId = await registerThroughQueue(h, buildClassified());
    await mustAct(caseId, 'accept', 'moderator', { organizationId: orgA });
    const version = (await a.get(`/api/v1/cases/${caseId}`, u.coordA!.token)).body.version;
    const [r1, r2] = await Promise.all([
      a.post(`/api/v1/cases/${caseId}/assign`, { expectedVersion: version, executorId: u.execA!.id }, u.coordA!.token),
      a.post(`/api/v1/cases/${caseId}/assign`, { expectedVersion: version, executorId: u.execA2!.id }, u.coordA2!.token),
    ]);
    expect([r1.status, r2.status].sort()).toEqual([200, 409]);
    const loser = r1.status === 409 ? r1 : r2;
    const winner = r1.status === 200 ? { r: r1, exec: u.execA!.id } : { r: r2, exec: u.execA2!.id };
    expect(loser.body.error).toMatch(/changed by someone else.*reload/);
    const c = (await a.get(`/api/v1/cases/${caseId}`, u.coordA!.token)).body;
    expect(c).toMatchObject({ version: version + 1, status: 'assigned', executorId: winner.exec });
    expect(c.history.filter((e: { type: string }) => e.type === 'assign')).toHaveLength(1);
    // A stale version is a conflict even when the status would allow the action.
    const stale = await a.post(`/api/v1/cases/${caseId}/assign`, { expectedVersion: version, executorId: u.execA!.id }, u.coordA!.token);
    expect(stale.status).toBe(409);
  });

  it('answers bad input with JSON errors', async () => {
    const caseId = await registerThroughQueue(h, buildClassified());
    expect(await a.post(`/api/v1/cases/${caseId}/accept`, { organizationId: orgA }, u.moderator!.token)).toMatchObject({ status: 400,
      body: { error: expect.stringMatching(/expectedVersion/) } });
    expect((await a.post('/api/v1/cases/not-a-uuid/accept', { expectedVersion: 0 }, u.moderator!.token)).status).toBe(400);
    expect((await a.post(`/api/v1/cases/${randomUUID()}/accept`, { expectedVersion: 0, organizationId: orgA }, u.moderator!.token)).status).toBe(404);
    expect((await a.post(`/api/v1/cases/${caseId}/accept`, { expectedVersion: 0, organizationId: randomUUID() }, u.moderator!.token)).status).toBe(400);
    const bad = await fetch(`${h.url}/api/v1/cases/${caseId}/accept`, { method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${u.moderator!.token}` }, body: '{"expectedVersion":' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'body is not valid JSON' });
    expect((await a.get('/api/v1/cases?status=bogus', u.moderator!.token)).status).toBe(400);
    expect(await (await a.get(`/api/v1/cases/${caseId}`, u.moderator!.token)).body.status).toBe('moderation');
  });
});
