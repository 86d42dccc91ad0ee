/**
 * Otklik's one entry and composition root: the only place where real clients (Redis, PostgreSQL, ClickHouse) are
 * made and handed to the stages. Each role is wired by one function returning what it adds to the process
 * (RoleParts); startOtklik joins them into workers, one HTTP app and one OpenAPI document. The commands are cli.ts.
 */
import fs from 'node:fs';
import type http from 'node:http';
import type { RequestHandler, Router } from 'express';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createAnalyticsApi } from './analytics/api.js';
import { createBatcher } from './analytics/batcher.js';
import { eventsTableAvailable, insertEvents, type EventRow } from './analytics/events-store.js';
import { pollTally, pollTurnoutBreakdown, summary } from './analytics/queries.js';
import { applyRetention, migrateClickHouseCluster } from './analytics/schema.js';
import { createAnalyticsStage } from './analytics/stage.js';
import { createDeadlineRules } from './classify/deadlines.js';
import { loadClassifier } from './classify/load-classifier.js';
import { createClassifyStage } from './classify/stage.js';
import { runCommands, type IntakeConnection } from './cli.js';
import { createDashboardApi } from './dashboard/api.js';
import { createDashboardPages } from './dashboard/pages.js';
import { loadMunicipalities } from './dashboard/panel-data.js';
import { createPollPages, registerPollResultsApi } from './dashboard/polls.js';
import { createRoutingPage } from './dashboard/routing.js';
import { migrate } from './db/migrate.js';
import { createIngest, type Ingest } from './ingest/index.js';
import { createIntake } from './ingest/intake.js';
import { createStatsStore } from './ingest/stats.js';
import { ApiBuilder } from './lib/api-builder.js';
import type { Config, Role } from './lib/config.js';
import { closeServer, createHttpApp, listen, type HotRoute } from './lib/http.js';
import { createLogger, type Logger } from './lib/logger.js';
import { createMetrics, recordDeadlineBreaches, recordGroupCommit, recordQueueDepths, type Metrics } from './lib/metrics.js';
import { createQueueBoard } from './lib/queue-board.js';
import { loadRegionConfig, regionNameOf, regionRulesOf, type RegionRules } from './lib/region-config.js';
import { inSteps } from './lib/shutdown.js';
import { closeQueues, createQueues, createReminderQueue, type Queues } from './lib/queues.js';
import type { RegisteredRoute } from './lib/route-table.js';
import { createClickHouse, type ClickHouseClient } from './lib/runtime/clickhouse.js';
import { ensurePostgres } from './lib/runtime/postgres.js';
import { producerRedisOptions, untilReady, workerRedisOptions } from './lib/runtime/redis.js';
import { connectStores, describeStores } from './lib/runtime/stores.js';
import { loadOrCreateSalt } from './lib/salt.js';
import { createSealer } from './lib/seal.js';
import { startWorkers, type RunningWorkers, type WorkerSpec } from './lib/workers.js';
import { createWorkflowApi } from './workflow/api.js';
import { ensureAdmin, limitedLogin, logout, requireAuth, userForToken } from './workflow/auth.js';
import { createCitizenDesk } from './workflow/citizen-desk.js';
import { bindModeration } from './workflow/moderation.js';
import { createPolls, type Polls } from './workflow/polls/index.js';
import { bindPublicReads, type PublicReads } from './workflow/public-reads.js';
import { seedRouting } from './workflow/routing/store.js';
import { createStaffLinkDesk } from './workflow/staff/telegram-link.js';
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

/** The region's calendar and digest times, with classify's deadline rules (for recomputing a term): stages meet here. */
const regionRules = (config: Config, region = loadRegionConfig(config.regionConfigPath)): RegionRules => regionRulesOf(region, createDeadlineRules(region));

async function wireClassify(s: Shared): Promise<RoleParts> {
  const classifier = await loadClassifier(s.config, s.logger);
  s.logger.info({ model: classifier.categoryModel.version, complaintModel: classifier.complaintModel?.version, region: classifier.region.region }, 'classifier ready');
  return parts({ workers: createClassifyStage({ queues: s.queues, ...classifier, observe: (seconds) => s.metrics.classifyLatency.observe(seconds) }).workers });
}

