/**
 * The ingest stage: every channel's intake (webhooks, pollers), the outbound worker that answers on the original
 * channel, and the counters. Built once by main.ts from real clients; nothing here is a singleton.
 */
import type { RequestHandler, Router } from 'express';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { API } from 'vk-io';
import type { Telegram } from 'telegraf';
import { ApiBuilder } from '../lib/api-builder.js';
import { ConfigError, type Config } from '../lib/config.js';
import type { Logger } from '../lib/logger.js';
import type { Queues } from '../lib/queues.js';
import { createSealer } from '../lib/seal.js';
import type { WorkerSpec } from '../lib/workers.js';
import type { CaseLookups } from './case-lookups.js';
import { registerContactCenterRoute } from './contact-center.js';
import { createCursorStore, type CursorStore } from './cursors.js';
import { createIntake, type Intake } from './intake.js';
import { registerMessagesRoutes } from './messages-api.js';
import { createOutboundWorker } from './outbound.js';
import { recordingAdapter, type OutboundAdapter } from './outbound-adapter.js';
import { createTelegramOutbound } from './telegram/outbound.js';
import { createVkOutbound } from './vk/outbound.js';
import { createStatsStore, type CountObserver, type StatsStore } from './stats.js';
import { createTelegramBot, type PollBallotBox, type RatingDesk, type TelegramBot } from './telegram/bot.js';
import type { StaffLinkDesk } from './telegram/staff-link.js';
import { registerTelegramWebhook } from './telegram/webhook.js';
import { createVkApi } from './vk/api.js';
import { parseConfirmation, registerVkCallback } from './vk/callback.js';
import { runVkLongPoll } from './vk/long-poll.js';
import { runNewsfeedMonitor } from './vk/newsfeed.js';
import { createWidgetRouter, registerWidgetRoutes, widgetPollCors } from './widget/router.js';

export interface IngestDeps {
  config: Config;
  db: pg.Pool;
  queues: Pick<Queues, 'incoming'>;
  redis: Redis;
  salt: string;
  logger: Logger;
  /** The workflow's bearer-token middleware, for the staff-only listing endpoints. */
  requireAuth?: RequestHandler;
  /** What ingest asks of the stage that owns messages and cases (main.ts binds workflow/public-reads.ts). */
  cases: CaseLookups;
  region?: string;
  /** The polls' ballot box (main.ts passes it): Telegram poll voting and pushed polls. */
  polls?: PollBallotBox;
  /** The workflow's citizen desk (main.ts passes it): the Telegram bot's rating buttons. */
  ratings?: RatingDesk;
  /** The workflow's staff link desk (main.ts passes it): `/link <code>` links a staff account's alerts to the chat. */
  staffLinks?: StaffLinkDesk;
  /** Test knobs: vk-io's pause between retries of a failed request, long-poll hold time. */
  vkRetryWaitMs?: number;
  longPollWaitSeconds?: number;
  telegramPollTimeoutSeconds?: number;
  /** Per-process counts of what each channel took in (the `otklik_ingest_total` metric). */
  observeCount?: CountObserver;
}

export interface Ingest {
  /** In mounting order; they include the router of `api`. */
  routers: Router[];
  /** Every JSON route of ingest: the 122 endpoint, the webhooks, the widget's API and the staff listings. */
  api: ApiBuilder;
  workers: WorkerSpec[];
  intake: Intake;
  stats: StatsStore;
  cursors: CursorStore;
  telegram?: TelegramBot;
  vkGroupApi?: API;
  /** What each channel is doing ('off' when its settings are absent), for /healthz. */
  channels(): Record<string, string>;
  /** CORS headers the widget's poll mode adds to the public polls API for an allowed site (none when the widget is off). */
  pollCors(origin: string | undefined): Record<string, string> | undefined;
  /** Starts the pollers (long poll, keyword search, Telegram polling). */
  start(): void;
  stop(): Promise<void>;
}

export function channelModes(config: Config): Record<string, string> {
  const vk = config.vk;
  return {
    contact_center: config.contactCenterSecret ? 'on' : 'off',
    vk: vk.longPoll && vk.groupToken && vk.groupIds.length > 0 ? 'longpoll' : vk.callbackConfirmation ? 'callback' : 'off',
    vk_outbound: vk.groupToken ? 'on' : 'off',
    vk_search: vk.serviceToken && vk.searchKeywords.length > 0 ? 'on' : 'off',
    telegram: config.telegram.botToken ? (config.telegram.webhookSecret ? 'webhook' : 'polling') : 'off',
    widget: config.widget.allowedOrigins.length > 0 ? 'on' : 'off',
  };
}

/**
 * VK settings that would let unauthenticated events in: a Callback API webhook without its secret takes anyone's
 * POST for a community event, so the ingest role refuses to start with it. Returns warnings for settings that only
 * leave VK deaf (an empty VK_GROUP_IDS accepts no community).
 */
export function checkVkConfig(config: Config): string[] {
  const vk = config.vk;
  if (vk.callbackConfirmation && !vk.callbackSecret && !(vk.longPoll && vk.groupToken && vk.groupIds.length > 0)) {
    throw new ConfigError('VK_CALLBACK_CONFIRMATION is set but VK_CALLBACK_SECRET is not: the VK Callback API webhook would accept events ' +
      'anyone can forge. Set VK_CALLBACK_SECRET to the community\'s "Secret key" (Manage → API → Callback API), or unset VK_CALLBACK_CONFIRMATION.');
  }
  const vkOn = vk.callbackConfirmation || vk.longPoll;
  return vkOn && vk.groupIds.length === 0
    ? ['VK_GROUP_IDS is empty: no community is accepted (callbacks answer 403, nothing is long-polled). List the region\'s community ids.']
    : [];
}

