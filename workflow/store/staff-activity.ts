/**
 * `staff_activity` and `staff_escalations`: when each user last opened the desk or a case, which organizations nobody
 * has looked at while cases wait, and which waiting cases were escalated to whom.
 */
import type { CaseStatus } from '../../lib/queues.js';
import type { Sql } from './sql.js';

/** Records a look; a user's row is written at most once a minute (the condition skips the write otherwise). */
export async function touchActivity(sql: Sql, userId: string, what: 'desk' | 'case', at: Date): Promise<boolean> {
  const r = await sql.query(
    `insert into staff_activity (user_id, last_seen_at, last_desk_at, last_case_at)
     values ($1, $2, case when $3 = 'desk' then $2::timestamptz end, case when $3 = 'case' then $2::timestamptz end)
     on conflict (user_id) do update set last_seen_at = excluded.last_seen_at,
       last_desk_at = coalesce(excluded.last_desk_at, staff_activity.last_desk_at),
       last_case_at = coalesce(excluded.last_case_at, staff_activity.last_case_at)
     where staff_activity.last_seen_at <= excluded.last_seen_at - interval '1 minute'`,
    [userId, at, what],
  );
  return (r.rowCount ?? 0) > 0;
}

/** The last look at each organization: by any active user holding a role in it. */
const ORG_LOOK = `org_look as (
  select ur.organization_id, max(a.last_seen_at) as last_look
    from user_roles ur join users u on u.id = ur.user_id and u.active left join staff_activity a on a.user_id = ur.user_id
   where ur.organization_id is not null group by ur.organization_id)`;

export interface OrganizationActivity {
  organizationId: string;
  name: string;
  waiting: number;
  nearestDeadlineAt: Date | null;
  lastLookAt: Date | null;
  members: { userId: string; displayName: string; roles: string[]; lastSeenAt: Date | null; lastDeskAt: Date | null; lastCaseAt: Date | null }[];
}

/**
 * Organizations (all, or these) with how many cases wait in them, the nearest deadline, the last look and who looked
 * when; those nobody has looked at for longest first.
 */
export async function organizationsActivity(sql: Sql,
  opts: { organizationIds: string[] | null; waitingStatuses: readonly CaseStatus[]; limit: number; offset: number }): Promise<OrganizationActivity[]>
{
  const r = await sql.query<OrganizationActivity>(
    `with ${ORG_LOOK},
     waiting as (select organization_id, count(*)::int as n, min(deadline_at) as nearest from cases
                  where status = any($2::text[]) and organization_id is not null group by organization_id)
     select o.id as "organizationId", o.name, coalesce(w.n, 0) as waiting, w.nearest as "nearestDeadlineAt", l.last_look as "lastLookAt",
            coalesce((select json_agg(json_build_object('userId', u.id, 'displayName', u.display_name, 'roles', m.roles,
                        'lastSeenAt', a.last_seen_at, 'lastDeskAt', a.last_desk_at, 'lastCaseAt', a.last_case_at) order by a.last_seen_at desc nulls last, u.display_name)
                        from (select user_id, array_agg(role order by role) as roles from user_roles where organization_id = o.id group by user_id) m
                        join users u on u.id = m.user_id and u.active left join staff_activity a on a.user_id = u.id), '[]') as members
       from organizations o left join waiting w on w.organization_id = o.id left join org_look l on l.organization_id = o.id
      where ($1::uuid[] is null or o.id = any($1::uuid[]))
      order by l.last_look asc nulls first, w.nearest asc nulls last, o.name limit $3 offset $4`,
    [opts.organizationIds, opts.waitingStatuses, opts.limit, opts.offset],
  );
  // Times inside the JSON come as PostgreSQL prints them: made Dates like every other column.
  const when = (x: Date | string | null) => (x === null ? null : new Date(x));
  return r.rows.map((o) => ({ ...o,
    members: o.members.map((m) => ({ ...m, lastSeenAt: when(m.lastSeenAt), lastDeskAt: when(m.lastDeskAt), lastCaseAt: when(m.lastCaseAt) })) })
  );
}

