/**
 * `incidents` (the monitoring team's unit of work), their append-only `incident_events` log and `incident_replies`
 * (one public reply per thread and kind). Changed only by workflow/signals/incidents.ts, in its transactions.
 */
import { appendLogEntry, type LogEntryInput } from './event-logs.js';
import type { Sql } from './sql.js';
import type { SignalStatus } from './signals.js';

export type IncidentStatus = SignalStatus;

export interface IncidentRow {
  id: string;
  status: IncidentStatus;
  caseId: string | null;
  version: number;
  rejectionReason: string | null;
  answerText: string | null;
  firstReactionAt: Date | null;
  answeredAt: Date | null;
  mergedInto: string | null;
  createdAt: Date;
}

const INCIDENT_SELECT = `select id, status, case_id as "caseId", version, rejection_reason as "rejectionReason", answer_text as "answerText",
  first_reaction_at as "firstReactionAt", answered_at as "answeredAt", merged_into as "mergedInto", created_at as "createdAt" from incidents`;

async function createAndLock(sql: Sql, ids: string[], now: Date): Promise<IncidentRow[]> {
  const unique = [...new Set(ids)].sort();
  if (unique.length === 0) return [];
  await sql.query(`insert into incidents (id, created_at, updated_at) select id, $2, $2 from unnest($1::text[]) as t(id) order by id on conflict do nothing`, [
    unique,
    now,
  ]);
  return (await sql.query<IncidentRow>(`${INCIDENT_SELECT} where id = any($1::text[]) order by id for update`, [unique])).rows;
}

/**
 * Creates the incidents not there yet and locks them in id order; returns, by each id asked for, the incident it
 * stands for now (the one it was merged into, following a few merges).
 */
export async function ensureIncidents(sql: Sql, ids: string[], now: Date): Promise<Map<string, IncidentRow>> {
  const byId = new Map((await createAndLock(sql, ids, now)).map((x) => [x.id, x]));
  for (let hop = 0; hop < 5; hop++) {
    const missing = [...byId.values()].map((x) => x.mergedInto).filter((x): x is string => !!x && !byId.has(x));
    if (missing.length === 0) break;
    for (const x of await loadIncidentsForUpdate(sql, missing)) byId.set(x.id, x);
  }
  const resolve = (id: string) => {
    let x = byId.get(id)!;
    for (let hop = 0; hop < 5 && x.mergedInto && byId.has(x.mergedInto); hop++) x = byId.get(x.mergedInto)!;
    return x;
  };
  return new Map(ids.map((id) => [id, resolve(id)]));
}

export async function loadIncident(sql: Sql, id: string, forUpdate = false): Promise<IncidentRow | undefined> {
  return (await sql.query<IncidentRow>(`${INCIDENT_SELECT} where id = $1 ${forUpdate ? 'for update' : ''}`, [id])).rows[0];
}

/** Several incidents locked in id order, so two operators merging overlapping sets wait rather than deadlock. */
export async function loadIncidentsForUpdate(sql: Sql, ids: string[]): Promise<IncidentRow[]> {
  return (await sql.query<IncidentRow>(`${INCIDENT_SELECT} where id = any($1::text[]) order by id for update`, [ids])).rows;
}

/** The incident of a case made from signals. */
export async function incidentOfCase(sql: Sql, caseId: string, forUpdate = false): Promise<IncidentRow | undefined> {
  return (await sql.query<IncidentRow>(`${INCIDENT_SELECT} where case_id = $1 ${forUpdate ? 'for update' : ''}`, [caseId])).rows[0];
}

export interface IncidentPatch {
  status?: IncidentStatus;
  case_id?: string;
  rejection_reason?: string;
  answer_text?: string;
  first_reaction_at?: Date;
  answered_at?: Date;
  merged_into?: string;
}

/** The aggregates of an incident's signals (see the incidents table), recomputed from them. */
const AGGREGATES = `(size, first_seen_at, last_seen_at, reaction_due_at, fast_track, kind_rank) = (
  select count(*)::int, min(s.received_at), max(s.received_at),
         min(s.reaction_due_at) filter (where s.first_reaction_at is null and s.status not in ('rejected', 'answered')),
         coalesce(bool_or(s.fast_track), false),
         coalesce(max(case s.kind when 'complaint' then 3 when 'question' then 2 else 1 end), 1)
    from signals s where s.incident_id = incidents.id)`;

/**
 * Applies a change, moves the version and recomputes the incident's aggregates from its signals (the caller has
 * changed those already); returns the new version.
 */
