/**
 * Otklik's one entry and composition root: the only place where real clients (Redis, PostgreSQL, ClickHouse) are
 * made and handed to the stages. Each role is wired by one function returning what it adds to the process
 * (RoleParts); startOtklik joins them into workers, one HTTP app and one OpenAPI document. The commands are cli.ts.
 * It is longer than the 400 lines other files keep to (test/architecture.test.ts): making clients anywhere else would
 * break the rule that only the composition root does, so the five wiring functions stay together here.
 */
import fs from 'node:fs';
import type http from 'node:http';
import type { RequestHandler, Router } from 'express';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createAnalyticsApi } from './analytics/api.js';
import { createBatcher } from './analytics/batcher.js';
import { eventsTableAvailable, insertEvents, type EventRow } from './analytics/events-store.js';
import { summary } from './analytics/queries.js';
import { applyRetention, migrateClickHouseCluster } from './analytics/schema.js';
import { createAnalyticsStage } from './analytics/stage.js';
import { createDeadlineRules } from './classify/deadlines.js';
import { loadClassifier } from './classify/load-classifier.js';
import { readRegionFile, regionBasics } from './classify/region-config.js';
import { createClassifyStage } from './classify/stage.js';
import { runCommands, type IntakeConnection } from './cli.js';
import { createDashboardApi } from './dashboard/api.js';
import { demoCommand } from './demo/index.js';
import { createDashboardPages } from './dashboard/pages.js';
import { createStatusPages } from './dashboard/status-page.js';
import { loadMunicipalities } from './dashboard/panel-data.js';
import { createPollPages, pollSourcesOf, registerPollResultsApi } from './dashboard/polls.js';
import { notFoundPage, setPageTimeZone } from './dashboard/html.js';
import { createRoutingPage } from './dashboard/routing.js';
import { migrate } from './db/migrate.js';
import { createDeliveryReads } from './ingest/deliveries.js';
import { deliveriesOfCase } from './ingest/delivery-log.js';
import { createIngest, type Ingest } from './ingest/index.js';
import { createIntake } from './ingest/intake.js';
import { createStatsStore } from './ingest/stats.js';
import { ApiBuilder } from './lib/api-builder.js';
import type { Config, Role } from './lib/config.js';
import { closeServer, createHttpApp, listen, type HotRoute } from './lib/http.js';
import { createLogger, type Logger } from './lib/logger.js';
import { createMetrics, recordDeadlineBreaches, recordGroupCommit, recordQueueDepths, type Metrics } from './lib/metrics.js';
import { createQueueBoard } from './lib/queue-board.js';
import { DEFAULT_TIME_ZONE, loadRegionConfig, regionNameOf, regionRulesOf, type RegionRules } from './lib/region-config.js';
import { inSteps } from './lib/shutdown.js';
import { closeQueues, createQueues, createReminderQueue, type Queues } from './lib/queues.js';
import type { RegisteredRoute } from './lib/route-table.js';
import { createClickHouse, type ClickHouseClient } from './lib/runtime/clickhouse.js';
import { ensurePostgres } from './lib/runtime/postgres.js';
import { producerRedisOptions, untilReady, workerRedisOptions } from './lib/runtime/redis.js';
import { connectStores, describeStores } from './lib/runtime/stores.js';
import { loadOrCreateSalt } from './lib/salt.js';
import { createSealer } from './lib/seal.js';
import { applyRegionOverride, liveSettings, type LiveSettings } from './lib/settings-watch.js';
import { loadSignalTerms, type SignalTerms } from './lib/signal-terms.js';
import { startWorkers, type RunningWorkers, type WorkerSpec } from './lib/workers.js';
import { createWorkflowApi } from './workflow/api.js';
import { ensureAdmin, limitedLogin, logout, requireAuth, userForToken } from './workflow/auth.js';
import { createCitizenDesk } from './workflow/citizen-desk.js';
import { createStatusDesk } from './workflow/citizen-status.js';
import { bindModeration } from './workflow/moderation.js';
import { createPolls, type Polls } from './workflow/polls/index.js';
import { bindPublicReads, type PublicReads } from './workflow/public-reads.js';
import { seedRouting } from './workflow/routing/store.js';
import { createStaffLinkDesk } from './workflow/staff/telegram-link.js';
import { readSettings, settingsVersion } from './workflow/store/settings.js';
import { bindMonitoring } from './workflow/signals/monitoring.js';
import { statusLinksOf, type StatusLinks } from './workflow/status-link.js';
import { createWorkflowStage, type WorkflowStage } from './workflow/stage.js';

