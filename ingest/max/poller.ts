/**
 * How MAX updates reach the bot when no webhook is set: long polling (GET /updates with `marker`, dev.max.ru), and
 * the webhook subscription (POST /subscriptions with `url` and `secret`) when one is.
 */
import type { Logger } from '../../lib/logger.js';
import { backoffMs, rateLimitOf, sleep } from '../backoff.js';
import type { CursorStore } from '../cursors.js';
import type { Intake } from '../intake.js';
import { pollUntilAborted } from '../poll-loop.js';
import type { MaxClient } from './api.js';
import { MAX_UPDATE_TYPES, type MaxBot } from './bot.js';
import { maxUpdateSchema } from './normalize.js';

export interface MaxPollingDeps {
  client: MaxClient;
  bot: MaxBot;
  intake: Intake;
  cursors: CursorStore;
  logger: Logger;
  /** Seconds MAX holds a request open (0–90). */
  holdSeconds?: number;
}

const CURSOR = 'max:marker';

/**
 * Long polling. The marker is saved once every update of a batch is handled, so a restart repeats at most one
 * batch (each update is handled once: the bot remembers what it handled) and skips nothing MAX still keeps.
 * MAX refuses long polling while a webhook subscription exists, so the subscriptions are removed first.
 */
export async function runMaxPolling(deps: MaxPollingDeps, signal: AbortSignal): Promise<void> {
  const log = deps.logger.child({ component: 'max-polling' });
  let marker = (await deps.cursors.get<{ marker: number }>(CURSOR))?.marker;
  let unsubscribed = false;
  await pollUntilAborted({ network: 'max', stats: deps.intake.stats, log, what: 'MAX long polling', retryAfter: rateLimitOf }, signal, async () => {
    if (!unsubscribed) {
      await dropSubscriptions(deps.client, log);
      unsubscribed = true;
    }
    const answer = await deps.client.call((api) => api.getUpdates([...MAX_UPDATE_TYPES], { marker, timeout: deps.holdSeconds ?? 30, limit: 100, signal }));
    for (const raw of answer.updates ?? []) await handleOne(deps, raw);
    if (typeof answer.marker === 'number') {
      marker = answer.marker;
      await deps.cursors.set(CURSOR, { marker });
    }
  });
}

/** An update MAX sends that we cannot read is counted and skipped: it would block the marker forever otherwise. */
async function handleOne(deps: MaxPollingDeps, raw: unknown): Promise<void> {
  const parsed = maxUpdateSchema.safeParse(raw);
  if (!parsed.success) return deps.intake.stats.dropped('max', 'invalid_update');
  await deps.bot.handleUpdate(parsed.data);
}

async function dropSubscriptions(client: MaxClient, log: Logger): Promise<void> {
  const subscriptions = (await client.call((api) => api.getSubscriptions())) ?? [];
  for (const s of subscriptions) {
    log.warn({ url: s.url }, 'removing a MAX webhook subscription: long polling does not work while one is active');
    await client.call((api) => api.unsubscribe(s.url));
  }
}

/** Subscribes `url` with the secret MAX will send back in X-Max-Bot-Api-Secret; retries until it succeeds or ingest stops. */
export async function subscribeMaxWebhook(deps: { client: MaxClient; url: string; secret: string; logger: Logger }, signal: AbortSignal): Promise<void> {
  const log = deps.logger.child({ component: 'max-webhook' });
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      const r = await deps.client.call((api) => api.subscribe(deps.url, deps.secret, [...MAX_UPDATE_TYPES]));
      if (r.success) return void log.info({ url: deps.url }, 'MAX webhook subscribed');
      throw new Error(`MAX refused the subscription: ${r.message}`);
    } catch (err) {
      const wait = rateLimitOf(err) ?? backoffMs(attempt, 1000, 300_000);
      log.warn({ err: (err as Error).message, retryInMs: wait }, 'MAX webhook subscription failed; retrying');
      await sleep(wait, signal);
    }
  }
}
