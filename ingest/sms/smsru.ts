/**
 * SMS.ru's HTTP API (https://sms.ru/api/send): `POST <base>/sms/send` with a form body `api_id`, `to` (the number's
 * digits, 79131234567), `msg` (UTF-8), `json=1` and optionally `from` (an approved sender name). The answer:
 *
 *   {"status": "OK", "status_code": 100, "balance": 4122.56,
 *    "sms": {"79131234567": {"status": "OK", "status_code": 100, "sms_id": "000000-10000000"}}}
 *
 * A request-level refusal is `{"status": "ERROR", "status_code": 200, "status_text": "…"}`; a per-number one puts
 * `"status": "ERROR"` and its code in the number's entry. The codes this adapter acts on:
 *
 * | code | meaning | here |
 * |---|---|---|
 * | 100 | accepted for sending | sent |
 * | 200, 300, 301, 302 | wrong api_id / token / password, account not confirmed | refused: our settings (dead-lettered) |
 * | 201, 206, 220 | not enough money, daily limit reached, service temporarily unavailable | retried |
 * | 202, 207, 209 | wrong number or no route to it, number may not be messaged, number in the stop list | bounced |
 * | 203, 205, 212 | no text, longer than 8 SMS, not UTF-8 | refused: the message |
 * | 204 | sender name not approved (SMS_SENDER) | refused: our settings |
 * | 230, 231, 232 | per-number limits of the day or the minute | refused: the number, for now |
 * | other | — | retried |
 */
import { z } from 'zod';
import { type HttpGatewayOptions, postForm, SmsRefused, type SmsGateway } from './gateway.js';

const entrySchema = z.object({ status: z.string(), status_code: z.coerce.number(), sms_id: z.string().optional(), status_text: z.string().optional() });
const answerSchema = entrySchema.extend({ sms: z.record(z.string(), entrySchema).optional(), balance: z.number().optional() });

const RETRY = new Set([201, 206, 220]);
const BOUNCE = new Set([202, 207, 209]);
const NUMBER_LIMITS = new Set([230, 231, 232]);

/** An SMS.ru code as what to do about it. */
export function smsRuOutcome(code: number): 'sent' | 'retry' | 'bounce' | 'refused' {
  if (code === 100) return 'sent';
  if (RETRY.has(code)) return 'retry';
  if (BOUNCE.has(code)) return 'bounce';
  if ([200, 203, 204, 205, 212, 300, 301, 302].includes(code) || NUMBER_LIMITS.has(code)) return 'refused';
  return 'retry';
}

/** Throws what the code means; returns nothing for 100. */
function act(entry: z.infer<typeof entrySchema>): void {
  const outcome = smsRuOutcome(entry.status_code);
  if (outcome === 'sent') return;
  const text = `SMS.ru answered ${entry.status_code}${entry.status_text ? ` (${entry.status_text})` : ''}`;
  if (outcome === 'retry') throw new Error(text);
  throw new SmsRefused(text, String(entry.status_code), outcome === 'bounce' || NUMBER_LIMITS.has(entry.status_code));
}

export function createSmsRuGateway(opts: HttpGatewayOptions): SmsGateway {
  return {
    name: 'smsru',
    async send(to, text) {
      const number = to.replace(/\D/g, '');
      const answer = await postForm(opts, 'SMS.ru', '/sms/send', { api_id: opts.apiKey, to: number, msg: text, json: '1',
        ...(opts.sender ? { from: opts.sender } : {}) }, answerSchema);
      act(answer);
      const entry = answer.sms?.[number];
      if (!entry) throw new Error(`SMS.ru's answer has no entry for the number`);
      act(entry);
      if (!entry.sms_id) throw new Error('SMS.ru accepted the message without an sms_id');
      return { providerId: entry.sms_id };
    },
  };
}
