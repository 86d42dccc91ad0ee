import type { Config } from '../../lib/config.js';
import type { Network, NetworkContext, NetworkParts } from '../network.js';
import { createMaxClient } from './api.js';
import { createMaxBot } from './bot.js';
import { createMaxOutbound } from './outbound.js';
import { runMaxPolling, subscribeMaxWebhook } from './poller.js';
import { registerMaxWebhook } from './webhook.js';

const modes = (config: Config): Record<string, string> => ({
  max: config.max.botToken ? (config.max.webhookSecret ? 'webhook' : 'polling') : 'off',
});

/** What MAX accepts as a subscription secret (dev.max.ru POST /subscriptions). */
const MAX_SECRET = /^[A-Za-z0-9_-]{5,256}$/;

function warnings(config: Config): string[] {
  const { webhookSecret, botToken } = config.max;
  if (!botToken || !webhookSecret) return [];
  const out: string[] = [];
  if (!MAX_SECRET.test(webhookSecret)) out.push('MAX_WEBHOOK_SECRET should be 5–256 characters of A–Z, a–z, 0–9, "_" and "-": MAX refuses other secrets when subscribing.');
  if (!config.publicUrl) {
    out.push('MAX_WEBHOOK_SECRET is set but OTKLIK_PUBLIC_URL is not: subscribe <public address>/webhooks/max with this secret yourself (POST /subscriptions), or unset the secret for long polling.');
  }
  return out;
}

/**
 * The region's MAX bot (MAX_BOT_TOKEN): the citizen dialog, its group chats and channels as signals, replies.
 * Updates arrive at POST /webhooks/max when MAX_WEBHOOK_SECRET is set, by long polling otherwise.
 */
function build(ctx: NetworkContext): NetworkParts {
  const m = ctx.config.max;
  if (!m.botToken) return { tasks: [], adapter: createMaxOutbound(undefined), warnings: [] };
  const client = createMaxClient({ token: m.botToken, apiBaseUrl: m.apiBaseUrl });
  const bot = createMaxBot({ client, db: ctx.db, redis: ctx.redis, prefix: ctx.prefix, intake: ctx.intake, salt: ctx.salt, logger: ctx.logger, ratings: ctx.ratings });
  const tasks: NetworkParts['tasks'] = [];
  if (m.webhookSecret) {
    registerMaxWebhook(ctx.api, { bot, secret: m.webhookSecret, intake: ctx.intake, logger: ctx.logger });
    const publicUrl = ctx.config.publicUrl;
    if (publicUrl) tasks.push((signal) => subscribeMaxWebhook({ client, url: `${publicUrl}/webhooks/max`, secret: m.webhookSecret!, logger: ctx.logger }, signal));
  } else {
    tasks.push((signal) => runMaxPolling({ client, bot, intake: ctx.intake, cursors: ctx.cursors, logger: ctx.logger, holdSeconds: ctx.tuning.pollHoldSeconds }, signal));
  }
  return { tasks, adapter: createMaxOutbound(client), warnings: warnings(ctx.config) };
}

export const network: Network = { name: 'max', modes, check: () => {}, build };
