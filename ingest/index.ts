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
import type { RatingDesk } from './dialog/dialog.js';
import { createIntake, type Intake } from './intake.js';
import { network as max } from './max/network.js';
import { registerMessagesRoutes } from './messages-api.js';
import type { BackgroundTask, Network, NetworkTuning } from './network.js';
import { network as ok } from './ok/network.js';
import { createOutboundWorker } from './outbound.js';
import { recordingAdapter, type OutboundAdapter } from './outbound-adapter.js';
import { createStatsStore, type CountObserver, type StatsStore } from './stats.js';
import type { PollBallotBox } from './telegram/bot.js';
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
  /** The workflow's citizen desk (main.ts passes it): the citizen bots' rating buttons. */
  ratings?: RatingDesk;
  /** Test knobs: pauses between retries, long-poll hold times, sweep intervals. */
  tuning?: NetworkTuning;
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
  /** What each channel is doing ('off' when its settings are absent), for /healthz. */
  channels(): Record<string, string>;
  /** CORS headers the widget's poll mode adds to the public polls API for an allowed site (none when the widget is off). */
  pollCors(origin: string | undefined): Record<string, string> | undefined;
  /** Starts the networks' pollers and webhook subscriptions. */
  start(): void;
  stop(): Promise<void>;
}

export function channelModes(config: Config): Record<string, string> {
  return {
    contact_center: config.contactCenterSecret ? 'on' : 'off',
    ...Object.assign({}, ...NETWORKS.map((n) => n.modes(config))),
    widget: config.widget.allowedOrigins.length > 0 ? 'on' : 'off',
  };
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
  const modes = channelModes(config);
  const api = new ApiBuilder(deps.requireAuth);
  const routers: Router[] = [];

  registerContactCenterRoute(api, { intake, secret: config.contactCenterSecret, salt, logger: deps.logger });
  const built = NETWORKS.map((n) => n.build({
    config, db, redis, prefix, intake, cursors, salt, logger: deps.logger, api, polls: deps.polls, ratings: deps.ratings,
    tuning: deps.tuning ?? {}, modes: n.modes(config),
  }));
  const tasks: BackgroundTask[] = built.flatMap((b) => b.tasks);
  const warnings = built.flatMap((b) => b.warnings);

  if (modes.widget === 'on') {
    const widget = { redis, prefix, intake, cases: deps.cases, salt, allowedOrigins: config.widget.allowedOrigins,
      ipLimitPerHour: config.widget.ipLimitPerHour, contactLimitPerDay: config.widget.contactLimitPerDay, region: deps.region, logger: deps.logger };
    routers.push(createWidgetRouter(widget));
    registerWidgetRoutes(api, widget);
  }
  if (deps.requireAuth) registerMessagesRoutes(api, { cases: deps.cases, stats, channels: () => modes });
  routers.push(api.router);

  const adapters = [...built.map((b) => b.adapter), ...directAdapters(log)];
  const workers = [createOutboundWorker({ db, stats, logger: deps.logger, sealer, adapters })];

  const controller = new AbortController();
  const running: Promise<void>[] = [];
  return {
    routers, api, workers, intake, stats, cursors,
    channels: () => modes,
    pollCors: modes.widget === 'on' ? widgetPollCors(config.widget.allowedOrigins) : () => undefined,
    start() {
      for (const t of tasks) running.push(t(controller.signal).catch((err) => log.error({ err: (err as Error).message }, 'poller stopped')));
      const off = Object.entries(modes).filter(([, m]) => m === 'off').map(([c]) => c);
      log.info({ channels: modes, off }, 'ingest channels');
      for (const warning of warnings) log.warn(warning);
    },
    async stop() {
      controller.abort();
      await Promise.all(running);
    },
  };
}

/** Channels that reach a person directly; without a gateway they record what they would have sent. */
function directAdapters(log: Logger): OutboundAdapter[] {
  const recordLog = (fields: Record<string, unknown>, msg: string) => log.info(fields, msg);
  return [recordingAdapter('email', recordLog), recordingAdapter('sms', recordLog)];
}
