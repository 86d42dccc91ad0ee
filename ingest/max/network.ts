import { ConfigError, type Config } from '../../lib/config.js';
import type { Network, NetworkContext, NetworkParts } from '../network.js';
import { createMaxClient } from './api.js';
import { createMaxBot } from './bot.js';
import { createMaxOutbound } from './outbound.js';
import { runMaxPolling, subscribeMaxWebhook } from './poller.js';
import { registerMaxWebhook } from './webhook.js';

/**
 * How updates arrive: MAX pushes them to a public address (a webhook, subscribed with the secret MAX then sends in
 * X-Max-Bot-Api-Secret), or the bot asks for them (long polling) when Otklik has no public address.
 */
export function maxMode(config: Config): 'off' | 'webhook' | 'polling' {
  if (!config.max.botToken) return 'off';
  return config.publicUrl ? 'webhook' : 'polling';
}

const modes = (config: Config): Record<string, string> => ({ max: maxMode(config) });

/** What MAX accepts as a subscription secret (dev.max.ru POST /subscriptions). */
const MAX_SECRET = /^[A-Za-z0-9_-]{5,256}$/;

/**
 * With a public address MAX pushes to the webhook, and only the secret tells its calls from forged ones: without a
 * secret MAX would be subscribed to an endpoint anyone may post to, so ingest refuses to start. A secret MAX refuses
 * when subscribing would leave the bot deaf.
 */
function check(config: Config): void {
  if (maxMode(config) !== 'webhook') return;
  const secret = config.max.webhookSecret;
  if (!secret) {
    throw new ConfigError('MAX_BOT_TOKEN and OTKLIK_PUBLIC_URL are set but MAX_WEBHOOK_SECRET is not: MAX would push updates to ' +
      '/webhooks/max with nothing to prove they come from MAX. Set a secret (e.g. `openssl rand -hex 24`), or unset OTKLIK_PUBLIC_URL for long polling.');
  }
  if (!MAX_SECRET.test(secret)) {
    throw new ConfigError('MAX_WEBHOOK_SECRET must be 5–256 characters of A–Z, a–z, 0–9, "_" and "-": MAX refuses other secrets when subscribing.');
  }
}

/**
 * The region's MAX bot (MAX_BOT_TOKEN): the citizen dialog, its group chats and channels as signals, replies.
 * With OTKLIK_PUBLIC_URL, updates arrive at POST /webhooks/max, subscribed by ingest itself; without it, by long
 * polling. The endpoint is served whenever a secret is set, so an update pushed to it (a subscription made by hand
 * before the poller removed it, a relay) is still handled once rather than lost.
 */
function build(ctx: NetworkContext): NetworkParts {
  const m = ctx.config.max;
  if (!m.botToken) return { tasks: [], adapter: createMaxOutbound(undefined), warnings: [] };
  const client = createMaxClient({ token: m.botToken, apiBaseUrl: m.apiBaseUrl });
  const bot = createMaxBot({ client, db: ctx.db, redis: ctx.redis, prefix: ctx.prefix, intake: ctx.intake, salt: ctx.salt, logger: ctx.logger,
    ratings: ctx.ratings });
  if (m.webhookSecret) registerMaxWebhook(ctx.api, { bot, secret: m.webhookSecret, intake: ctx.intake, logger: ctx.logger });
  const publicUrl = ctx.config.publicUrl;
  const task: NetworkParts['tasks'][number] = publicUrl
    ? (signal) => subscribeMaxWebhook({ client, url: `${publicUrl}/webhooks/max`, secret: m.webhookSecret!, logger: ctx.logger }, signal)
    : (signal) => runMaxPolling({ client, bot, intake: ctx.intake, cursors: ctx.cursors, logger: ctx.logger, holdSeconds: ctx.tuning.pollHoldSeconds }, signal);
  return { tasks: [task], adapter: createMaxOutbound(client), warnings: [] };
}

export const network: Network = { name: 'max', modes, check, build };
