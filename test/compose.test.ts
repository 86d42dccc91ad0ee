import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_ENV_NAMES, loadConfig } from '../lib/config.js';

interface Compose {
  services: Record<string, { image?: string; build?: unknown; environment?: Record<string, string>; depends_on?: Record<string, unknown> }>;
}

describe('docker-compose.yml', () => {
  const compose = parse(fs.readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8')) as Compose;

  it('runs redis, postgres, the official clickhouse server image and the app built from the Dockerfile', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['app', 'clickhouse', 'postgres', 'redis']);
    expect(compose.services.clickhouse!.image).toMatch(/^clickhouse\/clickhouse-server:/);
    expect(compose.services.app!.build).toBe('.');
    expect(fs.existsSync(new URL('../Dockerfile', import.meta.url))).toBe(true);
    expect(Object.keys(compose.services.app!.depends_on ?? {}).sort()).toEqual(['clickhouse', 'postgres', 'redis']);
  });

  it('gives the app only env names the config knows, and points every store at its service', () => {
    const env = compose.services.app!.environment!;
    const unknown = Object.keys(env).filter((k) => !CONFIG_ENV_NAMES.includes(k));
    expect(unknown).toEqual([]);
    const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]));
    const config = loadConfig(resolved);
    expect(new URL(config.redisUrl!).hostname).toBe('redis');
    expect(new URL(config.databaseUrl!).hostname).toBe('postgres');
    expect(new URL(config.clickhouse.url!).hostname).toBe('clickhouse');
    const pgEnv = compose.services.postgres!.environment!;
    expect(new URL(config.databaseUrl!).username).toBe(pgEnv.POSTGRES_USER);
    expect(config.clickhouse.user).toBe(compose.services.clickhouse!.environment!.CLICKHOUSE_USER);
  });

  it('documents every config env name in .env.example', () => {
    const example = fs.readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const documented = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(CONFIG_ENV_NAMES.filter((n) => !documented.has(n))).toEqual([]);
  });
});
