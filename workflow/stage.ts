import type pg from 'pg';
import type { Logger } from '../lib/logger.js';
import type { Queue } from 'bullmq';
import { originOf, parseBatchPayload, parsePayload, type ClassifiedMessage, type Queues, type WorkflowTimerJob } from '../lib/queues.js';
import { DEFAULT_REGION_RULES, type RegionRules } from '../lib/region-config.js';
import { DEFAULT_SIGNAL_TERMS, type SignalTerms } from '../lib/signal-terms.js';
import type { Sealer } from '../lib/seal.js';
import { dlq, drop, ok, type WorkerSpec } from '../lib/workers.js';
import { applyVerifiedCitizenAction } from './citizen-desk.js';
import { createOutboxRelay, type OutboxRelay } from './outbox.js';
import { registerCases } from './register-case.js';
import type { StatusLinks } from './status-link.js';
import { queueUpcomingReminders, sendReminder, sweepDueReminders } from './reminders.js';
import { registerSignals } from './signals/register.js';
import { detectSpikes, type SpikeListener } from './signals/spikes.js';
import { openIncoming } from '../lib/sealed-payloads.js';
import { DEFAULT_PUBLIC_URL } from './staff/mail.js';
import { runStaffJob, scheduleStaffWork, type StaffWorkOptions } from './staff/schedule.js';

export interface WorkflowStageDeps {
  db: pg.Pool;
  queues: Pick<Queues, 'events' | 'outbound'>;
  /** The workflow's delayed reminder queue (lib/queues.ts createReminderQueue); its schedulers run the staff alerts and digests. */
  reminders: Queue<WorkflowTimerJob>;
  logger: Logger;
  /** Opens the contacts that cross Redis sealed and seals the recipients of replies (lib/seal.ts). */
  sealer: Sealer;
  now?: () => Date;
  reminderDaysBefore?: number[];
  /** The region's terms for signals (config/region.yaml `signals`, lib/signal-terms.ts); defaults without. */
  signals?: SignalTerms;
  /** Told of every spike alert raised (the hook for staff alerts beyond the app). */
  onSpike?: SpikeListener;
  /** The status page link citizens' notices carry (workflow/status-link.ts). */
  links?: StatusLinks;
  /** The region's time zone, in which notices tell dates. */
  timeZone?: string;
  /** How often the reminder sweep and the outbox poll run; a commit nudges the relay at once anyway. */
  sweepMs?: number;
  outboxPollMs?: number;
  /** The region's calendar, digest times and deadline rules. */
  region?: RegionRules;
  /** Where links in staff mail lead. */
  publicUrl?: string;
  /** Least minutes between two alerts to one user (default 5). */
  alertMinutes?: number;
  /** Put the alert and digest schedulers in place at start (default true; tests drive the jobs themselves). */
  staffSchedules?: boolean;
}

