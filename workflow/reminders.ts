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
import { DEFAULT_REGION_RULES, type RegionRules } from '../lib/region-config.js';
import { addDays, atClockTime, calendarDaysBetween, localDate } from '../lib/region-time.js';
import { DAY_MS } from '../lib/time.js';
import { withTransaction } from '../lib/transaction.js';
import { ruDate } from './notify.js';
import { enqueue } from './outbox.js';
import { OPEN_STATUSES } from './rules.js';
import { insertNotifications } from './store/notifications.js';
import { claimUpcomingReminders, dueReminders, insertReminders, lockReminder, markReminderSent, replanReminders, type LockedReminder,
  type ReminderKey } from './store/reminders.js';
import type { Sql } from './store/sql.js';
import { activeModerators, activeUsersWithRole } from './store/users.js';

export const DEFAULT_REMINDER_DAYS = [3, 1];
/** Reminders due within this window are delayed jobs in Redis; later ones wait in PostgreSQL for the sweep. */
export const REMINDER_HORIZON_MS = DAY_MS;

export interface PlannedReminder {
  kind: string;
  dueAt: Date;
}

/** When «N days left» reminders go out: at a working hour of the region's day (its first digest time), not at midnight. */
export interface ReminderCalendar {
  timeZone: string;
  /** HH:MM in the region. */
  time: string;
}

/** The region's reminder days when it sets them (config/region.yaml or /admin/region), else the environment's. */
export const reminderDaysOf = (region: RegionRules | undefined, configured?: number[]) => region?.reminderDaysBefore ?? configured;

export const reminderCalendar = (region: RegionRules = DEFAULT_REGION_RULES): ReminderCalendar => ({ timeZone: region.timeZone,
  time: region.digestTimes[0] ?? '09:00' });

/**
 * Review cycles after the first (repeat reviews) get their own kinds, so their reminders are new rows and jobs. With a
 * calendar, «N days left» goes out at the calendar's time on the N-th day before the deadline's date (a term ends at
 * midnight, so «1 day left» is the morning of the day before); reminders that would be due before `from` (a short
 * federal term) are left out. The overdue one is due at the deadline itself.
 */
export function planReminders(deadlineAt: Date, cycle: number, daysBefore: number[] = DEFAULT_REMINDER_DAYS, calendar?: ReminderCalendar,
  from?: Date): PlannedReminder[]
{
  const suffix = cycle > 0 ? `-r${cycle}` : '';
  // Whole days go out at the calendar's time; a fraction of a day (tests of the delayed jobs) counts from the deadline.
  const dueOf = (d: number) => (calendar && Number.isInteger(d)
    ? atClockTime(addDays(localDate(deadlineAt, calendar.timeZone), -d), calendar.time, calendar.timeZone)
    : new Date(deadlineAt.getTime() - d * DAY_MS));
  return [
    ...daysBefore.map((d) => ({ kind: `before-${d}d${suffix}`, dueAt: dueOf(d) })).filter((r) => !from || r.dueAt.getTime() > from.getTime()),
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

/**
 * Moves the reminders of the case's current review round to its recomputed deadline. A delayed job of the old time
 * that fires first finds its row not due and does nothing; the row then goes out by its new job or, where Redis still
 * holds the old job under the same id, by the sweep within a minute of its new time.
 */
export async function rescheduleReminders(sql: Sql, c: { id: string; reviewCycle: number; deadlineAt: Date }, now: Date,
  opts: { daysBefore?: number[]; calendar?: ReminderCalendar } = {}): Promise<void>
{
  const daysBefore = opts.daysBefore ?? DEFAULT_REMINDER_DAYS;
  const plan = planReminders(c.deadlineAt, c.reviewCycle, daysBefore, opts.calendar, now);
  const kinds = planReminders(c.deadlineAt, c.reviewCycle, daysBefore).map((r) => r.kind);
  await enqueue(sql, reminderJobs(await replanReminders(sql, c.id, plan, kinds, now, REMINDER_HORIZON_MS)));
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

/** Days left are calendar days of the region: on the morning of 2 Jan a term «до 03.01» has 1 day left. */
function reminderText(reminder: LockedReminder, overdue: boolean, now: Date, timeZone: string): string {
  const due = ruDate(reminder.deadline_at, timeZone);
  if (overdue) return `Обращение № ${reminder.registration_number} просрочено: срок ответа истёк ${due}.`;
  const daysLeft = Math.max(0, calendarDaysBetween(now, reminder.deadline_at, timeZone));
  return `Обращение № ${reminder.registration_number}: до окончания срока ответа ${daysLeft} дн. (срок — до ${due} включительно).`;
}

export async function sendReminder(db: pg.Pool, job: { caseId: string; kind: string }, now: Date,
  region: RegionRules = DEFAULT_REGION_RULES): Promise<{ outcome: ReminderOutcome; recipients: number }>
{
  return withTransaction(db, async (client) => {
    const reminder = await lockReminder(client, job.caseId, job.kind);
    const outcome = readiness(reminder, now);
    let sentTo = 0;
    if (outcome === 'sent') {
      const overdue = job.kind.startsWith('overdue');
      sentTo = await insertNotifications(client, { userIds: await recipients(client, reminder!, overdue), caseId: job.caseId, kind: `reminder-${job.kind}`,
        topic: overdue ? 'overdue' : 'deadline', text: reminderText(reminder!, overdue, now, region.timeZone), at: now });
    }
    if (outcome === 'sent' || outcome === 'case-finished') await markReminderSent(client, job.caseId, job.kind, now, sentTo);
    return { outcome, recipients: sentTo };
  });
}

/** Delivers every reminder due by the clock; returns how many were sent now. */
export async function sweepDueReminders(db: pg.Pool, now: Date, region: RegionRules = DEFAULT_REGION_RULES): Promise<number> {
  let sent = 0;
  for (const r of await dueReminders(db, now)) {
    if ((await sendReminder(db, r, now, region)).outcome === 'sent') sent++;
  }
  return sent;
}
