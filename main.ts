/**
 * Otklik's one entry: the CLI, and the only place where real clients (Redis, PostgreSQL, ClickHouse) are made
 * and handed to the stages.
 */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { Command } from 'commander';
import type { Request, Router } from 'express';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createAnalyticsApi } from './analytics/api.js';
import { createBatcher, type Batcher } from './analytics/batcher.js';
import { eventsTableAvailable, insertEvents, type EventRow } from './analytics/events-store.js';
import { pollResults, pollTurnoutBreakdown, ALL_TIME, summary } from './analytics/queries.js';
import { applyRetention, migrateClickHouseCluster, rebuildRollups } from './analytics/schema.js';
import { createAnalyticsStage } from './analytics/stage.js';
import { registerClassifyCommands } from './classify/cli.js';
import { loadClassifier } from './classify/load-classifier.js';
import { loadRegionConfig } from './classify/region-config.js';
import { createClassifyStage } from './classify/stage.js';
import { createDashboardPages } from './dashboard/pages.js';
import { createRoutingPage } from './dashboard/routing.js';
import { migrate } from './db/migrate.js';
import { createContactCenterRouter } from './ingest/contact-center.js';
import { importCalls } from './ingest/import-calls.js';
import { createIngest, type Ingest } from './ingest/index.js';
import { createIntake } from './ingest/intake.js';
import { replayFile } from './ingest/replay.js';
import { createStatsStore } from './ingest/stats.js';
import { loadConfig, parseRoles, type Config, type Role } from './lib/config.js';
import { closeServer, createHttpApp, listen, type HealthCheck } from './lib/http.js';
import { createLogger, type Logger } from './lib/logger.js';
import { closeQueues, createQueues, createReminderQueue, type Queues } from './lib/queues.js';
import { createClickHouse, type ClickHouseClient } from './lib/runtime/clickhouse.js';
import { ensurePostgres } from './lib/runtime/postgres.js';
import { producerRedisOptions, untilReady, workerRedisOptions } from './lib/runtime/redis.js';
import { connectStores, describeStores } from './lib/runtime/stores.js';
import { createMetrics, type Metrics } from './lib/metrics.js';
import { createQueueBoard } from './lib/queue-board.js';
import { loadOrCreateSalt } from './lib/salt.js';
import { createSealer } from './lib/seal.js';
import { startWorkers, type RunningWorkers, type WorkerSpec } from './lib/workers.js';
import { ensureAdmin, limitedLogin, logout, requireAuth, userForToken } from './workflow/auth.js';
import { createWorkflowApi } from './workflow/api.js';
import { bindModeration, exportCorrections } from './workflow/moderation.js';
import { createCitizenDesk } from './workflow/citizen-desk.js';
import { OPEN_STATUSES } from './workflow/rules.js';
import { exportExamples as exportRoutingExamples, seedRouting } from './workflow/routing/store.js';
import { createWorkflowStage, type WorkflowStage } from './workflow/stage.js';
import { createPolls } from './workflow/polls/index.js';
import { createPollPages } from './dashboard/polls.js';

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
  const ch = has('analytics') || has('dashboard')
    ? await createClickHouse({ ...config.clickhouse, dataDir: config.dataDir })
    : undefined;

  // On a cluster the ClickHouse schema is rendered ON CLUSTER (Replicated + Distributed) by analytics/schema.ts.
  const cluster = config.analytics.cluster;
  const applied = await migrate(db, cluster ? undefined : ch);
  if (ch && cluster) applied.clickhouse.push(...(await migrateClickHouseCluster(ch, cluster)));
  if (ch && (await applyRetention(ch, config.analytics.eventsTtlDays, cluster))) {
    logger.info({ days: config.analytics.eventsTtlDays }, 'analytics retention applied');
  }
  if (applied.postgres.length || applied.clickhouse.length) logger.info(applied, 'migrations applied');
  const salt = await loadOrCreateSalt(db, config.hashSalt);

  let generatedAdminPassword: string | undefined;
  if (has('workflow') || has('dashboard')) {
    const admin = await ensureAdmin(db, config.admin.login, config.admin.password);
    generatedAdminPassword = admin.generatedPassword;
    if (generatedAdminPassword) {
      // Printed once, on the console only: it is never logged or stored in clear.
      process.stdout.write(`\nOtklik administrator created. Login: ${config.admin.login}  Password: ${generatedAdminPassword}\n` +
        'Keep it now: it is not shown again (set OTKLIK_ADMIN_PASSWORD to choose your own).\n\n');
    }
  }
  if (has('workflow') && (await seedRouting(db, config.routingConfigPath))) {
    logger.info({ file: config.routingConfigPath }, 'routing table version 1 seeded');
  }

  const queues = createQueues({ connection: { url: redisUrl, ...producerRedisOptions() }, prefix: config.queuePrefix });
  const metrics = createMetrics();
  await Promise.all(Object.values(queues).map((q) => q.waitUntilReady()));

  const healthRedis = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 });
  healthRedis.on('error', () => {});

  let batcher: Batcher<EventRow> | undefined;
  const table: WorkerSpec[] = [];
  if (has('classify')) {
    const classifier = await loadClassifier(config, logger);
    logger.info({ model: classifier.categoryModel.version, complaintModel: classifier.complaintModel?.version, region: classifier.region.region }, 'classifier ready');
    table.push(...createClassifyStage({ queues, ...classifier, observe: (seconds) => metrics.classifyLatency.observe(seconds) }).workers);
  }
  const workflow = has('workflow')
    ? createWorkflowStage({
      db, queues, logger, reminderDaysBefore: config.workflow.reminderDaysBefore, sealer: createSealer(salt),
      reminders: createReminderQueue({ connection: { url: redisUrl, ...producerRedisOptions() }, prefix: config.queuePrefix }),
    })
    : undefined;
  if (workflow) table.push(...workflow.workers);
  // Votes and their analytics events share one transaction through the outbox; the workflow's relay publishes them.
  const polls = createPolls({ db, salt, relay: workflow?.relay, limits: config.polls, logger: logger.child({ component: 'polls' }), queues });
  const ingestRedis = has('ingest') ? new Redis(redisUrl, producerRedisOptions()) : undefined;
  ingestRedis?.on('error', (err) => logger.warn({ err: err.message }, 'ingest Redis connection error'));
  await Promise.all([healthRedis, ...(ingestRedis ? [ingestRedis] : [])].map((client) => untilReady(client)));
  const ingest = ingestRedis
    ? createIngest({
      config, db, queues, redis: ingestRedis, salt, logger, requireAuth: requireAuth(db), region: regionName(config), polls: polls.ballotBox,
      ratings: createCitizenDesk({ db, relay: workflow?.relay, reminderDaysBefore: config.workflow.reminderDaysBefore }),
      observeCount: (source, result, n) => metrics.ingested.inc({ source, result }, n),
    })
    : undefined;
  if (ingest) table.push(...ingest.workers);
  if (has('analytics') && ch) {
    batcher = createBatcher<EventRow>({ insert: insertEvents(ch), rowKey: (r) => r.event_id, logger: logger.child({ component: 'batcher' }) });
    table.push(...createAnalyticsStage({ batcher, available: () => eventsTableAvailable(ch), logger }).workers);
  }
  const workers = startWorkers(table, { connection: { url: redisUrl, ...workerRedisOptions() }, prefix: config.queuePrefix, logger, metrics });

  let server: http.Server | undefined;
  let url: string | undefined;
  if (roles.some((r) => HTTP_ROLES.includes(r))) {
    const routers: Router[] = [];
    if (ingest) routers.push(createContactCenterRouter({ intake: ingest.intake, secret: config.contactCenterSecret, salt, logger }));
    if (ingest) routers.push(...ingest.routers);
    if (has('workflow')) {
      routers.push(createWorkflowApi({
        db, tokenTtlHours: config.tokenTtlHours, relay: workflow?.relay, reminderDaysBefore: config.workflow.reminderDaysBefore,
        loginLimit: loginLimitOf(config),
      }).router);
      routers.push(polls.router);
    }
    if (has('dashboard') && ch) {
      routers.push(createAnalyticsApi({ ch, requireAuth: requireAuth(db) }));
      routers.push(await createDashboardPages({
        summary: () => summary(ch), db, ch, requireAuth: requireAuth(db), gazetteerPath: config.gazetteerPath, secureCookie: config.secureCookies,
        moderation: bindModeration(db, { relay: workflow?.relay }),
        session: {
          login: (login, password, ip) => limitedLogin(db, { login, password, ip, ttlHours: config.tokenTtlHours,
            limit: loginLimitOf(config) }),
          logout: (token) => logout(db, token),
          userForToken: (token) => userForToken(db, token),
        },
      }));
      routers.push(createRoutingPage({ userForToken: (token) => userForToken(db, token) }));
      routers.push(await createPollPages({
        poll: (id) => polls.ballotBox.poll(id),
        list: () => polls.ballotBox.publicPolls(),
        results: async (id) => (await pollResults(ch, id, ALL_TIME)).map((r) => ({ question: String(r.question), option: String(r.option), votes: Number(r.votes), share: Number(r.share) })),
        turnout: (id) => pollTurnoutBreakdown(ch, id),
      }));
    }
    const health: Record<string, HealthCheck | 'off'> = {
      redis: async () => (await healthRedis.ping()) === 'PONG',
      postgres: async () => (await db.query('select 1')).rowCount === 1,
      clickhouse: ch ? async () => (await ch.ping()).success : 'off',
    };
    routers.push(createQueueBoard({ queues: Object.values(queues), authenticate: requireAuth(db) }));
    // The vote endpoint takes storms: answered before the middleware stack, with the widget's CORS where it is on.
    const hot = has('workflow') ? polls.hotRoutes.map((route) => ({ ...route, headers: ingest ? (req: Request) => ingest.pollCors(req.get('origin')) : undefined })) : [];
    const app = createHttpApp({
      routers, health, logger, hot, channels: ingest ? () => ingest.channels() : undefined, stores: describeStores(config, !!ch),
      metrics, metricsToken: config.metricsToken, metricsPublic: config.metricsPublic, trustProxy: config.trustProxy, secureCookies: config.secureCookies,
      beforeScrape: async () => {
        for (const [name, q] of Object.entries(queues)) {
          const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
          for (const [state, n] of Object.entries(counts)) metrics.queueDepth.set({ queue: name, state }, n);
        }
        const votes = polls.voteBatcher.stats();
        const batching = { votes: votes.votes, voter_tokens: votes.tokens, ...(ingest ? { intake: ingest.intake.batching() } : {}) };
        for (const [path, b] of Object.entries(batching)) {
          metrics.groupCommitItems.set({ path, state: 'pending' }, b.pending);
          metrics.groupCommitItems.set({ path, state: 'in_flight' }, b.inFlight);
          metrics.groupCommitMeanBatch.set({ path }, b.batches ? b.items / b.batches : 0);
        }
        const overdue = await db.query<{ fast_track: boolean; n: string }>(
          'select fast_track, count(*) as n from cases where status = any($1) and deadline_at < now() group by fast_track', [OPEN_STATUSES]);
        metrics.deadlineBreaches.reset();
        for (const fastTrack of [false, true]) {
          metrics.deadlineBreaches.set({ fast_track: String(fastTrack) }, Number(overdue.rows.find((r) => r.fast_track === fastTrack)?.n ?? 0));
        }
      },
    });
    server = await listen(app, config.port, config.host);
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    url = `http://127.0.0.1:${port}`;
    logger.info({ url, roles }, 'Otklik is listening');
  }
  ingest?.start();

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // Order matters: stop intake, let workers finish what they hold, flush analytics, then close connections.
      const step = async (name: string, fn: () => Promise<unknown>) => {
        const started = Date.now();
        try {
          await fn();
        } catch (err) {
          logger.warn({ step: name, err: (err as Error).message }, 'shutdown step failed');
        }
        logger.debug({ step: name, ms: Date.now() - started }, 'shutdown step done');
      };
      if (server) await step('http', () => closeServer(server!));
      if (ingest) await step('ingest-pollers', () => ingest.stop());
      await step('workers', () => workers.close());
      if (workflow) await step('workflow', () => workflow.close());
      if (batcher) await step('batcher', () => batcher!.close());
      await step('queues', () => closeQueues(queues));
      if (workflow) await step('reminder-queue', () => workflow.reminders.close());
      healthRedis.disconnect();
      ingestRedis?.disconnect();
      if (ch) await step('clickhouse', () => ch.close());
      await step('postgres-pool', () => db.end());
      for (const e of embedded.reverse()) await step('embedded', () => e.stop());
      logger.info('Otklik stopped');
    })());

  return { config, roles, logger, db, ch, queues, redisUrl, server, url, workers, metrics, workflow, ingest, generatedAdminPassword, stop };
}

