import type { DeliveryChannel, OutboundMessage } from '../lib/queues.js';

export type Delivery = { status: 'sent' | 'recorded'; externalRef?: string };

/**
 * One channel's way out. Each network or direct channel has its adapter in its own folder under ingest/
 * (ingest/vk/outbound.ts, ingest/telegram/outbound.ts, ingest/email/, ingest/sms/); the outbound worker picks it by the
 * message's channel.
 */
export interface OutboundAdapter {
  channel: DeliveryChannel;
  /** Why this process cannot deliver on the channel (its settings are missing); the job is dead-lettered with it. */
  off?: string;
  /** What the channel runs on, for the log at start (`smtp smtp.example.ru:465`, `development mode`, …). */
  mode?: string;
  /** Delivers or throws: a TargetError for an address the channel can never reach (or a refusal for good), any other error to retry. */
  deliver(m: OutboundMessage): Promise<Delivery>;
  /** Lets go of connections (an SMTP pool). */
  close?(): Promise<void>;
}

/**
 * The message cannot be delivered as addressed: retrying will not help. `bounced` when the recipient's side refused
 * it (an SMTP 5xx for the mailbox, a number the SMS provider will not serve), as opposed to a message we could not
 * address at all.
 */
export class TargetError extends Error {
  readonly bounced: boolean;
  constructor(message: string, opts: { bounced?: boolean } = {}) {
    super(message);
    this.bounced = opts.bounced ?? false;
  }
}

/**
 * A network's adapter, which works only with the network's settings (`on`, undefined when they are absent): without
 * them the process is off on the channel and a job that reaches it anyway is dead-lettered, never retried.
 */
export function networkAdapter<On>(channel: DeliveryChannel, unset: { network: string; settings: string }, on: On | undefined,
  deliver: (on: On, m: OutboundMessage) => Promise<Delivery>): OutboundAdapter
{
  return {
    channel,
    off: on ? undefined : `${unset.network} is not configured (${unset.settings})`,
    async deliver(m) {
      if (!on) throw new TargetError(`${unset.network} is not configured`);
      return deliver(on, m);
    },
  };
}

/** `ivan@example.ru` → `i***@example.ru`, `+79131234567` → `+7913***4567`: enough to tell test addresses apart in a log. */
export function maskedRecipient(target: Record<string, string>): string | undefined {
  if (target.email) {
    const at = target.email.lastIndexOf('@');
    return at > 0 ? `${target.email[0]}***${target.email.slice(at)}` : '***';
  }
  if (target.phone) return target.phone.length > 8 ? `${target.phone.slice(0, 5)}***${target.phone.slice(-4)}` : '***';
  return undefined;
}

/**
 * A channel whose gateway is not configured — e-mail without SMTP_URL, SMS without SMS_API_KEY: the development mode.
 * The delivery is recorded (status `recorded`, shown to staff) and the whole message is logged, one-time codes
 * included, so development and demos see what would have gone out; the recipient is logged masked.
 */
export function recordingAdapter(channel: DeliveryChannel, log: (fields: Record<string, unknown>, msg: string) => void): OutboundAdapter {
  return {
    channel,
    mode: 'development mode: logged and recorded, not sent',
    async deliver(m) {
      // `body`, not `text`: the logger redacts texts everywhere else, and showing this one is the point of the mode.
      log({ channel, kind: m.kind, outboundId: m.outboundId, caseId: m.caseId, to: maskedRecipient(m.target), subject: m.subject, body: m.text,
        links: m.links }, `${channel} development mode: not sent (no gateway configured); the message would have been`);
      return { status: 'recorded' };
    },
  };
}