export async function updateIncident(sql: Sql, id: string, patch: IncidentPatch, now: Date): Promise<number> {
  const cols = Object.keys(patch) as (keyof IncidentPatch)[];
  const r = await sql.query<{ version: number }>(
    `update incidents set version = version + 1, updated_at = $2, ${AGGREGATES}
       ${cols.map((c, i) => `, ${c} = $${i + 3}`).join('')} where id = $1 returning version`,
    [id, now, ...cols.map((c) => patch[c])],
  );
  return r.rows[0]!.version;
}

export interface Arrivals {
  incidentId: string;
  count: number;
  first: Date;
  last: Date;
  /** The earliest reaction deadline among the arrivals that wait for one. */
  due: Date | null;
  fastTrack: boolean;
  kindRank: number;
}

/** New signals joined these incidents: their aggregates grow without reading the signals already there. */
export async function addArrivals(sql: Sql, rows: Arrivals[], now: Date): Promise<void> {
  if (rows.length === 0) return;
  const col = <K extends keyof Arrivals>(k: K) => rows.map((r) => r[k]);
  await sql.query(
    `update incidents i set size = i.size + t.count, first_seen_at = least(i.first_seen_at, t.first), last_seen_at = greatest(i.last_seen_at, t.last),
            reaction_due_at = least(i.reaction_due_at, t.due), fast_track = i.fast_track or t.fast, kind_rank = greatest(i.kind_rank, t.rank), updated_at = $8
       from unnest($1::text[], $2::int[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[], $6::boolean[], $7::smallint[])
         as t(id, count, first, last, due, fast, rank)
      where i.id = t.id`,
    [col('incidentId'), col('count'), col('first'), col('last'), col('due'), col('fastTrack'), col('kindRank'), now],
  );
}

/** The first reaction of the incident, if it had none. */
export async function stampIncidentReaction(sql: Sql, id: string, at: Date): Promise<void> {
  await sql.query('update incidents set first_reaction_at = coalesce(first_reaction_at, $2) where id = $1', [id, at]);
}

export interface IncidentEventInput extends LogEntryInput {
  incidentId: string;
}

export const insertIncidentEvent = (sql: Sql, e: IncidentEventInput): Promise<string> =>
  appendLogEntry(sql, 'incident_events', { incident_id: e.incidentId }, e);

/** The incident's log with the actors' names, oldest first. */
export async function incidentHistory(sql: Sql, id: string) {
  return (await sql.query(
    `select e.id, e.at, e.actor, u.display_name as "actorName", e.type, e.comment, e.data
       from incident_events e left join users u on u.id::text = e.actor where e.incident_id = $1 order by e.id`,
    [id],
  )).rows;
}

export interface ReplyRow {
  outboundId: string;
  incidentId: string;
  threadKey: string;
  messageId: string;
  kind: 'interim' | 'answer';
  channel: string;
  text: string;
  actor: string;
  createdAt: Date;
}

/** Records replies; those already made for their thread and kind are left as they are. Returns the ones recorded now. */
export async function insertReplies(sql: Sql, rows: ReplyRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const col = <K extends keyof ReplyRow>(k: K) => rows.map((r) => r[k]);
  const r = await sql.query<{ outbound_id: string }>(
    `insert into incident_replies (outbound_id, incident_id, thread_key, message_id, kind, channel, text, actor, created_at)
     select * from unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
     on conflict do nothing returning outbound_id`,
    [col('outboundId'), col('incidentId'), col('threadKey'), col('messageId'), col('kind'), col('channel'), col('text'), col('actor'), col('createdAt')],
  );
  return new Set(r.rows.map((x) => x.outbound_id));
}

export async function repliesOf(sql: Sql, incidentId: string): Promise<ReplyRow[]> {
  return (await sql.query<ReplyRow>(
    `select outbound_id as "outboundId", incident_id as "incidentId", thread_key as "threadKey", message_id as "messageId", kind, channel, text, actor,
            created_at as "createdAt" from incident_replies where incident_id = $1 order by created_at, thread_key`,
    [incidentId],
  )).rows;
}

/** Replies to threads the target has not answered move with merged signals; the others stay in the source's history. */
export async function moveReplies(sql: Sql, from: string, to: string): Promise<void> {
  await sql.query(
    `update incident_replies r set incident_id = $2 where r.incident_id = $1
        and not exists (select 1 from incident_replies x where x.incident_id = $2 and x.thread_key = r.thread_key and x.kind = r.kind)`,
    [from, to],
  );
}