const loginLimitOf = (config: Config) => ({ maxFailures: config.workflow.loginMaxFailures, windowMinutes: config.workflow.loginWindowMinutes,
  ipMaxFailures: config.workflow.loginIpMaxFailures, accountMaxFailures: config.workflow.loginAccountMaxFailures });

/** The region's name for provenance; a broken region file is the classifier's error to report, not ingest's. */
function regionName(config: Config): string | undefined {
  try {
    return loadRegionConfig(config.regionConfigPath).region;
  } catch {
    return undefined;
  }
}

/**
 * For one-shot commands that only feed the incoming queue: Redis and PostgreSQL, migrations and the salt, no
 * workers and no HTTP. Messages are processed by the running system.
 */
async function connectForIntake(config: Config, logger: Logger) {
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
    async close() {
      await closeQueues(queues);
      redisClient.disconnect();
      await db.end();
      for (const e of embedded.reverse()) await e.stop();
    },
  };
}

type IntakeReport = { total: number; imported: number; skipped: number; errors: { line: number; error: string }[] };

function printReport(report: IntakeReport): void {
  for (const e of report.errors.slice(0, 1000)) process.stderr.write(`line ${e.line}: ${e.error}\n`);
  if (report.errors.length > 1000) process.stderr.write(`… and ${report.errors.length - 1000} more errors\n`);
  process.stdout.write(`${JSON.stringify({ total: report.total, imported: report.imported, skipped: report.skipped, errors: report.errors.length })}\n`);
}

