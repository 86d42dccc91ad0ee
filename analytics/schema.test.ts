import { describe, expect, it } from 'vitest';
import { CLICKHOUSE_MIGRATIONS_DIR, readMigrations, splitStatements } from '../db/migrate.js';
import { renderStatements, rollupDefinitions, ttlStatements } from './schema.js';

const all = readMigrations(CLICKHOUSE_MIGRATIONS_DIR).map((m) => m.sql).join('\n');

describe('analytics DDL rendering', () => {
  it('uses the migrations as written on a single node', () => {
    expect(renderStatements(all)).toEqual(splitStatements(all));
    expect(renderStatements(all).join('\n')).not.toMatch(/ON CLUSTER|Replicated|Distributed/);
  });

  it('renders Replicated local tables, Distributed tables and shard-local views ON CLUSTER', () => {
    const out = renderStatements(all, 'otklik');
    const events = out.find((s) => s.startsWith('CREATE TABLE IF NOT EXISTS events_local'))!;
    expect(events).toContain('ON CLUSTER otklik');
    expect(events).toContain("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/events_local', '{replica}', inserted_at)");
    expect(events).not.toContain('non_replicated_deduplication_window');
    expect(out).toContain(
      'CREATE TABLE IF NOT EXISTS case_facts ON CLUSTER otklik AS case_facts_local ENGINE = Distributed(otklik, currentDatabase(), case_facts_local, cityHash64(case_id))',
    );
    expect(out.find((s) => s.startsWith('CREATE TABLE IF NOT EXISTS case_facts_local'))).toContain(
      "ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/case_facts_local', '{replica}')",
    );
    const views = out.filter((s) => s.startsWith('CREATE MATERIALIZED VIEW'));
    expect(views.length).toBeGreaterThanOrEqual(3);
    for (const v of views) {
      expect(v).toMatch(/ON CLUSTER otklik TO \w+_local AS/);
      expect(v).toContain('FROM events_local');
      expect(v).not.toMatch(/FROM events\b(?!_local)/);
    }
    // Every table gets both halves.
    const tables = splitStatements(all).filter((s) => s.startsWith('CREATE TABLE')).length;
    expect(out.filter((s) => s.includes('ENGINE = Distributed')).length).toBe(tables);
  });

  it("drops a view on every shard, and a table with its shards' local tables", () => {
    expect(renderStatements('DROP VIEW IF EXISTS messages_daily_mv;\nDROP TABLE IF EXISTS messages_daily;', 'otklik')).toEqual([
      'DROP VIEW IF EXISTS messages_daily_mv ON CLUSTER otklik',
      'DROP TABLE IF EXISTS messages_daily ON CLUSTER otklik',
      'DROP TABLE IF EXISTS messages_daily_local ON CLUSTER otklik',
    ]);
  });

  it('refuses a cluster name that is not an identifier', () => {
    expect(() => renderStatements(all, 'x; DROP TABLE events')).toThrow(/invalid cluster/);
  });

  it('renders the retention TTL for both modes', () => {
    expect(ttlStatements(90)).toEqual(['ALTER TABLE events MODIFY TTL toDateTime(at) + toIntervalDay(90)',
      'ALTER TABLE event_ids MODIFY TTL toDateTime(at) + toIntervalDay(90)']);
    expect(ttlStatements(0, 'c1')).toEqual(['ALTER TABLE events_local ON CLUSTER c1 REMOVE TTL', 'ALTER TABLE event_ids_local ON CLUSTER c1 REMOVE TTL']);
    expect(() => ttlStatements(-1)).toThrow();
  });

  it('finds every rollup view for rebuild', () => {
    expect(rollupDefinitions().map((d) => d.table).sort()).toEqual([
      'case_facts',
      'event_ids',
      'incident_mentions',
      'messages_daily_region',
      'messages_hourly',
      'messages_hourly_municipality',
      'messages_hourly_region',
      'poll_votes',
      'received_daily',
    ]);
  });
});
