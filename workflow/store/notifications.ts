/** `notifications`: in-app notices to staff. The kind names the step, so each notice is written once per user. */
import type { Page, Sql } from './sql.js';

export async function insertNotifications(sql: Sql, n: { userIds: (string | null)[]; caseId: string | null; kind: string; text: string; at: Date }): Promise<number> {
  const ids = [...new Set(n.userIds.filter((x): x is string => !!x))];
  if (ids.length === 0) return 0;
  await sql.query(
    `insert into notifications (user_id, case_id, kind, text, created_at) select u, $2, $3, $4, $5 from unnest($1::uuid[]) u on conflict do nothing`,
    [ids, n.caseId, n.kind, n.text, n.at],
  );
  return ids.length;
}

export async function listNotifications(sql: Sql, userId: string, opts: Page & { unreadOnly: boolean }) {
  const r = await sql.query(
    `select id, case_id as "caseId", kind, text, created_at as "createdAt", read_at as "readAt" from notifications
      where user_id = $1 and (not $2::boolean or read_at is null) order by id desc limit $3 offset $4`,
    [userId, opts.unreadOnly, opts.limit, opts.offset],
  );
  return r.rows;
}

/** Marks one of the user's notifications read (the first time only); false when it is not theirs or not there. */
export async function markNotificationRead(sql: Sql, id: number, userId: string, at: Date): Promise<boolean> {
  const r = await sql.query('update notifications set read_at = coalesce(read_at, $3) where id = $1 and user_id = $2', [id, userId, at]);
  return (r.rowCount ?? 0) > 0;
}

export async function unreadCount(sql: Sql, userId: string): Promise<number> {
  const r = await sql.query<{ n: number }>('select count(*)::int as n from notifications where user_id = $1 and read_at is null', [userId]);
  return r.rows[0]!.n;
}