export interface Otklik {
  config: Config;
  roles: Role[];
  logger: Logger;
  db: pg.Pool;
  ch?: ClickHouseClient;
  queues: Queues;
  redisUrl: string;
  server?: http.Server;
  /** Base URL of the HTTP server, when this process serves HTTP. */
  url?: string;
  /** The routes the HTTP server registered (hot routes included), when this process serves HTTP. */
  routes?: () => RegisteredRoute[];
  workers: RunningWorkers;
  metrics: Metrics;
  /** The workflow's relay and reminder sweep, when this process runs the workflow role. */
  workflow?: WorkflowStage;
  /** The channels (webhooks, pollers, outbound delivery), when this process runs the ingest role. */
  ingest?: Ingest;
  /** The polls' ballot box and API (the channels vote through it). */ polls: Polls;
  generatedAdminPassword?: string;
  stop(): Promise<void>;
}

const HTTP_ROLES: Role[] = ['ingest', 'workflow', 'dashboard'];

/** What the roles of one process share. */
interface Shared {
  config: Config;
  logger: Logger;
  db: pg.Pool;
  ch?: ClickHouseClient;
  queues: Queues;
  redisUrl: string;
  salt: string;
  metrics: Metrics;
  /** The workflow's bearer/session check, built once for every router that needs it. */
  requireAuth: RequestHandler;
  /** What other roles read of the workflow's tables, asked of the workflow (workflow/public-reads.ts). */
  reads: PublicReads;
  /** The settings administrators set in the UI, kept current (lib/settings.ts). */ live: LiveSettings;
  /** The stages' clock: the real one, or the demo's (demo/ backdates its history through it). */ now: () => Date;
  /** The status page links citizens' notices carry, keyed by the deployment's secret, and the region's time zone they tell dates in. */
  links: StatusLinks;
  timeZone: string;
}

/** What one role adds to the process. */
interface RoleParts {
  workers: WorkerSpec[];
  /** Mounted in role order: ingest's first, so the widget's CORS sees requests to the polls API before it answers. */
  routers: Router[];
  /** The builders whose routes the routers serve, for the one OpenAPI document. */
  apis: ApiBuilder[];
  /** Public endpoints answered in front of the middleware stack (lib/hot-routes.ts). */
  hot: HotRoute[];
  /** Run before each /metrics scrape. */
  metricCollectors: (() => Promise<void>)[];
  /** Once the HTTP server listens. */
  start?(): void;
  /** Stop taking in work; called before the workers drain. */
  stop?(): Promise<void>;
  /** Let go of what the role holds; called after the workers drained. */
  close?(): Promise<void>;
}

const parts = (p: Partial<RoleParts>): RoleParts => ({ workers: [], routers: [], apis: [], hot: [], metricCollectors: [], ...p });

/** PostgreSQL and ClickHouse migrations; on a cluster the ClickHouse schema is rendered ON CLUSTER (analytics/schema.ts). */
async function migrateStores(config: Config, logger: Logger, db: pg.Pool, ch: ClickHouseClient | undefined): Promise<void> {
  const cluster = config.analytics.cluster;
  const applied = await migrate(db, cluster ? undefined : ch);
  if (ch && cluster) applied.clickhouse.push(...(await migrateClickHouseCluster(ch, cluster)));
  if (ch && (await applyRetention(ch, config.analytics.eventsTtlDays, cluster))) {
    logger.info({ days: config.analytics.eventsTtlDays }, 'analytics retention applied');
  }
  if (applied.postgres.length || applied.clickhouse.length) logger.info(applied, 'migrations applied');
}

