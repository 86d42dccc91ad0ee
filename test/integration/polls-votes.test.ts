import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateSalt } from '../../lib/salt.js';
import type { Otklik } from '../../main.js';
import { createPolls, type Polls } from '../../workflow/polls/index.js';
import { eventually, loginAs, startTestSystem } from '../support.js';
import { codeOfChallenge } from '../codes.js';

interface PollJson {
  id: string;
  status: string;
  version: number;
  questions: { id: string; kind: string; options: { id: string; text: string }[] }[];
}

export function buildPoll(overrides: Record<string, unknown> = {}) {
  return {
    title: 'Какое общественное пространство благоустроить в 2027 году?',
    description: 'Инициативное бюджетирование: выбираем вместе.',
    municipalities: ['город Красноярск', 'город Ачинск'],
    questions: [
      { kind: 'single', text: 'Выберите пространство', options: ['Сквер на Мира', 'Набережная', 'Парк Гагарина'] },
      { kind: 'multiple', text: 'Что важно?', options: ['Освещение', 'Лавочки', 'Детская площадка'], required: false },
      { kind: 'scale', text: 'Оцените нынешнее состояние', scaleMin: 1, scaleMax: 5, required: false },
      { kind: 'text', text: 'Ваши предложения', required: false },
    ],
    ...overrides,
  };
}

