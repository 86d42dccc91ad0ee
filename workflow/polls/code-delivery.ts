/**
 * One-time codes leave like every message to a citizen: a job on the outbound queue (channel `sms` for a phone,
 * `email` for a mailbox) served by ingest's adapters, with retries and a delivery record. The code and the recipient
 * cross Redis sealed (lib/sealed-payloads.ts); only in development mode (no gateway) is a code written to the log.
 */
import { uuidV5 } from '../../lib/ids.js';
import type { OutboundMessage, Queues } from '../../lib/queues.js';
import type { Sealer } from '../../lib/seal.js';
import { sealOutbound } from '../../lib/sealed-payloads.js';
import type { CodeDelivery } from './identity.js';

/** The message carrying a code: short enough for one SMS, the e-mail says where it came from and what to do. */
export function codeMessage(d: CodeDelivery): OutboundMessage {
  const outboundId = uuidV5(`identity-code:${d.challengeId}`);
  if (d.channel === 'phone') {
    return { outboundId, channel: 'sms', kind: 'code', target: { phone: d.destination },
      text: `Код подтверждения «Отклик»: ${d.code}. Никому его не сообщайте.` };
  }
  return { outboundId, channel: 'email', kind: 'code', subject: `Код подтверждения: ${d.code}`, target: { email: d.destination },
    text: `Ваш код подтверждения: ${d.code}\n\nВведите его на странице голосования. Код действует ${d.ttlMinutes} минут. ` +
      'Если вы не запрашивали код, просто проигнорируйте это письмо.' };
}

export function queuedCodeDelivery(queues: Pick<Queues, 'outbound'>, sealer: Sealer): (d: CodeDelivery) => Promise<void> {
  return async (d) => {
    const m = codeMessage(d);
    // A code is useless in ten minutes: a few quick retries, not the hours a case notice may wait.
    await queues.outbound.add('code', sealOutbound(sealer, m), { jobId: `outbound-${m.outboundId}`, attempts: 4,
      backoff: { type: 'exponential', delay: 2000 } });
  };
}
