/**
 * Polls in PostgreSQL: the poll and its questions, votes (one per identity per poll, enforced by the unique
 * constraint), quarantine with its audit, free-text moderation. Every change that analytics must see writes its
 * `vote.cast` events to the outbox in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { eventIdFor } from '../../lib/ids.js';
import type { AnalyticsEventInput } from '../../lib/queues.js';
import { enqueue, type Sql } from '../outbox.js';
import {
  acceptsVotes, canTransition, checkBallot, optionKey, type AnswerRow, type Ballot, type Poll, type PollInput, type PollStatus, type Question, type VoteChannel,
} from './model.js';

/** A poll's questions and options, in their order; a draft edit replaces them all. */
async function insertQuestions(client: Sql, pollId: string, questions: PollInput['questions']): Promise<void> {
  for (const [i, q] of questions.entries()) {
    const isScale = q.kind === 'scale';
    const r = await client.query<{ id: string }>(
      `insert into poll_questions (poll_id, position, kind, text, required, scale_min, scale_max, max_choices)
       values ($1, $2, $3, $4, $5, $6, $7, $8) returning id`,
      [pollId, i, q.kind, q.text, q.required, isScale ? (q.scaleMin ?? 1) : null, isScale ? (q.scaleMax ?? 5) : null, q.maxChoices ?? null],
    );
    if (q.options.length) {
      await client.query(
        'insert into poll_options (question_id, position, text) select $1, p, t from unnest($2::text[]) with ordinality as u(t, p)',
        [r.rows[0]!.id, q.options],
      );
    }
  }
}

