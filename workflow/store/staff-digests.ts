/** What a staff digest lists: the cases waiting for the user by their roles, and those close to the deadline. */
import type { CaseStatus } from '../../lib/queues.js';
import type { Sql } from './sql.js';

export interface DigestCase {
  id: string;
  registrationNumber: string;
  status: CaseStatus;
  category: string;
  organizationName: string | null;
  deadlineAt: Date;
  /** The next step is the user's: an executor's own case, a coordinator's routed one, a leader's approval, a moderator's moderation. */
  waiting: boolean;
}

/**
 * The open cases that wait for the user, and the open cases of their organizations (a curator's: and of every
 * organization below theirs), or their own, whose deadline is before `nearBefore`, soonest deadline first. Whom a case waits for follows the role matrix (workflow/rules.ts).
 */
export async function digestCases(sql: Sql, userId: string,
  opts: { openStatuses: readonly CaseStatus[]; nearBefore: Date; limit: number }): Promise<DigestCase[]>
{
  const r = await sql.query<DigestCase>(
    `with recursive r as (select role, organization_id from user_roles where user_id = $1),
          moderator as (select exists (select 1 from r where role = 'moderator' and organization_id is null) as yes),
          curated(id) as (select organization_id from r where role = 'curator' and organization_id is not null
                          union select o.id from organizations o join curated on o.parent_id = curated.id),
          scoped as (
            select c.*, (
                 (c.executor_id = $1 and c.status in ('assigned', 'in_progress', 'draft', 'returned', 'repeat_review'))
              or (c.status = 'routed' and c.organization_id in (select organization_id from r where role = 'coordinator'))
              or (c.status = 'repeat_review' and c.executor_id is null and c.organization_id in (select organization_id from r where role = 'coordinator'))
              or (c.status = 'on_approval' and c.organization_id in (select organization_id from r where role = 'leader'))
              or (c.status = 'moderation' and (select yes from moderator))) as waiting
              from cases c
             where c.status = any($2::text[])
               and (c.executor_id = $1
                 or c.organization_id in (select organization_id from r where role in ('coordinator', 'leader'))
                 or c.organization_id in (select id from curated)
                 or (c.status = 'moderation' and (select yes from moderator))))
     select s.id, s.registration_number as "registrationNumber", s.status, s.category, o.name as "organizationName", s.deadline_at as "deadlineAt", s.waiting
       from scoped s left join organizations o on o.id = s.organization_id
      where s.waiting or s.deadline_at < $3
      order by s.deadline_at, s.id limit $4`,
    [userId, opts.openStatuses, opts.nearBefore, opts.limit],
  );
  return r.rows;
}

/** Claims the user's digest of a slot; false when it was sent already (a redelivered or repeated job). */
export async function claimDigest(sql: Sql, userId: string, slotAt: Date, at: Date, items: number): Promise<boolean> {
  const r = await sql.query('insert into staff_digests (user_id, slot_at, sent_at, items) values ($1, $2, $3, $4) on conflict do nothing', [userId, slotAt, at,
    items]);
  return (r.rowCount ?? 0) > 0;
}
