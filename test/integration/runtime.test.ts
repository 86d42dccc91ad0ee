import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { migrate, readMigrations, POSTGRES_MIGRATIONS_DIR } from '../../db/migrate.js';
import { createLogger } from '../../lib/logger.js';
import { freePort } from '../../lib/runtime/processes.js';
import { ensureRedis, MissingRedisError, producerRedisOptions, untilReady } from '../../lib/runtime/redis.js';
import { startOtklik } from '../../main.js';
import { createTestDatabase, eventually, testConfig, testDataDir } from '../support.js';

describe('migrations', () => {
  it('apply once even when two processes start at the same moment, and a second run does nothing', async () => {
    const url = await createTestDatabase('mig');
    const a = new pg.Pool({ connectionString: url });
    const b = new pg.Pool({ connectionString: url });
    try {
      const [ra, rb] = await Promise.all([migrate(a), migrate(b)]);
      const all = readMigrations(POSTGRES_MIGRATIONS_DIR).map((m) => m.name);
      expect([...ra.postgres, ...rb.postgres].sort()).toEqual(all.sort());
      expect((await migrate(a)).postgres).toEqual([]);
      const rows = await a.query('select version from schema_migrations order by version');
      expect(rows.rows.map((r) => r.version)).toEqual(readMigrations(POSTGRES_MIGRATIONS_DIR).map((m) => m.version));
    } finally {
      await a.end();
      await b.end();
    }
  });
});

describe('embedded Redis', () => {
  it('gives HTTP producers a fail-fast client only once it is connected', async () => {
    // Without the offline queue a command sent while connecting fails at once: the cause of a 503 on the first
    // webhook after start on a loaded machine.
    const early = new Redis(inject('redisUrl'), producerRedisOptions());
    early.on('error', () => {});
    const ready = new Redis(inject('redisUrl'), producerRedisOptions());
    const nowhere = new Redis(`redis://127.0.0.1:${await freePort()}`, { ...producerRedisOptions(), retryStrategy: () => null });
    nowhere.on('error', () => {});
    try {
      await expect(early.exists('otklik:untouched')).rejects.toThrow(/enableOfflineQueue/);
      await untilReady(ready);
      expect(await ready.exists('otklik:untouched')).toBe(0);
      await expect(untilReady(nowhere, 5_000)).rejects.toThrow(/ended before it was ready/);
    } finally {
      early.disconnect();
      ready.disconnect();
      nowhere.disconnect();
    }
  });

  it('says how to install redis-server or set REDIS_URL when there is none', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(ensureRedis({ dataDir: testDataDir('noredis') })).rejects.toThrow(MissingRedisError);
      await expect(ensureRedis({ dataDir: testDataDir('noredis') })).rejects.toThrow(/apt-get install -y redis-server.*REDIS_URL/s);
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('/healthz', () => {
  it('answers 503 naming the store that does not answer, and ok again once it is back', async () => {
    const dataDir = testDataDir('health');
    const redis = await ensureRedis({ dataDir });
    let restarted: Awaited<ReturnType<typeof ensureRedis>> | undefined;
    const system = await startOtklik(await testConfig({ REDIS_URL: redis.url, OTKLIK_DATA_DIR: dataDir }), ['ingest', 'dashboard'], createLogger('silent'));
    try {
      expect((await fetch(`${system.url}/healthz`)).status).toBe(200);
      await redis.stop();
      const down = await eventually(async () => {
        const res = await fetch(`${system.url}/healthz`);
        return res.status === 503 ? ((await res.json()) as { down: string[]; redis: string; postgres: string }) : undefined;
      }, 10_000, '503');
      expect(down.down).toEqual(['redis']);
      expect(down.postgres).toBe('ok');
      restarted = await ensureRedis({ dataDir });
      await eventually(async () => (await fetch(`${system.url}/healthz`)).status === 200, 20_000, 'healthy again');
    } finally {
      await system.stop();
      await restarted?.stop();
    }
  });
});
