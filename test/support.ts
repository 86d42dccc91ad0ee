/** Helpers for integration tests: isolated databases, queue prefixes and whole Otklik systems on test servers. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import pg from 'pg';
import { loadConfig, ROLES, type Config, type Role } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { createDatabaseIfMissing } from '../lib/runtime/postgres.js';
import { startOtklik, type Otklik } from '../main.js';

export const uniqueName = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;

/** A fresh PostgreSQL database on the test server; returns its connection string. */
export async function createTestDatabase(prefix = 'otk'): Promise<string> {
  const admin = inject('pgAdminUrl');
  const name = uniqueName(prefix).toLowerCase();
  await createDatabaseIfMissing(admin, name);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

export function testDataDir(prefix = 'data'): string {
  const dir = path.join(inject('testTmpDir'), uniqueName(prefix));
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Config for a system on the test servers: own database, own queue prefix, own chDB dir, a free HTTP port. */
export async function testConfig(env: Record<string, string> = {}): Promise<Config> {
  return loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    OTKLIK_DATA_DIR: testDataDir(),
    OTKLIK_POSTGRES_SYSTEM_DIR: inject('pgSystemDir'),
    OTKLIK_QUEUE_PREFIX: uniqueName('q'),
    REDIS_URL: inject('redisUrl'),
    DATABASE_URL: await createTestDatabase(),
    OTKLIK_ADMIN_PASSWORD: 'test-admin-password',
    CONTACT_CENTER_SECRET: 'test-secret',
    ...env,
  });
}

export async function startTestSystem(env: Record<string, string> = {}, roles: Role[] = [...ROLES]): Promise<Otklik> {
  const config = await testConfig(env);
  return startOtklik(config, roles, createLogger(process.env.TEST_LOG ?? 'silent'));
}

/** Polls until `check` returns a truthy value; tests wait on facts, never on sleeps. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

export async function loginAs(baseUrl: string, login: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export { pg };

/**
 * A token of a moderator made through the admin API: the monitoring team reads every stored message with the ids
 * that reach its author, which a region administrator's listing withholds (docs/security.md, "Who reads what").
 */
export async function moderatorToken(baseUrl: string, login = 'monitoring-moderator'): Promise<string> {
  const admin = await loginAs(baseUrl, 'admin', 'test-admin-password');
  const password = 'monitoring-password-1';
  const res = await fetch(`${baseUrl}/api/v1/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
    body: JSON.stringify({ login, password, displayName: 'Модератор', roles: [{ role: 'moderator', organizationId: null }] }),
  });
  if (res.status !== 201) throw new Error(`moderator not created: ${res.status} ${await res.text()}`);
  return loginAs(baseUrl, login, password);
}

/** The stored messages of one channel as the listing shows them to the caller (newest first); a refusal fails loudly. */
export async function listedMessages<T>(baseUrl: string, token: string, source: string): Promise<T[]> {
  const res = await fetch(`${baseUrl}/api/v1/messages?source=${source}&limit=500`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`GET /api/v1/messages?source=${source}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { items: T[] }).items;
}

/** A JSON POST as a channel's webhook delivers it. */
export const postJson = (baseUrl: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
