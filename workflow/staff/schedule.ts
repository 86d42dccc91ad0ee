/**
 * The staff work the workflow runs on a schedule, as BullMQ job schedulers on its own `workflow-reminders` queue: they
 * live in Redis, so no process timer has to survive for alerts and digests to go out, and with several workflow
 * processes each iteration runs once. `staff-alerts` every minute (escalations, then the grouped alerts); one
 * `staff-digest-HH:MM` per digest time with a cron pattern in the region's zone.
 */
import type { Queue } from 'bullmq';
import type pg from 'pg';
import type { StaffTimerJob, WorkflowTimerJob } from '../../lib/queues.js';
import type { RegionRules } from '../../lib/region-config.js';
import { flushStaffAlerts } from './alerts.js';
import { digestSchedules, sendDigests } from './digests.js';
import { escalateIdleOrganizations } from './escalation.js';

export interface StaffWorkOptions {
  region: RegionRules;
  publicUrl: string;
  alertMinutes: number;
}

export const ALERTS_SCHEDULER = 'staff-alerts';
export const ALERTS_EVERY_MS = 60_000;
const DIGEST_PREFIX = 'staff-digest-';

/** Puts the schedulers in place (idempotent) and removes digest schedulers of times no longer configured. */
export async function scheduleStaffWork(queue: Queue<WorkflowTimerJob>, region: RegionRules): Promise<void> {
  const alerts: StaffTimerJob = { staff: 'alerts' };
  await queue.upsertJobScheduler(ALERTS_SCHEDULER, { every: ALERTS_EVERY_MS }, { name: 'staff-alerts', data: alerts });
  const wanted = digestSchedules(region);
  for (const d of wanted) {
    const digest: StaffTimerJob = { staff: 'digest' };
    await queue.upsertJobScheduler(d.id, { pattern: d.pattern, tz: d.tz }, { name: 'staff-digest', data: digest });
  }
  const ids = new Set(wanted.map((d) => d.id));
  for (const s of await queue.getJobSchedulers(0, -1)) {
    const id = s.id ?? s.key;
    if (id.startsWith(DIGEST_PREFIX) && !ids.has(id)) await queue.removeJobScheduler(id);
  }
}

/** Runs one scheduled job at `now`; returns what it did. */
export async function runStaffJob(db: pg.Pool, job: StaffTimerJob, now: Date, opts: StaffWorkOptions): Promise<Record<string, unknown>> {
  if (job.staff === 'digest') {
    const r = await sendDigests(db, now, { publicUrl: opts.publicUrl, region: opts.region });
    return { slot: r.slot.toISOString(), digests: r.sent };
  }
  // Escalations first: their notices go out in the same pass.
  const escalated = await escalateIdleOrganizations(db, now, opts.region);
  const alerted = await flushStaffAlerts(db, now, { publicUrl: opts.publicUrl, intervalMinutes: opts.alertMinutes });
  return { alerted, escalated: escalated.leader + escalated.curator };
}
