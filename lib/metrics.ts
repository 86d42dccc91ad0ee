import type { Queue } from 'bullmq';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { GroupCommitStats } from './group-commit.js';

/**
 * Prometheus metrics of one process. Built once in main.ts and handed to whoever records; each process has its own
 * registry, so several role processes are scraped separately and summed by Prometheus.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'otklik_' });
  const jobs = new Counter({
    name: 'otklik_jobs_total',
    help: 'Queue jobs processed, by queue and outcome (ok, drop, dlq, error).',
    labelNames: ['queue', 'outcome'] as const,
    registers: [registry],
  });
  const jobDuration = new Histogram({
    name: 'otklik_job_duration_seconds',
    help: 'Time a processor spent on one job.',
    labelNames: ['queue'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const queueDepth = new Gauge({
    name: 'otklik_queue_jobs',
    help: 'Jobs in a queue by state, read from Redis at scrape time.',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
  });
  const ingested = new Counter({
    name: 'otklik_ingest_total',
    help: 'What this process took in per channel, by result (received, dropped, failed, sent, rateLimited).',
    labelNames: ['source', 'result'] as const,
    registers: [registry],
  });
  const outboundDeliveries = new Counter({
    name: 'otklik_outbound_deliveries_total',
    help: 'Outbound delivery attempts by channel (vk, telegram, email, sms) and outcome (sent, recorded, retrying, failed, bounced, rate_limited).',
    labelNames: ['channel', 'status'] as const,
    registers: [registry],
  });
  const classifyLatency = new Histogram({
    name: 'otklik_classify_seconds',
    help: 'Time to classify one message.',
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
    registers: [registry],
  });
  // A gauge read from PostgreSQL at scrape time, not a per-process counter: it is right whichever process scrapes,
  // survives restarts, and drops as breached cases get answered, which is what an SLA alert wants.
  const deadlineBreaches = new Gauge({
    name: 'otklik_deadline_breaches',
    help: 'Open cases past their deadline (unanswered), by fast-track flag; read from PostgreSQL at scrape time.',
    labelNames: ['fast_track'] as const,
    registers: [registry],
  });
  // Group commits (votes, voter tokens, the intake's single messages): items waiting or in flight show a storm
  // building up in this process before latency does; the mean batch size shows whether batching is working.
  const groupCommitItems = new Gauge({
    name: 'otklik_group_commit_items',
    help: 'Items of a group commit waiting for a batch (pending) or in a batch not yet answered (in_flight), by path.',
    labelNames: ['path', 'state'] as const,
    registers: [registry],
  });
  const groupCommitMeanBatch = new Gauge({
    name: 'otklik_group_commit_mean_batch',
    help: 'Mean items per batch since the process started, by path.',
    labelNames: ['path'] as const,
    registers: [registry],
  });
  const httpRequests = new Counter({
    name: 'otklik_http_requests_total',
    help: 'HTTP requests by method, route and status class.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  return { registry, jobs, jobDuration, queueDepth, ingested, outboundDeliveries, classifyLatency, deadlineBreaches, groupCommitItems, groupCommitMeanBatch,
    httpRequests };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** A group commit's state (lib/group-commit.ts stats) into its gauges. */
export function recordGroupCommit(metrics: Metrics, path: string, b: GroupCommitStats): void {
  metrics.groupCommitItems.set({ path, state: 'pending' }, b.pending);
  metrics.groupCommitItems.set({ path, state: 'in_flight' }, b.inFlight);
  metrics.groupCommitMeanBatch.set({ path }, b.batches ? b.items / b.batches : 0);
}

/** Depths of every queue by state, read from Redis. */
export async function recordQueueDepths(metrics: Metrics, queues: Record<string, Queue>): Promise<void> {
  for (const [name, q] of Object.entries(queues)) {
    const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
    for (const [state, n] of Object.entries(counts)) metrics.queueDepth.set({ queue: name, state }, n);
  }
}

/** Open cases past their deadline, as the stage that owns cases counted them. */
export function recordDeadlineBreaches(metrics: Metrics, overdue: { fastTrack: number; standard: number }): void {
  metrics.deadlineBreaches.reset();
  metrics.deadlineBreaches.set({ fast_track: 'false' }, overdue.standard);
  metrics.deadlineBreaches.set({ fast_track: 'true' }, overdue.fastTrack);
}