/** The administrator account; a generated password is printed once, on the console only (never logged or stored in clear). */
async function ensureAdministrator(config: Config, db: pg.Pool): Promise<string | undefined> {
  const admin = await ensureAdmin(db, config.admin.login, config.admin.password);
  if (admin.generatedPassword) {
    process.stdout.write(`\nOtklik administrator created. Login: ${config.admin.login}  Password: ${admin.generatedPassword}\n` +
      'Keep it now: it is not shown again (set OTKLIK_ADMIN_PASSWORD to choose your own).\n\n');
  }
  return admin.generatedPassword;
}

const loginLimitOf = (config: Config) => ({ maxFailures: config.workflow.loginMaxFailures, windowMinutes: config.workflow.loginWindowMinutes,
  ipMaxFailures: config.workflow.loginIpMaxFailures, accountMaxFailures: config.workflow.loginAccountMaxFailures });

/**
 * The region's calendar and digest times, with classify's deadline rules (for recomputing a term): stages meet here.
 * The administrators' override (settings) lies over the file's, and a change in the UI updates the one object the
 * stages hold, as the classifier's rules follow it.
 */
/** The monitoring team's terms for signals: the file's, with the hours administrators set on the region page, kept current. */
function signalTerms(s: Shared): SignalTerms {
  const fromFile = loadSignalTerms(s.config.regionConfigPath);
  const current = () => {
    const region = applyRegionOverride({ timezone: fromFile.timezone, signals: fromFile }, s.live.region());
    return { ...region.signals, timezone: region.timezone };
  };
  const terms = { ...current() };
  s.live.onChange(() => void Object.assign(terms, current()));
  return terms;
}

function regionRules(s: Shared): RegionRules {
  const fromFile = loadRegionConfig(s.config.regionConfigPath);
  const current = () => {
    const region = applyRegionOverride(fromFile, s.live.region());
    return regionRulesOf(region, createDeadlineRules(region));
  };
  const rules = current();
  s.live.onChange(() => void Object.assign(rules, current()));
  return rules;
}

async function wireClassify(s: Shared): Promise<RoleParts> {
  const classifier = await loadClassifier(s.config, s.logger);
  const fromFile = classifier.region;
  const deps = { queues: s.queues, ...classifier, region: applyRegionOverride(fromFile, s.live.region()), now: s.now,
    observe: (seconds: number) => s.metrics.classifyLatency.observe(seconds) };
  // Region rules changed in the UI apply to the next message classified (the stage reads deps.region per message).
  s.live.onChange(() => void (deps.region = applyRegionOverride(fromFile, s.live.region())));
  s.logger.info({ model: classifier.categoryModel.version, complaintModel: classifier.complaintModel?.version, region: classifier.region.region },
    'classifier ready');
  return parts({ workers: createClassifyStage(deps).workers });
}

/** The case workflow, its API and the polls (whose votes leave through the workflow's outbox relay). */
async function wireWorkflow(s: Shared): Promise<RoleParts & { stage: WorkflowStage; polls: Polls }> {
  const { config, db, logger } = s;
  if (await seedRouting(db, config.routingConfigPath)) logger.info({ file: config.routingConfigPath }, 'routing table version 1 seeded');
  const region = regionRules(s);
  const staff = { region, publicUrl: config.publicUrl, alertMinutes: config.workflow.staffAlertMinutes,
    reminderDaysBefore: config.workflow.reminderDaysBefore };
  const stage = createWorkflowStage({
    db,
    queues: s.queues,
    logger,
    sealer: createSealer(s.salt),
    now: s.now,
    links: s.links,
    ...staff,
    reminders: createReminderQueue({ connection: { url: s.redisUrl, ...producerRedisOptions() }, prefix: config.queuePrefix }),
    signals: signalTerms(s),
    // Spike alerts reach the team in the app (the inbox, notifications); staff alerts beyond it attach here.
    onSpike: (alert) =>
      logger.info({ alert: { kind: alert.kind, incidentId: alert.incidentId, count: alert.count, windowHours: alert.windowHours } }, 'spike alert'),
  });
  // Votes and their analytics events share one transaction through the outbox; the relay publishes them.
  const polls = createPolls({ db, salt: s.salt, relay: stage.relay, limits: config.polls, logger: logger.child({ component: 'polls' }), queues: s.queues,
    now: s.now, requireAuth: s.requireAuth });
  const api = createWorkflowApi({
    db,
    requireAuth: s.requireAuth,
    tokenTtlHours: config.tokenTtlHours,
    relay: stage.relay,
    ...staff,
    invitationTtlHours: config.workflow.invitationTtlHours,
    now: s.now,
    loginLimit: loginLimitOf(config),
    links: s.links,
    admin: { sealer: s.live.sealer, envConfig: s.live.envConfig,
      regionFromFile: { reminderDays: config.workflow.reminderDaysBefore, ...readRegionFile(config.regionConfigPath) },
      onSettingsChanged: () => s.live.nudge() },
    // The delivery trail on the case page: ingest owns the deliveries, the composition root lends its reader.
    deliveries: (caseId) => deliveriesOfCase(db, caseId),
  });
  return {
    ...parts({ workers: stage.workers, routers: [api.router, polls.router], apis: [...api.builders, ...polls.builders], hot: polls.hotRoutes }),
    async close() {
      await stage.close();
      await stage.reminders.close();
    },
    stage,
    polls,
  };
}

