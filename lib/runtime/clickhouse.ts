import path from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { privateDir } from './deployment.js';

export type { ClickHouseClient };

export interface ClickHouseOptions {
  url?: string;
  user?: string;
  password?: string;
  database: string;
  /** Embedded mode: chDB data dir. chDB binds one data directory per process. */
  dataDir: string;
}

/**
 * The one place a ClickHouse client is created: a server when CLICKHOUSE_URL is set, otherwise the
 * in-process chDB engine through `chdb/connection` (an experimental hook in clickhouse-js, so it stays here).
 */
export async function createClickHouse(opts: ClickHouseOptions): Promise<ClickHouseClient> {
  if (!/^[A-Za-z0-9_]+$/.test(opts.database)) throw new Error(`invalid ClickHouse database name ${opts.database}`);
  if (opts.url) {
    const bootstrap = createClient({ url: opts.url, username: opts.user, password: opts.password });
    await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${opts.database}` });
    await bootstrap.close();
    return createClient({
      url: opts.url,
      username: opts.user,
      password: opts.password,
      database: opts.database,
      clickhouse_settings: { date_time_input_format: 'best_effort' },
    });
  }
  const { createChdbConnection } = await import('chdb/connection');
  // chDB runs in this process and keeps this data dir's analytics nowhere else; owner-only like the rest of it.
  const dir = path.join(opts.dataDir, 'clickhouse');
  privateDir(dir);
  const client = createClient({
    // chdb ships its own copy of client-common types; the runtime contract is the same.
    connection: createChdbConnection({ path: dir }) as unknown as NonNullable<Parameters<typeof createClient>[0]>['connection'],
    database: opts.database,
    clickhouse_settings: { date_time_input_format: 'best_effort' },
  });
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${opts.database}` });
  // chdb/connection ignores the client's `database` option; its session keeps a USE, so unqualified
  // table names mean the same database in both modes.
  await client.command({ query: `USE ${opts.database}` });
  return client;
}
