import { DelayedError, type Job } from 'bullmq';
import type pg from 'pg';
import type { DeliveryStatus } from '../lib/deliveries.js';
import type { Logger } from '../lib/logger.js';
import { deliveryChannelOf, parsePayload, type DeliveryChannel, type OutboundMessage } from '../lib/queues.js';
import type { Sealer } from '../lib/seal.js';
import { dlq, drop, ok, type Outcome, type WorkerSpec } from '../lib/workers.js';
import { rateLimitOf } from './backoff.js';
import { alreadyDelivered, recordAttempt } from './delivery-log.js';
import { TargetError, type Delivery, type OutboundAdapter } from './outbound-adapter.js';
import type { Channel, StatsStore } from './stats.js';
import { openOutbound } from '../lib/sealed-payloads.js';

/** Counts each delivery outcome per channel (the `otklik_outbound_deliveries_total` metric). */
export type DeliveryObserver = (channel: string, status: DeliveryStatus | 'rate_limited') => void;

export interface OutboundDeps {
  db: pg.Pool;
  stats: StatsStore;
  logger: Logger;
  /** One adapter per channel this process can deliver on (see outbound-adapter.ts). */
  adapters: OutboundAdapter[];
  /** Opens the recipient, which crosses Redis sealed (lib/seal.ts). */
  sealer: Sealer;
  observe?: DeliveryObserver;
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

/** Whether BullMQ will try this job again after the current attempt fails. */
const lastAttempt = (job: Job) => job.attemptsMade + 1 >= (job.opts.attempts ?? 1);

export function createOutboundWorker(deps: OutboundDeps): WorkerSpec {
  const log = deps.logger.child({ component: 'outbound' });
  const adapters = new Map(deps.adapters.map((a) => [a.channel, a] as const));
  const channelOf = (m: OutboundMessage): Channel => deliveryChannelOf(m) ?? m.source ?? 'email';
  /**
   * The attempt in the delivery trail and the metric. A failed attempt that cannot be recorded must not hide the
   * failure; a delivery that cannot be recorded throws, as before the trail: the retry finds no record and delivers.
   */
  const note = async (m: OutboundMessage, status: DeliveryStatus, extra: { externalRef?: string; error?: string } = {}) => {
    deps.observe?.(channelOf(m), status);
    const recorded = recordAttempt(deps.db, m, { channel: channelOf(m), status, ...extra });
    if (status === 'sent' || status === 'recorded') return recorded;
    await recorded.catch((err: unknown) => log.warn({ outboundId: m.outboundId, err: (err as Error).message }, 'delivery attempt not recorded'));
  };

  async function failed(m: OutboundMessage, job: Job, err: unknown): Promise<Outcome> {
    if (err instanceof TargetError) {
      await note(m, err.bounced ? 'bounced' : 'failed', { error: err.message });
      log.warn({ outboundId: m.outboundId, channel: channelOf(m), kind: m.kind, bounced: err.bounced, err: err.message }, 'delivery refused for good');
      return dlq(err.message);
    }
    const wait = rateLimitOf(err);
    if (wait !== undefined && job.token) {
      // The network asked us to slow down: come back after its hint without spending an attempt.
      log.warn({ outboundId: m.outboundId, channel: channelOf(m), retryInMs: wait }, 'rate limited; delivery delayed');
      deps.observe?.(channelOf(m), 'rate_limited');
      await deps.stats.rateLimited(channelOf(m));
      await job.moveToDelayed(Date.now() + wait, job.token);
      throw new DelayedError();
    }
    await deps.stats.failed(channelOf(m));
    await note(m, lastAttempt(job) ? 'failed' : 'retrying', { error: (err as Error).message });
    throw err;
  }

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
      if (await alreadyDelivered(deps.db, m.outboundId)) return drop('already_delivered');
      let result: Awaited<ReturnType<typeof deliver>>;
      try {
        result = await deliver(adapters, m);
      } catch (err) {
        return failed(m, job, err);
      }
      if ('off' in result) {
        await note(m, 'failed', { error: result.off });
        return dlq(result.off);
      }
      await note(m, result.status, { externalRef: result.externalRef });
      await deps.stats.sent(channelOf(m));
      return ok({ delivered: result.status, externalRef: result.externalRef });
    },
  };
}
