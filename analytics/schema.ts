/**
 * Analytics schema operations beyond the numbered migrations: the retention TTL, the cluster rendering of the
 * same DDL, and re-deriving the rollups from the events table.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { CLICKHOUSE_MIGRATIONS_DIR, readMigrations, refillRollup, type RollupView, rollupViewsIn, splitStatements } from '../db/migrate.js';

/** Tables whose rows hold event-level data and so follow the retention policy; rollups are aggregates and stay. */
export const TTL_TABLES = ['events', 'event_ids'] as const;

/**
 * How each table is spread over a cluster: the shard key keeps all events of one case (or one message) on one
 * shard, so per-case rollups and the ReplacingMergeTree backstop work shard-locally.
 */
const SHARD_KEYS: Record<string, string> = {
  events:
    "cityHash64(if(case_id != toUUID('00000000-0000-0000-0000-000000000000'), case_id, if(message_id != toUUID('00000000-0000-0000-0000-000000000000'), message_id, event_id)))",
  event_ids: 'cityHash64(event_id)',
  messages_daily_region: 'rand()',
  messages_hourly: 'rand()',
  messages_hourly_region: 'rand()',
  messages_hourly_municipality: 'rand()',
  received_daily: 'rand()',
  incident_mentions: 'cityHash64(incident_id)',
  poll_votes: 'cityHash64(event_id)',
  case_facts: 'cityHash64(case_id)',
};

const ident = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Renders a migration for the configured mode. Without a cluster the SQL is used as written. With one, every
 * `CREATE TABLE x … ENGINE = E(args)` becomes a Replicated local table `x_local ON CLUSTER` plus a Distributed `x`
 * under the original name (so queries and inserts are unchanged), and materialized views read and write the local
 * tables on each shard.
 */
export function renderStatements(sql: string, cluster?: string): string[] {
  const statements = splitStatements(sql);
  if (!cluster) return statements;
  if (!ident.test(cluster)) throw new Error(`invalid cluster name ${cluster}`);
  const out: string[] = [];
  for (const s of statements) {
    const table = /^CREATE TABLE IF NOT EXISTS (\w+)\s*\(/i.exec(s);
    if (table) {
      const name = table[1]!;
      const local = `${name}_local`;
      const replicated = s
        .replace(/^CREATE TABLE IF NOT EXISTS \w+/i, `CREATE TABLE IF NOT EXISTS ${local} ON CLUSTER ${cluster}`)
        .replace(/ENGINE\s*=\s*(\w*)MergeTree(?:\(([^)]*)\))?/i, (_m, kind: string, args?: string) => {
          const path = `'/clickhouse/tables/{shard}/{database}/${local}', '{replica}'`;
          return `ENGINE = Replicated${kind}MergeTree(${args && args.trim() ? `${path}, ${args.trim()}` : path})`;
        })
        // Replicated tables deduplicate inserts by block already; the non-replicated window setting does not apply.
        .replace(/(?<!\s)\s*SETTINGS non_replicated_deduplication_window = \d+/i, '');
      out.push(replicated);
      const key = SHARD_KEYS[name] ?? 'rand()';
      out.push(`CREATE TABLE IF NOT EXISTS ${name} ON CLUSTER ${cluster} AS ${local} ENGINE = Distributed(${cluster}, currentDatabase(), ${local}, ${key})`);
      continue;
    }
    const view = /^CREATE MATERIALIZED VIEW IF NOT EXISTS (\w+) TO (\w+) AS/i.exec(s);
    if (view) {
      out.push(s
        .replace(/^CREATE MATERIALIZED VIEW IF NOT EXISTS (\w+) TO (\w+) AS/i, `CREATE MATERIALIZED VIEW IF NOT EXISTS $1 ON CLUSTER ${cluster} TO $2_local AS`)
        .replace(/\bFROM events\b/g, 'FROM events_local'));
      continue;
    }
    const drop = /^DROP (TABLE|VIEW) IF EXISTS (\w+)$/i.exec(s);
    if (drop) {
      // A table is the Distributed one over its shards' local tables; a view exists on each shard.
      out.push(`DROP ${drop[1]!.toUpperCase()} IF EXISTS ${drop[2]} ON CLUSTER ${cluster}`);
      if (drop[1]!.toUpperCase() === 'TABLE') out.push(`DROP TABLE IF EXISTS ${drop[2]}_local ON CLUSTER ${cluster}`);
      continue;
    }
    throw new Error(`cannot render for a cluster: ${s.slice(0, 80)}`);
  }
  return out;
}

