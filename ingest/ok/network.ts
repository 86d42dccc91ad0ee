import { ConfigError, type Config } from '../../lib/config.js';
import type { Logger } from '../../lib/logger.js';
import { backoffMs, rateLimitOf, sleep } from '../backoff.js';
import type { Network, NetworkContext, NetworkParts } from '../network.js';
import { createOkClient, type OkClient } from './api.js';
import { runOkCommentsMonitor } from './comments.js';
import { createOkOutbound } from './outbound.js';
import { registerOkWebhook } from './webhook.js';

const tokensOf = (config: Config) => new Map(config.ok.groups.filter((g) => g.token).map((g) => [g.id, g.token!]));
const restOf = (config: Config) => {
  const o = config.ok;
  return o.applicationKey && o.applicationSecretKey && o.accessToken
    ? { applicationKey: o.applicationKey, applicationSecretKey: o.applicationSecretKey, accessToken: o.accessToken } :
    undefined;
};

const modes = (config: Config): Record<string, string> => ({
  ok: tokensOf(config).size > 0 && config.ok.webhookSecret ? 'webhook' : 'off',
  ok_comments: restOf(config) && config.ok.groups.length > 0 ? 'polling' : 'off',
});

/** The webhook's only credential is its address: a short or guessable secret would let anyone post as a group's chat. */
function check(config: Config): void {
  const secret = config.ok.webhookSecret;
  if (secret !== undefined && !/^[A-Za-z0-9_-]{16,200}$/.test(secret)) {
    throw new ConfigError('OK_WEBHOOK_SECRET must be 16–200 characters of A–Z, a–z, 0–9, "_" and "-": it is the only proof that a webhook call comes from OK ' +
      '(e.g. `openssl rand -hex 24`).');
  }
}

function warnings(config: Config): string[] {
  const out: string[] = [];
  if (tokensOf(config).size > 0 && !config.ok.webhookSecret) {
    out.push('OK_GROUPS has Bot API keys but OK_WEBHOOK_SECRET is not set: messages to the groups are not taken.');
  }
  if (config.ok.webhookSecret && tokensOf(config).size > 0 && !config.publicUrl) {
    out.push(
      'OK_WEBHOOK_SECRET is set but OTKLIK_PUBLIC_URL is not: subscribe <public address>/webhooks/ok/<groupId>/<secret> for each group yourself (POST /graph/me/subscribe).',
    );
  }
  return out;
}

/** Subscribes one group's webhook (graph.user.subscribe), retrying until OK accepts or ingest stops. */
async function subscribe(client: OkClient, token: string, url: string, log: Logger, signal: AbortSignal): Promise<void> {
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      const r = await client.graph(token, 'me/subscribe', { url }) as { success?: unknown };
      if (r?.success !== false) return void log.info({}, 'OK group webhook subscribed');
      throw new Error('OK refused the subscription (success: false)');
    } catch (err) {
      const wait = rateLimitOf(err) ?? backoffMs(attempt, 1000, 300_000);
      log.warn({ err: (err as Error).message, retryInMs: wait }, 'OK webhook subscription failed; retrying');
      await sleep(wait, signal);
    }
  }
}

/**
 * Одноклассники (OK_GROUPS): messages to the region's groups as appeals (a webhook per group), comments under the
 * groups' posts as signals (REST API, polled), replies from the group in the chat or under the post.
 */
function build(ctx: NetworkContext): NetworkParts {
  const { config } = ctx;
  const tokens = tokensOf(config);
  const rest = restOf(config);
  const client = createOkClient({ apiBaseUrl: config.ok.apiBaseUrl, rest });
  const tasks: NetworkParts['tasks'] = [];
  const secret = config.ok.webhookSecret;
  if (ctx.modes.ok === 'webhook' && secret) {
    registerOkWebhook(ctx.api, { intake: ctx.intake, salt: ctx.salt, secret, groupIds: [...tokens.keys()], logger: ctx.logger });
    const publicUrl = config.publicUrl;
    const log = ctx.logger.child({ component: 'ok-webhook' });
    if (publicUrl) {
      for (const [groupId, token] of tokens) tasks.push((signal) => subscribe(client, token, `${publicUrl}/webhooks/ok/${groupId}/${secret}`, log, signal));
    }
  }
  if (ctx.modes.ok_comments === 'polling' && client.rest) {
    tasks.push((signal) =>
      runOkCommentsMonitor({ rest: client.rest!, groupIds: config.ok.groups.map((g) => g.id), intake: ctx.intake, cursors: ctx.cursors, salt: ctx.salt,
        logger: ctx.logger, intervalMs: ctx.tuning.sweepIntervalMs ?? config.ok.commentsIntervalSeconds * 1000 }, signal)
    );
  }
  const configured = tokens.size > 0 || rest !== undefined;
  return { tasks, adapter: createOkOutbound(configured ? { client, tokens } : undefined), warnings: warnings(config) };
}

export const network: Network = { name: 'ok', modes, check, build };
