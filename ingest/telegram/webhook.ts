import { timingSafeEqual } from 'node:crypto';
import type { Update } from '@telegraf/types';
import express, { type Router } from 'express';
import { z } from 'zod';
import type { Logger } from '../../lib/logger.js';
import { unixSeconds } from '../../lib/request-schemas.js';
import type { TelegramBot } from './bot.js';

// Only what the bot reads is checked, so a malformed update is a 400 (Telegram would otherwise redeliver a 503
// forever) while fields Telegram adds later pass through. Every field of a real Update besides update_id is an object.
const chat = z.object({ id: z.number().int(), type: z.string() }).loose();
const user = z.object({ id: z.number().int() }).loose();
const message = z.object({
  message_id: z.number().int(), date: unixSeconds, chat, from: user.optional(),
  text: z.string().optional(), caption: z.string().optional(),
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
export function createTelegramWebhookRouter(deps: { bot: TelegramBot; secret: string; logger: Logger }): Router {
  const router = express.Router();
  const log = deps.logger.child({ component: 'telegram-webhook' });
  const expected = Buffer.from(deps.secret);
  router.post('/webhooks/telegram', express.json({ limit: '1mb', type: () => true }), async (req, res) => {
    const given = Buffer.from(req.get('x-telegram-bot-api-secret-token') ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return void res.status(403).json({ error: 'wrong or missing X-Telegram-Bot-Api-Secret-Token' });
    }
    const update = updateSchema.safeParse(req.body);
    if (!update.success) return void res.status(400).json({ error: 'body is not a Telegram Update (update_id is required)' });
    try {
      await deps.bot.handleUpdate(update.data as unknown as Update);
    } catch (err) {
      log.error({ err: (err as Error).message, updateId: update.data.update_id }, 'Telegram update failed');
      return void res.status(503).json({ error: 'update could not be handled, retry later' });
    }
    res.json({});
  });
  return router;
}
