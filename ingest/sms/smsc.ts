/**
 * SMSC.ru's HTTP API (https://smsc.ru/api/http/send/sms/): `POST <base>/sys/send.php` with a form body `apikey` (the
 * account's API key, in place of login and password), `phones` (E.164 with its `+`, which turns SMSC's number
 * auto-correction off), `mes`, `charset=utf-8`, `fmt=3` (JSON) and optionally `sender` (an approved sender name).
 * The answer is `{"id": 42, "cnt": 1}` (the message id and its number of parts), or a refusal
 * `{"error": "…", "error_code": N}` (with the message id for codes 3, 6, 7, 8). The codes:
 *
 * | code | meaning | here |
 * |---|---|---|
 * | 1, 5 | error in the parameters, wrong date format | refused: the message |
 * | 2 | wrong login, password or key, or an address outside the allowed list | refused: our settings (dead-lettered) |
 * | 3 | not enough money | retried |
 * | 4 | our address blocked for a while after frequent errors | retried |
 * | 6 | message forbidden (its text or the sender name) | refused: the message |
 * | 7, 8 | wrong number format, the number cannot be reached | bounced |
 * | 9 | the same message sent twice within a minute | retried |
 * | other | — | retried |
 */
import { z } from 'zod';
import { type HttpGatewayOptions, postForm, SmsRefused, type SmsGateway } from './gateway.js';

// A refusal may carry the message's id too (codes 3, 6, 7, 8), so the error is looked for first.
const answerSchema = z.union([
  z.object({ error: z.string().optional(), error_code: z.coerce.number() }),
  z.object({ id: z.union([z.number(), z.string()]), cnt: z.coerce.number().optional() }),
]);

/** An SMSC.ru error code as what to do about it. */
export function smscOutcome(code: number): 'retry' | 'bounce' | 'refused' {
  if (code === 7 || code === 8) return 'bounce';
  if ([1, 2, 5, 6].includes(code)) return 'refused';
  return 'retry';
}

export function createSmscGateway(opts: HttpGatewayOptions): SmsGateway {
  return {
    name: 'smsc',
    async send(to, text) {
      const answer = await postForm(opts, 'SMSC.ru', '/sys/send.php', { apikey: opts.apiKey, phones: to, mes: text, charset: 'utf-8', fmt: '3',
        ...(opts.sender ? { sender: opts.sender } : {}) }, answerSchema);
      if (!('error_code' in answer)) return { providerId: String(answer.id) };
      const message = `SMSC.ru answered error ${answer.error_code}${answer.error ? ` (${answer.error})` : ''}`;
      const outcome = smscOutcome(answer.error_code);
      if (outcome === 'retry') throw new Error(message);
      throw new SmsRefused(message, String(answer.error_code), outcome === 'bounce');
    },
  };
}
