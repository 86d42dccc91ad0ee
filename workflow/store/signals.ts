/**
 * `signals`: the messages the monitoring found, one row each beside its `messages` row, with its incident, kind,
 * reaction deadline and status. Written set-based at registration; moved with their incident by workflow/signals/.
 */
import type { Source } from '../../lib/queues.js';
import type { Sql } from './sql.js';

export type SignalStatus = 'new' | 'accepted' | 'rejected' | 'answered';

export interface NewSignal {
  messageId: string;
  incidentId: string;
  status: SignalStatus;
  kind: string;
  kindConfidence: number | null;
  category: string;
  confidence: number;
  municipality: string | null;
  fastTrack: boolean;
  modelVersion: string;
  /** The routing model's suggestions as JSON, or null without any. */
  routing: string | null;
  receivedAt: Date;
  reactionDueAt: Date | null;
  joinedAfterAnswer: boolean;
}

export async function insertSignals(sql: Sql, rows: NewSignal[]): Promise<void> {
  if (rows.length === 0) return;
  const col = <K extends keyof NewSignal>(k: K) => rows.map((r) => r[k]);
  await sql.query(
    `insert into signals (message_id, incident_id, status, kind, kind_confidence, category, confidence, municipality, fast_track,
       model_version, routing_suggestions, received_at, reaction_due_at, joined_after_answer)
     select t.message_id, t.incident_id, t.status, t.kind, t.kind_confidence, t.category, t.confidence, t.municipality, t.fast_track,
       t.model_version, coalesce(t.routing::jsonb, '[]'::jsonb), t.received_at, t.reaction_due_at, t.joined_after_answer
       from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::real[], $6::text[], $7::real[], $8::text[], $9::boolean[],
                   $10::text[], $11::text[], $12::timestamptz[], $13::timestamptz[], $14::boolean[])
         as t(message_id, incident_id, status, kind, kind_confidence, category, confidence, municipality, fast_track, model_version,
              routing, received_at, reaction_due_at, joined_after_answer)
     on conflict do nothing`,
    [col('messageId'), col('incidentId'), col('status'), col('kind'), col('kindConfidence'), col('category'), col('confidence'), col('municipality'),
      col('fastTrack'), col('modelVersion'), col('routing'), col('receivedAt'), col('reactionDueAt'), col('joinedAfterAnswer')],
  );
}

export interface RoutingSuggestion {
  organization: string;
  score: number;
}

/** A signal with the message it is: where it was posted and how to link to it. */
export interface SignalRow extends Omit<NewSignal, 'routing'> {
  routing: RoutingSuggestion[];
  firstReactionAt: Date | null;
  source: Source;
  externalId: string;
  provenance: Record<string, string>;
  link: string | null;
  text: string;
}

const SIGNAL_SELECT = `
  select s.message_id as "messageId", s.incident_id as "incidentId", s.status, s.kind, s.kind_confidence as "kindConfidence", s.category,
         s.confidence, s.municipality, s.fast_track as "fastTrack", s.model_version as "modelVersion", s.routing_suggestions as routing,
         s.received_at as "receivedAt", s.reaction_due_at as "reactionDueAt", s.first_reaction_at as "firstReactionAt",
         s.joined_after_answer as "joinedAfterAnswer", m.source, m.external_id as "externalId", m.provenance, m.link, m.text
    from signals s join messages m on m.id = s.message_id`;

/** The signals of an incident, oldest first. */
export async function signalsOf(sql: Sql, incidentId: string): Promise<SignalRow[]> {
  return (await sql.query<SignalRow>(`${SIGNAL_SELECT} where s.incident_id = $1 order by s.received_at, s.message_id`, [incidentId])).rows;
}

export async function signalById(sql: Sql, messageId: string): Promise<SignalRow | undefined> {
  return (await sql.query<SignalRow>(`${SIGNAL_SELECT} where s.message_id = $1`, [messageId])).rows[0];
}

/** Some signals, locked in id order (merges and splits move them). */
export async function signalsForUpdate(sql: Sql, messageIds: string[]): Promise<SignalRow[]> {
  return (await sql.query<SignalRow>(`${SIGNAL_SELECT} where s.message_id = any($1::uuid[]) order by s.message_id for update of s`, [messageIds])).rows;
}

/** Moves every signal of an incident (or only the given ones) to a status. */
export async function setSignalStatus(sql: Sql, incidentId: string, status: SignalStatus, only?: string[]): Promise<void> {
  await sql.query('update signals set status = $2 where incident_id = $1 and ($3::uuid[] is null or message_id = any($3::uuid[]))', [incidentId, status,
    only ?? null]);
}

/** Stamps the first reaction on the incident's signals that had none (or only the given ones); returns those stamped. */
export async function markReacted(sql: Sql, incidentId: string, at: Date, only?: string[]): Promise<SignalRow[]> {
  const r = await sql.query<{ message_id: string }>(
    `update signals set first_reaction_at = $2 where incident_id = $1 and first_reaction_at is null
        and ($3::uuid[] is null or message_id = any($3::uuid[])) returning message_id`,
    [incidentId, at, only ?? null],
  );
  if (r.rows.length === 0) return [];
  const ids = new Set(r.rows.map((x) => x.message_id));
  return (await signalsOf(sql, incidentId)).filter((s) => ids.has(s.messageId));
}

/** Moves signals into another incident. */
export async function moveSignals(sql: Sql, messageIds: string[], incidentId: string,
  patch: { status: SignalStatus; joinedAfterAnswer: boolean }): Promise<void>
{
  await sql.query('update signals set incident_id = $2, status = $3, joined_after_answer = $4 where message_id = any($1::uuid[])', [messageIds, incidentId,
    patch.status, patch.joinedAfterAnswer]);
}

/** Signals received since `since` of these incidents and of these (category, municipality) topics, and before it. */
export async function recentCounts(sql: Sql,
  q: { incidentIds: string[]; topics: { category: string; municipality: string }[]; since: Date; baselineFrom: Date }
): Promise<{ subject: string; recent: number; before: number }[]> {
  const r = await sql.query<{ subject: string; recent: number; before: number }>(
    `select 'incident:' || incident_id as subject,
            count(*) filter (where received_at >= $2)::int as recent,
            count(*) filter (where received_at < $2 and received_at >= $3)::int as before
       from signals where incident_id = any($1::text[]) and received_at >= $3
      group by incident_id
     union all
     select 'topic:' || s.category || '|' || s.municipality,
            count(*) filter (where s.received_at >= $2)::int, count(*) filter (where s.received_at < $2 and s.received_at >= $3)::int
       from signals s join unnest($4::text[], $5::text[]) as t(category, municipality)
         on s.category = t.category and s.municipality = t.municipality
      where s.received_at >= $3
      group by s.category, s.municipality`,
    [q.incidentIds, q.since, q.baselineFrom, q.topics.map((t) => t.category), q.topics.map((t) => t.municipality)],
  );
  return r.rows;
}

/** A corrected kind or category; the reaction deadline follows the kind (none for `other`). */
export async function correctSignal(sql: Sql, messageId: string, patch: { kind?: string; category?: string; reactionDueAt?: Date | null }): Promise<void> {
  await sql.query(
    `update signals set kind = coalesce($2, kind), category = coalesce($3, category),
            reaction_due_at = case when $4::boolean then $5::timestamptz else reaction_due_at end where message_id = $1`,
    [messageId, patch.kind ?? null, patch.category ?? null, 'reactionDueAt' in patch, patch.reactionDueAt ?? null],
  );
}
