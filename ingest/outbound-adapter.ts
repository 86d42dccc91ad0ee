import type { DeliveryChannel, OutboundMessage } from '../lib/queues.js';

export type Delivery = { status: 'sent' | 'recorded'; externalRef?: string };

/**
 * One channel's way out. Each network or direct channel has its adapter in its own folder under ingest/
 * (ingest/vk/outbound.ts, ingest/telegram/outbound.ts, …); the outbound worker picks it by the message's channel.
 */
export interface OutboundAdapter {
  channel: DeliveryChannel;
  /** Why this process cannot deliver on the channel (its settings are missing); the job is dead-lettered with it. */
  off?: string;
  /** Delivers or throws: a TargetError for an address the channel can never reach (or a refusal for good), any other error to retry. */
  deliver(m: OutboundMessage): Promise<Delivery>;
}

/** The message cannot be delivered as addressed: retrying will not help. */
export class TargetError extends Error {}

/**
 * A channel whose gateway is not configured: the delivery is recorded (status `recorded`, shown to staff and on the
 * citizen's status page) and logged without the recipient, so development and demos see what would have gone out.
 */
export function recordingAdapter(channel: DeliveryChannel, log: (fields: Record<string, unknown>, msg: string) => void): OutboundAdapter {
  return {
    channel,
    async deliver(m) {
      log({ channel, kind: m.kind, outboundId: m.outboundId, caseId: m.caseId }, `no ${channel} gateway configured: delivery recorded, not sent`);
      return { status: 'recorded' };
    },
  };
}
