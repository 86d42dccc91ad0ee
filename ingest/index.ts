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
import { createEmailOutbound } from './email/outbound.js';
import { createOutboundWorker, type DeliveryObserver } from './outbound.js';
import { recordingAdapter, type OutboundAdapter } from './outbound-adapter.js';
import { createSmsGateway, createSmsOutbound } from './sms/outbound.js';
import { createTelegramOutbound } from './telegram/outbound.js';
import { createVkOutbound } from './vk/outbound.js';
import { createStatsStore, type CountObserver, type StatsStore } from './stats.js';
import type { RatingDesk } from './citizen-actions.js';
import { createTelegramBot, type PollBallotBox, type TelegramBot } from './telegram/bot.js';
import type { StaffLinkDesk } from './telegram/staff-link.js';
import { registerTelegramWebhook } from './telegram/webhook.js';
import { createVkApi } from './vk/api.js';
import { handleCitizenButton } from './vk/citizen-buttons.js';
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
  /** The workflow's citizen desk (main.ts passes it): the rating and repeat-review buttons of Telegram and VK. */
  ratings?: RatingDesk;
  /** The workflow's staff link desk (main.ts passes it): `/link <code>` links a staff account's alerts to the chat. */
  staffLinks?: StaffLinkDesk;
  /** Test knobs: vk-io's pause between retries of a failed request, long-poll hold time. */
  vkRetryWaitMs?: number;
  longPollWaitSeconds?: number;
  telegramPollTimeoutSeconds?: number;
  /** Per-process counts of what each channel took in (the `otklik_ingest_total` metric). */
  observeCount?: CountObserver;
  /**
   * The configuration as it is now, when administrators may change channel settings while the process runs
   * (lib/settings.ts): the 122 secret and the widget's sites are read through it on every request.
   */
  live?: () => Config;
  /** When the widget's appeals are received (the demo's clock; the real one otherwise). */
  now?: () => Date;
  /** The region's time zone as it is now (the widget's poll mode prints dates in it). */
  timeZone?: () => string | undefined;
  /** Per-process counts of delivery outcomes (the `otklik_outbound_deliveries_total` metric). */
  observeDelivery?: DeliveryObserver;
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
  /** Lets go of the delivery connections (the SMTP pool), once the outbound worker drained. */
  close(): Promise<void>;
}

