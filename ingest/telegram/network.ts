import type { Config } from '../../lib/config.js';
import type { Network, NetworkContext, NetworkParts } from '../network.js';
import { createTelegramBot } from './bot.js';
import { createTelegramOutbound } from './outbound.js';
import { registerTelegramWebhook } from './webhook.js';

const modes = (config: Config): Record<string, string> => ({
  telegram: config.telegram.botToken ? (config.telegram.webhookSecret ? 'webhook' : 'polling') : 'off',
});

/** The citizen bot and group/channel monitoring: a webhook when TELEGRAM_WEBHOOK_SECRET is set, long polling otherwise. */
function build(ctx: NetworkContext): NetworkParts {
  const t = ctx.config.telegram;
  if (!t.botToken) return { tasks: [], adapter: createTelegramOutbound(undefined, ctx.polls), warnings: [] };
  const bot = createTelegramBot({ token: t.botToken, apiRoot: t.apiRoot, db: ctx.db, redis: ctx.redis, prefix: ctx.prefix, intake: ctx.intake,
    cursors: ctx.cursors, salt: ctx.salt, logger: ctx.logger, polls: ctx.polls, ratings: ctx.ratings, staffLinks: ctx.staffLinks });
  const tasks: NetworkParts['tasks'] = [];
  if (t.webhookSecret) registerTelegramWebhook(ctx.api, { bot, secret: t.webhookSecret, logger: ctx.logger });
  else tasks.push((signal) => bot.runPolling(signal, { timeoutSeconds: ctx.tuning.pollHoldSeconds }));
  return { tasks, adapter: createTelegramOutbound(bot.telegram, ctx.polls), warnings: [] };
}

export const network: Network = { name: 'telegram', modes, check: () => {}, build };
