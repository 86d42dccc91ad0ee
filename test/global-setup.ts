/**
 * Starts one real Redis and one real PostgreSQL for the whole test run, on free loopback ports under a temp dir.
 * Test files isolate themselves with unique queue prefixes and databases (see test/support.ts). ClickHouse is chDB
 * in each test process. When REDIS_URL / DATABASE_URL are set, those servers are used instead.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from '../lib/runtime/processes.js';
import { ensurePostgres } from '../lib/runtime/postgres.js';
import { ensureRedis } from '../lib/runtime/redis.js';

export default async function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otklik-test-'));
  fs.chmodSync(dir, 0o755);
  const stops: (() => Promise<void>)[] = [];
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const redis = await ensureRedis({ dataDir: dir, port: await freePort() });
    stops.push(redis.stop);
    redisUrl = redis.url;
  }
  let pgAdminUrl = process.env.DATABASE_URL;
  if (!pgAdminUrl) {
    const postgres = await ensurePostgres({ dataDir: dir, port: await freePort(), database: 'postgres' });
    stops.push(postgres.stop);
    pgAdminUrl = postgres.connectionString;
  }
  project.provide('redisUrl', redisUrl);
  project.provide('pgAdminUrl', pgAdminUrl);
  project.provide('testTmpDir', dir);
  return async () => {
    for (const stop of stops.reverse()) await stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    pgAdminUrl: string;
    testTmpDir: string;
  }
}
