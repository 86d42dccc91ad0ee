/**
 * The monitoring team's reads of signals: incidents with their size, channels, municipalities, first seen, growth
 * and reaction deadline (the inbox), the suggestions of the routing model per incident, and spike alerts.
 */
import type { IncidentListItem, IncidentQuery } from '../../lib/monitoring.js';
import { containing, Where, type Sql } from './sql.js';
import type { RoutingSuggestion } from './signals.js';

const STATUS_FILTER: Record<IncidentQuery['status'], string[] | undefined> = {
  open: ['new', 'accepted'],
  new: ['new'],
  accepted: ['accepted'],
  answered: ['answered'],
  rejected: ['rejected'],
  all: undefined,
};

/**
 * The incidents to list: by state on the incident itself, and by the signal filters as "has a signal that matches"
 * (the messages table is joined only when a filter needs it).
 */
function matchWhere(q: IncidentQuery & { id?: string }): Where {
  const w = new Where().add('i.size > 0')
    .when(q.id, (p) => `i.id = ${p}`)
    // Open also means an answered incident whose late arrivals still wait for a reaction.
    .when(STATUS_FILTER[q.status], (p) => (q.status === 'open' ?
      `(i.status = any(${p}::text[]) or (i.status = 'answered' and i.reaction_due_at is not null))`
      : `i.status = any(${p}::text[])`));
  const needsMessage = q.source !== undefined || q.q !== undefined;
  const sub: string[] = [];
  if (q.source) sub.push(`m.source = ${w.bind(q.source)}`);
  if (q.kind) sub.push(`s.kind = ${w.bind(q.kind)}`);
  if (q.municipality) sub.push(`s.municipality = ${w.bind(q.municipality)}`);
  if (q.category) sub.push(`s.category = ${w.bind(q.category)}`);
  if (q.q !== undefined) sub.push(`m.text ilike ${w.bind(containing(q.q))}`);
  if (sub.length) {
    w.add(`exists (select 1 from signals s ${needsMessage ? 'join messages m on m.id = s.message_id' : ''}
                    where s.incident_id = i.id and ${sub.join(' and ')})`);
  }
  return w;
}

const KIND_RANK = `case s.kind when 'complaint' then 3 when 'question' then 2 else 1 end`;

/**
 * The inbox: one row per incident, most urgent (the earliest reaction deadline still open) or newest first. The page
 * is chosen on the incidents' own aggregates; only its rows' signals are read, for their channels, municipalities,
 * growth, late arrivals and lead (the strongest and then earliest signal: the text shown, the message a case is
 * made from).
 */
export async function listIncidents(sql: Sql, q: IncidentQuery & { id?: string }, now: Date): Promise<{ items: IncidentListItem[]; total: number }> {
  const w = matchWhere(q);
  const order = q.sort === 'urgent' ? 'i.reaction_due_at asc nulls last, i.fast_track desc, i.last_seen_at desc, i.id' : 'i.last_seen_at desc, i.id';
  const n = w.args.length;
  const [rows, total] = await Promise.all([
    sql.query<IncidentListItem>(
      `with page as (select i.* from incidents i where ${w} order by ${order} limit $${n + 3})
       select i.id, i.status, i.version, i.case_id as "caseId", c.registration_number as "registrationNumber", c.status as "caseStatus",
              o.name as "organizationName", c.deadline_at as "caseDeadlineAt", i.rejection_reason as "rejectionReason",
              i.first_reaction_at as "firstReactionAt", i.answered_at as "answeredAt", (array['other', 'question', 'complaint'])[i.kind_rank] as kind,
              i.size, a.channels, a.municipalities, i.first_seen_at as "firstSeenAt", i.last_seen_at as "lastSeenAt", a.growth,
              i.reaction_due_at as "reactionDueAt", i.fast_track as "fastTrack", a."lateSignals",
              lead.text, lead.link, lead.source, lead.category, lead.confidence, lead.message_id as "leadMessageId"
         from page i
         left join cases c on c.id = i.case_id left join organizations o on o.id = c.organization_id
         cross join lateral (
           select array_agg(distinct m.source order by m.source) as channels,
                  coalesce(array_agg(distinct s.municipality order by s.municipality) filter (where s.municipality is not null), '{}') as municipalities,
                  count(*) filter (where s.received_at > $${n + 1}::timestamptz - make_interval(hours => $${n + 2}))::int as growth,
                  count(*) filter (where s.joined_after_answer and s.status = 'new')::int as "lateSignals"
             from signals s join messages m on m.id = s.message_id where s.incident_id = i.id) a
         cross join lateral (
           select m.text, m.link, m.source, s.category, s.confidence, s.message_id from signals s join messages m on m.id = s.message_id
            where s.incident_id = i.id order by ${KIND_RANK} desc, s.received_at, s.message_id limit 1) lead
        order by ${order}`,
      [...w.args, now, q.growthHours, q.limit],
    ),
    sql.query<{ n: number }>(`select count(*)::int as n from incidents i where ${w}`, w.args),
  ]);
  return { items: rows.rows, total: total.rows[0]!.n };
}

/** The routing model's suggestions of the latest signals (up to 50) of each of these incidents. */
export async function routingOfIncidents(sql: Sql, ids: string[]): Promise<{ incidentId: string; routing: RoutingSuggestion[] }[]> {
  if (ids.length === 0) return [];
  return (await sql.query<{ incidentId: string; routing: RoutingSuggestion[] }>(
    `select "incidentId", routing from (
       select incident_id as "incidentId", routing_suggestions as routing, row_number() over (partition by incident_id order by received_at desc) as nth
         from signals where incident_id = any($1::text[])) t
      where nth <= 50`,
    [ids],
  )).rows;
}

/** Organizations a routing label names (labels are organization codes or names). */
export async function organizationsByLabel(sql: Sql, labels: string[]): Promise<Map<string, { id: string; name: string }>> {
  if (labels.length === 0) return new Map();
  const r = await sql.query<{ id: string; name: string; code: string | null }>(
    `select id, name, code from organizations where lower(code) = any($1::text[]) or name = any($2::text[])`,
    [labels.map((l) => l.toLowerCase()), labels],
  );
  const out = new Map<string, { id: string; name: string }>();
  for (const o of r.rows) {
    if (o.code) out.set(o.code.toLowerCase(), { id: o.id, name: o.name });
    out.set(o.name, { id: o.id, name: o.name });
  }
  return out;
}

/** Changes whenever a signal arrives or an incident moves: the live inbox reloads when it does. */
export async function monitoringMark(sql: Sql): Promise<string> {
  const r = await sql.query<{ mark: string }>(
    `select (select coalesce(max(created_at)::text, '') || '/' || count(*)::text from signals) || '/'
         || (select coalesce(max(updated_at)::text, '') from incidents) || '/' || (select count(*)::text from signal_alerts) as mark`,
  );
  return r.rows[0]!.mark;
}
