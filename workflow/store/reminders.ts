/** `case_reminders`: one row per reminder a case will need; `queued_at` once it is a job, `sent_at` once delivered. */
import type { CaseStatus } from '../../lib/queues.js';
import type { Sql } from './sql.js';

export interface ReminderKey {
  case_id: string;
  kind: string;
  due_at: Date;
}

/**
 * Inserts planned reminders (existing ones stay); those due before `queueBefore` are marked queued at `now`, and
 * only those are returned: they become delayed jobs at once, the others wait for the sweep.
 */
export async function insertReminders(sql: Sql, rows: { caseId: string; kind: string; dueAt: Date }[], now: Date, horizonMs: number): Promise<ReminderKey[]> {
  if (rows.length === 0) return [];
  const inserted = await sql.query<ReminderKey & { queued_at: Date | null }>(
    `insert into case_reminders (case_id, kind, due_at, queued_at)
     select c, k, d, case when d <= $4::timestamptz + make_interval(secs => $5::double precision / 1000) then $4::timestamptz end
       from unnest($1::uuid[], $2::text[], $3::timestamptz[]) as t(c, k, d)
     on conflict do nothing returning case_id, kind, due_at, queued_at`,
    [rows.map((r) => r.caseId), rows.map((r) => r.kind), rows.map((r) => r.dueAt), now, horizonMs],
  );
  return inserted.rows.filter((r) => r.queued_at !== null);
}

/**
 * Moves a case's unsent reminders to a new plan (its term was recomputed): planned kinds take their new due time
 * (sent ones stay as they were), unsent rows of `kinds` the plan no longer has are dropped. Returns the rows due
 * within the horizon, marked queued: they become delayed jobs at once.
 */
export async function replanReminders(sql: Sql, caseId: string, plan: { kind: string; dueAt: Date }[], kinds: string[], now: Date,
  horizonMs: number): Promise<ReminderKey[]>
{
  await sql.query('delete from case_reminders where case_id = $1 and sent_at is null and kind = any($2::text[]) and not (kind = any($3::text[]))', [caseId,
    kinds, plan.map((r) => r.kind)]);
  const r = await sql.query<ReminderKey & { queued_at: Date | null }>(
    `insert into case_reminders (case_id, kind, due_at, queued_at)
     select $1, k, d, case when d <= $4::timestamptz + make_interval(secs => $5::double precision / 1000) then $4::timestamptz end
       from unnest($2::text[], $3::timestamptz[]) as t(k, d)
     on conflict (case_id, kind) do update set due_at = excluded.due_at, queued_at = excluded.queued_at where case_reminders.sent_at is null
     returning case_id, kind, due_at, queued_at`,
    [caseId, plan.map((p) => p.kind), plan.map((p) => p.dueAt), now, horizonMs],
  );
  return r.rows.filter((x) => x.queued_at !== null);
}

/**
 * Marks queued the unsent reminders that came within the horizon; returns them. `skip locked`: two workflow
 * processes sweeping at once split the rows instead of waiting for each other.
 */
export async function claimUpcomingReminders(sql: Sql, now: Date, horizonMs: number): Promise<ReminderKey[]> {
  const r = await sql.query<ReminderKey>(
    `update case_reminders set queued_at = $1
      where (case_id, kind) in (
        select case_id, kind from case_reminders
         where sent_at is null and queued_at is null and due_at <= $1::timestamptz + make_interval(secs => $2::double precision / 1000)
         order by due_at limit 5000 for update skip locked)
      returning case_id, kind, due_at`,
    [now, horizonMs],
  );
  return r.rows;
}

export interface LockedReminder {
  due_at: Date;
  sent_at: Date | null;
  status: CaseStatus;
  organization_id: string | null;
  executor_id: string | null;
  registration_number: string;
  deadline_at: Date;
}

/** The reminder row, locked, with what its text and recipients need from the case. */
export async function lockReminder(sql: Sql, caseId: string, kind: string): Promise<LockedReminder | undefined> {
  const r = await sql.query<LockedReminder>(
    `select r.due_at, r.sent_at, c.status, c.organization_id, c.executor_id, c.registration_number, c.deadline_at
       from case_reminders r join cases c on c.id = r.case_id
      where r.case_id = $1 and r.kind = $2 for update of r`,
    [caseId, kind],
  );
  return r.rows[0];
}

export async function markReminderSent(sql: Sql, caseId: string, kind: string, at: Date, recipients: number): Promise<void> {
  await sql.query('update case_reminders set sent_at = $3, recipients = $4 where case_id = $1 and kind = $2', [caseId, kind, at, recipients]);
}

/** Unsent reminders due by `now`, oldest first. */
export async function dueReminders(sql: Sql, now: Date): Promise<{ caseId: string; kind: string }[]> {
  const r = await sql.query<{ case_id: string; kind: string }>(
    'select case_id, kind from case_reminders where sent_at is null and due_at <= $1 order by due_at limit 1000',
    [now],
  );
  return r.rows.map((x) => ({ caseId: x.case_id, kind: x.kind }));
}

/** A case's reminders as its page shows them. */
export async function remindersOf(sql: Sql, caseId: string) {
  return (await sql.query('select kind, due_at as "dueAt", sent_at as "sentAt" from case_reminders where case_id = $1 order by due_at', [caseId])).rows;
}