/** Applies the ClickHouse migrations ON CLUSTER (cluster mode replaces db/migrate.ts's verbatim ClickHouse step). */
export async function migrateClickHouseCluster(ch: ClickHouseClient, cluster: string): Promise<string[]> {
  await ch.command({
    query: `CREATE TABLE IF NOT EXISTS schema_migrations ON CLUSTER ${cluster} (version String, name String, applied_at DateTime DEFAULT now())
            ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{database}/schema_migrations', '{replica}') ORDER BY version`,
  });
  const done = new Set(
    (await (await ch.query({ query: 'SELECT version FROM schema_migrations FINAL', format: 'JSONEachRow' })).json<{ version: string }>()).map((r) => r.version),
  );
  const applied: string[] = [];
  for (const m of readMigrations(CLICKHOUSE_MIGRATIONS_DIR)) {
    if (done.has(m.version)) continue;
    for (const statement of renderStatements(m.sql, cluster)) await ch.command({ query: statement });
    for (const view of rollupViewsIn(splitStatements(m.sql))) await refillRollup(ch, view, cluster);
    await ch.insert({ table: 'schema_migrations', values: [{ version: m.version, name: m.name }], format: 'JSONEachRow' });
    applied.push(m.name);
  }
  return applied;
}

/** The TTL clause for event-level tables: `0` keeps data forever. */
export function ttlStatements(days: number, cluster?: string): string[] {
  if (!Number.isInteger(days) || days < 0) throw new Error(`invalid TTL days ${days}`);
  return TTL_TABLES.map((t) => {
    const target = cluster ? `${t}_local ON CLUSTER ${cluster}` : t;
    return days === 0 ? `ALTER TABLE ${target} REMOVE TTL` : `ALTER TABLE ${target} MODIFY TTL toDateTime(at) + toIntervalDay(${days})`;
  });
}

/**
 * Applies the retention policy at start, only when it differs from what the tables have, so a restart does not
 * re-materialize TTL over millions of rows.
 */
export async function applyRetention(ch: ClickHouseClient, days: number, cluster?: string): Promise<boolean> {
  const rs = await ch.query({
    query: 'SELECT name, create_table_query AS ddl FROM system.tables WHERE database = currentDatabase() AND name IN {names:Array(String)}',
    query_params: { names: TTL_TABLES.map((t) => (cluster ? `${t}_local` : t)) },
    format: 'JSONEachRow',
  });
  const current = await rs.json<{ name: string; ddl: string }>();
  const wanted = days === 0 ? undefined : `toIntervalDay(${days})`;
  const matches = current.every((t) => (wanted ? t.ddl.includes(`TTL toDateTime(at) + ${wanted}`) : !/\bTTL\b/.test(t.ddl)));
  if (matches && current.length === TTL_TABLES.length) return false;
  for (const statement of ttlStatements(days, cluster)) {
    try {
      await ch.command({ query: statement });
    } catch (err) {
      // REMOVE TTL on a table that never had one is an error in ClickHouse; the state is already as wanted.
      if (days === 0 && /TTL|BAD_ARGUMENTS/i.test((err as Error).message)) continue;
      throw err;
    }
  }
  return true;
}

/**
 * Rollup tables with the SELECT of their materialized view, read from the migrations so they never diverge; a table
 * a later migration drops is no longer one.
 */
export function rollupDefinitions(): RollupView[] {
  const statements = readMigrations(CLICKHOUSE_MIGRATIONS_DIR).flatMap((m) => splitStatements(m.sql));
  const dropped = new Set(statements.flatMap((s) => /^DROP TABLE IF EXISTS (\w+)$/i.exec(s)?.[1] ?? []));
  return rollupViewsIn(statements).filter((v) => !dropped.has(v.table));
}

/**
 * `otklik analytics rebuild`: empties every rollup and re-derives it from events after a schema change (see
 * refillRollup; run it with the analytics role stopped).
 */
export async function rebuildRollups(ch: ClickHouseClient,
  opts: { cluster?: string; log?: (msg: string) => void } = {}): Promise<{ table: string; rows: number }[]>
{
  const result: { table: string; rows: number }[] = [];
  for (const view of rollupDefinitions()) {
    const { table } = view;
    await refillRollup(ch, view, opts.cluster);
    const rs = await ch.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow',
      clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } });
    const rows = Number((await rs.json<{ n: number }>())[0]?.n ?? 0);
    opts.log?.(`${table}: ${rows} rows`);
    result.push({ table, rows });
  }
  return result;
}
