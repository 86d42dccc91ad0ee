/**
 * Votes in PostgreSQL: one per identity per poll (the unique constraint decides), cast in batches (group commit),
 * quarantined and released with an audit entry each. Every change analytics must see writes its `vote.cast` events
 * to the outbox in the same statement or transaction.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { eventIdFor } from '../../lib/ids.js';
import type { AnalyticsEventInput } from '../../lib/queues.js';
import { withTransaction } from '../../lib/transaction.js';
import { enqueue } from '../outbox.js';
import type { Page, Sql } from '../store/sql.js';
import { acceptsVotes, checkBallot, optionKey, type AnswerRow, type Ballot, type Poll, type PollStatus, type VoteChannel } from './model.js';
import { loadPoll } from './store.js';

const CHANNEL_SOURCE: Record<VoteChannel, 'widget' | 'telegram' | undefined> = { page: undefined, widget: 'widget', telegram: 'telegram' };

/**
 * The `vote.cast` events of one vote. The cast is `status = 'accepted'`; a quarantine or release is another
 * `vote.cast` event of the same vote with `status` 'quarantined' / 'released', the same `at` (the cast time, so
 * every time filter treats the vote and its state changes alike) and `props.seq` = the audit id, which orders the
 * states: analytics counts a vote by its latest state (analytics/queries.ts).
 */