export async function runCli(argv: string[]): Promise<void> {
  const program = new Command('otklik').description('Otklik — citizen feedback platform').showHelpAfterError();

  program
    .command('start')
    .description('start Otklik (all roles in one process unless --roles is given)')
    .option('--roles <roles>', 'comma-separated: ingest,classify,workflow,analytics,dashboard')
    .action(async (opts: { roles?: string }) => {
      const config = loadConfig();
      const roles = parseRoles(opts.roles);
      const logger = createLogger(config.logLevel);
      const system = await startOtklik(config, roles, logger);
      let signals = 0;
      const onSignal = (signal: string) => {
        if (++signals > 1) {
          logger.warn('second signal: exiting now');
          process.exit(1);
        }
        logger.info({ signal }, 'shutting down');
        const deadline = setTimeout(() => {
          logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown deadline passed; exiting');
          process.exit(1);
        }, config.shutdownTimeoutMs);
        deadline.unref();
        void system.stop().then(() => process.exit(0));
      };
      process.on('SIGINT', () => onSignal('SIGINT'));
      process.on('SIGTERM', () => onSignal('SIGTERM'));
    });

  const intakeCommand = (name: string, description: string, run: (file: string, c: Awaited<ReturnType<typeof connectForIntake>>) => Promise<IntakeReport>) =>
    program
      .command(`${name} <file>`)
      .description(description)
      .action(async (file: string) => {
        const config = loadConfig();
        const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
        const c = await connectForIntake(config, logger);
        let report: IntakeReport;
        try {
          report = await run(path.resolve(file), c);
        } finally {
          await c.close();
        }
        printReport(report);
        if (report.errors.length > 0) process.exitCode = 2;
      });
  intakeCommand('import-calls', "import the 122 contact center's CSV or XLSX export (rows already imported are skipped)",
    (file, c) => importCalls(file, { intake: c.intake, db: c.db, salt: c.salt, progress: (l) => process.stderr.write(`${l}\n`) }));
  intakeCommand('replay', 'feed saved posts of any channel (JSON lines) through the same intake path',
    (file, c) => replayFile(file, { intake: c.intake, salt: c.salt, ownGroupIds: loadConfig().vk.groupIds, progress: (l) => process.stderr.write(`${l}\n`) }));

  program
    .command('analytics')
    .description('analytics maintenance')
    .command('rebuild')
    .description('re-derive every analytics rollup from the events table (stop the analytics role first)')
    .action(async () => {
      const config = loadConfig();
      const ch = await createClickHouse({ ...config.clickhouse, dataDir: config.dataDir });
      try {
        await rebuildRollups(ch, { cluster: config.analytics.cluster, log: (l) => process.stdout.write(`${l}\n`) });
      } finally {
        await ch.close();
      }
    });

  // train / classify / eval: the region's own data and rubricator, no servers needed.
  registerClassifyCommands(program);

  program
    .command('export-routing-examples <file>')
    .description('write coordinators\' redirects as JSON lines for `otklik train --text text --label organization --context district`')
    .action(async (file: string) => {
      const config = loadConfig();
      const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
      const c = await connectForIntake(config, logger);
      try {
        const out = fs.createWriteStream(path.resolve(file));
        const n = await exportRoutingExamples(c.db, (line) => void out.write(line));
        await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
        process.stdout.write(`${JSON.stringify({ examples: n, file: path.resolve(file) })}\n`);
      } finally {
        await c.close();
      }
    });

  program
    .command('export-corrections <file>')
    .description("write the monitoring team's corrections as JSON Lines for `otklik train --corrections`")
    .option('--kind', 'complaint / question / other corrections (for the complaint detector) instead of categories')
    .action(async (file: string, opts: { kind?: boolean }) => {
      const config = loadConfig();
      const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
      const postgres = config.databaseUrl ? undefined : await ensurePostgres({ dataDir: config.dataDir, systemDir: config.postgresSystemDir, logger });
      const db = new pg.Pool({ connectionString: config.databaseUrl ?? postgres!.connectionString, max: 2 });
      try {
        await migrate(db);
        const n = await exportCorrections(db, path.resolve(file), opts.kind ? 'kind' : 'category');
        process.stdout.write(`${JSON.stringify({ corrections: n, file: path.resolve(file) })}\n`);
      } finally {
        await db.end();
        await postgres?.stop();
      }
    });

  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.stderr.write(`otklik: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

export const REPO_ROOT = path.dirname(new URL(import.meta.url).pathname);
