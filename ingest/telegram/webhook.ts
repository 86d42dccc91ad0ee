import type { Update } from '@telegraf/types';
import { z } from 'zod';
import { HttpError, type ApiBuilder } from '../../lib/api-builder.js';
import { sameToken } from '../../lib/http.js';
import type { Logger } from '../../lib/logger.js';
import { unixSeconds } from '../../lib/request-schemas.js';
import type { TelegramBot } from './bot.js';

// Only what the bot reads is checked, so a malformed update is a 400 (Telegram would otherwise redeliver a 503
// forever) while fields Telegram adds later pass through. Every field of a real Update besides update_id is an object.
const chat = z.object({ id: z.number().int(), type: z.string() }).loose();
const user = z.object({ id: z.number().int() }).loose();
const message = z.object({
  message_id: z.number().int(),
  date: unixSeconds,
  chat,
  from: user.optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
}).loose();
const updateSchema = z.object({
  update_id: z.number().int().nonnegative(),
  message: message.optional(),
  channel_post: message.optional(),
  callback_query: z.object({ id: z.string(), from: user, data: z.string().optional(), message: message.optional() }).loose().optional(),
}).catchall(z.record(z.string(), z.unknown()));

/**
 * Telegram webhook: Telegram sends the secret given to setWebhook in X-Telegram-Bot-Api-Secret-Token. We answer
 * 200 only after the update is handled, so a failure makes Telegram deliver it again.
 */
export function registerTelegramWebhook(api: ApiBuilder, deps: { bot: TelegramBot; secret: string; logger: Logger }): void {
  const log = deps.logger.child({ component: 'telegram-webhook' });
  api.route({ method: 'post', path: '/webhooks/telegram', tag: 'ingest channels', auth: false, credential: 'telegramSecret',
    summary: 'Telegram Bot API webhook: one Update (messages to the bot, channel posts, poll votes by button).',
    description: 'Answered only after the update is handled; any other answer makes Telegram deliver it again.', body: updateSchema, anyContentType: true,
    bodyLimit: 1024 * 1024, keepNul: true, invalidInput: () => 'body is not a Telegram Update (update_id is required)', response: z.object({}),
    errors: { 403: 'Wrong or missing X-Telegram-Bot-Api-Secret-Token', 503: 'The update could not be handled; Telegram retries' }, guardBeforeBody: true,
    guard: (req) => {
      if (!sameToken(req.get('x-telegram-bot-api-secret-token') ?? '', deps.secret)) {
        throw new HttpError(403, 'wrong or missing X-Telegram-Bot-Api-Secret-Token');
      }
    } }, async ({ body }) => {
    try {
      await deps.bot.handleUpdate(body as unknown as Update);
    } catch (err) {
      log.error({ err: (err as Error).message, updateId: body.update_id }, 'Telegram update failed');
      throw new HttpError(503, 'update could not be handled, retry later');
    }
    return { body: {} };
  });
}