export async function createPoll(db: pg.Pool, input: PollInput, userId: string | null): Promise<string> {
  const client = await db.connect();
  try {
    await client.query('begin');
    const p = await client.query<{ id: string }>(
      `insert into polls (title, description, municipalities, min_age, opens_at, closes_at, live_results, created_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8) returning id`,
      [input.title, input.description, input.municipalities, input.minAge, input.opensAt, input.closesAt, input.liveResults, userId],
    );
    const pollId = p.rows[0]!.id;
    await insertQuestions(client, pollId, input.questions);
    await client.query('commit');
    return pollId;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

interface PollRowDb {
  id: string; title: string; description: string; status: PollStatus; municipalities: string[]; min_age: number | null;
  opens_at: Date | null; closes_at: Date | null; live_results: boolean; version: number;
}

const toPoll = (p: PollRowDb, questions: Question[]): Poll => ({
  id: p.id, title: p.title, description: p.description, status: p.status, municipalities: p.municipalities, minAge: p.min_age,
  opensAt: p.opens_at?.toISOString() ?? null, closesAt: p.closes_at?.toISOString() ?? null, liveResults: p.live_results, version: p.version, questions,
});

export async function loadPoll(db: Sql, id: string): Promise<Poll | null> {
  const p = await db.query<PollRowDb>('select * from polls where id = $1', [id]);
  if (!p.rowCount) return null;
  const q = await db.query<{ id: string; kind: Question['kind']; text: string; required: boolean; scale_min: number | null; scale_max: number | null; max_choices: number | null; options: { id: string; text: string }[] | null }>(
    `select q.id, q.kind, q.text, q.required, q.scale_min, q.scale_max, q.max_choices,
            (select json_agg(json_build_object('id', o.id, 'text', o.text) order by o.position) from poll_options o where o.question_id = q.id) as options
       from poll_questions q where q.poll_id = $1 order by q.position`,
    [id],
  );
  return toPoll(p.rows[0]!, q.rows.map((r) => ({
    id: r.id, kind: r.kind, text: r.text, required: r.required, scaleMin: r.scale_min ?? 1, scaleMax: r.scale_max ?? 5, maxChoices: r.max_choices, options: r.options ?? [],
  })));
}

export async function listPolls(db: pg.Pool, opts: { statuses?: PollStatus[]; municipality?: string; limit: number; offset: number }) {
  const r = await db.query<PollRowDb & { votes: number }>(
    `select p.*, (select count(*)::int from votes v where v.poll_id = p.id and v.status = 'accepted') as votes
       from polls p
      where ($1::text[] is null or p.status = any($1))
        and ($2::text is null or cardinality(p.municipalities) = 0 or $2 = any(p.municipalities))
      order by p.created_at desc, p.id limit $3 offset $4`,
    [opts.statuses ?? null, opts.municipality ?? null, opts.limit, opts.offset],
  );
  return r.rows.map((p) => ({ ...toPoll(p, []), questions: undefined, votes: p.votes }));
}

export type TransitionResult = { ok: true; poll: Poll } | { ok: false; code: 404 | 409; error: string };

/** Moves the schedule. Closing takes the row lock every vote shares, so no vote commits after the close. */
export async function transitionPoll(db: pg.Pool, id: string, to: PollStatus, expectedVersion?: number): Promise<TransitionResult> {
  const client = await db.connect();
  try {
    await client.query('begin');
    // Waits for the votes in flight (they hold the shared side of this lock); see castVote.
    await client.query('select pg_advisory_xact_lock(hashtextextended($1::text, 7031))', [id]);
    const r = await client.query<{ status: PollStatus; version: number }>('select status, version from polls where id = $1 for update', [id]);
    const row = r.rows[0];
    if (!row) {
      await client.query('rollback');
      return { ok: false, code: 404, error: 'poll not found' };
    }
    if (expectedVersion !== undefined && expectedVersion !== row.version) {
      await client.query('rollback');
      return { ok: false, code: 409, error: `stale version: poll is at version ${row.version}` };
    }
    if (!canTransition(row.status, to)) {
      await client.query('rollback');
      return { ok: false, code: 409, error: `a ${row.status} poll cannot become ${to}` };
    }
    await client.query('update polls set status = $2, version = version + 1, updated_at = now() where id = $1', [id, to]);
    await client.query('commit');
    return { ok: true, poll: (await loadPoll(db, id))! };
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Questions and options may change only while nobody has seen the poll. */
export async function updateDraft(db: pg.Pool, id: string, input: PollInput): Promise<TransitionResult> {
  const client = await db.connect();
  try {
    await client.query('begin');
    const r = await client.query<{ status: PollStatus }>('select status from polls where id = $1 for update', [id]);
    if (!r.rowCount) {
      await client.query('rollback');
      return { ok: false, code: 404, error: 'poll not found' };
    }
    if (r.rows[0]!.status !== 'draft') {
      await client.query('rollback');
      return { ok: false, code: 409, error: 'only a draft poll can be edited' };
    }
    await client.query('delete from poll_questions where poll_id = $1', [id]);
    await client.query(
      `update polls set title = $2, description = $3, municipalities = $4, min_age = $5, opens_at = $6, closes_at = $7, live_results = $8,
              version = version + 1, updated_at = now() where id = $1`,
      [id, input.title, input.description, input.municipalities, input.minAge, input.opensAt, input.closesAt, input.liveResults],
    );
    await insertQuestions(client, id, input.questions);
    await client.query('commit');
    return { ok: true, poll: (await loadPoll(db, id))! };
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

const CHANNEL_SOURCE: Record<VoteChannel, 'widget' | 'telegram' | undefined> = { page: undefined, widget: 'widget', telegram: 'telegram' };

/**
 * The `vote.cast` events of one vote. The cast is `status = 'accepted'`; a quarantine or release is another
 * `vote.cast` event of the same vote with `status` 'quarantined' / 'released', the same `at` (the cast time, so
 * every time filter treats the vote and its state changes alike) and `props.seq` = the audit id, which orders the
 * states: analytics counts a vote by its latest state (analytics/queries.ts).
 */
export function voteEvents(v: { voteId: string; pollId: string; identityHash: string; channel: VoteChannel; municipality: string; castAt: Date; rows: Pick<AnswerRow, 'questionId' | 'optionId' | 'value'>[] },
  state: 'accepted' | 'quarantined' | 'released', seq: number): AnalyticsEventInput[] {
  return v.rows.filter((r) => optionKey(r) !== '').map((r) => ({
    eventId: eventIdFor('vote', v.voteId, r.questionId, optionKey(r), String(seq)),
    type: 'vote.cast' as const,
    at: v.castAt.toISOString(),
    ...(CHANNEL_SOURCE[v.channel] ? { source: CHANNEL_SOURCE[v.channel] } : {}),
    ...(v.municipality ? { municipality: v.municipality } : {}),
    status: state,
    authorHash: v.identityHash,
    props: { pollId: v.pollId, questionId: r.questionId, optionId: optionKey(r), voteId: v.voteId, channel: v.channel, seq },
  }));
}

export type CastResult =
  | { status: 'accepted'; voteId: string; pendingTexts: number }
  | { status: 'duplicate' }
  | { status: 'not_found' }
  | { status: 'closed' }
  | { status: 'invalid'; error: string };

export interface CastInput {
  pollId: string;
  identityHash: string;
  provider: string;
  channel: VoteChannel;
  ballot: Ballot;
  networkHash: string;
  now: Date;
}

/** One checked vote on its way into a batch. */
export interface VoteItem {
  voteId: string;
  identityHash: string;
  provider: string;
  channel: VoteChannel;
  municipality: string;
  networkHash: string;
  castAt: Date;
  rows: AnswerRow[];
  /** The vote's `vote.cast` events as a JSON array, or null when the ballot holds only free text. */
  events: string | null;
}

/** What became of one vote of a batch. `stale`: the poll is no longer at the version its ballot was checked against. */
export type WriteOutcome = 'stored' | 'duplicate' | 'closed' | 'not_found' | 'stale';

/** Writes votes of one poll checked against one version of it: directly (a batch of one) or through group commit. */
export type VoteWriter = (poll: Pick<Poll, 'id' | 'version'>, item: VoteItem) => Promise<WriteOutcome>;

/**
 * A batch of votes of one poll as one statement (one round trip, its own implicit transaction): the gate
 * (db/postgres/010) takes the shared side of the poll's advisory lock once and reads the poll's state fresh, and the
 * votes, their answers and their `vote.cast` events in the outbox are inserted only when the poll takes votes and
 * still is at the version the ballots were checked against. Closing takes the lock exclusively, so it waits for
 * batches in flight and no vote lands after the close. `on conflict do nothing` on (poll_id, identity_hash) makes a
 * second vote of the same person, from any channel and at the same instant, a refusal rather than an error; the
 * ids returned tell each vote whether it was stored. The events of the stored votes leave as ONE outbox row (one
 * events job) per batch: a job per vote cost the server more than the vote itself, and analytics dedupes by event
 * id. Its job id is named after the batch's least vote id, which no other batch holds. The row is written here rather
 * than through enqueue() so that it rides in the same statement; its columns are the ones enqueue() writes.
 */
const CAST_BATCH_SQL = `
  with gate as materialized (select * from poll_vote_gate($1::uuid, $2::timestamptz)),
  v as (
    insert into votes (id, poll_id, identity_hash, provider, channel, municipality, network_hash, cast_at)
    select u.id, $1::uuid, u.h, u.p, u.c, u.m, u.n, u.t
      from gate, unnest($4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[]) with ordinality as u(id, h, p, c, m, n, t, ord)
     where gate.accepts and gate.version = $3::int
     order by u.ord
    on conflict (poll_id, identity_hash) do nothing
    returning id),
  a as (
    insert into vote_answers (vote_id, question_id, option_id, value, text, moderation)
    select u.vid, u.q, u.o, u.val, u.t, case when u.t is null then null else 'pending' end
      from unnest($11::uuid[], $12::uuid[], $13::uuid[], $14::int[], $15::text[]) as u(vid, q, o, val, t) join v on v.id = u.vid),
  o as (
    insert into outbox (queue, job_name, job_id, payload)
    select 'events', 'vote', 'votes-' || min(v.id::text), jsonb_build_object('events', jsonb_agg(e.ev))
      from unnest($16::uuid[], $17::jsonb[]) as u(vid, evs) join v on v.id = u.vid cross join lateral jsonb_array_elements(u.evs) as e(ev)
    having count(*) > 0)
  select gate.accepts, gate.version, coalesce((select array_agg(id::text) from v), '{}') as stored from gate`;

/** A deadlock is retried: it rolls the whole statement back, so the batch is written again from scratch. */
const isRetryable = (err: unknown) => (err as { code?: string }).code === '40P01';

/**
 * Writes one batch and answers each item. Items are inserted ordered by identity, so concurrent batches that share
 * identities wait on each other in one order and cannot deadlock; a second item of the same identity within the
 * batch is not sent at all: it is a double vote whatever becomes of the first.
 */
export async function writeVoteBatch(db: Sql, pollId: string, version: number, items: VoteItem[]): Promise<WriteOutcome[]> {
  const first = new Map<string, number>();
  items.forEach((it, i) => { if (!first.has(it.identityHash)) first.set(it.identityHash, i); });
  const send = [...first.values()].map((i) => items[i]!).sort((a, b) => (a.identityHash < b.identityHash ? -1 : a.identityHash > b.identityHash ? 1 : 0));
  // The latest request time of the batch: a vote at the closing instant is refused rather than let in late.
  const now = new Date(Math.max(...items.map((it) => it.castAt.getTime())));
  const answers = send.flatMap((it) => it.rows.map((r) => ({ vid: it.voteId, ...r })));
  const withEvents = send.filter((it) => it.events !== null);
  const values = [
    pollId, now, version,
    send.map((it) => it.voteId), send.map((it) => it.identityHash), send.map((it) => it.provider), send.map((it) => it.channel),
    send.map((it) => it.municipality), send.map((it) => it.networkHash), send.map((it) => it.castAt),
    answers.map((a) => a.vid), answers.map((a) => a.questionId), answers.map((a) => a.optionId), answers.map((a) => a.value), answers.map((a) => a.text),
    withEvents.map((it) => it.voteId), withEvents.map((it) => it.events),
  ];
  for (let attempt = 0; ; attempt++) {
    try {
      // Named, so each connection plans the statement once: planning this CTE costs about as much as running it.
      const r = await db.query<{ accepts: boolean; version: number; stored: string[] }>({ name: 'polls-cast-votes', text: CAST_BATCH_SQL, values });
      const g = r.rows[0];
      if (!g) return items.map(() => 'not_found');
      if (!g.accepts) return items.map(() => 'closed');
      if (g.version !== version) return items.map(() => 'stale');
      const stored = new Set(g.stored);
      return items.map((it) => (stored.has(it.voteId) ? 'stored' : 'duplicate'));
    } catch (err) {
      if (attempt < 2 && isRetryable(err)) continue;
      throw err;
    }
  }
}

/** Every vote its own statement: for callers without a group commit (scripts, tests of the single path). */
export const directVoteWriter = (db: Sql): VoteWriter => async (poll, item) => (await writeVoteBatch(db, poll.id, poll.version, [item]))[0]!;

/** A poll whose questions change under a vote again and again (a draft edited in a loop) is refused after this many tries. */
const CAST_TRIES = 3;

/**
 * Casts one vote. The ballot is checked against `cachedPoll` when given (questions are frozen at a version: the
 * statement inserts only at that version, and a changed poll is reloaded, handed to `reloaded` for the cache, and the
 * ballot checked again). `write` stores it: group commit in the server (vote-batcher.ts), one statement otherwise.
 */
export async function castVote(db: Sql, input: CastInput, cachedPoll?: Poll, reloaded?: (poll: Poll | null) => void, write: VoteWriter = directVoteWriter(db)): Promise<CastResult> {
  const reload = async () => {
    const p = await loadPoll(db, input.pollId);
    reloaded?.(p);
    return p;
  };
  let poll = cachedPoll ?? (await reload());
  for (let attempt = 0; attempt < CAST_TRIES; attempt++) {
    if (!poll) return { status: 'not_found' };
    const check = checkBallot(poll, input.ballot);
    if (!check.ok) {
      // A closed poll answers "closed" whatever the ballot; a poll changed since it was cached is checked again.
      const s = await db.query<{ status: PollStatus; opens_at: Date | null; closes_at: Date | null; version: number }>(
        'select status, opens_at, closes_at, version from polls where id = $1', [input.pollId]);
      const row = s.rows[0];
      if (!row) return { status: 'not_found' };
      if (!acceptsVotes({ status: row.status, opensAt: row.opens_at?.toISOString() ?? null, closesAt: row.closes_at?.toISOString() ?? null }, input.now)) return { status: 'closed' };
      if (row.version !== poll.version) {
        poll = await reload();
        continue;
      }
      return { status: 'invalid', error: check.error };
    }
    const voteId = randomUUID();
    const municipality = input.ballot.municipality ?? '';
    const rows = check.rows;
    const events = voteEvents({ voteId, pollId: input.pollId, identityHash: input.identityHash, channel: input.channel, municipality, castAt: input.now, rows }, 'accepted', 0);
    const outcome = await write(poll, {
      voteId, identityHash: input.identityHash, provider: input.provider, channel: input.channel, municipality, networkHash: input.networkHash,
      castAt: input.now, rows, events: events.length ? JSON.stringify(events) : null,
    });
    if (outcome === 'stale') {
      poll = await reload();
      continue;
    }
    if (outcome === 'stored') return { status: 'accepted', voteId, pendingTexts: rows.filter((x) => x.text !== null).length };
    return { status: outcome };
  }
  throw new Error(`poll ${input.pollId} kept changing while a vote was cast`);
}

export type QuarantineAction = 'quarantine' | 'release';

/**
 * Quarantines (or releases) votes of one poll with an audit entry each, and tells analytics the vote's new state.
 * Votes already in the requested state are left alone and reported as unchanged.
 */
export async function setVoteState(db: pg.Pool, input: { pollId: string; voteIds: string[]; action: QuarantineAction; actorId: string; reason: string; now: Date }) {
  const to = input.action === 'quarantine' ? 'quarantined' : 'accepted';
  const client = await db.connect();
  try {
    await client.query('begin');
    const changed = await client.query<{ id: string; identity_hash: string; channel: VoteChannel; municipality: string; cast_at: Date }>(
      `update votes set status = $3 where poll_id = $1 and id = any($2::uuid[]) and status <> $3
       returning id, identity_hash, channel, municipality, cast_at`,
      [input.pollId, input.voteIds, to],
    );
    const ids = changed.rows.map((r) => r.id);
    if (ids.length) {
      const audit = await client.query<{ id: string; vote_id: string }>(
        `insert into vote_audit (vote_id, action, actor_id, reason, at) select v, $2, $3, $4, $5 from unnest($1::uuid[]) as u(v) returning id, vote_id`,
        [ids, input.action, input.actorId, input.reason, input.now],
      );
      const auditOf = new Map(audit.rows.map((a) => [a.vote_id, a.id]));
      const answers = await client.query<{ vote_id: string; question_id: string; option_id: string | null; value: number | null }>(
        'select vote_id, question_id, option_id, value from vote_answers where vote_id = any($1::uuid[]) and text is null', [ids]);
      const rowsOf = new Map<string, { questionId: string; optionId: string | null; value: number | null }[]>();
      for (const a of answers.rows) (rowsOf.get(a.vote_id) ?? rowsOf.set(a.vote_id, []).get(a.vote_id)!).push({ questionId: a.question_id, optionId: a.option_id, value: a.value });
      await enqueue(client, changed.rows.flatMap((v) => {
        const seq = Number(auditOf.get(v.id));
        const events = voteEvents({ voteId: v.id, pollId: input.pollId, identityHash: v.identity_hash, channel: v.channel, municipality: v.municipality, castAt: v.cast_at, rows: rowsOf.get(v.id) ?? [] },
          input.action === 'quarantine' ? 'quarantined' : 'released', seq);
        return events.length ? [{ queue: 'events' as const, name: 'vote-state', jobId: `vote-state-${auditOf.get(v.id)}`, payload: { events } }] : [];
      }));
    }
    await client.query('commit');
    return { changed: ids, unchanged: input.voteIds.filter((id) => !ids.includes(id)) };
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Counted votes per question and option key (quarantined votes excluded): the reference for ClickHouse. */
export async function countedVotes(db: pg.Pool, pollId: string): Promise<{ question: string; option: string; votes: number }[]> {
  const r = await db.query<{ question: string; option: string; votes: number }>(
    `select a.question_id::text as question, coalesce(a.option_id::text, a.value::text) as option, count(*)::int as votes
       from votes v join vote_answers a on a.vote_id = v.id
      where v.poll_id = $1 and v.status = 'accepted' and a.text is null
      group by 1, 2 order by 1, 3 desc, 2`,
    [pollId],
  );
  return r.rows;
}

export async function voteTotals(db: pg.Pool, pollId: string) {
  const r = await db.query<{ accepted: number; quarantined: number }>(
    `select count(*) filter (where status = 'accepted')::int as accepted, count(*) filter (where status = 'quarantined')::int as quarantined
       from votes where poll_id = $1`, [pollId]);
  return r.rows[0]!;
}

export interface Burst {
  kind: 'network' | 'new_accounts';
  /** The network's hash prefix for `network`; empty for new accounts. */
  key: string;
  windowStart: string;
  votes: number;
  quarantined: number;
  voteIds: string[];
}

/**
 * Suspicious bursts for moderators: many votes from one network, or from identities first seen shortly before
 * they voted, inside one time window. Shown, never acted on automatically: a moderator decides on quarantine.
 */
export async function detectBursts(db: pg.Pool, pollId: string, opts: { windowMinutes: number; networkThreshold: number; newAccountThreshold: number; newAccountMinutes: number }): Promise<Burst[]> {
  const r = await db.query<{ kind: Burst['kind']; key: string; window_start: Date; votes: number; quarantined: number; vote_ids: string[] }>(
    `with w as (
       select v.id, v.status, v.network_hash,
              to_timestamp(floor(extract(epoch from v.cast_at) / ($2 * 60)) * ($2 * 60)) as window_start,
              (v.cast_at - i.first_seen_at) < make_interval(mins => $5) as fresh
         from votes v left join voter_identities i using (identity_hash)
        where v.poll_id = $1)
     select 'network' as kind, left(network_hash, 12) as key, window_start, count(*)::int as votes,
            count(*) filter (where status = 'quarantined')::int as quarantined, array_agg(id::text order by id) as vote_ids
       from w where network_hash <> '' group by network_hash, window_start having count(*) >= $3
     union all
     select 'new_accounts', '', window_start, count(*)::int, count(*) filter (where status = 'quarantined')::int, array_agg(id::text order by id)
       from w where fresh group by window_start having count(*) >= $4
     order by votes desc, window_start limit 100`,
    [pollId, opts.windowMinutes, opts.networkThreshold, opts.newAccountThreshold, opts.newAccountMinutes],
  );
  return r.rows.map((b) => ({ kind: b.kind, key: b.key, windowStart: b.window_start.toISOString(), votes: b.votes, quarantined: b.quarantined, voteIds: b.vote_ids.slice(0, 1000) }));
}

/**
 * Where the bot's chats live: a municipality a chat named (`poll_subscribers`) wins over the one of its appeals
 * (the message's place, else the case's municipality the classifier found).
 */
const CHAT_MUNICIPALITIES = `
  select chat_id, municipality, 0 as rank, created_at as at from poll_subscribers
  union all
  select c.channel_user_id, coalesce(nullif(m.place->>'municipality', ''), k.municipality), 1, m.received_at
    from messages m join contacts c on c.message_id = m.id left join cases k on k.message_id = m.id
   where m.source = 'telegram' and m.provenance->>'via' = 'bot' and c.channel_user_id is not null
     and coalesce(nullif(m.place->>'municipality', ''), k.municipality) is not null`;

export async function municipalityOfChat(db: Sql, chatId: string): Promise<string | undefined> {
  const r = await db.query<{ municipality: string }>(
    `select municipality from (${CHAT_MUNICIPALITIES}) x where chat_id = $1 order by rank, at desc limit 1`, [chatId]);
  return r.rows[0]?.municipality;
}

/** The Telegram chats whose municipality (as `municipalityOfChat` decides it) is this one. */
export async function chatsOfMunicipality(db: Sql, municipality: string): Promise<string[]> {
  const r = await db.query<{ chat_id: string }>(
    `select chat_id from (
       select distinct on (chat_id) chat_id, municipality from (${CHAT_MUNICIPALITIES}) x order by chat_id, rank, at desc
     ) y where municipality = $1 order by chat_id`, [municipality]);
  return r.rows.map((x) => x.chat_id);
}