/** The channels: webhooks, pollers, the widget, the 122 endpoint and outbound delivery. */
async function wireIngest(s: Shared, polls: Polls, workflow: WorkflowStage | undefined): Promise<RoleParts & { ingest: Ingest }> {
  const { config, db, logger, metrics } = s;
  const redis = new Redis(s.redisUrl, producerRedisOptions());
  redis.on('error', (err) => logger.warn({ err: err.message }, 'ingest Redis connection error'));
  await untilReady(redis);
  const zoneFromFile = { timezone: readRegionFile(config.regionConfigPath)?.timezone };
  const ingest = createIngest({
    config,
    db,
    queues: s.queues,
    redis,
    salt: s.salt,
    logger,
    requireAuth: s.requireAuth,
    region: regionNameOf(config.regionConfigPath),
    polls: polls.ballotBox,
    cases: s.reads,
    live: () => s.live.config(),
    now: s.now,
    timeZone: () => applyRegionOverride(zoneFromFile, s.live.region()).timezone ?? DEFAULT_TIME_ZONE,
    // The rating and repeat-review buttons (Telegram, MAX, Одноклассники, VK): the workflow's citizen desk checks the author and acts.
    ratings: createCitizenDesk({ db, relay: workflow?.relay, reminderDaysBefore: config.workflow.reminderDaysBefore, now: s.now, links: s.links,
      region: regionRules(s) }),
    // `/link <code>` from staff: the workflow links the chat to the account for alerts.
    staffLinks: createStaffLinkDesk({ db }),
    observeCount: (source, result, n) => metrics.ingested.inc({ source, result }, n),
    observeDelivery: (channel, status) => metrics.outboundDeliveries.inc({ channel, status }),
  });
  return {
    ...parts({ workers: ingest.workers, routers: ingest.routers, apis: [ingest.api] }),
    metricCollectors: [async () => recordGroupCommit(metrics, 'intake', ingest.intake.batching())],
    start: () => ingest.start(),
    stop: () => ingest.stop(),
    async close() {
      await ingest.close();
      redis.disconnect();
    },
    ingest,
  };
}

function wireAnalytics(s: Shared & { ch: ClickHouseClient }): RoleParts {
  const { ch, logger } = s;
  const batcher = createBatcher<EventRow>({ insert: insertEvents(ch), rowKey: (r) => r.event_id, logger: logger.child({ component: 'batcher' }) });
  return parts({ workers: createAnalyticsStage({ batcher, available: () => eventsTableAvailable(ch), logger }).workers, close: () => batcher.close() });
}