export interface EscalationCandidate {
  caseId: string;
  registrationNumber: string;
  organizationId: string;
  organizationName: string;
  deadlineAt: Date;
  cycle: number;
  lastLookAt: Date | null;
  /** When the leader was told (for the curator's level; null when the organization had no leader to tell). */
  leaderAt: Date | null;
}

/**
 * Waiting cases within `dueWithinMs` of their deadline (or past it) in organizations nobody has looked at since
 * `idleSince`, not yet escalated at this level in this review round. For the curator's level: only after the leader
 * was told at least `afterLeaderMs` ago (or the deadline has passed), with nobody looking since.
 */
export async function escalationCandidates(sql: Sql,
  q: { level: 'leader' | 'curator'; now: Date; idleSince: Date; dueWithinMs: number; afterLeaderMs: number; waitingStatuses: readonly CaseStatus[] }
): Promise<EscalationCandidate[]> {
  const r = await sql.query<EscalationCandidate>(
    `with ${ORG_LOOK}
     select c.id as "caseId", c.registration_number as "registrationNumber", c.organization_id as "organizationId", o.name as "organizationName",
            c.deadline_at as "deadlineAt", c.review_cycle as cycle, l.last_look as "lastLookAt",
            case when lead.recipients > 0 then lead.at end as "leaderAt"
       from cases c join organizations o on o.id = c.organization_id left join org_look l on l.organization_id = c.organization_id
       left join staff_escalations lead on lead.case_id = c.id and lead.cycle = c.review_cycle and lead.level = 'leader'
      where c.status = any($1::text[]) and c.deadline_at <= $2::timestamptz + make_interval(secs => $3::double precision / 1000)
        and (l.last_look is null or l.last_look < $4)
        and not exists (select 1 from staff_escalations e where e.case_id = c.id and e.cycle = c.review_cycle and e.level = $5)
        and ($5 = 'leader' or (lead.at is not null and (l.last_look is null or l.last_look < lead.at)
             and (lead.at <= $2::timestamptz - make_interval(secs => $6::double precision / 1000) or c.deadline_at <= $2 or lead.recipients = 0)))
      order by c.deadline_at limit 500`,
    [q.waitingStatuses, q.now, q.dueWithinMs, q.idleSince, q.level, q.afterLeaderMs],
  );
  return r.rows;
}

/** Records an escalation; false when this level of this round was escalated already. */
export async function recordEscalation(sql: Sql,
  e: { caseId: string; cycle: number; level: 'leader' | 'curator'; at: Date; recipients: number }): Promise<boolean>
{
  const r = await sql.query('insert into staff_escalations (case_id, cycle, level, at, recipients) values ($1, $2, $3, $4, $5) on conflict do nothing', [
    e.caseId,
    e.cycle,
    e.level,
    e.at,
    e.recipients,
  ]);
  return (r.rowCount ?? 0) > 0;
}

/** The activated curators of the organization, or of the nearest organization above it that has any. */
export async function nearestCurators(sql: Sql, organizationId: string): Promise<string[]> {
  const r = await sql.query<{ user_id: string }>(
    `with recursive up(id, parent_id, depth) as (
       select id, parent_id, 0 from organizations where id = $1
       union all select o.id, o.parent_id, up.depth + 1 from organizations o join up on o.id = up.parent_id where up.depth < 20),
     found as (select ur.user_id, up.depth from up join user_roles ur on ur.organization_id = up.id and ur.role = 'curator'
                 join users u on u.id = ur.user_id and u.active and u.activated_at is not null)
     select distinct user_id from found where depth = (select min(depth) from found)`,
    [organizationId],
  );
  return r.rows.map((x) => x.user_id);
}
