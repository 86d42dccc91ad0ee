/**
 * SMS through the configured gateway (gateway.ts; SMS.ru built in). A text message is short: the notice's text and
 * links are fitted into MAX_SMS_CHARS (8 Cyrillic parts of 67 characters, SMS.ru's limit), cutting the text and
 * keeping the links, which lead to the whole of it. Providers have no idempotency key: a crash between the provider's
 * acceptance and our record can send one SMS twice, never lose one.
 */
import { SMS_MAX_CHARS, type OutboundMessage } from '../../lib/queues.js';
import { TargetError, type OutboundAdapter } from '../outbound-adapter.js';
import { createSmscGateway } from './smsc.js';
import { createSmsRuGateway } from './smsru.js';
import { SmsRefused, type SmsGateway, type SmsSettings } from './gateway.js';

export const MAX_SMS_CHARS = SMS_MAX_CHARS;

/** The text and its links, at most `max` characters: the text is cut (with an ellipsis) before a link is. */
export function smsText(m: Pick<OutboundMessage, 'text' | 'links'>, max = MAX_SMS_CHARS): string {
  const links = (m.links ?? []).map((l) => `${l.title}: ${l.url}`).join('\n');
  const tail = links ? `\n${links}` : '';
  if (m.text.length + tail.length <= max) return `${m.text}${tail}`;
  const room = max - tail.length - 1;
  if (room < 20) return `${m.text.slice(0, max - 1)}…`;
  return `${m.text.slice(0, room).trimEnd()}…${tail}`;
}

export function createSmsGateway(settings: SmsSettings): SmsGateway {
  switch (settings.provider) {
    case 'smsru':
      return createSmsRuGateway({ apiKey: settings.apiKey, baseUrl: settings.baseUrl, sender: settings.sender });
    case 'smsc':
      return createSmscGateway({ apiKey: settings.apiKey, baseUrl: settings.baseUrl, sender: settings.sender });
  }
}

export function createSmsOutbound(gateway: SmsGateway, baseUrl?: string): OutboundAdapter {
  return {
    channel: 'sms',
    mode: `${gateway.name}${baseUrl ? ` ${baseUrl}` : ''}`,
    async deliver(m: OutboundMessage) {
      if (!m.target.phone) throw new TargetError('sms target needs a phone number (target.phone)');
      try {
        const { providerId } = await gateway.send(m.target.phone, smsText(m));
        return { status: 'sent', externalRef: `${gateway.name}:${providerId}` };
      } catch (err) {
        if (err instanceof SmsRefused) throw new TargetError(err.message, { bounced: err.recipient });
        throw err;
      }
    },
  };
}