/** The analytics API, the staff and public pages, and the dashboard's own JSON endpoints. */
async function wireDashboard(s: Shared & { ch: ClickHouseClient }, polls: Polls, workflow: WorkflowStage | undefined): Promise<RoleParts> {
  const { config, db, ch } = s;
  const municipalities = loadMunicipalities(config.gazetteerPath);
  const fromFile = { timezone: readRegionFile(config.regionConfigPath)?.timezone };
  const timeZone = () => applyRegionOverride(fromFile, s.live.region()).timezone ?? DEFAULT_TIME_ZONE;
  setPageTimeZone(timeZone);
  const userOf = (token: string) => userForToken(db, token);
  // What each official may read of the figures is the workflow's decision (workflow/read-scopes.ts).
  const figuresScope = s.reads.figuresScope;
  const analytics = createAnalyticsApi({ ch, requireAuth: s.requireAuth, now: s.now, figuresScope, timeZone });
  const region = regionRules(s);
  const pollSources = { ...pollSourcesOf(polls.ballotBox, ch), timeZone: region.timeZone };
  const monitoring = bindMonitoring(db, { relay: workflow?.relay, terms: signalTerms(s), reminderDaysBefore: config.workflow.reminderDaysBefore, now: s.now,
    region });
  const moderation = bindModeration(db, { relay: workflow?.relay, region, reminderDaysBefore: config.workflow.reminderDaysBefore, now: s.now });
  const api = createDashboardApi({ requireAuth: s.requireAuth, moderation, monitoring, deliveries: createDeliveryReads(db, s.queues.outbound), ch, now: s.now,
    organizationNames: s.reads.organizationNames, pollTitles: pollSources.titles, municipalities, figuresScope });
  registerPollResultsApi(api, pollSources);
  const pages = await createDashboardPages({
    summary: () => summary(ch),
    ch,
    organizationNames: s.reads.organizationNames,
    figuresScope,
    municipalities,
    secureCookie: config.secureCookies,
    appealChannels: () => ({ vkGroupIds: s.live.config().vk.groupIds, telegram: !!s.live.config().telegram.botToken,
      widgetSites: s.live.config().widget.allowedOrigins }),
    timeZone: region.timeZone,
    session: { login: (login, password, ip) => limitedLogin(db, { login, password, ip, ttlHours: config.tokenTtlHours, limit: loginLimitOf(config) }),
      logout: (token) => logout(db, token), userForToken: userOf },
  });
  const status = createStatusPages({ timeZone: regionBasics(config.regionConfigPath).timezone, publicUrl: config.publicUrl,
    desk: createStatusDesk({ db, links: s.links, relay: workflow?.relay, reminderDaysBefore: config.workflow.reminderDaysBefore, now: s.now, region }) });
  const routers = [analytics.router, pages, api.router, createRoutingPage({ userForToken: userOf, timeZone: region.timeZone }),
    await createPollPages(pollSources), status];
  return parts({ routers, apis: [analytics, api] });
}

