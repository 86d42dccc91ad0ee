/**
 * Otklik's one entry: the CLI, and the only place where real clients (Redis, PostgreSQL, ClickHouse) are made
 * and handed to the stages.
 */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { Command } from 'commander';
import type { Router } from 'express';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createAnalyticsApi } from './analytics/api.js';
import { createBatcher, type Batcher } from './analytics/batcher.js';
import { insertEvents, type EventRow } from './analytics/events-store.js';
import { summary } from './analytics/queries.js';
import { createAnalyticsStage } from './analytics/stage.js';
import { createBaselineModel } from './classify/baseline.js';
import { loadRegionConfig } from './classify/region-config.js';
import { createClassifyStage } from './classify/stage.js';
import type { TextModelLike } from './classify/text-model.js';
import { createDashboardPages } from './dashboard/pages.js';
import { migrate } from './db/migrate.js';
import { createContactCenterRouter } from './ingest/contact-center.js';
import { loadConfig, parseRoles, type Config, type Role } from './lib/config.js';
import { closeServer, createHttpApp, listen, type HealthCheck } from './lib/http.js';
import { createLogger, type Logger } from './lib/logger.js';
import { closeQueues, createQueues, type Queues } from './lib/queues.js';
import { createClickHouse, type ClickHouseClient } from './lib/runtime/clickhouse.js';
import { ensurePostgres, type PostgresEndpoint } from './lib/runtime/postgres.js';
import { ensureRedis, producerRedisOptions, workerRedisOptions, type RedisEndpoint } from './lib/runtime/redis.js';
import { loadOrCreateSalt } from './lib/salt.js';
import { startWorkers, type RunningWorkers, type WorkerSpec } from './lib/workers.js';
import { ensureAdmin } from './workflow/auth.js';
import { createWorkflowApi } from './workflow/api.js';
import { createWorkflowStage } from './workflow/stage.js';

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
  generatedAdminPassword?: string;
  stop(): Promise<void>;
}

const HTTP_ROLES: Role[] = ['ingest', 'workflow', 'dashboard'];

async function loadCategoryModel(logger: Logger): Promise<TextModelLike> {
  // The trained model replaces the keyword baseline as soon as its file exists.
  return createBaselineModel();
}

/** Starts the roles of this process against Redis, PostgreSQL and ClickHouse (embedded unless URLs are set). */
export async function startOtklik(config: Config, roles: Role[], logger: Logger = createLogger(config.logLevel)): Promise<Otklik> {
  const has = (r: Role) => roles.includes(r);
  const embedded: { stop(): Promise<void> }[] = [];
  fs.mkdirSync(config.dataDir, { recursive: true });

  let redis: RedisEndpoint | undefined;
  let postgres: PostgresEndpoint | undefined;
  const redisUrl = config.redisUrl ?? (redis = await ensureRedis({ dataDir: config.dataDir, logger })).url;
  if (redis) embedded.push(redis);
  const databaseUrl = config.databaseUrl ?? (postgres = await ensurePostgres({ dataDir: config.dataDir, logger })).connectionString;
  if (postgres) embedded.push(postgres);

  const db = new pg.Pool({ connectionString: databaseUrl, max: 20 });
  db.on('error', (err) => logger.warn({ err: err.message }, 'idle PostgreSQL client error'));
  // chDB binds its data directory to one process, so only processes that read or write analytics open it.
  const ch = has('analytics') || has('dashboard')
    ? await createClickHouse({ ...config.clickhouse, dataDir: config.dataDir })
    : undefined;

  const applied = await migrate(db, ch);
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

  const queues = createQueues({ connection: { url: redisUrl, ...producerRedisOptions() }, prefix: config.queuePrefix });
  await Promise.all(Object.values(queues).map((q) => q.waitUntilReady()));

  const healthRedis = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 });
  healthRedis.on('error', () => {});

  let batcher: Batcher<EventRow> | undefined;
  const table: WorkerSpec[] = [];
  if (has('classify')) {
    const region = loadRegionConfig(config.regionConfigPath);
    const categoryModel = await loadCategoryModel(logger);
    logger.info({ model: categoryModel.version, region: region.region }, 'classifier ready');
    table.push(...createClassifyStage({ queues, categoryModel, region }).workers);
  }
  if (has('workflow')) table.push(...createWorkflowStage({ db, queues }).workers);
  if (has('analytics') && ch) {
    batcher = createBatcher<EventRow>({ insert: insertEvents(ch), rowKey: (r) => r.event_id, logger: logger.child({ component: 'batcher' }) });
    table.push(...createAnalyticsStage({ batcher }).workers);
  }
  const workers = startWorkers(table, { connection: { url: redisUrl, ...workerRedisOptions() }, prefix: config.queuePrefix, logger });

  let server: http.Server | undefined;
  let url: string | undefined;
  if (roles.some((r) => HTTP_ROLES.includes(r))) {
    const routers: Router[] = [];
    if (has('ingest')) routers.push(createContactCenterRouter({ queues, secret: config.contactCenterSecret, salt, logger }));
    if (has('workflow')) routers.push(createWorkflowApi({ db, tokenTtlHours: config.tokenTtlHours }));
    if (has('dashboard') && ch) {
      routers.push(createAnalyticsApi({ ch }));
      routers.push(await createDashboardPages({ summary: () => summary(ch) }));
    }
    const health: Record<string, HealthCheck | 'off'> = {
      redis: async () => (await healthRedis.ping()) === 'PONG',
      postgres: async () => (await db.query('select 1')).rowCount === 1,
      clickhouse: ch ? async () => (await ch.ping()).success : 'off',
    };
    const app = createHttpApp({ routers, health, logger });
    server = await listen(app, config.port, config.host);
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    url = `http://127.0.0.1:${port}`;
    logger.info({ url, roles }, 'Otklik is listening');
  }

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // Order matters: stop intake, let workers finish what they hold, flush analytics, then close connections.
      const step = async (name: string, fn: () => Promise<unknown>) => {
        try {
          await fn();
        } catch (err) {
          logger.warn({ step: name, err: (err as Error).message }, 'shutdown step failed');
        }
      };
      if (server) await step('http', () => closeServer(server!));
      await step('workers', () => workers.close());
      if (batcher) await step('batcher', () => batcher!.close());
      await step('queues', () => closeQueues(queues));
      healthRedis.disconnect();
      if (ch) await step('clickhouse', () => ch.close());
      await step('postgres-pool', () => db.end());
      for (const e of embedded.reverse()) await step('embedded', () => e.stop());
      logger.info('Otklik stopped');
    })());

  return { config, roles, logger, db, ch, queues, redisUrl, server, url, workers, generatedAdminPassword, stop };
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

  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.stderr.write(`otklik: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

export const REPO_ROOT = path.dirname(new URL(import.meta.url).pathname);
