/**
 * Polls in PostgreSQL: the poll with its questions and options, its schedule, and the Telegram chats it is pushed to.
 * Votes are in vote-store.ts, the discussion and free-text answers in discussion-store.ts.
 */
import type pg from 'pg';
import { withTransaction } from '../../lib/transaction.js';
import { recordAudit, type AuditEntry, type NewEntityAudit } from '../store/audit.js';
import type { Sql } from '../store/sql.js';
import { canTransition, type Poll, type PollInput, type PollStatus, type Question } from './model.js';

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

/** A draft poll with its questions, and its audit entry (its entityId is the new poll's), in one transaction. */
export async function createPoll(db: pg.Pool, input: PollInput, userId: string | null, audit?: NewEntityAudit): Promise<string> {
  return withTransaction(db, async (client) => {
    const created = await client.query<{ id: string }>(
      `insert into polls (title, description, municipalities, min_age, opens_at, closes_at, live_results, created_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8) returning id`,
      [input.title, input.description, input.municipalities, input.minAge, input.opensAt, input.closesAt, input.liveResults, userId],
    );
    const pollId = created.rows[0]!.id;
    await insertQuestions(client, pollId, input.questions);
    if (audit) await recordAudit(client, { ...audit, entityId: pollId });
    return pollId;
  });
}

interface PollRowDb {
  id: string;
  title: string;
  description: string;
  status: PollStatus;
  municipalities: string[];
  min_age: number | null;
  opens_at: Date | null;
  closes_at: Date | null;
  live_results: boolean;
  version: number;
}

const toPoll = (p: PollRowDb, questions: Question[]): Poll => ({
  id: p.id,
  title: p.title,
  description: p.description,
  status: p.status,
  municipalities: p.municipalities,
  minAge: p.min_age,
  opensAt: p.opens_at?.toISOString() ?? null,
  closesAt: p.closes_at?.toISOString() ?? null,
  liveResults: p.live_results,
  version: p.version,
  questions,
});

export async function loadPoll(db: Sql, id: string): Promise<Poll | null> {
  const p = await db.query<PollRowDb>('select * from polls where id = $1', [id]);
  if (!p.rowCount) return null;
  const q = await db.query<
    { id: string; kind: Question['kind']; text: string; required: boolean; scale_min: number | null; scale_max: number | null; max_choices: number | null;
      options: { id: string; text: string }[] | null }
  >(
    `select q.id, q.kind, q.text, q.required, q.scale_min, q.scale_max, q.max_choices,
            (select json_agg(json_build_object('id', o.id, 'text', o.text) order by o.position) from poll_options o where o.question_id = q.id) as options
       from poll_questions q where q.poll_id = $1 order by q.position`,
    [id],
  );
  return toPoll(p.rows[0]!, q.rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    text: r.text,
    required: r.required,
    scaleMin: r.scale_min ?? 1,
    scaleMax: r.scale_max ?? 5,
    maxChoices: r.max_choices,
    options: r.options ?? [],
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

const refused = (code: 404 | 409, error: string): TransitionResult => ({ ok: false, code, error });

/**
 * Moves the schedule, with its audit entry in the same transaction (none when refused). Closing takes the row lock
 * every vote shares, so no vote commits after the close.
 */
export async function transitionPoll(db: pg.Pool, id: string, to: PollStatus, expectedVersion?: number, audit?: AuditEntry): Promise<TransitionResult> {
  const refusal = await withTransaction(db, async (client) => {
    // Waits for the votes in flight (they hold the shared side of this lock); see castVote.
    await client.query('select pg_advisory_xact_lock(hashtextextended($1::text, 7031))', [id]);
    const r = await client.query<{ status: PollStatus; version: number }>('select status, version from polls where id = $1 for update', [id]);
    const row = r.rows[0];
    if (!row) return refused(404, 'poll not found');
    if (expectedVersion !== undefined && expectedVersion !== row.version) return refused(409, `stale version: poll is at version ${row.version}`);
    if (!canTransition(row.status, to)) return refused(409, `a ${row.status} poll cannot become ${to}`);
    await client.query('update polls set status = $2, version = version + 1, updated_at = now() where id = $1', [id, to]);
    if (audit) await recordAudit(client, audit);
    return undefined;
  });
  return refusal ?? { ok: true, poll: (await loadPoll(db, id))! };
}

/** Questions and options may change only while nobody has seen the poll; the audit entry is written with the change. */
export async function updateDraft(db: pg.Pool, id: string, input: PollInput, audit?: AuditEntry): Promise<TransitionResult> {
  const refusal = await withTransaction(db, async (client) => {
    const r = await client.query<{ status: PollStatus }>('select status from polls where id = $1 for update', [id]);
    if (!r.rowCount) return refused(404, 'poll not found');
    if (r.rows[0]!.status !== 'draft') return refused(409, 'only a draft poll can be edited');
    await client.query('delete from poll_questions where poll_id = $1', [id]);
    await client.query(
      `update polls set title = $2, description = $3, municipalities = $4, min_age = $5, opens_at = $6, closes_at = $7, live_results = $8,
              version = version + 1, updated_at = now() where id = $1`,
      [id, input.title, input.description, input.municipalities, input.minAge, input.opensAt, input.closesAt, input.liveResults],
    );
    await insertQuestions(client, id, input.questions);
    if (audit) await recordAudit(client, audit);
    return undefined;
  });
  return refusal ?? { ok: true, poll: (await loadPoll(db, id))! };
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
    `select municipality from (${CHAT_MUNICIPALITIES}) x where chat_id = $1 order by rank, at desc limit 1`,
    [chatId],
  );
  return r.rows[0]?.municipality;
}

/** The Telegram chats whose municipality (as `municipalityOfChat` decides it) is this one. */
export async function chatsOfMunicipality(db: Sql, municipality: string): Promise<string[]> {
  const r = await db.query<{ chat_id: string }>(
    `select chat_id from (
       select distinct on (chat_id) chat_id, municipality from (${CHAT_MUNICIPALITIES}) x order by chat_id, rank, at desc
     ) y where municipality = $1 order by chat_id`,
    [municipality],
  );
  return r.rows.map((x) => x.chat_id);
}

/** A Telegram chat names its municipality (the bot's `/polls <municipality>`): it receives that municipality's polls. */
export async function subscribeChat(sql: Sql, chatId: string, municipality: string): Promise<void> {
  await sql.query(
    `insert into poll_subscribers (chat_id, municipality) values ($1, $2)
     on conflict (chat_id) do update set municipality = excluded.municipality`,
    [chatId, municipality],
  );
}
