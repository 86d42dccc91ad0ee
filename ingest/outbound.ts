import { DelayedError, type Job } from 'bullmq';
import type pg from 'pg';
import type { Logger } from '../lib/logger.js';
import { deliveryChannelOf, parsePayload, type DeliveryChannel, type OutboundMessage } from '../lib/queues.js';
import type { Sealer } from '../lib/seal.js';
import { dlq, drop, ok, type Outcome, type WorkerSpec } from '../lib/workers.js';
import { rateLimitOf } from './backoff.js';
import { TargetError, type Delivery, type OutboundAdapter } from './outbound-adapter.js';
import type { Channel, StatsStore } from './stats.js';
import { openOutbound } from '../lib/sealed-payloads.js';

export interface OutboundDeps {
  db: pg.Pool;
  stats: StatsStore;
  logger: Logger;
  /** One adapter per channel this process can deliver on (see outbound-adapter.ts). */
  adapters: OutboundAdapter[];
  /** Opens the recipient, which crosses Redis sealed (lib/seal.ts). */
  sealer: Sealer;
}

/** Delivers one outbound message on its channel; throws on faults (a rate limit is a RateLimited fault). */
export async function deliver(adapters: ReadonlyMap<DeliveryChannel, OutboundAdapter>, m: OutboundMessage): Promise<Delivery | { off: string }> {
  const channel = deliveryChannelOf(m);
  if (!channel) throw new TargetError(`nothing addresses this ${m.kind}: no channel, network or contact`);
  const adapter = adapters.get(channel);
  if (!adapter) return { off: `no ${channel} adapter in this process` };
  if (adapter.off) return { off: adapter.off };
  return adapter.deliver(m);
}

export function createOutboundWorker(deps: OutboundDeps): WorkerSpec {
  const log = deps.logger.child({ component: 'outbound' });
  const adapters = new Map(deps.adapters.map((a) => [a.channel, a] as const));
  const channelOf = (m: OutboundMessage): Channel => deliveryChannelOf(m) ?? m.source ?? 'email';
  return {
    queue: 'outbound',
    concurrency: 5,
    async processor(data, job: Job): Promise<Outcome> {
      const sealed = parsePayload('outbound', data);
      let m: OutboundMessage;
      try {
        m = openOutbound(deps.sealer, sealed);
      } catch (err) {
        return dlq(`recipient does not open: ${(err as Error).message}`);
      }
      const done = await deps.db.query('select 1 from outbound_deliveries where outbound_id = $1', [m.outboundId]);
      if (done.rowCount) return drop('already_delivered');
      let result: Awaited<ReturnType<typeof deliver>>;
      try {
        result = await deliver(adapters, m);
      } catch (err) {
        if (err instanceof TargetError) return dlq(err.message);
        const wait = rateLimitOf(err);
        if (wait !== undefined && job.token) {
          // The network asked us to slow down: come back after its hint without spending an attempt.
          log.warn({ outboundId: m.outboundId, channel: channelOf(m), retryInMs: wait }, 'rate limited; delivery delayed');
          await deps.stats.rateLimited(channelOf(m));
          await job.moveToDelayed(Date.now() + wait, job.token);
          throw new DelayedError();
        }
        await deps.stats.failed(channelOf(m));
        throw err;
      }
      if ('off' in result) return dlq(result.off);
      await deps.db.query(
        `insert into outbound_deliveries (outbound_id, message_id, case_id, source, channel, kind, target, text, status, external_ref, poll_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) on conflict (outbound_id) do nothing`,
        [m.outboundId, m.messageId ?? null, m.caseId ?? null, m.source ?? null, channelOf(m), m.kind, JSON.stringify(m.target), m.text, result.status,
          result.externalRef ?? null, m.pollId ?? null],
      );
      await deps.stats.sent(channelOf(m));
      return ok({ delivered: result.status, externalRef: result.externalRef });
    },
  };
}