export function voteEvents(
  v: { voteId: string; pollId: string; identityHash: string; channel: VoteChannel; municipality: string; castAt: Date;
    rows: Pick<AnswerRow, 'questionId' | 'optionId' | 'value'>[] },
  state: 'accepted' | 'quarantined' | 'released',
  seq: number,
): AnalyticsEventInput[] {
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
  items.forEach((it, i) => {
    if (!first.has(it.identityHash)) first.set(it.identityHash, i);
  });
  const send = [...first.values()].map((i) => items[i]!).sort((a, b) => (a.identityHash < b.identityHash ? -1 : a.identityHash > b.identityHash ? 1 : 0));
  // The latest request time of the batch: a vote at the closing instant is refused rather than let in late.
  const now = new Date(Math.max(...items.map((it) => it.castAt.getTime())));
  const answers = send.flatMap((it) => it.rows.map((r) => ({ vid: it.voteId, ...r })));
  const withEvents = send.filter((it) => it.events !== null);
  const values = [
    pollId,
    now,
    version,
    send.map((it) => it.voteId),
    send.map((it) => it.identityHash),
    send.map((it) => it.provider),
    send.map((it) => it.channel),
    send.map((it) => it.municipality),
    send.map((it) => it.networkHash),
    send.map((it) => it.castAt),
    answers.map((a) => a.vid),
    answers.map((a) => a.questionId),
    answers.map((a) => a.optionId),
    answers.map((a) => a.value),
    answers.map((a) => a.text),
    withEvents.map((it) => it.voteId),
    withEvents.map((it) => it.events),
  ];
  for (let attempt = 0;; attempt++) {
    try {
      // Named, so each connection plans the statement once: planning this CTE costs about as much as running it.
      const result = await db.query<{ accepts: boolean; version: number; stored: string[] }>({ name: 'polls-cast-votes', text: CAST_BATCH_SQL, values });
      const gate = result.rows[0];
      if (!gate) return items.map(() => 'not_found');
      if (!gate.accepts) return items.map(() => 'closed');
      if (gate.version !== version) return items.map(() => 'stale');
      const stored = new Set(gate.stored);
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
export async function castVote(db: Sql, input: CastInput, cachedPoll?: Poll, reloaded?: (poll: Poll | null) => void,
  write: VoteWriter = directVoteWriter(db)): Promise<CastResult>
{
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
      const current = await db.query<{ status: PollStatus; opens_at: Date | null; closes_at: Date | null; version: number }>(
        'select status, opens_at, closes_at, version from polls where id = $1',
        [input.pollId],
      );
      const row = current.rows[0];
      if (!row) return { status: 'not_found' };
      if (!acceptsVotes({ status: row.status, opensAt: row.opens_at?.toISOString() ?? null, closesAt: row.closes_at?.toISOString() ?? null }, input.now)) {
        return { status: 'closed' };
      }
      if (row.version !== poll.version) {
        poll = await reload();
        continue;
      }
      return { status: 'invalid', error: check.error };
    }
    const voteId = randomUUID();
    const municipality = input.ballot.municipality ?? '';
    const rows = check.rows;
    const events = voteEvents({ voteId, pollId: input.pollId, identityHash: input.identityHash, channel: input.channel, municipality, castAt: input.now, rows },
      'accepted', 0);
    const outcome = await write(poll, {
      voteId,
      identityHash: input.identityHash,
      provider: input.provider,
      channel: input.channel,
      municipality,
      networkHash: input.networkHash,
      castAt: input.now,
      rows,
      events: events.length ? JSON.stringify(events) : null,
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
export async function setVoteState(db: pg.Pool,
  input: { pollId: string; voteIds: string[]; action: QuarantineAction; actorId: string; reason: string; now: Date })
{
  return withTransaction(db, (client) => changeVoteStates(client, input));
}

/** setVoteState inside the caller's transaction; `actorId` null is the system. */
async function changeVoteStates(client: Sql,
  input: { pollId: string; voteIds: string[]; action: QuarantineAction; actorId: string | null; reason: string; now: Date })
{
  const to = input.action === 'quarantine' ? 'quarantined' : 'accepted';
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
    const rowsOf = await countedAnswersOf(client, ids);
    await enqueue(client, changed.rows.flatMap((v) => {
      const seq = Number(auditOf.get(v.id));
      const events = voteEvents({ voteId: v.id, pollId: input.pollId, identityHash: v.identity_hash, channel: v.channel, municipality: v.municipality,
        castAt: v.cast_at, rows: rowsOf.get(v.id) ?? [] }, input.action === 'quarantine' ? 'quarantined' : 'released', seq);
      return events.length ? [{ queue: 'events' as const, name: 'vote-state', jobId: `vote-state-${auditOf.get(v.id)}`, payload: { events } }] : [];
    }));
  }
  return { changed: ids, unchanged: input.voteIds.filter((id) => !ids.includes(id)) };
}

export const DOUBLE_VOTE_REASON = 'Один человек проголосовал дважды разными способами до того, как они были связаны: учтён первый голос';

/**
 * When two identities turn out to be one person and both had voted in a poll (neither vote could move to the other),
 * the later vote is quarantined by the system, with an audit entry, so the person counts once. A poll whose results
 * are published keeps them; a moderator may still release the vote.
 */
export async function quarantineDoubleVotes(sql: Sql, identityHash: string, personHash: string, now: Date): Promise<number> {
  const doubles = await sql.query<{ poll_id: string; later: string }>(
    `select v.poll_id, case when v.cast_at > w.cast_at or (v.cast_at = w.cast_at and v.id > w.id) then v.id else w.id end as later
       from votes v join votes w on w.poll_id = v.poll_id and w.identity_hash = $2 join polls p on p.id = v.poll_id
      where v.identity_hash = $1 and v.status = 'accepted' and w.status = 'accepted' and p.status <> 'results_published'`,
    [identityHash, personHash],
  );
  for (const d of doubles.rows) {
    await changeVoteStates(sql, { pollId: d.poll_id, voteIds: [d.later], action: 'quarantine', actorId: null, reason: DOUBLE_VOTE_REASON, now });
  }
  return doubles.rows.length;
}

/** The counted (not free-text) answers of these votes, by vote. */
async function countedAnswersOf(sql: Sql, voteIds: string[]) {
  const answers = await sql.query<{ vote_id: string; question_id: string; option_id: string | null; value: number | null }>(
    'select vote_id, question_id, option_id, value from vote_answers where vote_id = any($1::uuid[]) and text is null',
    [voteIds],
  );
  const rowsOf = new Map<string, { questionId: string; optionId: string | null; value: number | null }[]>();
  for (const a of answers.rows) {
    const rows = rowsOf.get(a.vote_id) ?? [];
    rows.push({ questionId: a.question_id, optionId: a.option_id, value: a.value });
    rowsOf.set(a.vote_id, rows);
  }
  return rowsOf;
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
       from votes where poll_id = $1`,
    [pollId],
  );
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
export async function detectBursts(db: pg.Pool, pollId: string,
  opts: { windowMinutes: number; networkThreshold: number; newAccountThreshold: number; newAccountMinutes: number }): Promise<Burst[]>
{
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
  return r.rows.map((b) => ({ kind: b.kind, key: b.key, windowStart: b.window_start.toISOString(), votes: b.votes, quarantined: b.quarantined,
    voteIds: b.vote_ids.slice(0, 1000) })
  );
}

/** Whether this identity has voted in the poll. */
export async function hasVoted(sql: Sql, pollId: string, identityHash: string): Promise<boolean> {
  return ((await sql.query('select 1 from votes where poll_id = $1 and identity_hash = $2', [pollId, identityHash])).rowCount ?? 0) > 0;
}

/** Votes without identities, newest first: channel, municipality, the network's hash prefix, state. */
export async function listVotes(sql: Sql, pollId: string, opts: Page & { status?: 'accepted' | 'quarantined' }) {
  const r = await sql.query(
    `select id, channel, municipality, left(network_hash, 12) as network, status, cast_at as "castAt" from votes
      where poll_id = $1 and ($2::text is null or status = $2) order by cast_at desc, id limit $3 offset $4`,
    [pollId, opts.status ?? null, opts.limit, opts.offset],
  );
  return r.rows;
}

/** The quarantine audit trail of a poll, newest first. */
export async function voteAudit(sql: Sql, pollId: string, opts: Page) {
  const r = await sql.query(
    `select a.id, a.vote_id as "voteId", a.action, a.reason, a.at, coalesce(u.login, 'система') as actor
       from vote_audit a join votes v on v.id = a.vote_id left join users u on u.id = a.actor_id
      where v.poll_id = $1 order by a.id desc limit $2 offset $3`,
    [pollId, opts.limit, opts.offset],
  );
  return r.rows;
}
