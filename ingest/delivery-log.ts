/**
 * `outbound_deliveries`: one row per outbound message, written by the outbound worker as its attempts go (sent,
 * recorded, retrying, failed, bounced). The outboundId makes a redelivered job that was delivered a no-op. Read by
 * staff as the case's delivery trail (through main.ts) and by operators (docs/operations.md).
 */
import type pg from 'pg';
import type { CaseDelivery, DeliveryStatus } from '../lib/deliveries.js';
import type { OutboundMessage } from '../lib/queues.js';

/** Whether the message already went out (or was recorded): a job redelivered after that must not send it again. */
export async function alreadyDelivered(db: pg.Pool, outboundId: string): Promise<boolean> {
  const r = await db.query(`select 1 from outbound_deliveries where outbound_id = $1 and status in ('sent', 'recorded')`, [outboundId]);
  return (r.rowCount ?? 0) > 0;
}

/**
 * The outcome of one attempt. A code's text is not kept once it was really sent (the clear code served its purpose);
 * in development mode it is, as the record of what would have been sent.
 */
export async function recordAttempt(db: pg.Pool, m: OutboundMessage,
  a: { channel: string; status: DeliveryStatus; externalRef?: string; error?: string }): Promise<void>
{
  const text = m.kind === 'code' && a.status !== 'recorded' ? '(код подтверждения не хранится)' : m.text;
  await db.query(
    `insert into outbound_deliveries (outbound_id, message_id, case_id, source, channel, kind, target, text, status, external_ref, poll_id, error)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     on conflict (outbound_id) do update set status = excluded.status, external_ref = coalesce(excluded.external_ref, outbound_deliveries.external_ref),
       error = excluded.error, text = excluded.text, attempts = outbound_deliveries.attempts + 1, updated_at = now()
     where outbound_deliveries.status not in ('sent', 'recorded')`,
    [m.outboundId, m.messageId ?? null, m.caseId ?? null, m.source ?? null, a.channel, m.kind, JSON.stringify(m.target), text, a.status, a.externalRef ?? null,
      m.pollId ?? null, a.error?.slice(0, 2000) ?? null],
  );
}

export async function deliveriesOfCase(db: pg.Pool, caseId: string): Promise<CaseDelivery[]> {
  const r = await db.query<CaseDelivery>(
    `select outbound_id as "outboundId", channel, kind, status, attempts, error, external_ref as "externalRef",
            delivered_at as "deliveredAt", updated_at as "updatedAt"
       from outbound_deliveries where case_id = $1 order by delivered_at, outbound_id`,
    [caseId],
  );
  return r.rows;
}
