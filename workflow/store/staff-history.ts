/**
 * `staff_history`: who changed whose roles or staff card, and when — ПОС's form «при увольнении ответственного
 * сотрудника, и при назначении нового», kept as rows. Data names what changed (roles, the fields of the card), never
 * the values of personal fields.
 */
import type { Page, Sql } from './sql.js';

export type StaffChange = 'created' | 'roles' | 'profile' | 'activated' | 'deactivated' | 'reactivated' | 'invited' | 'password-reset';

export interface HistoryEntry {
  userId: string;
  organizationId?: string | null;
  actor: string;
  at: Date;
  change: StaffChange;
  data?: Record<string, unknown>;
}

export async function insertHistory(sql: Sql, entries: HistoryEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await sql.query(
    `insert into staff_history (user_id, organization_id, actor, at, change, data)
     select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::text[], $6::jsonb[])`,
    [entries.map((e) => e.userId), entries.map((e) => e.organizationId ?? null), entries.map((e) => e.actor), entries.map((e) => e.at),
      entries.map((e) => e.change), entries.map((e) => JSON.stringify(e.data ?? {}))],
  );
}

/** A user's history, or an organization's (every change of its staff), newest first, with the actors' names. */
export async function listHistory(sql: Sql, of: { userId: string } | { organizationId: string }, page: Page) {
  const [column, value] = 'userId' in of ? ['h.user_id', of.userId] : ['h.organization_id', of.organizationId];
  const r = await sql.query(
    `select h.id, h.user_id as "userId", u.display_name as "userName", h.organization_id as "organizationId", o.name as "organizationName",
            h.actor, a.display_name as "actorName", h.at, h.change, h.data
       from staff_history h join users u on u.id = h.user_id left join organizations o on o.id = h.organization_id
       left join users a on a.id::text = h.actor
      where ${column} = $1 order by h.id desc limit $2 offset $3`,
    [value, page.limit, page.offset],
  );
  return r.rows;
}
