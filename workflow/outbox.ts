/**
 * The transactional outbox: every message a transition owes another stage (analytics events, citizen replies,
 * reminder jobs) is written as a row in the transition's own PostgreSQL transaction, and a relay moves the rows to
 * BullMQ. A Redis outage after the commit only delays them. Job ids are derived from the row or the payload, so a
 * relay that crashes between `add` and marking the row re-adds a job BullMQ already has, which it ignores.
 */
import type { JobsOptions, Queue } from 'bullmq';
import type pg from 'pg';
import type { Logger } from '../lib/logger.js';
import { QUEUES, type OutboundMessage, type QueueName, type Queues, type WorkflowTimerJob } from '../lib/queues.js';
import type { Sealer } from '../lib/seal.js';
import { withTransaction } from '../lib/transaction.js';
import type { Sql } from './store/sql.js';
import { sealOutbound } from '../lib/sealed-payloads.js';

export type { Sql } from './store/sql.js';

export interface OutboxRow {
  queue: QueueName;
  name: string;
  jobId: string;
  payload: unknown;
  /** For delayed jobs: the job runs at this time (the delay is computed when the row is published). */
  notBefore?: Date;
}

export async function enqueue(sql: Sql, rows: OutboxRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql.query(
    `insert into outbox (queue, job_name, job_id, payload, not_before)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::timestamptz[])`,
    [rows.map((r) => r.queue), rows.map((r) => r.name), rows.map((r) => r.jobId), rows.map((r) => JSON.stringify(r.payload)),
      rows.map((r) => r.notBefore ?? null)],
  );
}

/** Rows taken per relay transaction. */
const BATCH_ROWS = 1000;
export interface OutboxRelay {
  /** Publishes what is pending now; resolves with the number of rows published. */
  flush(): Promise<number>;
  /** Asks for a flush soon (after a commit), without waiting for it. */
  nudge(): void;
  /** Deletes rows published long ago; they only served to prove delivery. */
  prune(olderThanDays?: number): Promise<number>;
  close(): Promise<void>;
}

interface PendingRow {
  id: string;
  queue: QueueName;
  job_name: string;
  job_id: string;
  payload: unknown;
  not_before: Date | null;
}

type Job = { name: string; data: unknown; opts: JobsOptions };

/** The rows as jobs per queue; a delayed row's delay is computed now, from its not_before. */
function jobsByQueue(rows: PendingRow[], byName: Partial<Record<QueueName, Queue>>, now: number, sealer: Sealer): Map<Queue, Job[]> {
  const bulks = new Map<Queue, Job[]>();
  for (const row of rows) {
    const queue = byName[row.queue];
    if (!queue) throw new Error(`outbox row ${row.id} names unknown queue ${row.queue}`);
    const delay = row.not_before ? Math.max(0, row.not_before.getTime() - now) : undefined;
    const list = bulks.get(queue) ?? [];
    // Replies name their recipient: sealed on the way to Redis (the outbox row in PostgreSQL keeps it in clear).
    const data = row.queue === QUEUES.outbound ? sealOutbound(sealer, row.payload as OutboundMessage) : row.payload;
    list.push({ name: row.job_name, data, opts: { jobId: row.job_id, ...(delay ? { delay } : {}) } });
    bulks.set(queue, list);
  }
  return bulks;
}

/** Publishes one batch of pending rows and marks them, in one transaction; returns how many. */
async function publishBatch(db: pg.Pool, byName: Partial<Record<QueueName, Queue>>, now: () => Date, sealer: Sealer): Promise<number> {
  return withTransaction(db, async (client) => {
    // skip locked: several workflow processes share the table without publishing a row twice at once.
    const r = await client.query<PendingRow>(
      `select id, queue, job_name, job_id, payload, not_before from outbox where published_at is null
        order by id limit ${BATCH_ROWS} for update skip locked`,
    );
    const bulks = jobsByQueue(r.rows, byName, now().getTime(), sealer);
    // One addBulk per queue (a MULTI in one round trip) instead of one add per row; job ids keep it idempotent.
    await Promise.all([...bulks].map(([queue, jobs]) => queue.addBulk(jobs)));
    if (r.rows.length) await client.query('update outbox set published_at = now() where id = any($1::bigint[])', [r.rows.map((x) => x.id)]);
    return r.rows.length;
  });
}

export function createOutboxRelay(deps: {
  db: pg.Pool;
  queues: Pick<Queues, 'events' | 'outbound'>;
  reminders: Queue<WorkflowTimerJob>;
  now: () => Date;
  logger: Logger;
  pollMs?: number;
  /** Seals the recipient of each reply on its way to Redis (the outbox row in PostgreSQL keeps it in clear). */
  sealer: Sealer;
}): OutboxRelay {
  const byName: Partial<Record<QueueName, Queue>> = {
    [QUEUES.events]: deps.queues.events as Queue,
    [QUEUES.outbound]: deps.queues.outbound as Queue,
    [QUEUES.reminders]: deps.reminders as Queue,
  };
  const log = deps.logger.child({ component: 'outbox' });
  let running: Promise<number> | undefined;
  let again = false;
  let closed = false;
  let failures = 0;

  async function drain(): Promise<number> {
    let total = 0;
    do {
      again = false;
      let published: number;
      do {
        published = await publishBatch(deps.db, byName, deps.now, deps.sealer);
        total += published;
      } while (published === BATCH_ROWS);
    } while (again);
    return total;
  }

  const flush = (): Promise<number> => {
    if (running) {
      again = true;
      return running;
    }
    running = drain()
      .then((n) => {
        failures = 0;
        return n;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const tick = () => {
    if (closed) return;
    flush().catch((err) => {
      // The rows stay pending; the poll retries. Logged once per outage, not once per poll.
      if (failures++ === 0) log.warn({ err: (err as Error).message }, 'outbox relay cannot publish; will retry');
    });
  };
  const timer = setInterval(tick, deps.pollMs ?? 1000);
  timer.unref();

  return {
    flush,
    nudge: tick,
    async prune(olderThanDays = 7) {
      // published_at is the database's time, so the cut-off is too.
      const r = await deps.db.query(`delete from outbox where published_at < now() - make_interval(days => $1)`, [olderThanDays]);
      return r.rowCount ?? 0;
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}
