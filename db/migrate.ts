import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import type { ClickHouseClient } from '@clickhouse/client';

const here = path.dirname(fileURLToPath(import.meta.url));
export const POSTGRES_MIGRATIONS_DIR = path.join(here, 'postgres');
export const CLICKHOUSE_MIGRATIONS_DIR = path.join(here, 'clickhouse');

// Any constant works; it only has to be the same in every Otklik process.
const MIGRATION_LOCK_KEY = 7_031_2022;

export interface Migration {
  version: string;
  name: string;
  sql: string;
}

/** Numbered `.sql` files (`001_name.sql`), in order. */
export function readMigrations(dir: string): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d+_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: f.split('_')[0]!, name: f, sql: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

/** Splits a ClickHouse migration into statements (ClickHouse takes one statement per request). */
export function splitStatements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A materialized view's target table and its SELECT over events, as a ClickHouse migration creates it. */
export interface RollupView {
  table: string;
  select: string;
}

/** The views a ClickHouse migration's statements create. */
export function rollupViewsIn(statements: string[]): RollupView[] {
  return statements.flatMap((s) => {
    const view = /^CREATE MATERIALIZED VIEW IF NOT EXISTS \w+ TO (\w+) AS\s+([\s\S]+)$/i.exec(s);
    return view ? [{ table: view[1]!, select: view[2]! }] : [];
  });
}

/**
 * Empties a rollup and derives it again from every event. A view sees only the inserts after it was created, so a
 * migration's new rollup is filled this way for the events already stored, and `otklik analytics rebuild` does it
 * for all. Events are read FINAL: a duplicate that slipped past ingest dedupe (two writers racing) is dropped here.
 * Emptying first makes it safe to repeat after a failure part-way; events arriving meanwhile could count twice, so
 * both run with the analytics role stopped (migrations run before a process consumes events).
 */
export async function refillRollup(ch: ClickHouseClient, view: RollupView, cluster?: string): Promise<void> {
  await ch.command({ query: `TRUNCATE TABLE IF EXISTS ${cluster ? `${view.table}_local ON CLUSTER ${cluster}` : view.table}` });
  await ch.command({ query: `INSERT INTO ${view.table} ${view.select.replace(/\bFROM events\b/g, 'FROM events FINAL')}` });
}

/**
 * Applies pending migrations to PostgreSQL and then ClickHouse. A session-level advisory lock serialises
 * concurrent starters (several role processes booting at once); each applied file is recorded, so a second
 * run does nothing.
 */
export async function migrate(db: pg.Pool, ch?: ClickHouseClient): Promise<{ postgres: string[]; clickhouse: string[] }> {
  const client = await db.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const postgres = await migratePostgres(client);
      const clickhouse = ch ? await migrateClickHouse(ch) : [];
      return { postgres, clickhouse };
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

async function migratePostgres(client: pg.PoolClient): Promise<string[]> {
  await client.query(`create table if not exists schema_migrations (
    version text primary key, name text not null, applied_at timestamptz not null default now())`);
  const done = new Set((await client.query<{ version: string }>('select version from schema_migrations')).rows.map((r) => r.version));
  const applied: string[] = [];
  for (const m of readMigrations(POSTGRES_MIGRATIONS_DIR)) {
    if (done.has(m.version)) continue;
    await client.query('begin');
    try {
      await client.query(m.sql);
      await client.query('insert into schema_migrations (version, name) values ($1, $2)', [m.version, m.name]);
      await client.query('commit');
      applied.push(m.name);
    } catch (err) {
      await client.query('rollback');
      throw new Error(`PostgreSQL migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
    }
  }
  return applied;
}

async function migrateClickHouse(ch: ClickHouseClient): Promise<string[]> {
  await ch.command({
    query: `CREATE TABLE IF NOT EXISTS schema_migrations (version String, name String, applied_at DateTime DEFAULT now())
            ENGINE = ReplacingMergeTree ORDER BY version`,
  });
  const rows = await (await ch.query({ query: 'SELECT version FROM schema_migrations FINAL', format: 'JSONEachRow' })).json<{ version: string }>();
  const done = new Set(rows.map((r) => r.version));
  const applied: string[] = [];
  for (const m of readMigrations(CLICKHOUSE_MIGRATIONS_DIR)) {
    if (done.has(m.version)) continue;
    // ClickHouse DDL is not transactional; statements are written idempotently (IF NOT EXISTS) instead.
    const statements = splitStatements(m.sql);
    try {
      for (const statement of statements) await ch.command({ query: statement });
      for (const view of rollupViewsIn(statements)) await refillRollup(ch, view);
    } catch (err) {
      throw new Error(`ClickHouse migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
    }
    await ch.insert({ table: 'schema_migrations', values: [{ version: m.version, name: m.name }], format: 'JSONEachRow' });
    applied.push(m.name);
  }
  return applied;
}