export interface WorkflowStage {
  workers: WorkerSpec[];
  relay: OutboxRelay;
  reminders: Queue<WorkflowTimerJob>;
  /**
   * Queues the reminders that came within the horizon and delivers those due by the clock (runs at start and every
   * sweepMs); returns how many were sent.
   */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

export function createWorkflowStage(deps: WorkflowStageDeps): WorkflowStage {
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child({ component: 'workflow' });
  const relay = createOutboxRelay({ db: deps.db, queues: deps.queues, reminders: deps.reminders, now, logger: deps.logger, pollMs: deps.outboxPollMs,
    sealer: deps.sealer });
  const region = deps.region ?? DEFAULT_REGION_RULES;
  const engine = { db: deps.db, now, reminderDaysBefore: deps.reminderDaysBefore, links: deps.links, region };
  const staff: StaffWorkOptions = { region, publicUrl: deps.publicUrl ?? DEFAULT_PUBLIC_URL, alertMinutes: deps.alertMinutes ?? 5 };
  if (deps.staffSchedules !== false) {
    void scheduleStaffWork(deps.reminders, region).catch((err) => log.error({ err: (err as Error).message }, 'staff alert and digest schedules not set'));
  }

  let sweeping: Promise<number> | undefined;
  const sweep = () => (sweeping ??= (async () => {
    // Reminders coming within the horizon become delayed jobs; those already due are delivered here as well.
    if (await queueUpcomingReminders(deps.db, now())) relay.nudge();
    return sweepDueReminders(deps.db, now(), region);
  })().finally(() => {
    sweeping = undefined;
  }));
  const runSweep = () => {
    void sweep().catch((err) => log.warn({ err: (err as Error).message }, 'reminder sweep failed'));
    void relay.prune().catch((err) => log.warn({ err: (err as Error).message }, 'outbox prune failed'));
  };
  // At start: whatever fell due while no process was running is delivered now.
  runSweep();
  const timer = setInterval(runSweep, deps.sweepMs ?? 60_000);
  timer.unref();

  const workers: WorkerSpec[] = [
    classifiedWorker(deps, region, relay, now, log),
    {
      queue: 'citizen-actions',
      concurrency: 10,
      async processor(data) {
        const action = parsePayload('citizen-actions', data);
        const outcome = await applyVerifiedCitizenAction(engine, action);
        relay.nudge();
        return outcome.applied ? ok({ status: outcome.status }) : drop(outcome.reason);
      },
    },
    timerWorker(deps.db, relay, now, staff),
  ];

  return {
    workers,
    relay,
    reminders: deps.reminders,
    sweep,
    async close() {
      clearInterval(timer);
      await sweeping?.catch(() => {});
      await relay.close();
    },
  };
}

/**
 * The `classified` queue: appeals become cases; signals (what monitoring found) wait for the team in the inbox,
 * answered by no one automatically. The analytics events, the citizen's notice and the reminders are outbox rows of
 * the same transaction, so a crash after the commit loses nothing and a redelivery adds nothing.
 */
function classifiedWorker(deps: WorkflowStageDeps, region: RegionRules, relay: OutboxRelay, now: () => Date, log: Logger): WorkerSpec {
  const terms = deps.signals ?? DEFAULT_SIGNAL_TERMS;
  const signalDeps = { db: deps.db, terms, reminderDaysBefore: deps.reminderDaysBefore, region };
  // After the commit and off the job's path: a failed check loses no signal, the next arrival checks again.
  const checkSpikes = (touched: Parameters<typeof detectSpikes>[1]) => {
    void detectSpikes(deps.db, touched, terms.spike, now(), deps.onSpike)
      .then((raised) => {
        if (raised.length) log.info({ alerts: raised.length }, 'spike alerts raised');
      })
      .catch((err) => log.warn({ err: (err as Error).message }, 'spike check failed'));
  };
  return {
    queue: 'classified',
    concurrency: 20,
    async processor(data) {
      const parsed = parseBatchPayload('classified', data);
      const { items, rejected } = openAll(deps.sealer, parsed.items, parsed.rejected);
      if (items.length === 0) {
        return dlq(`invalid classified payload: no valid message in the batch (${rejected.map((r) => `[${r.index}] ${r.reason}`).join('; ')})`);
      }
      const appeals = items.filter((x) => originOf(x.message) === 'appeal');
      const signals = await registerSignals(signalDeps, items.filter((x) => originOf(x.message) === 'signal'), now());
      const results = appeals.length
        ? await registerCases(deps.db, appeals, now(), { reminderDaysBefore: deps.reminderDaysBefore, links: deps.links, region })
        : [];
      relay.nudge();
      checkSpikes(signals.touched);
      const created = results.filter((r) => r.created);
      if (rejected.length) log.warn({ rejected: rejected.length, valid: items.length }, 'classified batch had invalid messages; they were skipped');
      if (created.length + signals.created === 0 && rejected.length === 0) return drop('duplicate');
      if (results.length === 1 && items.length === 1 && rejected.length === 0) {
        return ok({ caseId: created[0]!.case.caseId, registrationNumber: created[0]!.case.registrationNumber });
      }
      return ok({ created: created.length, duplicates: results.length - created.length, signals: signals.created,
        ...(signals.autoAccepted.length ? { autoAccepted: signals.autoAccepted.length } : {}), ...(rejected.length ? { rejected } : {}) });
    },
  };
}

/** The workflow's own timed jobs: case reminders (delayed jobs) and the scheduled staff alerts and digests. */
function timerWorker(db: pg.Pool, relay: OutboxRelay, now: () => Date, staff: StaffWorkOptions): WorkerSpec {
  return {
    queue: 'workflow-reminders',
    concurrency: 10,
    async processor(data) {
      const job = parsePayload('workflow-reminders', data);
      if ('staff' in job) {
        const done = await runStaffJob(db, job, now(), staff);
        relay.nudge();
        return ok(done);
      }
      const r = await sendReminder(db, job, now(), staff.region);
      return r.outcome === 'sent' ? ok({ recipients: r.recipients }) : drop(r.outcome);
    },
  };
}

/** Opens each message's sealed contact; one that does not open (another deployment's key, tampering) is rejected alone. */
function openAll(sealer: Sealer, items: ClassifiedMessage[], rejected: { index: number; reason: string }[]) {
  const out = { items: [] as ClassifiedMessage[], rejected: [...rejected] };
  // The valid items keep the job's order, so each one's place in the job is the next index no rejection took.
  const taken = new Set(rejected.map((r) => r.index));
  let index = 0;
  for (const x of items) {
    while (taken.has(index)) index++;
    try {
      out.items.push({ ...x, message: openIncoming(sealer, x.message) });
    } catch (err) {
      out.rejected.push({ index, reason: `contact does not open: ${(err as Error).message}` });
    }
    index++;
  }
  out.rejected.sort((a, b) => a.index - b.index);
  return out;
}