/** The case workflow, its API and the polls (whose votes leave through the workflow's outbox relay). */
async function wireWorkflow(s: Shared): Promise<RoleParts & { stage: WorkflowStage; polls: Polls }> {
  const { config, db, logger } = s;
  if (await seedRouting(db, config.routingConfigPath)) logger.info({ file: config.routingConfigPath }, 'routing table version 1 seeded');
  const region = regionRules(config);
  const staff = { region, publicUrl: config.publicUrl, alertMinutes: config.workflow.staffAlertMinutes, reminderDaysBefore: config.workflow.reminderDaysBefore };
  const stage = createWorkflowStage({
    db, queues: s.queues, logger, sealer: createSealer(s.salt), ...staff,
    reminders: createReminderQueue({ connection: { url: s.redisUrl, ...producerRedisOptions() }, prefix: config.queuePrefix }),
  });
  // Votes and their analytics events share one transaction through the outbox; the relay publishes them.
  const polls = createPolls({ db, salt: s.salt, relay: stage.relay, limits: config.polls, logger: logger.child({ component: 'polls' }), queues: s.queues });
  const api = createWorkflowApi({
    db, tokenTtlHours: config.tokenTtlHours, relay: stage.relay, ...staff, invitationTtlHours: config.workflow.invitationTtlHours,
    loginLimit: loginLimitOf(config),
  });
  return {
    ...parts({ workers: stage.workers, routers: [api.router, polls.router], apis: [...api.builders, ...polls.builders], hot: polls.hotRoutes }),
    async close() {
      await stage.close();
      await stage.reminders.close();
    },
    stage, polls,
  };
}