export function channelModes(config: Config) {
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

/** What was built at start (bots, pollers, webhooks) keeps its mode; the 122 and the widget follow the live settings. */
function liveModes(config: Config, live: () => Config): () => Record<string, string> {
  return () => {
    const now = channelModes(live());
    return { ...channelModes(config), contact_center: now.contact_center, widget: now.widget };
  };
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
  const live = deps.live ?? (() => config);
  const modesNow = liveModes(config, live);
  const modes = modesNow();
  const api = new ApiBuilder(deps.requireAuth);
  const routers: Router[] = [];
  const pollers: ((signal: AbortSignal) => Promise<void>)[] = [];

  const vkGroupApi = config.vk.groupToken
    ? createVkApi({ token: config.vk.groupToken, apiBaseUrl: config.vk.apiBaseUrl, perSecond: 20, retryWaitMs: deps.vkRetryWaitMs })
    : undefined;
  registerContactCenterRoute(api, { intake, secret: () => live().contactCenterSecret, salt, logger: deps.logger });
  pollers.push(...wireVk(deps, { api, intake, cursors, modes, vkGroupApi }));

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

  // Always served: with no site allowed every widget request is refused (403), and allowing one needs no restart.
  const allowedOrigins = () => live().widget.allowedOrigins;
  const widget = { redis, prefix, intake, cases: deps.cases, salt, allowedOrigins, now: deps.now,
    ipLimitPerHour: config.widget.ipLimitPerHour, contactLimitPerDay: config.widget.contactLimitPerDay, region: deps.region, logger: deps.logger,
    timeZone: deps.timeZone };
  routers.push(createWidgetRouter(widget));
  registerWidgetRoutes(api, widget);
  if (deps.requireAuth) registerMessagesRoutes(api, { cases: deps.cases, stats, channels: modesNow });
  routers.push(api.router);

  const adapters = outboundAdapters({ vk: vkGroupApi ? { api: vkGroupApi, groupIds: config.vk.groupIds } : undefined, telegram: telegram?.telegram,
    polls: deps.polls, log, config });
  const workers = [createOutboundWorker({ db, stats, logger: deps.logger, sealer, adapters, observe: deps.observeDelivery })];

  const controller = new AbortController();
  const running: Promise<void>[] = [];
  return {
    routers, api, workers, intake, stats, cursors, telegram, vkGroupApi,
    channels: modesNow,
    pollCors: widgetPollCors(allowedOrigins),
    start() {
      for (const p of pollers) running.push(p(controller.signal).catch((err) => log.error({ err: (err as Error).message }, 'poller stopped')));
      const off = Object.entries(modes).filter(([, m]) => m === 'off').map(([c]) => c);
      log.info({ channels: modes, off }, 'ingest channels');
      for (const warning of vkWarnings) log.warn(warning);
      logDeliveryModes(log, adapters);
    },
    async stop() {
      controller.abort();
      await Promise.all(running);
    },
    async close() {
      await Promise.all(adapters.map(async (a) => a.close?.()));
    },
  };
}

/** VK intake (the Callback API webhook or Bots Long Poll, keyword search) and the presses of its citizen buttons. */
function wireVk(deps: IngestDeps, on: { api: ApiBuilder; intake: Intake; cursors: CursorStore; modes: Record<string, string>; vkGroupApi?: API }) {
  const { config, salt } = deps;
  const { intake, cursors, vkGroupApi } = on;
  const pollers: ((signal: AbortSignal) => Promise<void>)[] = [];
  const buttons = (event: { type: string; object: unknown }) => handleCitizenButton({ api: vkGroupApi, salt, ratings: deps.ratings, logger: deps.logger }, event);
  if (on.modes.vk === 'callback') {
    registerVkCallback(on.api, { intake, salt, confirmation: parseConfirmation(config.vk.callbackConfirmation!),
      secret: config.vk.callbackSecret!, groupIds: config.vk.groupIds, logger: deps.logger, buttons });
  }
  if (on.modes.vk === 'longpoll' && vkGroupApi) {
    for (const groupId of config.vk.groupIds) {
      pollers.push((signal) => runVkLongPoll({ api: vkGroupApi, groupId, ownGroupIds: config.vk.groupIds, intake, cursors, salt,
        logger: deps.logger, waitSeconds: deps.longPollWaitSeconds, buttons }, signal));
    }
  }
  if (on.modes.vk_search === 'on') {
    const api = createVkApi({ token: config.vk.serviceToken!, apiBaseUrl: config.vk.apiBaseUrl, perSecond: 3, retryWaitMs: deps.vkRetryWaitMs });
    pollers.push((signal) => runNewsfeedMonitor({ api, keywords: config.vk.searchKeywords, ownGroupIds: config.vk.groupIds, intake, cursors,
      salt, logger: deps.logger, intervalMs: config.vk.searchIntervalSeconds * 1000 }, signal));
  }
  return pollers;
}

/**
 * One adapter per delivery channel; e-mail without SMTP_URL and SMS without a provider run in development mode
 * (outbound-adapter.ts recordingAdapter: logged, codes included, and recorded, not sent).
 */
function outboundAdapters(on: { vk?: { api: API; groupIds: number[] }; telegram?: Telegram; polls?: PollBallotBox; log: Logger; config: Config }): OutboundAdapter[] {
  const recordLog = (fields: Record<string, unknown>, msg: string) => on.log.info(fields, msg);
  const { mail, sms } = on.config;
  return [
    createVkOutbound(on.vk),
    createTelegramOutbound(on.telegram, on.polls),
    mail.smtpUrl ? createEmailOutbound({ smtpUrl: mail.smtpUrl, from: mail.from }) : recordingAdapter('email', recordLog),
    sms.provider && sms.apiKey
      ? createSmsOutbound(createSmsGateway({ provider: sms.provider, apiKey: sms.apiKey, baseUrl: sms.baseUrl, sender: sms.sender }), sms.baseUrl)
      : recordingAdapter('sms', recordLog),
  ];
}

/** Says at start how citizens' e-mail and SMS leave, loudly when they do not leave at all. */
function logDeliveryModes(log: Logger, adapters: OutboundAdapter[]): void {
  for (const a of adapters.filter((x) => x.channel === 'email' || x.channel === 'sms')) {
    if (a.mode?.startsWith('development')) {
      log.warn({ channel: a.channel }, `${a.channel === 'email' ? 'E-mail' : 'SMS'} is in DEVELOPMENT MODE: nothing is sent; every message, ` +
        `one-time codes included, is written to this log and recorded (${a.channel === 'email' ? 'set SMTP_URL' : 'set SMS_API_KEY'} to send)`);
    } else {
      log.info({ channel: a.channel, via: a.mode }, `${a.channel} deliveries are sent`);
    }
  }
}
