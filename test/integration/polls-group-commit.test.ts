import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateSalt } from '../../lib/salt.js';
import type { Otklik } from '../../main.js';
import { createPolls, type Polls } from '../../workflow/polls/index.js';
import { writeVoteBatch, type VoteItem } from '../../workflow/polls/vote-store.js';
import { eventually, loginAs, startTestSystem } from '../support.js';
import { codeOfChallenge } from '../codes.js';

interface PollJson {
  id: string;
  version: number;
  questions: { id: string; options: { id: string }[] }[];
}

const buildPoll = (overrides: Record<string, unknown> = {}) => ({
  title: 'Где поставить новую остановку?',
  description: 'Голосование жителей.',
  municipalities: [],
  questions: [{ kind: 'single', text: 'Выберите место', options: ['У школы', 'У рынка'] }],
  ...overrides,
});

describe('polls: group commit of votes', () => {
  let system: Otklik;
  let token: string;
  let polls: Polls;
  let phoneSeq = 0;

  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${system.url}${path}`, {
      method,
      headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
  const staff = (method: string, path: string, body?: unknown) => call(method, path, body, { authorization: `Bearer ${token}` });

  async function openPoll(): Promise<PollJson> {
    let poll = (await (await staff('POST', '/api/v1/polls', buildPoll())).json()) as PollJson;
    for (const to of ['published', 'open']) poll = (await (await staff('POST', `/api/v1/polls/${poll.id}/status`, { to })).json()) as PollJson;
    return poll;
  }

  async function verify(phone: string): Promise<{ token: string; cookie: string }> {
    const start = await call('POST', '/api/v1/public/identity/code', { channel: 'phone', destination: phone });
    expect(start.status).toBe(201);
    const { challengeId } = (await start.json()) as { challengeId: string };
    const code = await codeOfChallenge(system.db, challengeId);
    const res = await call('POST', '/api/v1/public/identity/verify', { challengeId, code });
    expect(res.status).toBe(200);
    return { token: ((await res.json()) as { token: string }).token, cookie: res.headers.get('set-cookie')!.split(';')[0]! };
  }
  const newPhone = () => `+7 901 ${String(10_000_000 + ++phoneSeq).slice(1)}`;

  const item = (poll: PollJson, identityHash: string, pick = 0): VoteItem => ({
    voteId: randomUUID(),
    identityHash,
    provider: 'phone',
    channel: 'page',
    municipality: '',
    networkHash: '',
    castAt: new Date(),
    events: null,
    rows: [{ questionId: poll.questions[0]!.id, optionId: poll.questions[0]!.options[pick]!.id, value: null, text: null }],
  });
  const waitingGates = async () =>
    (await system.db.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and wait_event = 'advisory' and query like '%poll_vote_gate%'`,
    )).rows[0]!.n;

  beforeAll(async () => {
    system = await startTestSystem({ OTKLIK_POLL_IP_LIMIT_PER_MINUTE: '100000', OTKLIK_POLL_CODE_LIMIT_PER_HOUR: '1000' });
    token = await loginAs(system.url!, 'admin', 'test-admin-password');
    polls = createPolls({ db: system.db, salt: await loadOrCreateSalt(system.db) });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('50 concurrent votes of 25 people, each through the page and the widget: exactly 25 stored, 25 refused as doubles', async () => {
    const poll = await openPoll();
    const people = await Promise.all(Array.from({ length: 25 }, async () => {
      const phone = newPhone();
      return { page: await verify(phone), widget: await verify(phone) };
    }));
    const ballot = (pick: number, channel: 'page' | 'widget') => ({
      answers: [{ questionId: poll.questions[0]!.id, optionIds: [poll.questions[0]!.options[pick]!.id] }],
      channel,
    });
    const responses = await Promise.all(people.flatMap((p, i) => [
      call('POST', `/api/v1/public/polls/${poll.id}/votes`, ballot(i % 2, 'page'), { cookie: p.page.cookie }),
      call('POST', `/api/v1/public/polls/${poll.id}/votes`, ballot((i + 1) % 2, 'widget'), { 'x-voter-token': p.widget.token }),
    ]));
    const bodies = await Promise.all(responses.map(async (r) => ({ status: r.status, body: (await r.json()) as { voteId?: string; error?: string } })));
    // Per person: one of the two requests won, the other heard it was a double.
    for (let i = 0; i < 25; i++) {
      const pair = bodies.slice(2 * i, 2 * i + 2).map((b) => b.status).sort();
      expect(pair).toEqual([201, 409]);
    }
    for (const b of bodies.filter((x) => x.status === 409)) expect(b.body.error).toMatch(/уже проголосовали/);
    const accepted = bodies.filter((x) => x.status === 201).map((x) => x.body.voteId!);
    const rows = await system.db.query<{ id: string }>('select id from votes where poll_id = $1', [poll.id]);
    expect(rows.rows.map((r) => r.id).sort()).toEqual([...accepted].sort());
    // Each stored vote has its answer and its analytics events; refused ones left nothing behind.
    const answers = await system.db.query<{ n: number }>('select count(*)::int as n from vote_answers a join votes v on v.id = a.vote_id where v.poll_id = $1',
      [poll.id]);
    expect(answers.rows[0]!.n).toBe(25);
    // The events of a batch leave as one outbox row: together they hold exactly the stored votes, each once.
    const outbox = await system.db.query<{ vote_id: string }>(
      `select e->'props'->>'voteId' as vote_id from outbox o cross join lateral jsonb_array_elements(o.payload->'events') e
        where o.queue = 'events' and e->'props'->>'pollId' = $1`,
      [poll.id],
    );
    expect(outbox.rows.map((r) => r.vote_id).sort()).toEqual([...accepted].sort());
  });

  it('one batch: a second vote of an identity inside the batch and a vote of one who already voted are doubles; a stale or closed poll refuses the batch', async () => {
    const poll = await openPoll();
    const [a, b, c] = ['a', 'b', 'c'].map((x) => `${x.repeat(8)}${randomUUID().replace(/-/g, '').slice(8)}`);
    expect(await writeVoteBatch(system.db, poll.id, poll.version, [item(poll, a!)])).toEqual(['stored']);
    const batch = [item(poll, b!), item(poll, a!), item(poll, c!), item(poll, b!, 1), item(poll, c!, 1)];
    expect(await writeVoteBatch(system.db, poll.id, poll.version, batch)).toEqual(['stored', 'duplicate', 'stored', 'duplicate', 'duplicate']);
    const stored = await system.db.query<{ id: string }>('select id from votes where poll_id = $1 order by identity_hash', [poll.id]);
    expect(stored.rows).toHaveLength(3);
    expect(stored.rows.map((r) => r.id)).toEqual(expect.arrayContaining([batch[0]!.voteId, batch[2]!.voteId]));
    expect(await writeVoteBatch(system.db, poll.id, poll.version - 1, [item(poll, `d${a!.slice(1)}`)])).toEqual(['stale']);
    expect((await staff('POST', `/api/v1/polls/${poll.id}/status`, { to: 'closed' })).status).toBe(200);
    expect(await writeVoteBatch(system.db, poll.id, poll.version + 1, [item(poll, `e${a!.slice(1)}`), item(poll, `f${a!.slice(1)}`)])).toEqual(['closed',
      'closed']);
    expect(await writeVoteBatch(system.db, randomUUID(), 0, [item(poll, a!)])).toEqual(['not_found']);
    expect((await system.db.query<{ n: number }>('select count(*)::int as n from votes where poll_id = $1', [poll.id])).rows[0]!.n).toBe(3);
  });

  it('batches waiting for the poll lock while the poll closes are refused whole: none of their votes lands after the close', async () => {
    const poll = await openPoll();
    const vote = (fromId: number) =>
      polls.ballotBox.voteFromTelegram({
        pollId: poll.id,
        questionId: poll.questions[0]!.id,
        optionId: poll.questions[0]!.options[0]!.id,
        proof: { fromId, isBot: false },
      });
    // Warm the ballot box (poll cache) so the votes below queue at the lock, not at a first load.
    expect(await vote(990_000)).toMatchObject({ accepted: true });
    const before = polls.voteBatcher.stats().votes;
    const closer = await system.db.connect();
    try {
      await closer.query('begin');
      await closer.query('select pg_advisory_xact_lock(hashtextextended($1::text, 7031))', [poll.id]);
      const pending = Array.from({ length: 40 }, (_, i) => vote(990_001 + i));
      await eventually(async () => {
        const s = polls.voteBatcher.stats().votes;
        return s.pending + s.inFlight === 40 && s.inFlightBatches >= 1 && (await waitingGates()) >= s.inFlightBatches;
      }, 10_000, 'forty votes in batches waiting for the poll lock');
      const during = polls.voteBatcher.stats().votes;
      // Group commit at work: forty votes, at most two statements at the lock, the rest gathered behind them.
      expect(during.inFlightBatches).toBeLessThanOrEqual(2);
      await closer.query(`update polls set status = 'closed', version = version + 1 where id = $1`, [poll.id]);
      await closer.query('commit');
      for (const r of await Promise.all(pending)) expect(r).toMatchObject({ accepted: false, message: expect.stringMatching(/закрыто/) });
      const after = polls.voteBatcher.stats().votes;
      expect(after.items - before.items).toBe(40);
      expect(after.batches - before.batches).toBeLessThan(40);
    } finally {
      closer.release();
    }
    expect((await system.db.query<{ n: number }>('select count(*)::int as n from votes where poll_id = $1', [poll.id])).rows[0]!.n).toBe(1);
  });
});
