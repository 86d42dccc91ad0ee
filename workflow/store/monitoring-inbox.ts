/**
 * The monitoring team's reads of signals: incidents with their size, channels, municipalities, first seen, growth
 * and reaction deadline (the inbox), the suggestions of the routing model per incident, and spike alerts.
 */
import type { IncidentListItem, IncidentQuery } from '../../lib/monitoring.js';
import { Where, type Sql } from './sql.js';
import type { RoutingSuggestion } from './signals.js';

const containing = (text: string) => `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

const STATUS_FILTER: Record<IncidentQuery['status'], string[] | undefined> = {
  open: ['new', 'accepted'], new: ['new'], accepted: ['accepted'], answered: ['answered'], rejected: ['rejected'], all: undefined,
};

/** Incidents with at least one signal matching the filters. */
function matchWhere(q: IncidentQuery & { id?: string }): Where {
  return new Where()
    .when(q.id, (p) => `i.id = ${p}`)
    .when(STATUS_FILTER[q.status], (p) => `i.status = any(${p}::text[])`)
    .when(q.source, (p) => `m.source = ${p}`)
    .when(q.kind, (p) => `s.kind = ${p}`)
    .when(q.municipality, (p) => `s.municipality = ${p}`)
    .when(q.category, (p) => `s.category = ${p}`)
    .when(q.q === undefined ? undefined : containing(q.q), (p) => `m.text ilike ${p}`);
}

const KIND_RANK = `case s.kind when 'complaint' then 3 when 'question' then 2 else 1 end`;

/**
 * The inbox: one row per incident. Aggregates are over all of an incident's signals; the lead is its strongest and
 * then earliest signal (the text shown, the message a case is made from).
 */
export async function listIncidents(sql: Sql, q: IncidentQuery & { id?: string }, now: Date): Promise<{ items: IncidentListItem[]; total: number }> {
  const w = matchWhere(q);
  const base = `from incidents i join signals s on s.incident_id = i.id join messages m on m.id = s.message_id where ${w}`;
  const order = q.sort === 'urgent'
    ? 'a."reactionDueAt" asc nulls last, a."fastTrack" desc, a."lastSeenAt" desc, i.id'
    : 'a."lastSeenAt" desc, i.id';
  const n = w.args.length;
  const [rows, total] = await Promise.all([
    sql.query<IncidentListItem>(
      `with matched as (select distinct i.id ${base}),
       a as (
         select s.incident_id, count(*)::int as size, array_agg(distinct m.source order by m.source) as channels,
                coalesce(array_agg(distinct s.municipality order by s.municipality) filter (where s.municipality is not null), '{}') as municipalities,
                min(s.received_at) as "firstSeenAt", max(s.received_at) as "lastSeenAt",
                count(*) filter (where s.received_at > $${n + 1}::timestamptz - make_interval(hours => $${n + 2}))::int as growth,
                min(s.reaction_due_at) filter (where s.first_reaction_at is null and s.status not in ('rejected', 'answered')) as "reactionDueAt",
                bool_or(s.fast_track) as "fastTrack",
                count(*) filter (where s.joined_after_answer and s.status = 'new')::int as "lateSignals",
                max(${KIND_RANK}) as kind_rank
           from signals s join messages m on m.id = s.message_id
          where s.incident_id in (select id from matched)
          group by s.incident_id)
       select i.id, i.status, i.version, i.case_id as "caseId", c.registration_number as "registrationNumber", c.status as "caseStatus",
              o.name as "organizationName", c.deadline_at as "caseDeadlineAt", i.rejection_reason as "rejectionReason",
              i.first_reaction_at as "firstReactionAt", i.answered_at as "answeredAt",
              (array['other', 'question', 'complaint'])[a.kind_rank] as kind, a.size, a.channels, a.municipalities,
              a."firstSeenAt", a."lastSeenAt", a.growth, a."reactionDueAt", a."fastTrack", a."lateSignals",
              lead.text, lead.link, lead.source, lead.category, lead.confidence, lead.message_id as "leadMessageId"
         from a join incidents i on i.id = a.incident_id
         left join cases c on c.id = i.case_id left join organizations o on o.id = c.organization_id
         cross join lateral (
           select m.text, m.link, m.source, s.category, s.confidence, s.message_id from signals s join messages m on m.id = s.message_id
            where s.incident_id = i.id order by ${KIND_RANK} desc, s.received_at, s.message_id limit 1) lead
        order by ${order} limit $${n + 3}`,
      [...w.args, now, q.growthHours, q.limit]),
    sql.query<{ n: number }>(`select count(distinct i.id)::int as n ${base}`, w.args),
  ]);
  return { items: rows.rows, total: total.rows[0]!.n };
}

/** The routing model's suggestions of every signal of these incidents. */
export async function routingOfIncidents(sql: Sql, ids: string[]): Promise<{ incidentId: string; routing: RoutingSuggestion[] }[]> {
  if (ids.length === 0) return [];
  return (await sql.query<{ incidentId: string; routing: RoutingSuggestion[] }>(
    `select incident_id as "incidentId", routing_suggestions as routing from signals where incident_id = any($1::text[])`, [ids])).rows;
}

/** Organizations a routing label names (labels are organization codes or names). */
export async function organizationsByLabel(sql: Sql, labels: string[]): Promise<Map<string, { id: string; name: string }>> {
  if (labels.length === 0) return new Map();
  const r = await sql.query<{ id: string; name: string; code: string | null }>(
    `select id, name, code from organizations where lower(code) = any($1::text[]) or name = any($2::text[])`,
    [labels.map((l) => l.toLowerCase()), labels]);
  const out = new Map<string, { id: string; name: string }>();
  for (const o of r.rows) {
    if (o.code) out.set(o.code.toLowerCase(), { id: o.id, name: o.name });
    out.set(o.name, { id: o.id, name: o.name });
  }
  return out;
}

/** Filter values the monitoring inbox offers: categories and municipalities of signals seen so far. */
export async function signalFacets(sql: Sql): Promise<{ categories: string[]; municipalities: string[] }> {
  const [categories, municipalities] = await Promise.all([
    sql.query<{ v: string }>('select distinct category as v from signals order by 1 limit 500'),
    sql.query<{ v: string }>('select distinct municipality as v from signals where municipality is not null order by 1 limit 500'),
  ]);
  return { categories: categories.rows.map((r) => r.v), municipalities: municipalities.rows.map((r) => r.v) };
}

/** Changes whenever a signal arrives or an incident moves: the live inbox reloads when it does. */
export async function monitoringMark(sql: Sql): Promise<string> {
  const r = await sql.query<{ mark: string }>(
    `select (select coalesce(max(created_at)::text, '') || '/' || count(*)::text from signals) || '/'
         || (select coalesce(max(updated_at)::text, '') from incidents) || '/' || (select count(*)::text from signal_alerts) as mark`);
  return r.rows[0]!.mark;
}
