import { z } from 'zod';
import { HttpError, type ApiBuilder } from '../../lib/api-builder.js';
import { sameToken } from '../../lib/http.js';
import type { Logger } from '../../lib/logger.js';
import type { Intake } from '../intake.js';
import type { MaxBot } from './bot.js';
import { maxUpdateSchema } from './normalize.js';

/**
 * MAX webhook (dev.max.ru, POST /subscriptions): MAX posts each Update and sends the `secret` given when subscribing
 * in X-Max-Bot-Api-Secret. A wrong or missing secret is refused before the body is read (malformed or not) and
 * nothing is stored.
 * We answer 200 only after the update is handled, so a failure makes MAX deliver it again.
 */
export function registerMaxWebhook(api: ApiBuilder, deps: { bot: MaxBot; secret: string; intake: Intake; logger: Logger }): void {
  const log = deps.logger.child({ component: 'max-webhook' });
  api.route({ method: 'post', path: '/webhooks/max', tag: 'ingest channels', auth: false, credential: 'maxSecret',
    summary: 'MAX Bot API webhook: one Update (messages to the bot and in its chats, button presses, «Начать»).',
    description: 'Answered only after the update is handled; any other answer makes MAX deliver it again. A redelivered update is handled once.',
    body: maxUpdateSchema, anyContentType: true, bodyLimit: 1024 * 1024, keepNul: true, invalidInput: (issues) => `body is not a MAX Update: ${issues}`,
    response: z.object({}), errors: { 403: 'Wrong or missing X-Max-Bot-Api-Secret', 503: 'The update could not be handled; MAX retries' },
    guardBeforeBody: true, guard: async (req) => {
      if (!sameToken(req.get('x-max-bot-api-secret') ?? '', deps.secret)) {
        await deps.intake.stats.dropped('max', 'bad_secret');
        throw new HttpError(403, 'wrong or missing X-Max-Bot-Api-Secret');
      }
    } }, async ({ body }) => {
    try {
      await deps.bot.handleUpdate(body);
    } catch (err) {
      await deps.intake.stats.failed('max');
      log.error({ err: (err as Error).message, updateType: body.update_type }, 'MAX update failed');
      throw new HttpError(503, 'update could not be handled, retry later');
    }
    return { body: {} };
  });
}
