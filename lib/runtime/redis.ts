import fs from 'node:fs';
import path from 'node:path';
import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { findExecutable, portAnswers, processAlive, spawnServer, waitFor } from './processes.js';

export interface RedisEndpoint {
  url: string;
  /** Stops the server only if this process started it. */
  stop(): Promise<void>;
}

export class MissingRedisError extends Error {
  constructor() {
    super(
      'No Redis answers on 127.0.0.1:6379 and `redis-server` is not installed.\n' +
        'Install it (Debian/Ubuntu: `sudo apt-get install -y redis-server`) or set REDIS_URL to a Redis server.',
    );
  }
}

/**
 * Embedded default: use a Redis already answering on the port, or start the machine's redis-server with AOF
 * under the data dir. Redis for BullMQ must never evict keys, so noeviction is set on the child.
 */
export async function ensureRedis(opts: { dataDir: string; port?: number; logger?: Logger }): Promise<RedisEndpoint> {
  const port = opts.port ?? 6379;
  const url = `redis://127.0.0.1:${port}`;
  if (await portAnswers(port)) {
    opts.logger?.info({ port }, 'using the Redis already answering on loopback');
    return { url, stop: async () => {} };
  }
  const binary = findExecutable('redis-server');
  if (!binary) throw new MissingRedisError();
  const dir = path.join(opts.dataDir, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  const child = spawnServer(
    binary,
    [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
      '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '',
      '--maxmemory-policy', 'noeviction', '--protected-mode', 'yes', '--daemonize', 'no',
      '--pidfile', path.join(dir, 'redis.pid'),
    ],
    path.join(dir, 'redis.log'),
  );
  opts.logger?.info({ port, dir, pid: child.pid }, 'started embedded redis-server');
  await waitFor(() => portAnswers(port), 15_000, `redis-server on port ${port} (see ${dir}/redis.log)`);
  return {
    url,
    async stop() {
      const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
      try {
        await client.connect();
        // SHUTDOWN makes redis fsync the AOF before it exits; the connection drops as the reply.
        await client.call('SHUTDOWN').catch(() => undefined);
      } catch {
        if (child.pid && processAlive(child.pid)) process.kill(child.pid, 'SIGTERM');
      } finally {
        client.disconnect();
      }
      if (child.pid) await waitFor(async () => !processAlive(child.pid!), 10_000, 'redis-server to stop').catch(() => {});
    },
  };
}

/** Connection for BullMQ workers: they must wait for Redis forever rather than fail a job on a blip. */
export function workerRedisOptions(): RedisOptions {
  return { maxRetriesPerRequest: null, enableReadyCheck: true };
}

/** Connection for producers inside HTTP handlers: fail fast and answer 503 instead of hanging. */
export function producerRedisOptions(): RedisOptions {
  return { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 };
}

/**
 * Resolves once a client is connected. A fail-fast client (no offline queue) refuses every command until then, so
 * the HTTP handlers that use it must not be served before: on a loaded machine the first webhook otherwise meets a
 * client still connecting and answers 503.
 */
export async function untilReady(client: Redis, timeoutMs = 30_000): Promise<void> {
  if (client.status === 'ready') return;
  if (client.status === 'end') throw new Error('Redis connection ended before it was ready');
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`Redis did not become ready within ${timeoutMs} ms`)), timeoutMs);
    const onReady = () => done();
    const onEnd = () => done(new Error('Redis connection ended before it was ready'));
    const done = (err?: Error) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('end', onEnd);
      if (err) reject(err);
      else resolve();
    };
    client.on('ready', onReady);
    client.on('end', onEnd);
  });
}
