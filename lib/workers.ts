import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { ZodError } from 'zod';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { QueueName } from './queues.js';

/** Expected pipeline outcomes are values; only faults are exceptions. */
export type Outcome =
  | { status: 'ok'; detail?: Record<string, unknown> }
  | { status: 'drop'; reason: string }
  | { status: 'dlq'; reason: string }
  /** A dependency is down (not this job's fault): try again after `delayMs` without spending one of its attempts. */
  | { status: 'later'; reason: string; delayMs: number };

export const ok = (detail?: Record<string, unknown>): Outcome => ({ status: 'ok', detail });
export const drop = (reason: string): Outcome => ({ status: 'drop', reason });
export const dlq = (reason: string): Outcome => ({ status: 'dlq', reason });
export const later = (reason: string, delayMs: number): Outcome => ({ status: 'later', reason, delayMs });

export type Processor = (data: unknown, job: Job) => Promise<Outcome>;

export interface WorkerSpec {
  queue: QueueName;
  processor: Processor;
  concurrency: number;
}

export interface WorkerCounters {
  ok: number;
  dropped: Record<string, number>;
  deadLettered: number;
  failed: number;
  /** Jobs put back for later because a dependency was down, by reason. */
  postponed: Record<string, number>;
}

export interface RunningWorkers {
  workers: Worker[];
  counters: Record<string, WorkerCounters>;
  close(graceMs?: number): Promise<void>;
}

/**
 * Starts one BullMQ worker per table row. A payload that does not parse, or a `dlq` outcome, is a permanent
 * error: it fails without retry and stays in the failed set (bounded by removeOnFail) where operators see it.
 * Anything thrown otherwise is transient and retried with the queue's exponential backoff.
 */
export function startWorkers(
  table: WorkerSpec[],
  opts: { connection: ConnectionOptions; prefix: string; logger: Logger; metrics?: Metrics },
): RunningWorkers {
  const counters: Record<string, WorkerCounters> = {};
  const workers = table.map(({ queue, processor, concurrency }) => {
    const c: WorkerCounters = (counters[queue] = { ok: 0, dropped: {}, deadLettered: 0, failed: 0, postponed: {} });
    const log = opts.logger.child({ component: 'worker', queue });
    const worker = new Worker(
      queue,
      async (job) => {
        let outcome: Outcome;
        const stopTimer = opts.metrics?.jobDuration.startTimer({ queue });
        const count = (result: string) => opts.metrics?.jobs.inc({ queue, outcome: result });
        try {
          outcome = await processor(job.data, job);
        } catch (err) {
          stopTimer?.();
          count(err instanceof ZodError ? 'dlq' : 'error');
          if (err instanceof ZodError) {
            c.deadLettered++;
            throw new UnrecoverableError(`invalid ${queue} payload: ${err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
          }
          throw err;
        }
        stopTimer?.();
        count(outcome.status);
        if (outcome.status === 'dlq') {
          c.deadLettered++;
          throw new UnrecoverableError(outcome.reason);
        }
        if (outcome.status === 'later') {
          // An outage of hours must not exhaust the attempts meant for faults of the job itself.
          c.postponed[outcome.reason] = (c.postponed[outcome.reason] ?? 0) + 1;
          await job.moveToDelayed(Date.now() + outcome.delayMs, job.token);
          throw new DelayedError(outcome.reason);
        }
        if (outcome.status === 'drop') {
          c.dropped[outcome.reason] = (c.dropped[outcome.reason] ?? 0) + 1;
          return { dropped: outcome.reason };
        }
        c.ok++;
        return outcome.detail ?? {};
      },
      { connection: opts.connection, prefix: opts.prefix, concurrency, autorun: true },
    );
    worker.on('failed', (job, err) => {
      c.failed++;
      log.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job failed');
    });
    worker.on('error', (err) => log.error({ err: err.message }, 'worker error'));
    return worker;
  });
  return {
    workers,
    counters,
    // Close waits for jobs in flight to finish, so a shutdown never abandons half-done work. A worker whose blocking
    // connection did not come back cleanly from a Redis restart can wait forever, so after the grace period it is
    // closed by force: its unfinished jobs stay in Redis and are picked up again as stalled.
    async close(graceMs = 10_000) {
      await Promise.all(workers.map(async (w) => {
        let timer: NodeJS.Timeout | undefined;
        const graceful = w.close().then(() => true);
        const timedOut = new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), graceMs);
        });
        const closed = await Promise.race([graceful, timedOut]);
        clearTimeout(timer);
        if (!closed) {
          opts.logger.warn({ queue: w.name, graceMs }, 'worker did not close in time; forcing');
          await Promise.race([w.close(true), new Promise((r) => setTimeout(r, 2000))]);
        }
      }));
    },
  };
}
