/**
 * Staff alerts outside the app. Every staff notice (routed, assigned, submitted for approval, returned, 3 days / 1 day
 * left, overdue, repeat review, escalation) is an in-app notification with a topic; a scheduled job on the workflow's
 * own queue (every minute, BullMQ job scheduler: it lives in Redis, not in a process timer) sends each user what
 * gathered since their last alert as ONE message per channel, listing the cases with links — never more than one per
 * user per `intervalMinutes`. Pending notices wait in PostgreSQL, so nothing is lost while no worker runs.
 */
import type pg from 'pg';
import { withTransaction } from '../../lib/transaction.js';
import { enqueue } from '../outbox.js';
import { lockAlertRecipient, markAlertSent, takePendingAlerts, usersWithDueAlerts, type PendingAlert } from '../store/staff-alerts.js';
import { caseUrl, MAX_LINKS, plural, staffOutbound, staffTargets, type StaffLink, type StaffMail } from './mail.js';
import { TOPIC_TITLES, type AlertTopic } from './topics.js';

export interface AlertOptions {
  /** Where staff open Otklik (links in messages). */
  publicUrl: string;
  /** Least time between two alerts to one user. */
  intervalMinutes: number;
}

/** At most this many notices are listed in one message; the rest are counted and wait in the desk. */
const MAX_LISTED = 30;

/** One message for what gathered: each notice a line, each case a link, and the way to the notification centre. */
export function alertMail(displayName: string, pending: PendingAlert[], publicUrl: string): StaffMail {
  const listed = pending.slice(0, MAX_LISTED);
  const more = pending.length - listed.length;
  const cases = new Map<string, string>();
  for (const n of pending) if (n.caseId && n.registrationNumber && !cases.has(n.caseId)) cases.set(n.caseId, n.registrationNumber);
  const links: StaffLink[] = [...cases].slice(0, MAX_LINKS - 1).map(([id, number]) => ({ title: `Обращение № ${number}`, url: caseUrl(publicUrl, id) }));
  links.push({ title: 'Все уведомления', url: `${publicUrl}/desk#notifications` });
  const only = pending.length === 1 ? pending[0]! : undefined;
  const subject = only
    ? `Отклик: ${TOPIC_TITLES[only.topic as AlertTopic] ?? 'уведомление'}${only.registrationNumber ? ` — № ${only.registrationNumber}` : ''}`
    : `Отклик: ${pending.length} ${plural(pending.length, 'новое уведомление', 'новых уведомления', 'новых уведомлений')}`;
  const text = [
    `Здравствуйте, ${displayName}!`,
    '',
    ...listed.map((n) => `• ${n.text}`),
    ...(more > 0 ? [`…и ещё ${more} — в центре уведомлений.`] : []),
    '',
    `Центр уведомлений: ${publicUrl}/desk#notifications`,
    `Настроить, о чём и куда сообщать: ${publicUrl}/desk#alerts`,
  ].join('\n');
  return { kind: 'staff_alert', subject, text, links };
}

/**
 * Sends one user their gathered notices if their last alert is old enough. The notices are marked alerted in the same
 * transaction as the outbox rows, so a redelivered job or a second worker sends nothing twice; notices of muted
 * topics, and all notices of a user without a channel, are marked alerted and stay in the desk only.
 */
export async function flushUserAlerts(db: pg.Pool, userId: string, now: Date, opts: AlertOptions): Promise<boolean> {
  return withTransaction(db, async (sql) => {
    const u = await lockAlertRecipient(sql, userId);
    if (!u) return false;
    if (u.lastAlertAt && now.getTime() - u.lastAlertAt.getTime() < opts.intervalMinutes * 60_000) return false;
    const pending = (await takePendingAlerts(sql, userId, now)).filter((n) => !u.mutedTopics.includes(n.topic));
    const targets = u.active ? staffTargets(u) : [];
    if (pending.length === 0 || targets.length === 0) return false;
    await enqueue(sql, staffOutbound(targets, alertMail(u.displayName, pending, opts.publicUrl), `${userId}:${pending.at(-1)!.id}`));
    await markAlertSent(sql, userId, now);
    return true;
  });
}

/** The scheduled job: every user whose alerts may go now gets them; returns how many users were sent a message. */
export async function flushStaffAlerts(db: pg.Pool, now: Date, opts: AlertOptions): Promise<number> {
  let sent = 0;
  for (const userId of await usersWithDueAlerts(db, now, opts.intervalMinutes * 60_000)) {
    if (await flushUserAlerts(db, userId, now, opts)) sent++;
  }
  return sent;
}
