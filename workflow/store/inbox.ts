/**
 * The monitoring team's reads of `cases`: the inbox with incident sizes, its filter values (and the signals' inbox's,
 * read the same way) and its change mark.
 */
import type { InboxItem, InboxQuery } from '../../lib/moderation.js';
import { containing, Where, type Sql } from './sql.js';

/** Appeals only: a case made from signals is worked, merged and split as its incident, in the monitoring view. */
function inboxWhere(q: InboxQuery): Where {
  return new Where()
    .add(`c.origin = 'appeal'`)
    .when(q.status === 'all' ? undefined : q.status, (p) => `c.status = ${p}`)
    .when(q.source, (p) => `m.source = ${p}`)
    .when(q.kind, (p) => `c.kind = ${p}`)
    .when(q.municipality, (p) => `c.municipality = ${p}`)
    .when(q.category, (p) => `c.category = ${p}`)
    .when(q.q === undefined ? undefined : containing(q.q), (p) => `m.text ilike ${p}`);
}

/** Incoming posts and calls, one row per case, with how many cases share its incident. */
export async function listInbox(sql: Sql, q: InboxQuery): Promise<{ items: InboxItem[]; total: number }> {
  const w = inboxWhere(q);
  // Urgent: fast-track first, then the nearest deadline; newest: the latest registration first.
  const order = q.sort === 'urgent' ? 'c.fast_track desc, c.deadline_at asc, c.id' : 'c.registered_at desc, c.id';
  const [rows, total] = await Promise.all([
    sql.query<InboxItem>(
      `select c.id, c.registration_number as "registrationNumber", c.status, c.version, m.source, m.link, m.text, c.category,
              c.confidence, c.kind, c.municipality, coalesce(c.incident_id, c.id::text) as "incidentId",
              case when c.incident_id is null then 1
                   else (select count(*)::int from cases x where x.incident_id = c.incident_id) end as mentions,
              c.fast_track as "fastTrack", c.registered_at as "registeredAt", c.deadline_at as "deadlineAt",
              (select o.name from organizations o where o.id = c.organization_id) as "organizationName"
         from cases c join messages m on m.id = c.message_id
        where ${w}
        order by ${order} limit $${w.args.length + 1}`,
      [...w.args, q.limit],
    ),
    sql.query<{ n: number }>(`select count(*)::int as n from cases c join messages m on m.id = c.message_id where ${w}`, w.args),
  ]);
  return { items: rows.rows, total: total.rows[0]!.n };
}

/** Filter values an inbox offers: the categories and municipalities seen so far in its cases or its signals. */
export async function inboxFacets(sql: Sql, of: 'cases' | 'signals'): Promise<{ categories: string[]; municipalities: string[] }> {
  const [categories, municipalities] = await Promise.all([
    sql.query<{ v: string }>(`select distinct category as v from ${of} order by 1 limit 500`),
    sql.query<{ v: string }>(`select distinct municipality as v from ${of} where municipality is not null order by 1 limit 500`),
  ]);
  return { categories: categories.rows.map((r) => r.v), municipalities: municipalities.rows.map((r) => r.v) };
}

/** The newest registration and the count, for the live feed: clients reload when it changes. */
export async function inboxMark(sql: Sql): Promise<string> {
  const r = await sql.query<{ mark: string }>(`select coalesce(max(created_at)::text, '') || '/' || count(*)::text as mark from cases`);
  return r.rows[0]!.mark;
}
