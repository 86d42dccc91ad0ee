import fs from 'node:fs';
import path from 'node:path';
import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { ForeignStoreError, openDeployment, privateDir, realPath, STORES_FILE } from './deployment.js';
import { commandLine, findExecutable, logTail, processAlive, spawnServer, stopProcess, waitFor } from './processes.js';

export interface RedisEndpoint {
  /** redis://:password@127.0.0.1:port — the password is this deployment's, generated at its first start. */
  url: string;
  port: number;
  /** True when this process started the server; only then does stop() stop it. */
  started: boolean;
  stop(): Promise<void>;
}

export class MissingRedisError extends Error {
  constructor() {
    super(
      'Embedded mode starts a Redis server for the data dir, but `redis-server` is not installed.\n' +
        'Install it (Debian/Ubuntu: `sudo apt-get install -y redis-server`) or set REDIS_URL to a Redis server.',
    );
  }
}

type Probe = { kind: 'absent' } | { kind: 'ours'; pid: number } | { kind: 'foreign'; why: string };

/**
 * Embedded default: this data dir's own redis-server, with AOF under `<dataDir>/redis`, a generated password and the
 * port recorded in `<dataDir>/stores.json`. Another process of the deployment may have started it already; then it
 * is shared. Whatever answers on the recorded port is used only if it asks for this deployment's password and runs
 * from this data dir's config file; anything else is refused. Redis for BullMQ must never evict keys (noeviction).
 */
export async function ensureRedis(opts: { dataDir: string; logger?: Logger }): Promise<RedisEndpoint> {
  const deployment = await openDeployment(opts.dataDir);
  const { password } = deployment.record.redis;
  const port = deployment.record.redis.port!;
  const dir = path.join(deployment.dataDir, 'redis');
  privateDir(dir);
  const confFile = path.join(dir, 'redis.conf');
  const logFile = path.join(dir, 'redis.log');
  const url = `redis://:${password}@127.0.0.1:${port}`;
  const store = `Redis on 127.0.0.1:${port}`;
  const refuse = (why: string) =>
    new ForeignStoreError(store, deployment.dataDir, why,
      `Stop that server, or delete "port" under "redis" in ${path.join(deployment.dataDir, STORES_FILE)} to have a free port picked at the next start.`);

  const first = await probeRedis(port, password, confFile);
  if (first.kind === 'foreign') throw refuse(first.why);
  if (first.kind === 'ours') return endpoint(url, port, password, undefined);

  let child: ReturnType<typeof spawnServer> | undefined;
  if (!siblingStarting(dir, confFile, port)) {
    const binary = findExecutable('redis-server');
    if (!binary) throw new MissingRedisError();
    writeConfig(confFile, { port, dir, password });
    child = spawnServer(binary, [confFile], logFile);
    opts.logger?.info({ port, dir, pid: child.pid }, 'started embedded redis-server');
  }
  const exited = child ? exitFlag(child) : () => false;
  let serverPid: number | undefined;
  try {
    await waitFor(async () => {
      const found = await probeRedis(port, password, confFile);
      if (found.kind === 'foreign') throw refuse(found.why);
      // A sibling process may have won the port; its server answers within moments, ours exits.
      if (found.kind === 'absent' && exited() && !siblingStarting(dir, confFile, port)) {
        throw new Error(`redis-server for ${dir} exited before it answered on port ${port}${logTail(logFile)}`);
      }
      if (found.kind === 'ours') serverPid = found.pid;
      return found.kind === 'ours';
    }, 15_000, `redis-server on port ${port} (see ${logFile})`);
  } catch (err) {
    await stopProcess(child?.pid, 'SIGTERM', 10_000, 'redis-server to stop');
    throw err;
  }
  return endpoint(url, port, password, child?.pid !== undefined && child.pid === serverPid ? serverPid : undefined);
}

