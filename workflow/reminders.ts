/**
 * Deadline reminders. Each case gets rows in case_reminders (before the deadline for the executor and coordinators,
 * at the deadline for the leader and curators). A row becomes a delayed BullMQ job with id `remind-<caseId>-<kind>`
 * (so rescheduling never makes a second job) once it is due within REMINDER_HORIZON_MS: at scheduling time if it is
 * that close already, otherwise when the sweep finds it there. Redis then holds about a day of reminders, not three
 * jobs for every open case of the last month. The row's sent_at is set in the same transaction as the notifications, so
 * a reminder is delivered once even if the job runs twice or the sweep and the job race. The sweep runs at start and
 * periodically: it delivers whatever is due by the clock, which covers a Redis that lost its delayed jobs.
 */
import type pg from 'pg';
import type { ReminderJob } from '../lib/queues.js';
import { DAY_MS } from '../lib/time.js';
import { withTransaction } from '../lib/transaction.js';
import { ruDate } from './notify.js';
import { enqueue } from './outbox.js';
import { OPEN_STATUSES } from './rules.js';
import { insertNotifications } from './store/notifications.js';
import { claimUpcomingReminders, dueReminders, insertReminders, lockReminder, markReminderSent, type LockedReminder, type ReminderKey } from './store/reminders.js';
import type { Sql } from './store/sql.js';
import { activeModerators, activeUsersWithRole } from './store/users.js';

export const DEFAULT_REMINDER_DAYS = [3, 1];
/** Reminders due within this window are delayed jobs in Redis; later ones wait in PostgreSQL for the sweep. */
export const REMINDER_HORIZON_MS = DAY_MS;

export interface PlannedReminder {
  kind: string;
  dueAt: Date;
}

/** Review cycles after the first (repeat reviews) get their own kinds, so their reminders are new rows and jobs. */
export function planReminders(deadlineAt: Date, cycle: number, daysBefore: number[] = DEFAULT_REMINDER_DAYS): PlannedReminder[] {
  const suffix = cycle > 0 ? `-r${cycle}` : '';
  return [
    ...daysBefore.map((d) => ({ kind: `before-${d}d${suffix}`, dueAt: new Date(deadlineAt.getTime() - d * DAY_MS) })),
    { kind: `overdue${suffix}`, dueAt: deadlineAt },
  ];
}

export const reminderJobId = (caseId: string, kind: string) => `remind-${caseId}-${kind}`;

export async function scheduleReminders(sql: Sql, caseId: string, plan: PlannedReminder[], now: Date): Promise<void> {
  await scheduleRemindersMany(sql, [{ caseId, plan }], now);
}

/** Reminder jobs for the outbox; the job id makes a second hand-over of the same reminder a no-op. */
export function reminderJobs(rows: ReminderKey[]) {
  return rows.map((r) => ({
    queue: 'workflow-reminders' as const,
    name: 'remind',
    jobId: reminderJobId(r.case_id, r.kind),
    payload: { caseId: r.case_id, kind: r.kind, dueAt: r.due_at.toISOString() } satisfies ReminderJob,
    notBefore: r.due_at,
  }));
}

/** The rows for many cases in one statement; jobs only for the reminders already within the horizon. */
export async function scheduleRemindersMany(sql: Sql, plans: { caseId: string; plan: PlannedReminder[] }[], now: Date): Promise<void> {
  const rows = plans.flatMap((p) => p.plan.map((r) => ({ caseId: p.caseId, ...r })));
  await enqueue(sql, reminderJobs(await insertReminders(sql, rows, now, REMINDER_HORIZON_MS)));
}

/** Hands the reminders that came within the horizon to the outbox (as delayed jobs); returns how many. */
export async function queueUpcomingReminders(db: pg.Pool, now: Date): Promise<number> {
  return withTransaction(db, async (client) => {
    const claimed = await claimUpcomingReminders(client, now, REMINDER_HORIZON_MS);
    await enqueue(client, reminderJobs(claimed));
    return claimed.length;
  });
}

export type ReminderOutcome = 'sent' | 'already-sent' | 'not-due' | 'case-finished' | 'unknown';

/** Whether the reminder goes out now, and if not, why. */
function readiness(reminder: LockedReminder | undefined, now: Date): ReminderOutcome {
  if (!reminder) return 'unknown';
  if (reminder.sent_at) return 'already-sent';
  if (reminder.due_at.getTime() > now.getTime()) return 'not-due';
  if (!OPEN_STATUSES.includes(reminder.status)) return 'case-finished';
  return 'sent';
}

/**
 * Who is reminded: before the deadline the coordinators and the executor, at the deadline the leader and curators.
 * Before routing a case has no organization yet: the moderators are the ones who must move it.
 */
async function recipients(sql: Sql, reminder: LockedReminder, overdue: boolean): Promise<string[]> {
  if (!reminder.organization_id) return activeModerators(sql);
  const staff = await activeUsersWithRole(sql, reminder.organization_id, overdue ? ['leader', 'curator'] : ['coordinator']);
  return overdue || !reminder.executor_id ? staff : [...staff, reminder.executor_id];
}

function reminderText(reminder: LockedReminder, overdue: boolean, now: Date): string {
  if (overdue) return `Обращение № ${reminder.registration_number} просрочено: срок ответа истёк ${ruDate(reminder.deadline_at)}.`;
  const daysLeft = Math.max(0, Math.ceil((reminder.deadline_at.getTime() - now.getTime()) / DAY_MS));
  return `Обращение № ${reminder.registration_number}: до окончания срока ответа ${daysLeft} дн. (срок — ${ruDate(reminder.deadline_at)}).`;
}

export async function sendReminder(db: pg.Pool, job: { caseId: string; kind: string }, now: Date): Promise<{ outcome: ReminderOutcome; recipients: number }> {
  return withTransaction(db, async (client) => {
    const reminder = await lockReminder(client, job.caseId, job.kind);
    const outcome = readiness(reminder, now);
    let sentTo = 0;
    if (outcome === 'sent') {
      const overdue = job.kind.startsWith('overdue');
      sentTo = await insertNotifications(client, { userIds: await recipients(client, reminder!, overdue), caseId: job.caseId,
        kind: `reminder-${job.kind}`, text: reminderText(reminder!, overdue, now), at: now });
    }
    if (outcome === 'sent' || outcome === 'case-finished') await markReminderSent(client, job.caseId, job.kind, now, sentTo);
    return { outcome, recipients: sentTo };
  });
}

/** Delivers every reminder due by the clock; returns how many were sent now. */
export async function sweepDueReminders(db: pg.Pool, now: Date): Promise<number> {
  let sent = 0;
  for (const r of await dueReminders(db, now)) {
    if ((await sendReminder(db, r, now)).outcome === 'sent') sent++;
  }
  return sent;
}
