/**
 * What became of replies, for staff (lib/monitoring.ts `DeliveryReads`, handed to the dashboard by main.ts): a
 * delivery ingest recorded in `outbound_deliveries` is sent (or recorded where the channel has no gateway); one not
 * yet recorded is where its job is in the outbound queue — waiting, retrying after a failure, or failed for good —
 * and a failed one can be sent again. Job ids are `outbound-<outboundId>`, as the workflow's outbox names them.
 */
import type { Queue } from 'bullmq';
import type pg from 'pg';
import type { Delivery, DeliveryReads } from '../lib/monitoring.js';
import type { OutboundMessage } from '../lib/queues.js';

const jobIdOf = (outboundId: string) => `outbound-${outboundId}`;

async function queued(queue: Queue<OutboundMessage>, outboundId: string): Promise<Delivery> {
  const job = await queue.getJob(jobIdOf(outboundId));
  if (!job) return { state: 'queued', attempts: 0 };
  const state = await job.getState();
  if (state === 'failed') return { state: 'failed', attempts: job.attemptsMade, error: job.failedReason?.slice(0, 500) };
  return { state: job.attemptsMade > 0 ? 'retrying' : 'queued', attempts: job.attemptsMade,
    ...(job.failedReason ? { error: job.failedReason.slice(0, 500) } : {}) };
}

/** A row of the delivery trail (ingest/delivery-log.ts): final once sent or recorded; a refusal for good reads as failed. */
function fromTrail(
  row: { status: string; external_ref: string | null; delivered_at: Date; updated_at: Date; attempts: number; error: string | null },
): Delivery {
  const error = row.error ? { error: row.error.slice(0, 500) } : {};
  if (row.status === 'sent' || row.status === 'recorded') {
    return { state: row.status, attempts: row.attempts, at: row.delivered_at, ...(row.external_ref ? { externalRef: row.external_ref } : {}) };
  }
  if (row.status === 'retrying') return { state: 'retrying', attempts: row.attempts, at: row.updated_at, ...error };
  return { state: 'failed', attempts: row.attempts, at: row.updated_at, ...error };
}

export function createDeliveryReads(db: pg.Pool, outbound: Queue<OutboundMessage>): DeliveryReads {
  return {
    async statusOf(outboundIds) {
      if (outboundIds.length === 0) return {};
      const r = await db.query<
        { outbound_id: string; status: 'sent' | 'recorded' | 'retrying' | 'failed' | 'bounced'; external_ref: string | null; delivered_at: Date;
          updated_at: Date; attempts: number; error: string | null }
      >(
        `select outbound_id, status, external_ref, delivered_at, updated_at, attempts, error
           from outbound_deliveries where outbound_id = any($1::uuid[])`,
        [outboundIds],
      );
      const out: Record<string, Delivery> = {};
      for (const row of r.rows) {
        // A refusal is recorded a moment before its job settles as failed: until then it reads as still being tried,
        // so a retry is offered only once it can be taken.
        const settling = row.status === 'failed' || row.status === 'bounced' ? await outbound.getJob(jobIdOf(row.outbound_id)) : undefined;
        out[row.outbound_id] = settling && (await settling.getState()) !== 'failed' ? { ...fromTrail(row), state: 'retrying' } : fromTrail(row);
      }
      for (const id of outboundIds.filter((x) => !out[x])) out[id] = await queued(outbound, id);
      return out;
    },
    async retry(outboundId) {
      const job = await outbound.getJob(jobIdOf(outboundId));
      if (!job || (await job.getState()) !== 'failed') return false;
      await job.retry('failed');
      return true;
    },
  };
}