/** The HTTP server of the roles' routers, health, metrics and the queue board; the one document at /api/v1/openapi.json. */
async function serveHttp(s: Shared, roles: RoleParts[], opts: { names: Role[]; channels?: Ingest; polls: Polls }) {
  const { channels, polls } = opts;
  const { config, db, ch, queues, metrics } = s;
  const healthRedis = new Redis(s.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 });
  healthRedis.on('error', () => {});
  await untilReady(healthRedis);
  const collectors = [
    () => recordQueueDepths(metrics, queues),
    async () => {
      const votes = polls.voteBatcher.stats();
      recordGroupCommit(metrics, 'votes', votes.votes);
      recordGroupCommit(metrics, 'voter_tokens', votes.tokens);
    },
    ...roles.flatMap((r) => r.metricCollectors),
    async () => recordDeadlineBreaches(metrics, await s.reads.overdueCounts()),
  ];
  const queueBoard = createQueueBoard({ queues: Object.values(queues), authenticate: s.requireAuth });
  // The vote endpoint takes storms: answered before the middleware stack, with the widget's CORS where it is on.
  const hot = roles.flatMap((r) => r.hot).map((route) => ({ ...route,
    headers: channels ? (req: Parameters<NonNullable<HotRoute['headers']>>[0]) => channels.pollCors(req.get('origin')) : undefined })
  );
  const app = createHttpApp({
    routers: [...roles.flatMap((r) => r.routers), queueBoard],
    apis: roles.flatMap((r) => r.apis),
    logger: s.logger,
    hot,
    notFoundPage: opts.names.includes('dashboard') ? notFoundPage : undefined,
    health: {
      redis: async () => (await healthRedis.ping()) === 'PONG',
      postgres: async () => (await db.query('select 1')).rowCount === 1,
      clickhouse: ch ? async () => (await ch.ping()).success : 'off',
    },
    channels: channels ? () => channels.channels() : undefined,
    stores: describeStores(config, !!ch),
    metrics,
    metricsToken: config.metricsToken,
    metricsPublic: config.metricsPublic,
    trustProxy: config.trustProxy,
    secureCookies: config.secureCookies,
    beforeScrape: async () => {
      for (const collect of collectors) await collect();
    },
  });
  const server = await listen(app, config.port, config.host);
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : config.port}`;
  s.logger.info({ url, roles: opts.names }, 'Otklik is listening');
  return { server, url, routes: app.routes, close: () => healthRedis.disconnect() };
}

/** Starts the roles of this process against Redis, PostgreSQL and ClickHouse (embedded unless URLs are set). */
export async function startOtklik(config: Config, roles: Role[], logger: Logger = createLogger(config.logLevel), now = () => new Date()): Promise<Otklik> {
  const embedded: { stop(): Promise<void> }[] = [];
  try {
    return await startRoles(config, roles, logger, embedded, now);
  } catch (err) {
    // Embedded servers run in their own process group and outlive this process: a failed start stops what it started.
    for (const e of embedded.reverse()) await e.stop().catch(() => {});
    throw err;
  }
}

async function startRoles(envConfig: Config, roles: Role[], logger: Logger, embedded: { stop(): Promise<void> }[], now: () => Date): Promise<Otklik> {
  const has = (r: Role) => roles.includes(r);
  fs.mkdirSync(envConfig.dataDir, { recursive: true });
  const { redisUrl, db } = await connectStores(envConfig, logger, embedded, 20);
  // chDB binds its data directory to one process, so only processes that read or write analytics open it.
  const ch = has('analytics') || has('dashboard') ? await createClickHouse({ ...envConfig.clickhouse, dataDir: envConfig.dataDir }) : undefined;
  await migrateStores(envConfig, logger, db, ch);
  const salt = await loadOrCreateSalt(db, envConfig.hashSalt);
  const sealer = createSealer(salt);
  const live = await liveSettings({ envConfig, sealer, logger, version: () => settingsVersion(db), load: () => readSettings(db, sealer) });
  const config = live.config(); // what is built at start (bots, pollers, webhooks) follows the settings as they are now
  const generatedAdminPassword = has('workflow') || has('dashboard') ? await ensureAdministrator(config, db) : undefined;
  const queues = createQueues({ connection: { url: redisUrl, ...producerRedisOptions() }, prefix: config.queuePrefix });
  await Promise.all(Object.values(queues).map((q) => q.waitUntilReady()));
  // The server's own address, known once it listens: the status links' fallback without OTKLIK_PUBLIC_URL.
  const own: { url?: string } = {};
  const shared: Shared = { config, logger, db, ch, queues, redisUrl, salt, metrics: createMetrics(), requireAuth: requireAuth(db), reads: bindPublicReads(db),
    live, now, links: statusLinksOf({ secret: salt, publicUrl: config.publicUrl, port: config.port, ownUrl: () => own.url, logger }),
    timeZone: regionBasics(config.regionConfigPath).timezone };

  const workflow = has('workflow') ? await wireWorkflow(shared) : undefined;
  // Channels vote through the ballot box even where the workflow runs elsewhere (its relay then publishes later).
  const polls = workflow?.polls ??
    createPolls({ db, salt, limits: config.polls, logger: logger.child({ component: 'polls' }), queues, now, requireAuth: shared.requireAuth });
  const ingest = has('ingest') ? await wireIngest(shared, polls, workflow?.stage) : undefined;
  const withCh = ch ? { ...shared, ch } : undefined;
  const parts: RoleParts[] = [
    ...(ingest ? [ingest] : []),
    ...(has('classify') ? [await wireClassify(shared)] : []),
    ...(workflow ? [workflow] : []),
    ...(has('analytics') && withCh ? [wireAnalytics(withCh)] : []),
    ...(has('dashboard') && withCh ? [await wireDashboard(withCh, polls, workflow?.stage)] : []),
  ];
  const workers = startWorkers(parts.flatMap((p) => p.workers), { connection: { url: redisUrl, ...workerRedisOptions() }, prefix: config.queuePrefix, logger,
    metrics: shared.metrics });
  const http = roles.some((r) => HTTP_ROLES.includes(r)) ? await serveHttp(shared, parts, { names: roles, channels: ingest?.ingest, polls }) : undefined;
  own.url = http?.url;
  for (const p of parts) p.start?.();

  // Order matters: stop intake, let workers finish what they hold, flush analytics, then close connections.
  const stop = inSteps(logger, [
    ...(http ? [{ name: 'http', run: () => closeServer(http.server) }] : []),
    ...parts.filter((p) => p.stop).map((p) => ({ name: 'intake', run: () => p.stop!() })),
    { name: 'workers', run: () => workers.close() },
    ...parts.filter((p) => p.close).map((p) => ({ name: 'role', run: () => p.close!() })),
    { name: 'queues', run: () => closeQueues(queues) },
    ...(http ? [{ name: 'health-redis', run: async () => http.close() }] : []),
    ...(ch ? [{ name: 'clickhouse', run: () => ch.close() }] : []),
    { name: 'settings-watch', run: async () => live.stop() },
    { name: 'postgres-pool', run: () => db.end() },
    ...embedded.reverse().map((e) => ({ name: 'embedded', run: () => e.stop() })),
  ]);
  return {
    config,
    roles,
    logger,
    db,
    ch,
    queues,
    redisUrl,
    server: http?.server,
    url: http?.url,
    routes: http?.routes,
    workers,
    metrics: shared.metrics,
    workflow: workflow?.stage,
    ingest: ingest?.ingest,
    polls,
    generatedAdminPassword,
    stop,
  };
}

/**
 * For one-shot commands that only feed the incoming queue: Redis and PostgreSQL, migrations and the salt, no
 * workers and no HTTP. Messages are processed by the running system.
 */
async function connectForIntake(config: Config, logger: Logger): Promise<IntakeConnection> {
  const embedded: { stop(): Promise<void> }[] = [];
  const { redisUrl, db } = await connectStores(config, logger, embedded, 4);
  const salt = await migrate(db).then(() => loadOrCreateSalt(db, config.hashSalt)).catch(async (err: unknown) => {
    await db.end();
    for (const e of embedded.reverse()) await e.stop();
    throw err;
  });
  const queues = createQueues({ connection: { url: redisUrl, maxRetriesPerRequest: 3, connectTimeout: 5000 }, prefix: config.queuePrefix });
  const redisClient = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  const intake = createIntake({ queues, redis: redisClient, prefix: config.queuePrefix, stats: createStatsStore(redisClient, config.queuePrefix),
    sealer: createSealer(salt) });
  return {
    db,
    salt,
    intake,
    storedMessageIds: bindPublicReads(db).storedMessageIds,
    async close() {
      await closeQueues(queues);
      redisClient.disconnect();
      await db.end();
      for (const e of embedded.reverse()) await e.stop();
    },
  };
}

/** PostgreSQL alone (the embedded one unless DATABASE_URL is set), migrated. */
async function connectPostgres(config: Config, logger: Logger) {
  const postgres = config.databaseUrl ? undefined : await ensurePostgres({ dataDir: config.dataDir, systemDir: config.postgresSystemDir, logger });
  const db = new pg.Pool({ connectionString: config.databaseUrl ?? postgres!.connectionString, max: 2 });
  const close = async () => {
    await db.end();
    await postgres?.stop();
  };
  await migrate(db).catch(async (err: unknown) => {
    await close();
    throw err;
  });
  return { db, close };
}

export function runCli(argv: string[]): Promise<void> {
  return runCommands(argv, {
    start: startOtklik,
    demo: (config, opts) => demoCommand(startOtklik, config, opts),
    forIntake: connectForIntake,
    postgres: connectPostgres,
    clickhouse: (config) => createClickHouse({ ...config.clickhouse, dataDir: config.dataDir }),
  });
}