function endpoint(url: string, port: number, password: string, startedPid: number | undefined): RedisEndpoint {
  return {
    url,
    port,
    started: startedPid !== undefined,
    async stop() {
      if (startedPid === undefined) return;
      const client = new Redis({ host: '127.0.0.1', port, password, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
      client.on('error', () => {});
      try {
        await client.connect();
        // SHUTDOWN makes redis fsync the AOF before it exits; the connection drops as the reply.
        await client.call('SHUTDOWN').catch(() => undefined);
      } catch {
        if (processAlive(startedPid)) process.kill(startedPid, 'SIGTERM');
      } finally {
        client.disconnect();
      }
      await waitFor(async () => !processAlive(startedPid), 10_000, 'redis-server to stop').catch(() => {});
    },
  };
}

/**
 * Asks whatever answers on the port to prove it is this deployment's Redis: it must refuse commands without a
 * password, accept this deployment's password, and run from this data dir's config file.
 */
export async function probeRedis(port: number, password: string, confFile: string): Promise<Probe> {
  // RESP2: ioredis's RESP3 handshake (HELLO) is refused before AUTH, and the first question is whether it asks for one.
  const client = new Redis({
    host: '127.0.0.1',
    port,
    protocol: 2,
    lazyConnect: true,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2000,
    commandTimeout: 3000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch {
    client.disconnect();
    return { kind: 'absent' };
  }
  try {
    const unauthenticated = await client.ping().then(() => undefined, (err: Error) => err);
    if (!unauthenticated) return { kind: 'foreign', why: 'it answers without a password' };
    if (!/NOAUTH/.test(unauthenticated.message)) return { kind: 'foreign', why: `it does not answer as Redis (${unauthenticated.message})` };
    const auth = await client.auth(password).then(() => undefined, (err: Error) => err);
    if (auth) return { kind: 'foreign', why: `it refuses this deployment's password (${auth.message})` };
    const info = Object.fromEntries((await client.info('server')).split(/\r?\n/).map((l) => l.split(':', 2)).filter((kv) => kv.length === 2));
    const configFile = String(info.config_file ?? '');
    if (!configFile || realPath(configFile) !== realPath(confFile)) {
      return { kind: 'foreign', why: `it runs from ${configFile ? `the config file ${configFile}` : 'no config file'}, not this data dir's ${confFile}` };
    }
    return { kind: 'ours', pid: Number(info.process_id) };
  } catch (err) {
    return { kind: 'foreign', why: `it does not answer as Redis (${(err as Error).message})` };
  } finally {
    client.disconnect();
  }
}

/**
 * A redis-server already running on this data dir's Redis directory but not answering as its store: either another
 * process of the deployment is starting it right now on the recorded port, or an earlier Otklik started one without a
 * password elsewhere (6379); two servers on one AOF would corrupt it, so that one is refused. Redis replaces its
 * command line by `redis-server <address>` once it listens; until then it shows the config file.
 */
function siblingStarting(dir: string, confFile: string, port: number): boolean {
  const pidFile = path.join(dir, 'redis.pid');
  const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').trim()) : NaN;
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return false;
  const command = commandLine(pid);
  if (!command?.includes('redis-server')) return false;
  if (command.includes(confFile) || command.split(/\s/).some((word) => word.endsWith(`:${port}`))) return true;
  throw new Error(`a redis-server (pid ${pid}: ${command}) already serves ${dir} but not as this deployment's store on port ${port}; ` +
    `an earlier Otklik version started it without a password. Stop it (kill ${pid}) and start again.`);
}

function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** The password goes in an owner-only config file: on the command line every local user could read it in ps. */
function writeConfig(file: string, o: { port: number; dir: string; password: string }): void {
  const lines = [
    "# Written by Otklik at each start of this data dir's Redis; edits are overwritten.",
    'bind 127.0.0.1',
    `port ${o.port}`,
    'protected-mode yes',
    `dir ${quote(o.dir)}`,
    `pidfile ${quote(path.join(o.dir, 'redis.pid'))}`,
    'daemonize no',
    'appendonly yes',
    'appendfsync everysec',
    'save ""',
    'maxmemory-policy noeviction',
    `requirepass ${quote(o.password)}`,
  ];
  const tmp = `${file}.${process.pid}`;
  fs.writeFileSync(tmp, `${lines.join('\n')}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

function exitFlag(child: ReturnType<typeof spawnServer>): () => boolean {
  let exited = child.exitCode !== null;
  child.once('exit', () => (exited = true));
  return () => exited;
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