/** The channels: webhooks, pollers, the widget, the 122 endpoint and outbound delivery. */
async function wireIngest(s: Shared, polls: Polls, workflow: WorkflowStage | undefined): Promise<RoleParts & { ingest: Ingest }> {
  const { config, db, logger, metrics } = s;
  const redis = new Redis(s.redisUrl, producerRedisOptions());
  redis.on('error', (err) => logger.warn({ err: err.message }, 'ingest Redis connection error'));
  await untilReady(redis);
  const ingest = createIngest({
    config, db, queues: s.queues, redis, salt: s.salt, logger, requireAuth: s.requireAuth, region: regionNameOf(config.regionConfigPath), polls: polls.ballotBox,
    cases: s.reads,
    // The Telegram bot's rating buttons: the workflow's citizen desk checks the author and records the rating.
    ratings: createCitizenDesk({ db, relay: workflow?.relay, reminderDaysBefore: config.workflow.reminderDaysBefore, region: regionRules(config) }),
    // `/link <code>` from staff: the workflow links the chat to the account for alerts.
    staffLinks: createStaffLinkDesk({ db }),
    observeCount: (source, result, n) => metrics.ingested.inc({ source, result }, n),
  });
  return {
    ...parts({ workers: ingest.workers, routers: ingest.routers, apis: [ingest.api] }),
    metricCollectors: [async () => recordGroupCommit(metrics, 'intake', ingest.intake.batching())],
    start: () => ingest.start(),
    stop: () => ingest.stop(),
    close: async () => void redis.disconnect(),
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
  const userOf = (token: string) => userForToken(db, token);
  // What each official may read of the figures is the workflow's decision (workflow/read-scopes.ts).
  const figuresScope = s.reads.figuresScope;
  const analytics = createAnalyticsApi({ ch, requireAuth: s.requireAuth, figuresScope });
  const region = regionRules(config);
  const moderation = bindModeration(db, { relay: workflow?.relay, region, reminderDaysBefore: config.workflow.reminderDaysBefore });
  const api = createDashboardApi({ requireAuth: s.requireAuth, moderation, ch, organizationNames: s.reads.organizationNames, municipalities, figuresScope });
  const pollSources = {
    poll: (id: string) => polls.ballotBox.poll(id),
    list: () => polls.ballotBox.publicPolls(),
    results: (id: string) => pollTally(ch, id),
    turnout: (id: string) => pollTurnoutBreakdown(ch, id),
    timeZone: region.timeZone,
  };
  registerPollResultsApi(api, pollSources);
  const pages = await createDashboardPages({
    summary: () => summary(ch), ch, organizationNames: s.reads.organizationNames, figuresScope, municipalities, secureCookie: config.secureCookies,
    timeZone: region.timeZone,
    session: {
      login: (login, password, ip) => limitedLogin(db, { login, password, ip, ttlHours: config.tokenTtlHours,
        limit: loginLimitOf(config) }),
      logout: (token) => logout(db, token),
      userForToken: userOf,
    },
  });
  const routers = [analytics.router, pages, api.router, createRoutingPage({ userForToken: userOf, timeZone: region.timeZone }), await createPollPages(pollSources)];
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
  const hot = roles.flatMap((r) => r.hot).map((route) => ({ ...route, headers: channels ? (req: Parameters<NonNullable<HotRoute['headers']>>[0]) => channels.pollCors(req.get('origin')) : undefined }));
  const app = createHttpApp({
    routers: [...roles.flatMap((r) => r.routers), queueBoard], apis: roles.flatMap((r) => r.apis), logger: s.logger, hot,
    health: {
      redis: async () => (await healthRedis.ping()) === 'PONG',
      postgres: async () => (await db.query('select 1')).rowCount === 1,
      clickhouse: ch ? async () => (await ch.ping()).success : 'off',
    },
    channels: channels ? () => channels.channels() : undefined, stores: describeStores(config, !!ch),
    metrics, metricsToken: config.metricsToken, metricsPublic: config.metricsPublic, trustProxy: config.trustProxy, secureCookies: config.secureCookies,
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
export async function startOtklik(config: Config, roles: Role[], logger: Logger = createLogger(config.logLevel)): Promise<Otklik> {
  const embedded: { stop(): Promise<void> }[] = [];
  try {
    return await startRoles(config, roles, logger, embedded);
  } catch (err) {
    // Embedded servers run in their own process group and outlive this process: a failed start stops what it started.
    for (const e of embedded.reverse()) await e.stop().catch(() => {});
    throw err;
  }
}

async function startRoles(config: Config, roles: Role[], logger: Logger, embedded: { stop(): Promise<void> }[]): Promise<Otklik> {
  const has = (r: Role) => roles.includes(r);
  fs.mkdirSync(config.dataDir, { recursive: true });

  const { redisUrl, db } = await connectStores(config, logger, embedded, 20);
  // chDB binds its data directory to one process, so only processes that read or write analytics open it.
  const ch = has('analytics') || has('dashboard') ? await createClickHouse({ ...config.clickhouse, dataDir: config.dataDir }) : undefined;
  await migrateStores(config, logger, db, ch);
  const salt = await loadOrCreateSalt(db, config.hashSalt);
  const generatedAdminPassword = has('workflow') || has('dashboard') ? await ensureAdministrator(config, db) : undefined;
  const queues = createQueues({ connection: { url: redisUrl, ...producerRedisOptions() }, prefix: config.queuePrefix });
  await Promise.all(Object.values(queues).map((q) => q.waitUntilReady()));
  const shared: Shared = { config, logger, db, ch, queues, redisUrl, salt, metrics: createMetrics(), requireAuth: requireAuth(db),
    reads: bindPublicReads(db) };

  const workflow = has('workflow') ? await wireWorkflow(shared) : undefined;
  // Channels vote through the ballot box even where the workflow runs elsewhere (its relay then publishes later).
  const polls = workflow?.polls ?? createPolls({ db, salt, limits: config.polls, logger: logger.child({ component: 'polls' }), queues });
  const ingest = has('ingest') ? await wireIngest(shared, polls, workflow?.stage) : undefined;
  const withCh = ch ? { ...shared, ch } : undefined;
  const parts: RoleParts[] = [
    ...(ingest ? [ingest] : []),
    ...(has('classify') ? [await wireClassify(shared)] : []),
    ...(workflow ? [workflow] : []),
    ...(has('analytics') && withCh ? [wireAnalytics(withCh)] : []),
    ...(has('dashboard') && withCh ? [await wireDashboard(withCh, polls, workflow?.stage)] : []),
  ];
  const workers = startWorkers(parts.flatMap((p) => p.workers),
    { connection: { url: redisUrl, ...workerRedisOptions() }, prefix: config.queuePrefix, logger, metrics: shared.metrics });
  const http = roles.some((r) => HTTP_ROLES.includes(r)) ? await serveHttp(shared, parts, { names: roles, channels: ingest?.ingest, polls }) : undefined;
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
    { name: 'postgres-pool', run: () => db.end() },
    ...embedded.reverse().map((e) => ({ name: 'embedded', run: () => e.stop() })),
  ]);
  return {
    config, roles, logger, db, ch, queues, redisUrl, server: http?.server, url: http?.url, routes: http?.routes, workers, metrics: shared.metrics,
    workflow: workflow?.stage, ingest: ingest?.ingest, generatedAdminPassword, stop,
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
    db, salt, intake,
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
    forIntake: connectForIntake,
    postgres: connectPostgres,
    clickhouse: (config) => createClickHouse({ ...config.clickhouse, dataDir: config.dataDir }),
  });
}