export function createIngest(deps: IngestDeps): Ingest {
  const { config, db, redis, salt } = deps;
  const log = deps.logger.child({ component: 'ingest' });
  const vkWarnings = checkVkConfig(config);
  const prefix = config.queuePrefix;
  const stats = createStatsStore(redis, prefix, deps.observeCount);
  // Contacts and raw payloads cross Redis sealed with a key only the deployment's secret gives (lib/seal.ts).
  const sealer = createSealer(salt);
  const intake = createIntake({ queues: deps.queues, redis, prefix, stats, sealer });
  const cursors = createCursorStore(db);
  const modes = channelModes(config);
  const api = new ApiBuilder(deps.requireAuth);
  const routers: Router[] = [];
  const pollers: ((signal: AbortSignal) => Promise<void>)[] = [];

  const vkGroupApi = config.vk.groupToken
    ? createVkApi({ token: config.vk.groupToken, apiBaseUrl: config.vk.apiBaseUrl, perSecond: 20, retryWaitMs: deps.vkRetryWaitMs })
    : undefined;
  registerContactCenterRoute(api, { intake, secret: config.contactCenterSecret, salt, logger: deps.logger });
  if (modes.vk === 'callback') {
    registerVkCallback(api, { intake, salt, confirmation: parseConfirmation(config.vk.callbackConfirmation!),
      secret: config.vk.callbackSecret!, groupIds: config.vk.groupIds, logger: deps.logger });
  }
  if (modes.vk === 'longpoll' && vkGroupApi) {
    for (const groupId of config.vk.groupIds) {
      pollers.push((signal) => runVkLongPoll({ api: vkGroupApi, groupId, ownGroupIds: config.vk.groupIds, intake, cursors, salt,
        logger: deps.logger, waitSeconds: deps.longPollWaitSeconds }, signal));
    }
  }
  if (modes.vk_search === 'on') {
    const api = createVkApi({ token: config.vk.serviceToken!, apiBaseUrl: config.vk.apiBaseUrl, perSecond: 3, retryWaitMs: deps.vkRetryWaitMs });
    pollers.push((signal) => runNewsfeedMonitor({ api, keywords: config.vk.searchKeywords, ownGroupIds: config.vk.groupIds, intake, cursors,
      salt, logger: deps.logger, intervalMs: config.vk.searchIntervalSeconds * 1000 }, signal));
  }

  let telegram: TelegramBot | undefined;
  if (config.telegram.botToken) {
    telegram = createTelegramBot({ token: config.telegram.botToken, apiRoot: config.telegram.apiRoot, db, redis, prefix,
      intake, cursors, salt, logger: deps.logger, polls: deps.polls, ratings: deps.ratings, staffLinks: deps.staffLinks });
    if (config.telegram.webhookSecret) registerTelegramWebhook(api, { bot: telegram, secret: config.telegram.webhookSecret, logger: deps.logger });
    else {
      const bot = telegram;
      pollers.push((signal) => bot.runPolling(signal, { timeoutSeconds: deps.telegramPollTimeoutSeconds }));
    }
  }

  if (modes.widget === 'on') {
    const widget = { redis, prefix, intake, cases: deps.cases, salt, allowedOrigins: config.widget.allowedOrigins,
      ipLimitPerHour: config.widget.ipLimitPerHour, contactLimitPerDay: config.widget.contactLimitPerDay, region: deps.region, logger: deps.logger };
    routers.push(createWidgetRouter(widget));
    registerWidgetRoutes(api, widget);
  }
  if (deps.requireAuth) registerMessagesRoutes(api, { cases: deps.cases, stats, channels: () => modes });
  routers.push(api.router);

  const adapters = outboundAdapters({ vk: vkGroupApi ? { api: vkGroupApi, groupIds: config.vk.groupIds } : undefined, telegram: telegram?.telegram,
    polls: deps.polls, log });
  const workers = [createOutboundWorker({ db, stats, logger: deps.logger, sealer, adapters })];

  const controller = new AbortController();
  const running: Promise<void>[] = [];
  return {
    routers, api, workers, intake, stats, cursors, telegram, vkGroupApi,
    channels: () => modes,
    pollCors: modes.widget === 'on' ? widgetPollCors(config.widget.allowedOrigins) : () => undefined,
    start() {
      for (const p of pollers) running.push(p(controller.signal).catch((err) => log.error({ err: (err as Error).message }, 'poller stopped')));
      const off = Object.entries(modes).filter(([, m]) => m === 'off').map(([c]) => c);
      log.info({ channels: modes, off }, 'ingest channels');
      for (const warning of vkWarnings) log.warn(warning);
    },
    async stop() {
      controller.abort();
      await Promise.all(running);
    },
  };
}

/** One adapter per delivery channel; a channel without its gateway records what it would have sent. */
function outboundAdapters(on: { vk?: { api: API; groupIds: number[] }; telegram?: Telegram; polls?: PollBallotBox; log: Logger }): OutboundAdapter[] {
  const recordLog = (fields: Record<string, unknown>, msg: string) => on.log.info(fields, msg);
  return [
    createVkOutbound(on.vk),
    createTelegramOutbound(on.telegram, on.polls),
    recordingAdapter('email', recordLog),
    recordingAdapter('sms', recordLog),
  ];
}
