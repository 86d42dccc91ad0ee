/**
 * Redis and PostgreSQL of one Otklik process: the configured servers, or this data dir's embedded ones.
 */
import pg from 'pg';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { ensurePostgres, type PostgresEndpoint } from './postgres.js';
import { ensureRedis, type RedisEndpoint } from './redis.js';

/**
 * Redis and PostgreSQL from the config, or the data dir's embedded ones (started when not running; their stop() is
 * added to `embedded`). When PostgreSQL fails to start, the Redis this call started is stopped again: a failed start
 * leaves nothing running. Every pool client gets an error listener: pg-pool drops its own while a client is checked
 * out, so a server restart between two queries of a transaction would otherwise be an unhandled 'error' and kill the
 * process. The query in flight still fails and its job retries.
 */
export async function connectStores(config: Config, logger: Logger, embedded: { stop(): Promise<void> }[], poolSize: number) {
  let redis: RedisEndpoint | undefined;
  let postgres: PostgresEndpoint | undefined;
  try {
    if (!config.redisUrl) redis = await ensureRedis({ dataDir: config.dataDir, logger });
    if (!config.databaseUrl) postgres = await ensurePostgres({ dataDir: config.dataDir, systemDir: config.postgresSystemDir, logger });
  } catch (err) {
    await redis?.stop().catch(() => {});
    throw err;
  }
  if (redis) embedded.push(redis);
  if (postgres) embedded.push(postgres);
  const redisUrl = config.redisUrl ?? redis!.url;
  const db = new pg.Pool({ connectionString: config.databaseUrl ?? postgres!.connectionString, max: poolSize });
  db.on('error', (err) => logger.warn({ err: err.message }, 'idle PostgreSQL client error'));
  db.on('connect', (client) => client.on('error', (err) => logger.warn({ err: err.message }, 'PostgreSQL connection lost')));
  return { redisUrl, db };
}

export type StoreLocations = {
  redis: string;
  postgres: string;
  clickhouse: string;
};

/**
 * Which stores a process uses, for /healthz: `embedded:<data dir>` or the configured URL without its password.
 * ClickHouse is 'off' in a process whose roles do not open it.
 */
export function describeStores(config: Config, clickhouseOpen: boolean): StoreLocations {
  const embedded = `embedded:${config.dataDir}`;
  return {
    redis: config.redisUrl ? withoutSecrets(config.redisUrl) : embedded,
    postgres: config.databaseUrl ? withoutSecrets(config.databaseUrl) : embedded,
    clickhouse: !clickhouseOpen ? 'off' : config.clickhouse.url ? withoutSecrets(config.clickhouse.url) : `embedded (chDB):${config.dataDir}`,
  };
}

/** A store URL as it may be shown: no password, and no query parameter that could carry one. */
export function withoutSecrets(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'configured URL (not shown: it does not parse)';
  }
  parsed.password = '';
  for (const name of [...parsed.searchParams.keys()]) {
    if (/pass|secret|token|key|cert/i.test(name)) parsed.searchParams.delete(name);
  }
  return parsed.toString();
}