describe('polls: one person one vote, closing, ClickHouse equals PostgreSQL, quarantine', () => {
  let system: Otklik;
  let token: string;
  let polls: Polls;
  let phoneSeq = 0;

  const staff = (method: string, path: string, body?: unknown) =>
    fetch(`${system.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  const publicCall = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${system.url}${path}`, {
      method,
      headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });

  async function newPoll(overrides: Record<string, unknown> = {}): Promise<PollJson> {
    const res = await staff('POST', '/api/v1/polls', buildPoll(overrides));
    expect(res.status).toBe(201);
    let poll = (await res.json()) as PollJson;
    for (const to of ['published', 'open']) {
      const r = await staff('POST', `/api/v1/polls/${poll.id}/status`, { to });
      expect(r.status).toBe(200);
      poll = (await r.json()) as PollJson;
    }
    return poll;
  }

  /** A voter token through the real code flow: the code is read as the outbound worker recorded it (development mode). */
  async function verify(phone = `+7 900 ${String(10_000_000 + ++phoneSeq).slice(1)}`): Promise<{ token: string; cookie: string; phone: string }> {
    const start = await publicCall('POST', '/api/v1/public/identity/code', { channel: 'phone', destination: phone });
    expect(start.status).toBe(201);
    const { challengeId } = (await start.json()) as { challengeId: string };
    const code = await codeOfChallenge(system.db, challengeId);
    const res = await publicCall('POST', '/api/v1/public/identity/verify', { challengeId, code });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    return { token: ((await res.json()) as { token: string }).token, cookie: cookie.split(';')[0]!, phone };
  }

  const ballot = (poll: PollJson, pick = 0, extra: Record<string, unknown> = {}) => ({
    answers: [{ questionId: poll.questions[0]!.id, optionIds: [poll.questions[0]!.options[pick]!.id] }],
    municipality: 'город Красноярск',
    ...extra,
  });

  beforeAll(async () => {
    system = await startTestSystem({ OTKLIK_POLL_IP_LIMIT_PER_MINUTE: '100000', OTKLIK_POLL_BURST_THRESHOLD: '10', OTKLIK_METRICS_PUBLIC: 'true' });
    token = await loginAs(system.url!, 'admin', 'test-admin-password');
    polls = createPolls({ db: system.db, salt: await loadOrCreateSalt(system.db) });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('a person voting through the page, the widget and Telegram at once gets exactly one vote', async () => {
    const poll = await newPoll();
    const phone = '+7 (391) 555-12-34';
    const [web, widget] = [await verify(phone), await verify('8 391 5551234')];
    const attempts = await Promise.all([
      ...Array.from({ length: 4 }, () => publicCall('POST', `/api/v1/public/polls/${poll.id}/votes`, ballot(poll, 0), { cookie: web.cookie })),
      ...Array.from({ length: 4 },
        () => publicCall('POST', `/api/v1/public/polls/${poll.id}/votes`, { ...ballot(poll, 1), channel: 'widget' }, { 'x-voter-token': widget.token })),
      // The bot's user shared their own phone number: Telegram confirmed it, so it is the same person.
      ...Array.from({ length: 4 }, () =>
        polls.ballotBox.voteFromTelegram({
          pollId: poll.id,
          questionId: poll.questions[0]!.id,
          optionId: poll.questions[0]!.options[2]!.id,
          municipality: 'город Красноярск',
          proof: { fromId: 4242, isBot: false, contact: { userId: 4242, phoneNumber: '+73915551234' } },
        })),
    ]);
    const http = attempts.slice(0, 8) as Response[];
    const tg = attempts.slice(8) as { accepted: boolean; message: string }[];
    const accepted = http.filter((r) => r.status === 201).length + tg.filter((t) => t.accepted).length;
    expect(accepted).toBe(1);
    for (const r of http.filter((x) => x.status !== 201)) {
      expect(r.status).toBe(409);
      expect(((await r.json()) as { error: string }).error).toMatch(/уже проголосовали/);
    }
    for (const t of tg.filter((x) => !x.accepted)) expect(t.message).toMatch(/уже проголосовали/);
    const stored = await system.db.query('select count(*)::int as n from votes where poll_id = $1', [poll.id]);
    expect(stored.rows[0].n).toBe(1);
    // Nothing personal is stored with the vote: only the salted hash.
    const row = await system.db.query('select identity_hash from votes where poll_id = $1', [poll.id]);
    expect(row.rows[0].identity_hash).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(row.rows)).not.toContain('5551234');
  });

  it('a closed poll refuses votes, and a draft or unknown poll is not votable', async () => {
    const poll = await newPoll();
    const v = await verify();
    expect((await staff('POST', `/api/v1/polls/${poll.id}/status`, { to: 'closed' })).status).toBe(200);
    const res = await publicCall('POST', `/api/v1/public/polls/${poll.id}/votes`, ballot(poll), { cookie: v.cookie });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toMatch(/закрыто/);
    expect((await system.db.query('select count(*)::int as n from votes where poll_id = $1', [poll.id])).rows[0].n).toBe(0);
    // The schedule only moves forward.
    expect((await staff('POST', `/api/v1/polls/${poll.id}/status`, { to: 'open' })).status).toBe(409);
    const unknown = await publicCall('POST', '/api/v1/public/polls/00000000-0000-4000-8000-000000000000/votes', ballot(poll), { cookie: v.cookie });
    expect(unknown.status).toBe(404);
  });

  it('votes waiting for the poll while it closes are refused: none lands after the close', async () => {
    const poll = await newPoll();
    const voters = await Promise.all(Array.from({ length: 6 }, () => verify()));
    // Warm the vote path (poll cache), so the votes below block on the lock and not on a first load.
    const first = await publicCall('POST', `/api/v1/public/polls/${poll.id}/votes`, ballot(poll), { cookie: voters[0]!.cookie });
    expect(first.status).toBe(201);
    // Play the closing transaction by hand: hold the poll's lock exclusively, so the votes' statements start and wait.
    const closer = await system.db.connect();
    try {
      await closer.query('begin');
      await closer.query('select pg_advisory_xact_lock(hashtextextended($1::text, 7031))', [poll.id]);
      const pending = voters.slice(1).map((v) => publicCall('POST', `/api/v1/public/polls/${poll.id}/votes`, ballot(poll), { cookie: v.cookie }));
      // Votes are written in batches (group commit), so a waiting statement carries several of them. The server's
      // batches are not visible from here: this process's own ballot box (whose batches are) votes alongside, and
      // the wait ends when all of its five votes are in statements or queued behind them, and the server too has a
      // batch waiting.
      const tg = [1, 2, 3, 4, 5].map((i) =>
        polls.ballotBox.voteFromTelegram({
          pollId: poll.id,
          questionId: poll.questions[0]!.id,
          optionId: poll.questions[0]!.options[0]!.id,
          municipality: 'город Красноярск',
          proof: { fromId: 880_000 + i, isBot: false },
        })
      );
      await eventually(async () => {
        const own = polls.voteBatcher.stats().votes;
        const waiting = (await system.db.query(
          `select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and wait_event = 'advisory' and query like '%poll_vote_gate%'`,
        )).rows[0].n;
        return own.pending + own.inFlight === 5 && own.inFlightBatches >= 1 && waiting >= own.inFlightBatches + 1;
      }, 10_000, 'votes of both processes waiting for the poll lock');
      await closer.query(`update polls set status = 'closed', version = version + 1 where id = $1`, [poll.id]);
      await closer.query('commit');
      // Each waiting statement began before the close committed; the gate must still see the poll closed.
      for (const res of await Promise.all(pending)) {
        expect(res.status).toBe(409);
        expect(((await res.json()) as { error: string }).error).toMatch(/закрыто/);
      }
      for (const t of await Promise.all(tg)) expect(t).toMatchObject({ accepted: false, message: expect.stringMatching(/закрыто/) });
    } finally {
      closer.release();
    }
    expect((await system.db.query('select count(*)::int as n from votes where poll_id = $1', [poll.id])).rows[0].n).toBe(1);
  });

  it('a poll changed since the vote path cached it is read again: old questions are refused, new ones count', async () => {
    const created = await staff('POST', '/api/v1/polls', buildPoll());
    const draft = (await created.json()) as PollJson;
    expect((await staff('POST', `/api/v1/polls/${draft.id}/status`, { to: 'published' })).status).toBe(200);
    // Another process's ballot box caches the published poll (and refuses: not open yet).
    const other = createPolls({ db: system.db, salt: await loadOrCreateSalt(system.db) });
    const tgVote = (p: PollJson, fromId: number) =>
      other.ballotBox.voteFromTelegram({
        pollId: p.id,
        questionId: p.questions[0]!.id,
        optionId: p.questions[0]!.options[0]!.id,
        municipality: 'город Красноярск',
        proof: { fromId, isBot: false },
      });
    expect((await tgVote(draft, 7001)).message).toMatch(/закрыто/);
    // Back to draft, questions replaced, then published and opened through this process's API only.
    expect((await staff('POST', `/api/v1/polls/${draft.id}/status`, { to: 'draft' })).status).toBe(200);
    const edited = await staff('PUT', `/api/v1/polls/${draft.id}`,
      buildPoll({ questions: [{ kind: 'single', text: 'Новый вопрос', options: ['Да', 'Нет'] }] }));
    expect(edited.status).toBe(200);
    let poll = (await edited.json()) as PollJson;
    for (const to of ['published', 'open']) poll = (await (await staff('POST', `/api/v1/polls/${poll.id}/status`, { to })).json()) as PollJson;
    expect(poll.questions[0]!.id).not.toBe(draft.questions[0]!.id);
    const stale = await tgVote(draft, 7002);
    expect(stale.accepted).toBe(false);
    expect(stale.message).toMatch(/Вопрос не найден/);
    expect(await tgVote(poll, 7003)).toMatchObject({ accepted: true });
    const stored = await system.db.query<{ question_id: string }>(
      'select a.question_id from votes v join vote_answers a on a.vote_id = v.id where v.poll_id = $1',
      [poll.id],
    );
    expect(stored.rows.map((r) => r.question_id)).toEqual([poll.questions[0]!.id]);
  });

  it('bad input gets a clear 4xx and loses nothing already accepted', async () => {
    const poll = await newPoll();
    const v = await verify();
    expect((await publicCall('POST', `/api/v1/public/polls/${poll.id}/votes`, ballot(poll))).status).toBe(401);
    const wrongMunicipality = await publicCall('POST', `/api/v1/public/polls/${poll.id}/votes`, ballot(poll, 0, { municipality: 'Норильск' }), {
      cookie: v.cookie,
    });
    expect(wrongMunicipality.status).toBe(400);
    const two = await publicCall('POST', `/api/v1/public/polls/${poll.id}/votes`, {
      answers: [{ questionId: poll.questions[0]!.id, optionIds: poll.questions[0]!.options.slice(0, 2).map((o) => o.id) }],
      municipality: 'город Красноярск',
    }, { cookie: v.cookie });
    expect(two.status).toBe(400);
    expect(((await two.json()) as { error: string }).error).toMatch(/только один/);
    const raw = await fetch(`${system.url}/api/v1/public/polls/${poll.id}/votes`, { method: 'POST',
      headers: { 'content-type': 'application/json', cookie: v.cookie }, body: '{"answers":' });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toHaveProperty('error');
    const ok = await publicCall('POST', `/api/v1/public/polls/${poll.id}/votes`, ballot(poll), { cookie: v.cookie });
    expect(ok.status).toBe(201);
    // A wrong code is refused and does not open a session.
    const start = await publicCall('POST', '/api/v1/public/identity/code', { channel: 'email', destination: 'Citizen@Example.RU' });
    const { challengeId } = (await start.json()) as { challengeId: string };
    expect((await publicCall('POST', '/api/v1/public/identity/verify', { challengeId, code: '12345' })).status).toBe(400);
    const stored = await codeOfChallenge(system.db, challengeId);
    const wrong = stored === '000000' ? '000001' : '000000';
    expect((await publicCall('POST', '/api/v1/public/identity/verify', { challengeId, code: wrong })).status).toBe(400);
    expect((await system.db.query('select code_hash from identity_challenges where id = $1', [challengeId])).rows[0].code_hash).not.toContain(stored);
    expect((await publicCall('POST', '/api/v1/public/identity/code', { channel: 'phone', destination: 'не телефон' })).status).toBe(400);
    expect((await system.db.query('select count(*)::int as n from votes where poll_id = $1', [poll.id])).rows[0].n).toBe(1);
  });

  it('answers votes ahead of the middleware stack with the same headers and refusals as every other route', async () => {
    const poll = await newPoll();
    const v = await verify();
    const url = `${system.url}/api/v1/public/polls/${poll.id}/votes`;
    const health = await fetch(`${system.url}/healthz`);
    await health.arrayBuffer();
    const headersOf = (res: Response) =>
      Object.fromEntries(
        ['content-security-policy', 'strict-transport-security', 'x-content-type-options', 'x-frame-options', 'cross-origin-resource-policy', 'referrer-policy',
          'x-powered-by'].map((h) => [h, res.headers.get(h)]),
      );
    const tooBig = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', cookie: v.cookie },
      body: `{"pad":"${'x'.repeat(300_000)}"}` });
    expect([tooBig.status, (await tooBig.json()).error]).toEqual([413, 'request body is too large']);
    const nul = await publicCall('POST', url.slice(system.url!.length), ballot(poll, 0, { municipality: 'город\u0000 Красноярск' }), { cookie: v.cookie });
    expect([nul.status, (await nul.json()).error]).toEqual([400, 'invalid input: body.municipality must not contain the NUL character (U+0000)']);
    expect((await publicCall('POST', url.slice(system.url!.length).replace(poll.id, 'not-a-poll'), ballot(poll), { cookie: v.cookie })).status).toBe(400);
    // A compressed body is not read by the fast path: the ordinary route's body parser inflates it, and the vote counts.
    const gz = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', cookie: v.cookie },
      body: gzipSync(JSON.stringify(ballot(poll))) });
    expect(gz.status).toBe(201);
    // Express's res.json adds an ETag; the fast path does not, which tells the two apart here.
    expect(gz.headers.get('etag')).toMatch(/^W\//);
    await gz.arrayBuffer();
    const again = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', cookie: v.cookie },
      body: JSON.stringify(ballot(poll, 1)) });
    expect(again.status).toBe(409);
    expect(again.headers.get('etag')).toBeNull();
    expect(headersOf(again)).toEqual(headersOf(health));
    expect(headersOf(again)['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(again.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect((await system.db.query('select count(*)::int as n from votes where poll_id = $1', [poll.id])).rows[0].n).toBe(1);
    // Ten tries a minute per person: then 429 with Retry-After, on the fast path too.
    let limited: Response | undefined;
    for (let i = 0; i < 12 && !limited; i++) {
      const r = await publicCall('POST', url.slice(system.url!.length), ballot(poll, 2), { cookie: v.cookie });
      if (r.status === 429) limited = r;
      else await r.arrayBuffer();
    }
    expect(limited?.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    const metrics = await (await fetch(`${system.url}/metrics`)).text();
    expect(metrics).toMatch(/otklik_http_requests_total\{method="POST",route="\/api\/v1\/public\/polls\/:id\/votes",status="4xx"\} [1-9]/);
  });

  it('results in ClickHouse equal the votes in PostgreSQL; quarantined votes leave the published count (with audit)', async () => {
    const poll = await newPoll();
    const [q1, q2, q3] = poll.questions;
    const voteIds: string[] = [];
    for (let i = 0; i < 24; i++) {
      const v = await verify();
      const res = await publicCall('POST', `/api/v1/public/polls/${poll.id}/votes`, {
        answers: [
          { questionId: q1!.id, optionIds: [q1!.options[i % 3]!.id] },
          { questionId: q2!.id, optionIds: q2!.options.filter((_, k) => (i >> k) & 1).map((o) => o.id) },
          { questionId: q3!.id, value: 1 + (i % 5) },
          ...(i % 6 === 0 ? [{ questionId: poll.questions[3]!.id, text: 'Больше деревьев и фонарей' }] : []),
        ],
        municipality: i % 4 === 0 ? 'город Ачинск' : 'город Красноярск',
        channel: i % 2 ? 'widget' : 'page',
      }, { cookie: v.cookie });
      expect(res.status).toBe(201);
      voteIds.push(((await res.json()) as { voteId: string }).voteId);
    }

    const pgCounts = async () =>
      ((await (await staff('GET', `/api/v1/polls/${poll.id}/counts`)).json()) as { rows: { question: string; option: string; votes: number }[] }).rows;
    const chCounts = async () => {
      const res = await publicCall('GET', `/api/v1/public/polls/${poll.id}/results`);
      const v = (await res.json()) as { voters: number; questions: { id: string; options: { key: string; votes: number }[] }[] };
      return { voters: v.voters,
        rows: v.questions.flatMap((q) => q.options.filter((o) => o.votes > 0).map((o) => ({ question: q.id, option: o.key, votes: o.votes }))) };
    };
    const norm = (rows: { question: string; option: string; votes: number }[]) => rows.map((r) => `${r.question}|${r.option}|${r.votes}`).sort();
    const expectEqual = async (voters: number, what: string) => {
      const expected = norm(await pgCounts());
      await eventually(async () => {
        const ch = await chCounts();
        return ch.voters === voters && JSON.stringify(norm(ch.rows)) === JSON.stringify(expected);
      }, 20_000, what);
    };
    await expectEqual(24, 'ClickHouse results equal PostgreSQL');
    expect((await pgCounts()).filter((r) => r.question === q1!.id).reduce((n, r) => n + r.votes, 0)).toBe(24);

    const quarantine = await staff('POST', `/api/v1/polls/${poll.id}/votes/quarantine`, { voteIds: voteIds.slice(0, 5),
      reason: 'Всплеск голосов из одной сети' });
    expect(quarantine.status).toBe(200);
    expect(((await quarantine.json()) as { changed: string[] }).changed).toHaveLength(5);
    await expectEqual(19, 'quarantined votes leave the ClickHouse count');
    expect((await pgCounts()).filter((r) => r.question === q1!.id).reduce((n, r) => n + r.votes, 0)).toBe(19);

    const release = await staff('POST', `/api/v1/polls/${poll.id}/votes/release`, { voteIds: [voteIds[0]], reason: 'Проверено: голос настоящий' });
    expect(release.status).toBe(200);
    await expectEqual(20, 'a released vote is counted again');

    // The analytics endpoint (staff dashboards) agrees too.
    const analytics = await staff('GET', `/api/v1/analytics/polls/${poll.id}`);
    expect(analytics.status).toBe(200);
    const body = (await analytics.json()) as { rows: { question: string; votes: number }[] };
    expect(body.rows.filter((r) => r.question === q1!.id).reduce((n, r) => n + r.votes, 0)).toBe(20);

    const audit = (await (await staff('GET', `/api/v1/polls/${poll.id}/audit`)).json()) as { items: { action: string; actor: string; reason: string }[] };
    expect(audit.items).toHaveLength(6);
    expect(audit.items[0]).toMatchObject({ action: 'release', actor: 'admin' });

    // Turnout by municipality and channel, and the exports.
    const view = (await (await publicCall('GET', `/api/v1/public/polls/${poll.id}/results`)).json()) as { byMunicipality: { value: string; voters: number }[];
      byChannel: { value: string; voters: number }[] };
    expect(view.byMunicipality.reduce((n, m) => n + m.voters, 0)).toBe(20);
    expect(view.byChannel.map((c) => c.value).sort()).toEqual(['Виджет на сайте', 'Страница голосования']);
    const csv = await fetch(`${system.url}/polls/${poll.id}/results.csv`);
    expect(csv.status).toBe(200);
    expect(await csv.text()).toContain('Сквер на Мира');
    const xlsx = await fetch(`${system.url}/polls/${poll.id}/results.xlsx`);
    expect(xlsx.status).toBe(200);
    expect(Buffer.from(await xlsx.arrayBuffer()).subarray(0, 2).toString()).toBe('PK');

    // Free-text answers wait for moderation.
    const pending = (await (await staff('GET', `/api/v1/polls/${poll.id}/answers`)).json()) as { items: { voteId: string; questionId: string }[] };
    expect(pending.items).toHaveLength(4);
    expect((await staff('POST', `/api/v1/polls/${poll.id}/answers/moderate`, { ...pending.items[0], decision: 'approved' })).status).toBe(200);
  });

  it('shows moderators a burst of votes from one network and from newly verified identities', async () => {
    const poll = await newPoll();
    for (let i = 0; i < 12; i++) {
      const v = await verify();
      expect((await publicCall('POST', `/api/v1/public/polls/${poll.id}/votes`, ballot(poll, i % 3), { cookie: v.cookie })).status).toBe(201);
    }
    const res = await staff('GET', `/api/v1/polls/${poll.id}/bursts`);
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: { kind: string; votes: number; voteIds: string[] }[] };
    expect(items.map((b) => b.kind).sort()).toEqual(['network', 'new_accounts']);
    expect(items.every((b) => b.votes === 12 && b.voteIds.length === 12)).toBe(true);
  });

  it('discussion: a citizen comment waits for moderation; an official replies', async () => {
    const poll = await newPoll();
    const v = await verify();
    const c = await publicCall('POST', `/api/v1/public/polls/${poll.id}/comments`, { text: 'Предлагаю добавить велодорожку', name: 'Анна' }, {
      cookie: v.cookie,
    });
    expect(c.status).toBe(201);
    const { id } = (await c.json()) as { id: string };
    const list = async () =>
      ((await (await publicCall('GET', `/api/v1/public/polls/${poll.id}/comments`)).json()) as { items: { id: string; authorKind: string; text: string }[] })
        .items;
    expect(await list()).toEqual([]);
    expect((await staff('POST', `/api/v1/polls/${poll.id}/comments/${id}/moderate`, { decision: 'published' })).status).toBe(200);
    expect((await staff('POST', `/api/v1/polls/${poll.id}/comments`, { text: 'Спасибо, учтём при проектировании.', parentId: id })).status).toBe(201);
    const items = await list();
    expect(items.map((x) => x.authorKind)).toEqual(['citizen', 'official']);
    expect((await publicCall('POST', `/api/v1/public/polls/${poll.id}/comments`, { text: 'без подтверждения' })).status).toBe(401);
  });
});
