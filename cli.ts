/**
 * The `otklik` commands. Every store they touch is opened by main.ts (the only place that makes real clients) and
 * handed in as `Connections`; main.ts's runCli is the entry bin/otklik.mjs calls.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import type pg from 'pg';
import { rebuildRollups } from './analytics/schema.js';
import { registerClassifyCommands } from './classify/cli.js';
import { exportCorrections } from './workflow/moderation.js';
import { importCalls } from './ingest/import-calls.js';
import type { Intake } from './ingest/intake.js';
import { replayFile } from './ingest/replay.js';
import { loadConfig, parseRoles, type Config, type Role } from './lib/config.js';
import { createLogger, type Logger } from './lib/logger.js';
import type { ClickHouseClient } from './lib/runtime/clickhouse.js';
import { exportExamples as exportRoutingExamples } from './workflow/routing/store.js';

/** Stores opened for a one-shot command: what it needs, and how to close it again. */
export interface IntakeConnection {
  db: pg.Pool;
  salt: string;
  intake: Intake;
  /** Which of these messages are stored already. */
  storedMessageIds(messageIds: string[]): Promise<string[]>;
  close(): Promise<void>;
}

export interface Connections {
  start(config: Config, roles: Role[], logger: Logger): Promise<{ stop(): Promise<void> }>;
  /** Loads the demo region into an empty deployment (demo/). */
  demo(config: Config, opts: { days: number; seed: number }): Promise<void>;
  /** Redis and PostgreSQL with migrations and the salt: for commands that only feed the incoming queue. */
  forIntake(config: Config, logger: Logger): Promise<IntakeConnection>;
  /** PostgreSQL alone, migrated. */
  postgres(config: Config, logger: Logger): Promise<{ db: pg.Pool; close(): Promise<void> }>;
  clickhouse(config: Config): Promise<ClickHouseClient>;
}

type IntakeReport = { total: number; imported: number; skipped: number; errors: { line: number; error: string }[] };

function printReport(report: IntakeReport): void {
  for (const e of report.errors.slice(0, 1000)) process.stderr.write(`line ${e.line}: ${e.error}\n`);
  if (report.errors.length > 1000) process.stderr.write(`… and ${report.errors.length - 1000} more errors\n`);
  process.stdout.write(`${JSON.stringify({ total: report.total, imported: report.imported, skipped: report.skipped, errors: report.errors.length })}\n`);
}

/** One-shot commands log warnings and errors only, unless a more verbose level was asked for. */
const quietLogger = (config: Config) => createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);

function registerStart(program: Command, connect: Connections): void {
  program
    .command('start')
    .description('start Otklik (all roles in one process unless --roles is given)')
    .option('--roles <roles>', 'comma-separated: ingest,classify,workflow,analytics,dashboard')
    .action(async (opts: { roles?: string }) => {
      const config = loadConfig();
      const logger = createLogger(config.logLevel);
      const system = await connect.start(config, parseRoles(opts.roles), logger);
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
}

function registerIntakeCommands(program: Command, connect: Connections): void {
  const intakeCommand = (name: string, description: string, run: (file: string, c: IntakeConnection) => Promise<IntakeReport>) =>
    program
      .command(`${name} <file>`)
      .description(description)
      .action(async (file: string) => {
        const config = loadConfig();
        const c = await connect.forIntake(config, quietLogger(config));
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
    (file, c) => importCalls(file, { intake: c.intake, storedMessageIds: c.storedMessageIds, salt: c.salt, progress: (l) => process.stderr.write(`${l}\n`) }));
  intakeCommand('replay', 'feed saved posts of any channel (JSON lines) through the same intake path',
    (file, c) => replayFile(file, { intake: c.intake, salt: c.salt, ownGroupIds: loadConfig().vk.groupIds, progress: (l) => process.stderr.write(`${l}\n`) }));
}

function registerExports(program: Command, connect: Connections): void {
  program
    .command('export-routing-examples <file>')
    .description("write coordinators' redirects as JSON lines for `otklik train --text text --label organization --context district`")
    .action(async (file: string) => {
      const config = loadConfig();
      const c = await connect.forIntake(config, quietLogger(config));
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
      const pg = await connect.postgres(config, quietLogger(config));
      try {
        const n = await exportCorrections(pg.db, path.resolve(file), opts.kind ? 'kind' : 'category');
        process.stdout.write(`${JSON.stringify({ corrections: n, file: path.resolve(file) })}\n`);
      } finally {
        await pg.close();
      }
    });
}

export async function runCommands(argv: string[], connect: Connections): Promise<void> {
  const program = new Command('otklik').description('Otklik — citizen feedback platform').showHelpAfterError();
  registerStart(program, connect);
  program
    .command('demo')
    .description('load a realistic demo region into an empty deployment: organizations, staff, 60 days of appeals, signals and polls')
    .option('--days <n>', 'days of history', '60')
    .option('--seed <n>', 'seed of the generator (the same seed gives the same demo)', '2026')
    .action(async (opts: { days: string; seed: string }) => {
      const days = Number(opts.days);
      if (!Number.isInteger(days) || days < 7 || days > 365) throw new Error('--days: a whole number from 7 to 365');
      await connect.demo(loadConfig(), { days, seed: Number(opts.seed) || 2026 });
    });
  registerIntakeCommands(program, connect);
  program
    .command('analytics')
    .description('analytics maintenance')
    .command('rebuild')
    .description('re-derive every analytics rollup from the events table (stop the analytics role first)')
    .action(async () => {
      const config = loadConfig();
      const ch = await connect.clickhouse(config);
      try {
        await rebuildRollups(ch, { cluster: config.analytics.cluster, log: (l) => process.stdout.write(`${l}\n`) });
      } finally {
        await ch.close();
      }
    });
  // train / classify / eval: the region's own data and rubricator, no servers needed.
  registerClassifyCommands(program);
  registerExports(program, connect);

  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.stderr.write(`otklik: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
