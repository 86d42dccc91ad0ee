/**
 * `staff_alert_settings`, `staff_link_codes` and the alert side of `notifications`: each user's channels (e-mail from
 * the staff card, a linked Telegram chat), muted topics and digest choice; the notices not yet alerted; the one-time
 * codes that link a Telegram chat.
 */
import type { Sql } from './sql.js';

export interface AlertSettings {
  emailEnabled: boolean;
  telegramEnabled: boolean;
  telegramLinked: boolean;
  mutedTopics: string[];
  digestEnabled: boolean;
}

/** A user as alerts address them: personal data (e-mail, chat id) for the outbound target only. */
export interface AlertRecipient extends AlertSettings {
  userId: string;
  displayName: string;
  active: boolean;
  email: string | null;
  telegramChatId: string | null;
  lastAlertAt: Date | null;
}

const RECIPIENT = `select u.id as "userId", u.display_name as "displayName", u.active, u.email,
    coalesce(s.email_enabled, true) as "emailEnabled", coalesce(s.telegram_enabled, false) as "telegramEnabled",
    s.telegram_chat_id as "telegramChatId", s.telegram_chat_id is not null as "telegramLinked",
    coalesce(s.muted_topics, '{}') as "mutedTopics", coalesce(s.digest_enabled, true) as "digestEnabled", s.last_alert_at as "lastAlertAt"
  from users u left join staff_alert_settings s on s.user_id = u.id`;

export async function alertRecipient(sql: Sql, userId: string): Promise<AlertRecipient | undefined> {
  return (await sql.query<AlertRecipient>(`${RECIPIENT} where u.id = $1`, [userId])).rows[0];
}

/** The user's settings row, made with the defaults if missing, and locked: one flush per user at a time. */
export async function lockAlertRecipient(sql: Sql, userId: string): Promise<AlertRecipient | undefined> {
  await sql.query('insert into staff_alert_settings (user_id) values ($1) on conflict do nothing', [userId]);
  await sql.query('select 1 from staff_alert_settings where user_id = $1 for update', [userId]);
  return alertRecipient(sql, userId);
}

export async function saveAlertSettings(sql: Sql, userId: string, s: Omit<AlertSettings, 'telegramLinked'>, at: Date): Promise<void> {
  await sql.query(
    `insert into staff_alert_settings (user_id, email_enabled, telegram_enabled, muted_topics, digest_enabled, updated_at)
     values ($1, $2, $3, $4, $5, $6)
     on conflict (user_id) do update set email_enabled = excluded.email_enabled, telegram_enabled = excluded.telegram_enabled,
       muted_topics = excluded.muted_topics, digest_enabled = excluded.digest_enabled, updated_at = excluded.updated_at`,
    [userId, s.emailEnabled, s.telegramEnabled, s.mutedTopics, s.digestEnabled, at],
  );
}

/**
 * Users whose notices wait to be alerted and whose last alert is at least `intervalMs` old (or who never had one).
 * Users without a channel are included: their notices are marked alerted without a message, so they do not wait.
 */
export async function usersWithDueAlerts(sql: Sql, now: Date, intervalMs: number): Promise<string[]> {
  const r = await sql.query<{ user_id: string }>(
    `select n.user_id from notifications n left join staff_alert_settings s on s.user_id = n.user_id
      where n.alerted_at is null and n.created_at <= $1
        and (s.last_alert_at is null or s.last_alert_at <= $1::timestamptz - make_interval(secs => $2::double precision / 1000))
      group by n.user_id limit 1000`,
    [now, intervalMs],
  );
  return r.rows.map((x) => x.user_id);
}

export interface PendingAlert {
  id: string;
  caseId: string | null;
  registrationNumber: string | null;
  topic: string;
  text: string;
  createdAt: Date;
}

/** Takes the user's notices not yet alerted (marks them alerted now), oldest first. */
export async function takePendingAlerts(sql: Sql, userId: string, now: Date): Promise<PendingAlert[]> {
  const r = await sql.query<PendingAlert>(
    `with taken as (
       update notifications set alerted_at = $2 where user_id = $1 and alerted_at is null and created_at <= $2
       returning id, case_id, topic, text, created_at)
     select t.id, t.case_id as "caseId", c.registration_number as "registrationNumber", t.topic, t.text, t.created_at as "createdAt"
       from taken t left join cases c on c.id = t.case_id order by t.id`,
    [userId, now],
  );
  return r.rows;
}

export async function markAlertSent(sql: Sql, userId: string, at: Date): Promise<void> {
  await sql.query('update staff_alert_settings set last_alert_at = $2 where user_id = $1', [userId, at]);
}

/** Users who take digests and have a channel to take them on. */
export async function digestRecipients(sql: Sql): Promise<AlertRecipient[]> {
  const r = await sql.query<AlertRecipient>(
    `${RECIPIENT} where u.active and coalesce(s.digest_enabled, true)
        and ((coalesce(s.email_enabled, true) and u.email is not null) or (s.telegram_enabled and s.telegram_chat_id is not null))
      order by u.id`,
  );
  return r.rows;
}

/** A new one-time code for the user (earlier unused ones stop working). */
export async function insertLinkCode(sql: Sql, userId: string, codeHash: string, expiresAt: Date): Promise<void> {
  await sql.query('delete from staff_link_codes where user_id = $1 and used_at is null', [userId]);
  await sql.query('insert into staff_link_codes (code_hash, user_id, expires_at) values ($1, $2, $3)', [codeHash, userId, expiresAt]);
}

/** Uses a code: the user it belongs to, or why not. */
export async function useLinkCode(sql: Sql, codeHash: string, now: Date): Promise<{ userId: string } | 'expired' | undefined> {
  const r = await sql.query<{ user_id: string; expires_at: Date; used_at: Date | null }>(
    'select user_id, expires_at, used_at from staff_link_codes where code_hash = $1 for update',
    [codeHash],
  );
  const row = r.rows[0];
  if (!row || row.used_at) return undefined;
  if (row.expires_at.getTime() <= now.getTime()) return 'expired';
  await sql.query('update staff_link_codes set used_at = $2 where code_hash = $1', [codeHash, now]);
  return { userId: row.user_id };
}

/** Links the chat to the user and turns Telegram alerts on. */
export async function linkTelegram(sql: Sql, userId: string, chatId: string, at: Date): Promise<void> {
  await sql.query(
    `insert into staff_alert_settings (user_id, telegram_enabled, telegram_chat_id, telegram_linked_at, updated_at) values ($1, true, $2, $3, $3)
     on conflict (user_id) do update set telegram_enabled = true, telegram_chat_id = excluded.telegram_chat_id,
       telegram_linked_at = excluded.telegram_linked_at, updated_at = excluded.updated_at`,
    [userId, chatId, at],
  );
}

/** Forgets the user's chat (from the desk), or every account linked to a chat (the bot's /unlink); returns how many. */
export async function unlinkTelegram(sql: Sql, by: { userId: string } | { chatId: string }, at: Date): Promise<number> {
  const [column, value] = 'userId' in by ? ['user_id', by.userId] : ['telegram_chat_id', by.chatId];
  const r = await sql.query(
    `update staff_alert_settings set telegram_enabled = false, telegram_chat_id = null, telegram_linked_at = null, updated_at = $2
      where ${column} = $1 and telegram_chat_id is not null`,
    [value, at],
  );
  return r.rowCount ?? 0;
}
