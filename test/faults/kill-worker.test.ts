import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { normalizeCallCard } from '../../ingest/contact-center.js';
import type { Config } from '../../lib/config.js';
import { createLogger } from '../../lib/logger.js';
import { startOtklik, type Otklik } from '../../main.js';
import { eventually, testConfig } from '../support.js';

const N = 800;

/** A real Otklik process running the worker roles, as in a scaled-out deployment. */
function spawnWorkers(config: Config, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['bin/otklik.mjs', 'start', '--roles', 'classify,workflow'], {
    env: { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', OTKLIK_DATA_DIR: config.dataDir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', () => {});
  return child;
}

describe('kill -9 of a worker process mid-batch', () => {
  let analytics: Otklik | undefined;
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await analytics?.stop();
  });

  it('loses nothing and counts nothing twice once another process takes over', async () => {
    const env = {
      REDIS_URL: '',
      DATABASE_URL: '',
      OTKLIK_QUEUE_PREFIX: '',
      CONTACT_CENTER_SECRET: 'test-secret',
      OTKLIK_ADMIN_PASSWORD: 'x-admin-password',
    };
    const config = await testConfig();
    Object.assign(env, { REDIS_URL: config.redisUrl!, DATABASE_URL: config.databaseUrl!, OTKLIK_QUEUE_PREFIX: config.queuePrefix,
      OTKLIK_HASH_SALT: 'fault-salt' });
    // ClickHouse (chDB) lives in this process: the analytics role runs here, the workers in children.
    analytics = await startOtklik({ ...config, hashSalt: 'fault-salt' }, ['analytics'], createLogger('silent'));
    const first = spawnWorkers(config, env);
    children.push(first);

    const messages = Array.from({ length: N }, (_, i) =>
      normalizeCallCard({
        callId: `kill-${i}`,
        receivedAt: new Date().toISOString(),
        text: `Жалоба номер ${i}: во дворе дома не вывозят мусор, контейнеры переполнены`,
      }, 'fault-salt'));
    for (let i = 0; i < N; i += 500) {
      await analytics.queues.incoming.addBulk(messages.slice(i, i + 500).map((m) => ({ name: 'contact_center', data: m, opts: { jobId: m.messageId } })));
    }
    const casesNow = async () => Number((await analytics!.db.query('select count(*) from cases')).rows[0].count);
    await eventually(async () => (await casesNow()) >= 100, 60_000, 'the first process to be mid-stream');
    first.kill('SIGKILL');
    const atKill = await casesNow();
    expect(atKill).toBeLessThan(N);

    children.push(spawnWorkers(config, env));
    await eventually(async () => (await casesNow()) === N, 120_000, `all ${N} cases after the takeover`);
    const dupes = await analytics.db.query('select count(*) - count(distinct message_id) as d from cases');
    expect(Number(dupes.rows[0].d)).toBe(0);

    const ch = analytics.ch!;
    const counted = await eventually(async () => {
      const r = await ch.query({ query: "SELECT toUInt32(count()) AS n, toUInt32(uniqExact(event_id)) AS u FROM events WHERE type = 'case.created'",
        format: 'JSONEachRow' });
      const [row] = await r.json<{ n: number; u: number }>();
      return Number(row!.u) === N ? row : undefined;
    }, 60_000, 'every case.created event in ClickHouse');
    expect(Number(counted!.n)).toBe(N);
  }, 300_000);
});
