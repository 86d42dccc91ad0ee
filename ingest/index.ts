/**
 * The ingest stage: every channel's intake (webhooks, pollers), the outbound worker that answers on the original
 * channel, and the counters. Built once by main.ts from real clients; nothing here is a singleton. The social
 * networks are descriptors (ingest/network.ts), one per folder, listed in NETWORKS.
 */
import type { RequestHandler, Router } from 'express';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { ApiBuilder } from '../lib/api-builder.js';
import type { Config } from '../lib/config.js';
import type { Logger } from '../lib/logger.js';
import type { Queues } from '../lib/queues.js';
import { createSealer } from '../lib/seal.js';
import type { WorkerSpec } from '../lib/workers.js';
import type { CaseLookups } from './case-lookups.js';
import { registerContactCenterRoute } from './contact-center.js';
import { createCursorStore, type CursorStore } from './cursors.js';
import type { RatingDesk } from './citizen-actions.js';
import { createIntake, type Intake } from './intake.js';
import { network as max } from './max/network.js';
import { registerMessagesRoutes } from './messages-api.js';
import { createEmailOutbound } from './email/outbound.js';
import type { BackgroundTask, Network, NetworkTuning } from './network.js';
import { network as ok } from './ok/network.js';
import { createOutboundWorker, type DeliveryObserver } from './outbound.js';
import { recordingAdapter, type OutboundAdapter } from './outbound-adapter.js';
import { createSmsGateway, createSmsOutbound } from './sms/outbound.js';
import { createStatsStore, type CountObserver, type StatsStore } from './stats.js';
import type { PollBallotBox } from './telegram/bot.js';
import type { StaffLinkDesk } from './telegram/staff-link.js';
import { network as telegram } from './telegram/network.js';
import { network as vk } from './vk/network.js';
import { createWidgetRouter, registerWidgetRoutes, widgetPollCors } from './widget/router.js';

/** The social networks, each one folder under ingest/ (see ingest/README.md "How to add a network"). */
export const NETWORKS: readonly Network[] = [vk, telegram, max, ok];

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
  /** The workflow's citizen desk (main.ts passes it): the rating and repeat-review buttons of the citizen bots and VK dialogs. */
  ratings?: RatingDesk;
  /** The workflow's staff link desk (main.ts passes it): `/link <code>` in the Telegram bot links a staff account's alerts to the chat. */
  staffLinks?: StaffLinkDesk;
  /** Test knobs: pauses between retries, long-poll hold times, sweep intervals. */
  tuning?: NetworkTuning;
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
  /** What each channel is doing ('off' when its settings are absent), for /healthz. */
  channels(): Record<string, string>;
  /** CORS headers the widget's poll mode adds to the public polls API for an allowed site (none when the widget is off). */
  pollCors(origin: string | undefined): Record<string, string> | undefined;
  /** Starts the networks' pollers and webhook subscriptions. */
  start(): void;
  stop(): Promise<void>;
  /** Lets go of the delivery connections (the SMTP pool), once the outbound worker drained. */
  close(): Promise<void>;
}

/** The modes that follow the settings administrators change while the process runs: the 122 endpoint and the widget. */
const settingsModes = (config: Config) => ({
  contact_center: config.contactCenterSecret ? 'on' : 'off',
  widget: config.widget.allowedOrigins.length > 0 ? 'on' : 'off',
});

export function channelModes(config: Config): Record<string, string> {
  const { contact_center, widget } = settingsModes(config);
  return { contact_center, ...Object.assign({}, ...NETWORKS.map((n) => n.modes(config))), widget };
}

/** What was built at start (bots, pollers, webhooks) keeps its mode; the 122 and the widget follow the live settings. */
function liveModes(config: Config, live: () => Config): () => Record<string, string> {
  return () => ({ ...channelModes(config), ...settingsModes(live()) });
}

export function createIngest(deps: IngestDeps): Ingest {
  const { config, db, redis, salt } = deps;
  const log = deps.logger.child({ component: 'ingest' });
  // Settings that would let forged requests in stop the role before anything listens.
  for (const n of NETWORKS) n.check(config);
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

  registerContactCenterRoute(api, { intake, secret: () => live().contactCenterSecret, salt, logger: deps.logger });
  const built = NETWORKS.map((n) =>
    n.build({
      config,
      db,
      redis,
      prefix,
      intake,
      cursors,
      salt,
      logger: deps.logger,
      api,
      polls: deps.polls,
      ratings: deps.ratings,
      staffLinks: deps.staffLinks,
      tuning: deps.tuning ?? {},
      modes: n.modes(config),
    })
  );
  const tasks: BackgroundTask[] = built.flatMap((b) => b.tasks);
  const warnings = built.flatMap((b) => b.warnings);

  // Always served: with no site allowed every widget request is refused (403), and allowing one needs no restart.
  const allowedOrigins = () => live().widget.allowedOrigins;
  const widget = { redis, prefix, intake, cases: deps.cases, salt, allowedOrigins, now: deps.now, ipLimitPerHour: config.widget.ipLimitPerHour,
    contactLimitPerDay: config.widget.contactLimitPerDay, region: deps.region, logger: deps.logger, timeZone: deps.timeZone };
  routers.push(createWidgetRouter(widget));
  registerWidgetRoutes(api, widget);
  if (deps.requireAuth) registerMessagesRoutes(api, { cases: deps.cases, stats, channels: modesNow });
  routers.push(api.router);

  const adapters = [...built.map((b) => b.adapter), ...directAdapters(log, config)];
  const workers = [createOutboundWorker({ db, stats, logger: deps.logger, sealer, adapters, observe: deps.observeDelivery })];

  const controller = new AbortController();
  const running: Promise<void>[] = [];
  return {
    routers,
    api,
    workers,
    intake,
    stats,
    cursors,
    channels: modesNow,
    pollCors: widgetPollCors(allowedOrigins),
    start() {
      for (const t of tasks) running.push(t(controller.signal).catch((err) => log.error({ err: (err as Error).message }, 'poller stopped')));
      const off = Object.entries(modes).filter(([, m]) => m === 'off').map(([c]) => c);
      log.info({ channels: modes, off }, 'ingest channels');
      for (const warning of warnings) log.warn(warning);
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

/**
 * Channels that reach a person directly: e-mail by SMTP_URL, SMS by its provider; without them they run in
 * development mode (outbound-adapter.ts recordingAdapter: logged, codes included, and recorded, not sent).
 */
function directAdapters(log: Logger, config: Config): OutboundAdapter[] {
  const recordLog = (fields: Record<string, unknown>, msg: string) => log.info(fields, msg);
  const { mail, sms } = config;
  return [
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
