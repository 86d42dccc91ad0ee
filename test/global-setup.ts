/**
 * Starts one real Redis and one real PostgreSQL for the whole test run: the embedded stores of a data dir under a
 * temp dir (free ports and passwords of their own). Test files isolate themselves with unique queue prefixes and
 * databases (see test/support.ts). ClickHouse is chDB in each test process. When REDIS_URL / DATABASE_URL are set,
 * those servers are used instead. As root, PostgreSQL clusters of the run go under `pgSystemDir` in the temp dir,
 * never /var/lib/otklik.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensurePostgres } from '../lib/runtime/postgres.js';
import { ensureRedis } from '../lib/runtime/redis.js';

export default async function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otklik-test-'));
  // The postgres user (PostgreSQL's, when tests run as root) passes through the temp dir to the system dir.
  fs.chmodSync(dir, 0o755);
  const pgSystemDir = path.join(dir, 'pg-system');
  const storesDir = path.join(dir, 'stores');
  const stops: (() => Promise<void>)[] = [];
  const teardown = async () => {
    for (const stop of stops.reverse()) await stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    let redisUrl = process.env.REDIS_URL;
    if (!redisUrl) {
      const redis = await ensureRedis({ dataDir: storesDir });
      stops.push(redis.stop);
      redisUrl = redis.url;
    }
    let pgAdminUrl = process.env.DATABASE_URL;
    if (!pgAdminUrl) {
      const postgres = await ensurePostgres({ dataDir: storesDir, systemDir: pgSystemDir, database: 'postgres' });
      stops.push(postgres.stop);
      pgAdminUrl = postgres.connectionString;
    }
    project.provide('redisUrl', redisUrl);
    project.provide('pgAdminUrl', pgAdminUrl);
    project.provide('testTmpDir', dir);
    project.provide('pgSystemDir', pgSystemDir);
  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    pgAdminUrl: string;
    testTmpDir: string;
    pgSystemDir: string;
  }
}
