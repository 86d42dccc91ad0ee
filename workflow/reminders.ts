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
import { ruDate } from './notify.js';
import { OPEN_STATUSES } from './rules.js';
import { enqueue, type Sql } from './outbox.js';
import type { CaseStatus, ReminderJob } from '../lib/queues.js';
import { DAY_MS } from './register-case.js';

export const DEFAULT_REMINDER_DAYS = [3, 1];
/** Reminders due within this window are delayed jobs in Redis; later ones wait in PostgreSQL for the sweep. */
export const REMINDER_HORIZON_MS = 24 * 3600 * 1000;

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
export function reminderJobs(rows: { case_id: string; kind: string; due_at: Date }[]) {
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
  const flat = plans.flatMap((p) => p.plan.map((r) => ({ caseId: p.caseId, ...r })));
  if (flat.length === 0) return;
  const inserted = await sql.query<{ case_id: string; kind: string; due_at: Date; queued_at: Date | null }>(
    `insert into case_reminders (case_id, kind, due_at, queued_at)
     select c, k, d, case when d <= $4::timestamptz + make_interval(secs => $5::double precision / 1000) then $4::timestamptz end
       from unnest($1::uuid[], $2::text[], $3::timestamptz[]) as t(c, k, d)
     on conflict do nothing returning case_id, kind, due_at, queued_at`,
    [flat.map((r) => r.caseId), flat.map((r) => r.kind), flat.map((r) => r.dueAt), now, REMINDER_HORIZON_MS],
  );
  await enqueue(sql, reminderJobs(inserted.rows.filter((r) => r.queued_at !== null)));
}

/** Hands the reminders that came within the horizon to the outbox (as delayed jobs); returns how many. */
export async function queueUpcomingReminders(db: pg.Pool, now: Date): Promise<number> {
  const client = await db.connect();
  try {
    await client.query('begin');
    // skip locked: two workflow processes sweeping at once split the rows instead of waiting for each other.
    const r = await client.query<{ case_id: string; kind: string; due_at: Date }>(
      `update case_reminders set queued_at = $1
        where (case_id, kind) in (
          select case_id, kind from case_reminders
           where sent_at is null and queued_at is null and due_at <= $1::timestamptz + make_interval(secs => $2::double precision / 1000)
           order by due_at limit 5000 for update skip locked)
        returning case_id, kind, due_at`,
      [now, REMINDER_HORIZON_MS],
    );
    await enqueue(client, reminderJobs(r.rows));
    await client.query('commit');
    return r.rowCount ?? 0;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}


export type ReminderOutcome = 'sent' | 'already-sent' | 'not-due' | 'case-finished' | 'unknown';

export async function sendReminder(db: pg.Pool, job: { caseId: string; kind: string }, now: Date): Promise<{ outcome: ReminderOutcome; recipients: number }> {
  const client = await db.connect();
  try {
    await client.query('begin');
    const r = await client.query<{ due_at: Date; sent_at: Date | null; status: CaseStatus; organization_id: string | null; executor_id: string | null;
      registration_number: string; deadline_at: Date }>(
      `select r.due_at, r.sent_at, c.status, c.organization_id, c.executor_id, c.registration_number, c.deadline_at
         from case_reminders r join cases c on c.id = r.case_id
        where r.case_id = $1 and r.kind = $2 for update of r`,
      [job.caseId, job.kind],
    );
    const row = r.rows[0];
    const finish = async (outcome: ReminderOutcome, recipients = 0) => {
      if (outcome === 'sent' || outcome === 'case-finished') {
        await client.query('update case_reminders set sent_at = $3, recipients = $4 where case_id = $1 and kind = $2', [job.caseId, job.kind, now, recipients]);
      }
      await client.query('commit');
      return { outcome, recipients };
    };
    if (!row) return await finish('unknown');
    if (row.sent_at) return await finish('already-sent');
    if (row.due_at.getTime() > now.getTime()) return await finish('not-due');
    if (!OPEN_STATUSES.includes(row.status)) return await finish('case-finished');

    const overdue = job.kind.startsWith('overdue');
    const orgRoles = overdue ? ['leader', 'curator'] : ['coordinator'];
    // Before routing a case has no organization yet: the moderators are the ones who must move it.
    const users = row.organization_id
      ? await client.query<{ user_id: string }>(
        `select distinct ur.user_id from user_roles ur join users u on u.id = ur.user_id
          where u.active and ur.organization_id = $1 and ur.role = any($2::text[])
         union select $3::uuid where $3::uuid is not null and not $4::boolean`,
        [row.organization_id, orgRoles, row.executor_id, overdue])
      : await client.query<{ user_id: string }>(
        `select distinct ur.user_id from user_roles ur join users u on u.id = ur.user_id
          where u.active and ur.organization_id is null and ur.role = 'moderator'`);
    const daysLeft = Math.max(0, Math.ceil((row.deadline_at.getTime() - now.getTime()) / DAY_MS));
    const text = overdue
      ? `Обращение № ${row.registration_number} просрочено: срок ответа истёк ${ruDate(row.deadline_at)}.`
      : `Обращение № ${row.registration_number}: до окончания срока ответа ${daysLeft} дн. (срок — ${ruDate(row.deadline_at)}).`;
    const ids = users.rows.map((u) => u.user_id);
    await client.query(
      `insert into notifications (user_id, case_id, kind, text, created_at)
       select u, $2, $3, $4, $5 from unnest($1::uuid[]) u on conflict do nothing`,
      [ids, job.caseId, `reminder-${job.kind}`, text, now],
    );
    return await finish('sent', ids.length);
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Delivers every reminder due by the clock; returns how many were sent now. */
export async function sweepDueReminders(db: pg.Pool, now: Date): Promise<number> {
  const due = await db.query<{ case_id: string; kind: string }>(
    'select case_id, kind from case_reminders where sent_at is null and due_at <= $1 order by due_at limit 1000',
    [now],
  );
  let sent = 0;
  for (const r of due.rows) {
    if ((await sendReminder(db, { caseId: r.case_id, kind: r.kind }, now)).outcome === 'sent') sent++;
  }
  return sent;
}
