/** `notifications`: in-app notices to staff. The kind names the step, so each notice is written once per user. */
import type { AlertTopic } from '../staff/topics.js';
import type { Page, Sql } from './sql.js';

export interface NewNotifications {
  userIds: (string | null)[];
  /** None for a notice about no one case (a spike alert to moderators). */
  caseId: string | null;
  kind: string;
  /** What the notice is about, for e-mail/Telegram alerts (workflow/staff/alerts.ts); none: in the app only. */
  topic?: AlertTopic;
  text: string;
  at: Date;
}

export async function insertNotifications(sql: Sql, n: NewNotifications): Promise<number> {
  const ids = [...new Set(n.userIds.filter((x): x is string => !!x))];
  if (ids.length === 0) return 0;
  await sql.query(
    `insert into notifications (user_id, case_id, kind, topic, text, created_at, alerted_at)
     select u, $2, $3, $6, $4, $5, case when $6::text is null then $5::timestamptz end from unnest($1::uuid[]) u on conflict do nothing`,
    [ids, n.caseId, n.kind, n.text, n.at, n.topic ?? null],
  );
  return ids.length;
}

export interface NotificationView {
  id: string;
  caseId: string | null;
  registrationNumber: string | null;
  kind: string;
  topic: string | null;
  text: string;
  createdAt: Date;
  readAt: Date | null;
}

/** The user's notices, newest first, with the number of the case each is about. */
export async function listNotifications(sql: Sql, userId: string, opts: Page & { unreadOnly: boolean }): Promise<NotificationView[]> {
  const r = await sql.query<NotificationView>(
    `select n.id, n.case_id as "caseId", c.registration_number as "registrationNumber", n.kind, n.topic, n.text,
            n.created_at as "createdAt", n.read_at as "readAt"
       from notifications n left join cases c on c.id = n.case_id
      where n.user_id = $1 and (not $2::boolean or n.read_at is null) order by n.id desc limit $3 offset $4`,
    [userId, opts.unreadOnly, opts.limit, opts.offset],
  );
  return r.rows;
}

/** Marks one of the user's notifications read (the first time only); false when it is not theirs or not there. */
export async function markNotificationRead(sql: Sql, id: number, userId: string, at: Date): Promise<boolean> {
  const r = await sql.query('update notifications set read_at = coalesce(read_at, $3) where id = $1 and user_id = $2', [id, userId, at]);
  return (r.rowCount ?? 0) > 0;
}

/** Back to unread (a notice the user wants to come back to); false when it is not theirs or not there. */
export async function markNotificationUnread(sql: Sql, id: number, userId: string): Promise<boolean> {
  const r = await sql.query('update notifications set read_at = null where id = $1 and user_id = $2', [id, userId]);
  return (r.rowCount ?? 0) > 0;
}

/** Marks every unread notice of the user read; returns how many. */
export async function markAllNotificationsRead(sql: Sql, userId: string, at: Date): Promise<number> {
  const r = await sql.query('update notifications set read_at = $2 where user_id = $1 and read_at is null', [userId, at]);
  return r.rowCount ?? 0;
}

export async function notificationCounts(sql: Sql, userId: string): Promise<{ total: number; unread: number }> {
  const r = await sql.query<{ total: number; unread: number }>(
    'select count(*)::int as total, count(*) filter (where read_at is null)::int as unread from notifications where user_id = $1',
    [userId],
  );
  return r.rows[0]!;
}

export async function unreadCount(sql: Sql, userId: string): Promise<number> {
  return (await notificationCounts(sql, userId)).unread;
}
